"""Practise backprop by hand: a quiz (terminal, browser, notebook), fresh exercises for a class, animations.

* `quiz`       questions from a walkthrough, answers read as a person types them, hints, the score
* `terminal`   the quiz one line at a time: ``python -m autograd practice``
* `page`       the quiz in the walkthrough's offline player: ``wt.save_html(path, quiz=True)``
* `exercises`  worksheets with fresh numbers for every student, an answer key, grading with partial credit
* `widgets`    notebook widgets: a stepper over a walkthrough, and a nudge widget (ipywidgets)
* `animate`    a walkthrough as PNG frames and an animated GIF, for slides

Built on the walkthrough's public API only (its steps, their contributions, its names) and on drawing.
"""

from .animate import frames, save_frames, save_gif
from .exercises import Exercise, Grade, exercise, exercises, grade, write_worksheets
from .quiz import AnswerError, Question, Quiz, parse_answer
from .terminal import practise
from .widgets import Nudge, Stepper

__all__ = [
    "AnswerError",
    "Exercise",
    "Grade",
    "Nudge",
    "Question",
    "Quiz",
    "Stepper",
    "exercise",
    "exercises",
    "frames",
    "grade",
    "parse_answer",
    "practise",
    "save_frames",
    "save_gif",
    "write_worksheets",
]
