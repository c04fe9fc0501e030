"""The quiz: backprop done by hand, one gradient at a time, marked at that step.

A `Quiz` turns a walkthrough into questions, one per gradient a step produces,
in ``backward()``'s order. It reads a typed answer the way a person writes a
number (`parse_answer`), marks it within a stated tolerance, gives a hint in two
levels (the local derivative's formula from the engine's op table, then the
numbers to multiply), shows the answer when asked, and keeps the score:

>>> from autograd import Value
>>> w, x = Value(0.5, "w"), Value(1.5, "x")
>>> z = w * x; z.label = "z"
>>> quiz = Quiz(z)
>>> quiz.current.prompt
'∂z/∂w = ?'
>>> quiz.respond("1/2").kind          # ∂z/∂w = x = 1.5
'wrong'
>>> print(quiz.respond("hint").message)
Hint 1: the local derivative of z = w · x with respect to w is x; ∂z/∂w = ∂z/∂z · (that local derivative).
>>> quiz.respond("1.5").kind, quiz.respond("half").kind, quiz.respond("0.5").kind
('right', 'invalid', 'right')
>>> quiz.done, quiz.score
(True, 1)
>>> print(quiz.report())
Score: 1 of 2 right first time (within 1% or 0.0001).
Went wrong: step 1 ∂z/∂w.

Only the public walkthrough API is used (steps, contributions, names), so the
same quiz runs in the terminal (`autograd.practice.terminal`), the offline
HTML page (`autograd.practice.page`) and a notebook.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from .. import Walkthrough
from ..engine import Constant, Value
from ..teaching.notation import TEXT

__all__ = [
    "ABS_TOL",
    "REL_TOL",
    "AnswerError",
    "Question",
    "Quiz",
    "Reply",
    "format_number",
    "is_close",
    "parse_answer",
    "questions",
]

REL_TOL = 1e-2
ABS_TOL = 1e-4

# Every way a person types a minus sign: the ASCII hyphen, the minus sign (U+2212), en and em dashes, and
# the small and full-width hyphen-minus.
_MINUSES = str.maketrans({"−": "-", "–": "-", "—": "-", "﹣": "-", "－": "-", "＋": "+"})


_LONGEST_ANSWER = 100
_LARGEST_EXPONENT = 400  # beyond float's range either way (its exponents end near ±308)
_EXPONENT = re.compile(r"[eE]([+-]?[0-9_]+)")


class AnswerError(ValueError):
    """A typed answer that is not a number: the message says, in one line, what to type instead."""


def parse_answer(text: str) -> float:
    """A number as a person types it: ``-0.0628``, ``−0.0628``, ``-6.28e-2``, ``-1/16``, ``+.5``, ``1_000``.

    Read exactly (with `fractions.Fraction`) and then rounded once to a float. Anything else, an
    infinity or a zero denominator is an `AnswerError` with a one-line message.

    >>> parse_answer("−1/16"), parse_answer("-6.28e-2"), parse_answer(" 3 / 4 ")
    (-0.0625, -0.0628, 0.75)
    >>> parse_answer("about 0.5")
    Traceback (most recent call last):
    ...
    autograd.practice.quiz.AnswerError: 'about 0.5' is not a number: type one such as −0.0628, -6.28e-2 or -1/16
    """
    cleaned = re.sub(r"\s*/\s*", "/", text.strip().translate(_MINUSES))
    shown = text.strip() if len(text.strip()) <= 40 else text.strip()[:37] + "..."
    if len(cleaned) > _LONGEST_ANSWER:  # reading is exact, so its cost grows with the text: keep it bounded
        raise AnswerError(f"{shown!r} is {len(cleaned)} characters long: type a number of at most {_LONGEST_ANSWER}")
    exponent = _EXPONENT.search(cleaned)
    if exponent is not None and abs(int(exponent.group(1))) > _LARGEST_EXPONENT:  # 1e99999999: 10**99999999 exactly
        if int(exponent.group(1)) > 0 and re.search(r"[1-9]", cleaned[: exponent.start()]):
            raise AnswerError(f"{shown!r} is too large for a float: a gradient here is a modest number")
        cleaned = "0"  # 5e-99999999 is 0 as a float
    try:
        number = Fraction(cleaned)
    except ZeroDivisionError:
        raise AnswerError(f"{shown!r} divides by zero: a gradient is a finite number") from None
    except ValueError:
        raise AnswerError(f"{shown!r} is not a number: type one such as −0.0628, -6.28e-2 or -1/16") from None
    try:
        return float(number)
    except OverflowError:
        raise AnswerError(f"{shown!r} is too large for a float: a gradient here is a modest number") from None


def is_close(given: float, answer: float, *, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL) -> bool:
    """Right within `rel_tol` of the answer, or within `abs_tol` of it (for answers near 0).

    >>> is_close(-0.0628, -0.06282), is_close(-0.07, -0.06282), is_close(0.00005, 0.0)
    (True, False, True)
    """
    return math.isclose(given, answer, rel_tol=rel_tol, abs_tol=abs_tol)


def tolerance_text(rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL) -> str:
    """The tolerance as a sentence fragment: "within 1% or 0.0001"."""
    return f"within {rel_tol * 100:g}% or {abs_tol:g}"


def format_number(x: float, digits: int = 4) -> str:
    """A number to `digits` decimals with a true minus sign; tiny ones in scientific form, so they don't read 0.

    >>> format_number(-0.0628226), format_number(0.5), format_number(3.2e-7)
    ('−0.0628', '0.5000', '3.200e−07')
    """
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0.0:
        x = 0.0  # no "−0.0000"
    text = f"{x:.{digits}f}" if x == 0.0 or abs(x) >= 0.5 * 10.0**-digits else f"{x:.{max(digits - 1, 1)}e}"
    return text.replace("-", "−")


def _operand(x: float, digits: int) -> str:
    """A number as the operand of an operator: negative ones in parentheses."""
    text = format_number(x, digits)
    return f"({text})" if x < 0 else text


# ---------------------------------------------------------------------- questions


@dataclass(frozen=True)
class Question:
    """One gradient a step produces: ∂L/∂parent once this step has added its share.

    ``answer`` is that gradient. When the parent already had a share from an earlier step
    (``accumulates``), the answer is the running sum ``grad_before + upstream · local_grad``.
    """

    step: int  # the step's index, from 0
    step_count: int
    header: str  # "Step 3 of 6: a = σ(z) = 0.7006"
    loss_name: str
    node_name: str
    parent_name: str
    upstream: float  # ∂L/∂node
    local_grad: float  # ∂node/∂parent
    grad_before: float
    answer: float
    accumulates: bool
    hints: tuple[str, str]
    explanation: str  # the step written out, as str(step) has it
    digits: int = 4
    asks: str = ""  # what is asked when it is not a gradient: "w_new", the update step's new weight
    worked: str = ""  # the answer worked out, when it is not a chain-rule product (the update)

    @property
    def gradient(self) -> str:
        """The gradient asked for, "∂L/∂z" (or, at the update step, the new value: "w_new")."""
        return self.asks or f"∂{self.loss_name}/∂{self.parent_name}"

    @property
    def prompt(self) -> str:
        """The question, "∂L/∂z = ?"; for a running sum, what it holds already."""
        if self.accumulates:
            so_far = format_number(self.grad_before, self.digits)
            return f"{self.gradient} = ?  (it holds {so_far} from an earlier step: add this step's share)"
        return f"{self.gradient} = ?"

    @property
    def label(self) -> str:
        """Where it is, for a list of what went wrong: "step 3 ∂L/∂z"."""
        return f"step {self.step + 1} {self.gradient}"

    def shown(self) -> str:
        """The answer, with the arithmetic that gives it."""
        if self.worked:
            return self.worked
        symbols = f"∂{self.loss_name}/∂{self.node_name} · local derivative"
        answer = format_number(self.answer, self.digits)
        if self.accumulates:  # what it holds, plus this step's share: before + upstream · local
            before, upstream, local = TEXT.checked(
                [self.grad_before, self.upstream, self.local_grad], self.answer, self.digits, lambda a, b, c: a + b * c
            )
            local = f"({local})" if local.startswith(TEXT.minus) else local
            return f"{self.gradient} = {before} + {symbols} = {before} + {upstream} · {local} = {answer}"
        upstream, local = _checked_product(self.upstream, self.local_grad, self.answer, self.digits)
        return f"{self.gradient} = {symbols} = {upstream} · {local} = {answer}"


def _checked_product(upstream: float, local_grad: float, product: float, digits: int) -> tuple[str, str]:
    """The two factors written so that their product, as shown, rounds to the product shown (see `Notation.checked`)."""
    first, second = TEXT.checked([upstream, local_grad], product, digits, lambda a, b: a * b)
    return first, f"({second})" if second.startswith(TEXT.minus) else second


def _template_names(step: Any, names: Sequence[str], numbers: bool, digits: int) -> dict[str, str]:
    node = step.node
    if not numbers:
        return {"a": names[0], "b": names[1] if len(names) > 1 else "", "out": step.name}
    values = [_constant_or_operand(parent, digits) for parent in node.parents]
    return {"a": values[0], "b": values[1] if len(values) > 1 else "", "out": _operand(node.data, digits)}


def _constant_or_operand(node: Value, digits: int) -> str:
    """A constant written as it reads in the formula (the 2 of x²); any other number to `digits` decimals."""
    if isinstance(node, Constant) and not node.label:
        return f"{node.data:g}".replace("-", "−")
    return _operand(node.data, digits)


def _hints(step: Any, slot: int, question: dict[str, Any], loss: str, digits: int) -> tuple[str, str]:
    """Hint 1: the local derivative's formula (from the op table). Hint 2: the numbers to multiply."""
    node = step.node
    names = [c.parent_name for c in step.contributions]
    parent = names[slot]
    if hasattr(step, "formula"):  # a walkthrough's step: a group of ops (one_step) reads as one formula
        formula_of_node = step.formula()
        symbolic, numeric = step.local_derivative(TEXT, slot)
        symbolic = symbolic or None
    else:
        op = node.operation  # the op the node was made with, even if a notebook cell has since redefined its name
        formula_of_node = op.formula.format(a=names[0], b=names[1] if len(names) > 1 else "") if op else node.op
        symbolic = numeric = None
        if op is not None and slot < len(op.derivatives):
            symbolic_template, numeric_template = op.derivatives[slot]
            symbolic = symbolic_template.format(**_template_names(step, names, False, digits))
            if numeric_template is not None:
                numeric = numeric_template.format(**_template_names(step, names, True, digits))
    local = format_number(question["local_grad"], digits)
    if symbolic is None:
        rule = f"its number, {local}, comes from the {node.op} op's local_grads rule"
    else:
        rule = f"is {symbolic}"
    gradient = f"∂{loss}/∂{step.name}"
    first = (
        f"Hint 1: the local derivative of {step.name} = {formula_of_node} with respect to {parent} {rule}; "
        f"∂{loss}/∂{parent} = {gradient} · (that local derivative)."
    )
    if question["accumulates"]:
        first = first[:-1] + ", added to what it already holds."
    with_numbers = local if numeric is None or numeric == local else f"{numeric} = {local}"
    upstream, local_factor = _checked_product(
        question["upstream"], question["local_grad"], question["upstream"] * question["local_grad"], digits
    )
    second = (
        f"Hint 2: multiply {gradient} = {format_number(question['upstream'], digits)} by the local derivative "
        f"{with_numbers}: {upstream} · {local_factor}"
    )
    if question["accumulates"]:
        second += f", then add the {format_number(question['grad_before'], digits)} it already holds."
    else:
        second += "."
    return first, second


