"""The hand check: a learner's hand-computed gradients, marked right or wrong against the replay.

>>> from autograd import Value
>>> w, x = Value(0.5, "w"), Value(1.5, "x")
>>> z = w * x; z.label = "z"
>>> check_gradients(z, {"w": 1.5}).all_correct
True
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real

from ..engine import Constant, Value
from .notation import TEXT, markdown_escape
from .replay import Replay

__all__ = ["GradientCheck", "GradientCheckRow", "check", "check_gradients"]


@dataclass(frozen=True)
class GradientCheckRow:
    """One hand-computed gradient, marked."""

    node: Value
    name: str
    guess: float  # the learner's number
    actual: float  # the engine's
    correct: bool
    explanation: tuple[str, ...]  # the chain-rule lines that compute the actual value


@dataclass(frozen=True)
class GradientCheck:
    """The result of `check_gradients`: one row per guess, a readable table, ``all_correct``."""

    rows: tuple[GradientCheckRow, ...]
    loss_name: str
    digits: int
    rel_tol: float
    abs_tol: float

    @property
    def all_correct(self) -> bool:
        return all(row.correct for row in self.rows)

    @property
    def wrong(self) -> tuple[GradientCheckRow, ...]:
        return tuple(row for row in self.rows if not row.correct)

    def _cells(self, row: GradientCheckRow) -> tuple[str, str, str, str]:
        guess, actual = TEXT.number(row.guess, self.digits), TEXT.number(row.actual, self.digits)
        return row.name, guess, actual, "✓ right" if row.correct else "✗ wrong"

    def _verdict(self) -> str:
        right = sum(row.correct for row in self.rows)
        return f"{right} of {len(self.rows)} right (within {self.rel_tol:g} relative or {self.abs_tol:g} absolute)."

    def __str__(self) -> str:
        header = ("node", f"your ∂{self.loss_name}/∂node", "engine's", "")
        rows = [header, *(self._cells(row) for row in self.rows)]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = [f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}".rstrip() for r in rows]
        lines += ["", self._verdict()]
        for row in self.wrong:
            lines += ["", f"How ∂{self.loss_name}/∂{row.name} is computed:", *(f"  {line}" for line in row.explanation)]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """The table in Markdown, then the chain rule for each wrong row."""
        e = markdown_escape
        lines = [f"| node | your ∂{e(self.loss_name)}/∂node | engine's | |", "|---|---:|---:|---|"]
        lines += ["| " + " | ".join((e(name), *rest)) + " |" for name, *rest in map(self._cells, self.rows)]
        lines += ["", self._verdict()]
        for row in self.wrong:
            lines += ["", f"How ∂{e(self.loss_name)}/∂{e(row.name)} is computed:", ""]
            lines += [f"- {e(line)}" for line in row.explanation]
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        esc = html.escape
        body = "".join(
            f'<tr style="background:{"#e8f5e9" if row.correct else "#ffebee"}">'
            + "".join(f"<td>{esc(cell)}</td>" for cell in self._cells(row))
            + "</tr>"
            for row in self.rows
        )
        wrong = "".join(
            f"<p>How ∂{esc(self.loss_name)}/∂{esc(row.name)} is computed:</p>"
            f"<pre>{esc(chr(10).join(row.explanation))}</pre>"
            for row in self.wrong
        )
        return (
            f"<table><tr><th>node</th><th>your ∂{esc(self.loss_name)}/∂node</th><th>engine's</th><th></th></tr>"
            f"{body}</table><p>{esc(self._verdict())}</p>{wrong}"
        )


def check_gradients(
    root: Value, guesses: Mapping[Value | str, float], *, rel_tol: float = 1e-2, abs_tol: float = 1e-4, digits: int = 4
) -> GradientCheck:
    """Mark a learner's hand-computed gradients ∂root/∂node right or wrong.

    `guesses` maps nodes (the node itself, its label or the name the walkthrough gives it) to numbers.
    A guess is right within `rel_tol` (relative) or `abs_tol` (absolute). Each wrong row comes
    with the chain-rule lines that compute the right value. Neither the guesses nor any ``grad`` change.

    >>> w, x = Value(0.5, "w"), Value(1.5, "x")
    >>> z = w * x; z.label = "z"
    >>> result = check_gradients(z, {"w": 1.5, x: 0.4})
    >>> result.all_correct
    False
    >>> print(result)
    node  your ∂z/∂node  engine's
    w            1.5000    1.5000  ✓ right
    x            0.4000    0.5000  ✗ wrong
    <BLANKLINE>
    1 of 2 right (within 0.01 relative or 0.0001 absolute).
    <BLANKLINE>
    How ∂z/∂x is computed:
      ∂(w · x)/∂x = w = 0.5000
      ∂z/∂x = ∂z/∂z · ∂(w · x)/∂x = 1.0000 · 0.5000 = 0.5000
    """
    return check(Replay(root, digits=digits), guesses, rel_tol=rel_tol, abs_tol=abs_tol)


def check(
    replay: Replay, guesses: Mapping[Value | str, float], *, rel_tol: float = 1e-2, abs_tol: float = 1e-4
) -> GradientCheck:
    """`check_gradients` against a replay already made (``wt.check(...)``)."""
    wt = replay
    if not isinstance(guesses, Mapping):
        raise TypeError(
            f"hand in the gradients as a dict from node (or its label) to number, e.g. {{'w': -0.0887}}, "
            f"not {type(guesses).__name__}"
        )
    for name, tol in (("rel_tol", rel_tol), ("abs_tol", abs_tol)):
        if not _is_real(tol) or not 0 <= float(tol) < math.inf:
            raise ValueError(f"{name} must be a finite number ≥ 0, not {tol!r}")
    rows: list[GradientCheckRow] = []
    seen: dict[Value, Value | str] = {}
    for key, guess in guesses.items():
        node = wt.find(key)
        if isinstance(node, Constant):
            raise KeyError(f"{wt.names[node]} is a constant: it has no gradient to check")
        if node in seen:
            raise KeyError(f"{seen[node]!r} and {key!r} both name {wt.names[node]}: give each node one guess")
        seen[node] = key
        if not _is_real(guess):
            raise TypeError(f"the guess for {wt.names[node]} must be a number, not {type(guess).__name__}: {guess!r}")
        try:
            number = float(guess)
        except OverflowError:
            number = math.inf if guess > 0 else -math.inf  # a huge int or Fraction: too large to be right
        actual = wt.gradients[node]
        correct = math.isclose(number, actual, rel_tol=float(rel_tol), abs_tol=float(abs_tol))
        rows.append(GradientCheckRow(node, wt.names[node], number, actual, correct, _how_computed(wt, node)))
    return GradientCheck(tuple(rows), wt.names[wt.root], wt.digits, rel_tol, abs_tol)


def _how_computed(wt: Replay, node: Value) -> tuple[str, ...]:
    """Every chain-rule line that adds to ∂L/∂node."""
    loss = wt.names[wt.root]
    if node is wt.root:
        return (f"∂{loss}/∂{loss} = 1 (the backward pass starts here)",)
    return tuple(
        equation.text() for step, c in wt.contributions_to(node) for equation in step.contribution_equations(c)
    )


def _is_real(number: object) -> bool:
    """A real number as Value() takes it (int, float, Fraction, a NumPy scalar); True and False are not guesses."""
    return isinstance(number, Real) and not isinstance(number, bool)
