"""The quiz in a terminal: one question at a time, one answer per line, typed or piped from a file.

>>> import io
>>> from autograd import Value
>>> x = Value(3.0, "x")
>>> y = x * 2; y.label = "y"
>>> quiz = practise(y, io.StringIO("2.5\\nhint\\n2\\n"), io.StringIO())
>>> quiz.score, quiz.done
(0, True)

Reading stops cleanly at an empty line, at the end of the input or at Ctrl-C: the score so far is
printed, and nothing is lost.
"""

from __future__ import annotations

from typing import Any, TextIO

from ..engine import Value
from .quiz import Quiz, tolerance_text

__all__ = ["practise"]


def practise(source: Value | Any, answers: TextIO, out: TextIO, *, title: str = "", digits: int = 4) -> Quiz:
    """Ask every question of `source` (a Value or a walkthrough) on `out`, reading answers from `answers`.

    Returns the `Quiz`, with its score, however the session ended.
    """
    quiz = source if isinstance(source, Quiz) else Quiz(source, digits=digits)

    def say(text: str = "", end: str = "\n") -> None:
        out.write(text + end)
        out.flush()

    total = len(quiz.questions)
    say(f"Practise backprop by hand{': ' + title if title else ''}")
    say(f"{total} questions, one gradient at a time, in the order backward() computes them.")
    say(
        f"Type a number (−0.0628, -6.28e-2 or -1/16; right {tolerance_text(quiz.rel_tol, quiz.abs_tol)}), "
        "hint, or show. An empty line ends."
    )
    shown_step = -1
    stopped = False
    try:
        while not quiz.done:
            question = quiz.current
            if question.step != shown_step:
                shown_step = question.step
                say()
                say(question.header)
            say(question.prompt + " ", end="")
            line = answers.readline()
            if not line.strip():  # the end of the input, or an empty line: stop here, with the score so far
                say()
                stopped = True
                break
            say(quiz.respond(line).message)
    except KeyboardInterrupt:  # Ctrl-C: the same as an empty line
        say()
        stopped = True
    say()
    if stopped:
        say(f"Stopped at question {quiz.position + 1} of {total}.")
    say(quiz.report())
    return quiz