def questions(wt: Any, *, digits: int = 4) -> list[Question]:
    """One `Question` per gradient the steps of walkthrough `wt` produce, in its order; constants are skipped.

    >>> from autograd import Value, walkthrough
    >>> x = Value(3.0, "x")
    >>> [(q.gradient, q.answer, q.accumulates) for q in questions(walkthrough(x * x))]
    [('∂L/∂x', 3.0, False), ('∂L/∂x', 6.0, True)]
    """
    loss = wt.names[wt.root]
    found: list[Question] = []
    for step in wt:
        header = str(step).splitlines()[0]
        explanation = str(step)
        for slot, c in enumerate(step.contributions):
            if c.is_constant:
                continue
            facts = {
                "upstream": step.upstream,
                "local_grad": c.local_grad,
                "grad_before": c.grad_before,
                "accumulates": c.accumulates,
            }
            found.append(
                Question(
                    step=step_index(step, wt),
                    step_count=len(wt),
                    header=header,
                    loss_name=loss,
                    node_name=step.name,
                    parent_name=c.parent_name,
                    upstream=step.upstream,
                    local_grad=c.local_grad,
                    grad_before=c.grad_before,
                    answer=c.grad_after,
                    accumulates=c.accumulates,
                    hints=_hints(step, slot, facts, loss, digits),
                    explanation=explanation,
                    digits=digits,
                )
            )
    return found


