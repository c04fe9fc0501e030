"""The quiz in the walkthrough's player: ``walkthrough(loss).save_html(path, quiz=True)``.

The page is the player of `autograd.teaching.player`: the graph laid out once, the steps as data,
pan and zoom, a phone's layout. This module gives it the questions of `autograd.practice.quiz`, one
per gradient a step produces, with their two hints and their answers; the player asks them at each
step and shows a gradient in the drawing and the table only once it is answered. An answer is read
as a person types it (−0.0628, -6.28e-2, -1/16) and marked within the stated tolerance. At the end:
the score (answers right first time, before any hint) and the steps that went wrong.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..teaching.player import write_player
from ..teaching.update import UpdateExplanation
from .quiz import ABS_TOL, REL_TOL, format_number, questions, tolerance_text, update_questions

__all__ = ["quiz_data", "write_quiz"]


def quiz_data(
    wt: Any, *, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL, update: UpdateExplanation | None = None
) -> dict[str, Any]:
    """The questions of walkthrough `wt` as the player's script needs them: JSON-ready data. With `update`,
    the update step's questions (w_new = w_old − η · ∂L/∂w) come last.

    >>> from autograd import Value, walkthrough
    >>> x = Value(3.0, "x")
    >>> [(q["step"], q["prompt"], q["answer"]) for q in quiz_data(walkthrough(x * 2))["questions"]]
    [(0, '∂L/∂x = ?', 2.0)]
    """
    return {
        "rel_tol": rel_tol,
        "abs_tol": abs_tol,
        "tolerance": tolerance_text(rel_tol, abs_tol),
        "questions": [
            {
                "step": q.step,
                "prompt": q.prompt,
                "gradient": q.gradient,
                "answer": q.answer,
                "answer_text": format_number(q.answer, q.digits),
                "hints": list(q.hints),
                "shown": q.shown(),
                "label": q.label,
            }
            for q in questions(wt, digits=wt.digits)
            + (update_questions(update, step=len(wt), loss_name=wt.names[wt.root], digits=wt.digits) if update else [])
        ],
    }


def write_quiz(
    wt: Any,
    path: str | os.PathLike[str],
    draw_options: dict[str, Any] | None = None,
    update: UpdateExplanation | None = None,
) -> Path:
    """Lay the graph out once (`draw_options` go to `autograd.drawing.draw_dot`) and write the quiz to `path`;
    with `update`, its last step asks each parameter's new value."""
    if not len(wt):
        raise ValueError(f"{wt.names[wt.root]} is a leaf: backward() has no step, so there is nothing to ask")
    picture = wt.picture(**(draw_options or {}))
    return write_player(wt, picture, path, quiz_data(wt, update=update), update=update)