def update_questions(update: Any, *, step: int, loss_name: str = "L", digits: int = 4) -> list[Question]:
    """The update step's questions, one per parameter: w_new = w_old − η · ∂L/∂w, from `update`
    (an `autograd.teaching.UpdateExplanation` of plain SGD: its own arithmetic). `step` is its index.

    >>> from autograd.optim import SGD
    >>> from autograd.teaching import explain_update
    >>> w = Value(0.5, "w"); w.grad = -0.0942
    >>> (q,) = update_questions(explain_update(SGD([w], lr=0.1)), step=6)
    >>> q.prompt, round(q.answer, 5), q.hints[1]
    ('w_new = ?', 0.50942, 'Hint 2: 0.5000 − 0.1 · (−0.0942)')
    """
    if not update.worked:
        raise ValueError(
            "the quiz asks the update of plain SGD, w_new = w_old − η · ∂L/∂w: momentum, weight decay and Adam "
            "have more to it than one line"
        )
    found = []
    for row, line in zip(update.rows, update.worked):
        name, arithmetic = row.name, line.split(" = ", 2)[2]  # "0.5000 − 0.1 · (−0.0942) = 0.5094"
        numbers = arithmetic.rsplit(" = ", 1)[0]
        found.append(
            Question(
                step=step,
                step_count=step + 1,
                header=f"The last step: the update, {update.formula}",
                loss_name=loss_name,
                node_name=name,
                parent_name=name,
                upstream=0.0,
                local_grad=0.0,
                grad_before=row.old,
                answer=row.new,
                accumulates=False,
                hints=(
                    f"Hint 1: {name}_new = {name}_old − η · ∂{loss_name}/∂{name}: the old value, less the "
                    f"learning rate times its gradient (from the last backward step).",
                    f"Hint 2: {numbers}",
                ),
                explanation=line,
                digits=digits,
                asks=f"{name}_new",
                worked=line,
            )
        )
    return found


def step_index(step: Any, wt: Any) -> int:
    """A step's index from 0 (``step.index`` where the walkthrough has it)."""
    index = getattr(step, "index", None)
    return int(index) if isinstance(index, int) else list(wt).index(step)


# ---------------------------------------------------------------------- the quiz


Outcome = Literal["first time", "later", "shown", "not reached"]


@dataclass(frozen=True)
class Reply:
    """What the quiz says back to one typed line.

    ``kind``: ``"right"`` and ``"shown"`` move on to the next question; ``"wrong"``, ``"hint"`` and
    ``"invalid"`` (not a number) ask the same question again.
    """

    kind: Literal["right", "wrong", "hint", "shown", "invalid"]
    message: str
    question: Question


@dataclass
class _Progress:
    tries: int = 0  # numbers typed
    hints: int = 0
    outcome: Outcome = "not reached"


@dataclass
class Quiz:
    """Backprop by hand: the questions of a graph, asked one at a time, with hints and a score.

    Build it from the root (usually the loss) or from a walkthrough. A question scores a point when it
    is answered right first time, before any hint. ``respond`` takes one typed line: a number,
    ``hint`` or ``show``.
    """

    source: Value | Any
    rel_tol: float = REL_TOL
    abs_tol: float = ABS_TOL
    digits: int = 4
    update: Any = None  # an SGD optimiser (after backward(), before step()): its update is asked last
    questions: list[Question] = field(init=False)
    position: int = field(init=False, default=0)
    _progress: list[_Progress] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for name, tol in (("rel_tol", self.rel_tol), ("abs_tol", self.abs_tol)):
            if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 <= tol < math.inf:
                raise ValueError(f"{name} must be a finite number ≥ 0, not {tol!r}")
        wt = Walkthrough(self.source, digits=self.digits) if isinstance(self.source, Value) else self.source
        self.walkthrough = wt
        self.questions = questions(wt, digits=self.digits)
        if self.update is not None:
            from ..teaching.update import UpdateExplanation, explain_update

            explained = self.update
            if not isinstance(explained, UpdateExplanation):
                explained = explain_update(explained, digits=self.digits)
            loss = wt.names[wt.root]
            self.questions += update_questions(explained, step=len(wt), loss_name=loss, digits=self.digits)
        self._progress = [_Progress() for _ in self.questions]

    @property
    def done(self) -> bool:
        return self.position >= len(self.questions)

    @property
    def current(self) -> Question:
        if self.done:
            raise IndexError(f"the quiz is over: all {len(self.questions)} questions are answered")
        return self.questions[self.position]

    @property
    def score(self) -> int:
        """Questions answered right first time, before any hint."""
        return sum(p.outcome == "first time" for p in self._progress)

    def outcomes(self) -> list[tuple[Question, Outcome]]:
        return [(q, p.outcome) for q, p in zip(self.questions, self._progress)]

    def respond(self, text: str) -> Reply:
        """Answer the current question with one typed line: a number, ``hint`` or ``show``."""
        question = self.current
        progress = self._progress[self.position]
        word = text.strip().lower()
        if word == "hint":
            if progress.hints >= len(question.hints):
                return Reply("hint", "No more hints: type show for the answer, or try again.", question)
            progress.hints += 1
            return Reply("hint", question.hints[progress.hints - 1], question)
        if word in ("show", "answer"):
            progress.outcome = "shown"
            self.position += 1
            return Reply("shown", f"The answer: {question.shown()}", question)
        try:
            given = parse_answer(text)
        except AnswerError as error:
            return Reply("invalid", f"{error}; or type hint, or show.", question)
        progress.tries += 1
        if is_close(given, question.answer, rel_tol=self.rel_tol, abs_tol=self.abs_tol):
            progress.outcome = "first time" if progress.tries == 1 and progress.hints == 0 else "later"
            self.position += 1
            return Reply("right", f"✓ right: {question.gradient} = {format_number(question.answer)}", question)
        offer = "hint" if progress.hints < len(question.hints) else "show"
        return Reply(
            "wrong",
            f"✗ not {format_number(given)}. Try again, or type {offer}"
            + (" (or show for the answer)." if offer == "hint" else " for the answer."),
            question,
        )

    def report(self) -> str:
        """The score line, then which questions went wrong (and how many were not reached)."""
        total = len(self.questions)
        lines = [f"Score: {self.score} of {total} right first time ({tolerance_text(self.rel_tol, self.abs_tol)})."]
        # A question left after a wrong answer or a hint (Ctrl-D, Ctrl-C, an empty line) went wrong: it was reached.
        attempted = [p.outcome == "not reached" and (p.tries > 0 or p.hints > 0) for p in self._progress]
        wrong = [
            q.label for (q, outcome), left in zip(self.outcomes(), attempted) if outcome in ("later", "shown") or left
        ]
        if wrong:
            lines.append("Went wrong: " + ", ".join(wrong) + ".")
        missing = sum(outcome == "not reached" and not left for (_, outcome), left in zip(self.outcomes(), attempted))
        if missing:
            lines.append(f"Not reached: {missing} of {total} questions.")
        return "\n".join(lines)
