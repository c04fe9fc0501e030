"""Fresh exercises for a class: one worksheet per student, each with its own numbers, an answer key, grading.

Every worksheet comes from a small family of graphs (`FAMILIES`): the worked example's neuron with σ, tanh or
ReLU, a two-layer network, a node used twice, a custom loss. `exercises` draws the numbers from a
seeded ``random.Random``, so the same seed gives the same sheets:

>>> sheets = exercises(3, seed=7)
>>> [sheet.student for sheet in sheets]
['s1', 's2', 's3']
>>> [s.values for s in exercises(3, seed=7)] == [s.values for s in sheets]
True
>>> sheet = exercise("neuron-sigmoid", {"w": 0.5, "x": 1.5, "b": 0.1, "y": 1.0})
>>> {name: round(g, 4) for name, g in sheet.gradients().items() if name in ("a", "z", "w")}
{'a': -0.2994, 'z': -0.0628, 'w': -0.0942}

`grade` marks a student's gradients per node. A wrong number that follows correctly from the
student's own earlier wrong number gets half a mark (the mistake is counted once), and the first
wrong node is shown with the steps that compute it:

>>> result = grade(sheet, {"a": "-0.2994", "z": "-0.07", "w": "-0.105", "b": "-0.0628"})
>>> [(row.name, row.mark) for row in result.rows if row.name in ("a", "z", "w", "b")]
[('a', 1.0), ('z', 0.0), ('b', 1.0), ('w', 0.5)]
>>> result.first_wrong
'z'
"""

from __future__ import annotations

import html
import json
import math
import os
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import to_svg, walkthrough  # the public API: the same wherever drawing and teaching live
from .._files import write_text_atomically
from ..engine import Value
from .quiz import ABS_TOL, REL_TOL, AnswerError, format_number, is_close, parse_answer, tolerance_text

__all__ = [
    "FAMILIES",
    "Exercise",
    "Grade",
    "GradeRow",
    "check_output_folder",
    "exercise",
    "exercises",
    "grade",
    "read_answers",
    "write_worksheets",
]


# ---------------------------------------------------------------------- the family of graphs


def _labelled(**nodes: Value) -> None:
    for label, node in nodes.items():
        node.label = label


def _neuron(activation: str) -> Callable[[Mapping[str, float]], Value]:
    def build(v: Mapping[str, float]) -> Value:
        w, x, b, y = (Value(v[name], name) for name in ("w", "x", "b", "y"))
        u = w * x
        z = u + b
        a: Value = getattr(z, activation)()
        e = a - y
        s = e**2
        loss = 0.5 * s
        _labelled(u=u, z=z, a=a, e=e, s=s, L=loss)
        return loss

    return build


def _two_layer(v: Mapping[str, float]) -> Value:
    x, w1, b1, w2, b2, y = (Value(v[name], name) for name in ("x", "w1", "b1", "w2", "b2", "y"))
    u1 = w1 * x
    z1 = u1 + b1
    h = z1.tanh()
    u2 = w2 * h
    out = u2 + b2
    e = out - y
    s = e**2
    loss = 0.5 * s
    _labelled(u1=u1, z1=z1, h=h, u2=u2, out=out, e=e, s=s, L=loss)
    return loss


def _used_twice(v: Mapping[str, float]) -> Value:
    w, x, b = (Value(v[name], name) for name in ("w", "x", "b"))
    u = w * x
    v_ = u + b
    loss = u * v_  # u feeds both v and L: its gradient is a sum of two contributions
    _labelled(u=u, v=v_, L=loss)
    return loss


def _custom_loss(v: Mapping[str, float]) -> Value:
    w, x, b, y = (Value(v[name], name) for name in ("w", "x", "b", "y"))
    u = w * x
    z = u + b
    m = y * z
    n = -m
    e = n.exp()
    p = 1 + e
    loss = p.log()  # the logistic loss log(1 + exp(−y·z)), written out node by node
    _labelled(u=u, z=z, m=m, n=n, e=e, p=p, L=loss)
    return loss


def _one_decimal(rng: random.Random, low: float, high: float, *, away_from_zero: float = 0.0) -> float:
    while True:
        number = round(rng.randint(round(low * 10), round(high * 10)) / 10, 1)
        if abs(number) >= away_from_zero:
            return number


def _neuron_numbers(y: Callable[[random.Random], float]) -> Callable[[random.Random], dict[str, float]]:
    def draw(rng: random.Random) -> dict[str, float]:
        return {
            "w": _one_decimal(rng, -2, 2, away_from_zero=0.2),
            "x": _one_decimal(rng, -2, 2, away_from_zero=0.2),
            "b": _one_decimal(rng, -1, 1),
            "y": y(rng),
        }

    return draw


@dataclass(frozen=True)
class _Family:
    title: str
    formulas: tuple[str, ...]
    build: Callable[[Mapping[str, float]], Value]
    draw: Callable[[random.Random], dict[str, float]]


_NEURON_FORMULAS = ("u = w · x", "z = u + b", "a = {act}(z)", "e = a − y", "s = e²", "L = ½ · s")

FAMILIES: dict[str, _Family] = {
    "neuron-sigmoid": _Family(
        "the worked example's neuron with σ",
        tuple(f.format(act="σ") for f in _NEURON_FORMULAS),
        _neuron("sigmoid"),
        _neuron_numbers(lambda rng: float(rng.choice([0, 1]))),
    ),
    "neuron-tanh": _Family(
        "the worked example's neuron with tanh",
        tuple(f.format(act="tanh") for f in _NEURON_FORMULAS),
        _neuron("tanh"),
        _neuron_numbers(lambda rng: _one_decimal(rng, -0.9, 0.9)),
    ),
    "neuron-relu": _Family(
        "the worked example's neuron with ReLU",
        tuple(f.format(act="ReLU") for f in _NEURON_FORMULAS),
        _neuron("relu"),
        _neuron_numbers(lambda rng: _one_decimal(rng, 0, 2)),
    ),
    "two-layer": _Family(
        "a two-layer network",
        (
            "u1 = w1 · x",
            "z1 = u1 + b1",
            "h = tanh(z1)",
            "u2 = w2 · h",
            "out = u2 + b2",
            "e = out − y",
            "s = e²",
            "L = ½ · s",
        ),
        _two_layer,
        lambda rng: {
            "x": _one_decimal(rng, -2, 2, away_from_zero=0.2),
            "w1": _one_decimal(rng, -1.5, 1.5, away_from_zero=0.2),
            "b1": _one_decimal(rng, -0.5, 0.5),
            "w2": _one_decimal(rng, -1.5, 1.5, away_from_zero=0.2),
            "b2": _one_decimal(rng, -0.5, 0.5),
            "y": _one_decimal(rng, -1, 1),
        },
    ),
    "used-twice": _Family(
        "a node used twice",
        ("u = w · x", "v = u + b", "L = u · v"),
        _used_twice,
        lambda rng: {
            "w": _one_decimal(rng, -2, 2, away_from_zero=0.2),
            "x": _one_decimal(rng, -2, 2, away_from_zero=0.2),
            "b": _one_decimal(rng, -1, 1, away_from_zero=0.1),
        },
    ),
    "custom-loss": _Family(
        "a custom loss: log(1 + exp(−y·z))",
        ("u = w · x", "z = u + b", "m = y · z", "n = −m", "e = exp(n)", "p = 1 + e", "L = log(p)"),
        _custom_loss,
        lambda rng: {
            "w": _one_decimal(rng, -2, 2, away_from_zero=0.2),
            "x": _one_decimal(rng, -2, 2, away_from_zero=0.2),
            "b": _one_decimal(rng, -1, 1),
            "y": float(rng.choice([-1, 1])),
        },
    ),
}


# ---------------------------------------------------------------------- one exercise


@dataclass(frozen=True)
class Exercise:
    """One worksheet: a graph of the family `family` with these `values`, for `student`."""

    family: str
    values: dict[str, float]
    student: str = "s1"
    digits: int = 4
    rel_tol: float = REL_TOL
    abs_tol: float = ABS_TOL
    _built: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def title(self) -> str:
        return FAMILIES[self.family].title

    @property
    def formulas(self) -> tuple[str, ...]:
        return FAMILIES[self.family].formulas

    def build(self) -> Value:
        """A fresh graph of this exercise (its root, the loss L)."""
        return FAMILIES[self.family].build(self.values)

    @property
    def walkthrough(self) -> Any:
        """The worked solution (made once)."""
        if "walkthrough" not in self._built:
            self._built["walkthrough"] = walkthrough(self.build(), digits=self.digits)
        return self._built["walkthrough"]

    def nodes(self) -> list[tuple[str, Value]]:
        """Every node to fill in, from L back to the leaves, in the order backward() completes them."""
        wt = self.walkthrough
        order = [wt.root]
        for step in wt:
            order += [c.parent for c in step.contributions if not c.is_constant and c.parent not in order]
        return [(wt.names[node], node) for node in order]

    def gradients(self) -> dict[str, float]:
        """The answer key: ∂L/∂node for every node to fill in, by name."""
        wt = self.walkthrough
        return {name: wt.gradients[node] for name, node in self.nodes()}

    def forward_values(self) -> dict[str, float]:
        return {name: node.data for name, node in reversed(self.nodes())}

    # ------------------------------------------------------------------ the worksheet

    def _task(self) -> str:
        loss = self.walkthrough.names[self.walkthrough.root]
        return (
            f"Fill in every gradient ∂{loss}/∂node, from {loss} back to the inputs, as backward() would: "
            f"the chain rule, one node at a time. Write {self.digits} decimals or a fraction; an answer is right "
            f"{tolerance_text(self.rel_tol, self.abs_tol)}. Hand in one line per node, such as `z = -0.0628`."
        )

    def _given(self) -> str:
        return ", ".join(f"{name} = {value:g}".replace("-", "−") for name, value in self.values.items())

    def to_markdown(self) -> str:
        """The worksheet as Markdown: the graph's formulas, the numbers, the forward pass, a table to fill in."""
        loss = self.walkthrough.names[self.walkthrough.root]
        lines = [
            f"# Backprop by hand: worksheet {self.student}",
            "",
            f"**{self.title}**, with {self._given()}.",
            "",
            "```text",
            *self.formulas,
            "```",
            "",
            "The forward pass, done for you:",
            "",
            "| node | value |",
            "|---|---:|",
            *(f"| {name} | {format_number(value, self.digits)} |" for name, value in self.forward_values().items()),
            "",
            self._task(),
            "",
            f"| node | ∂{loss}/∂node |",
            "|---|---:|",
            *(f"| {name} | {'1 (given)' if name == loss else ''} |" for name, _ in self.nodes()),
            "",
        ]
        return "\n".join(lines)

    def to_html(self, *, renderer: str = "auto") -> str:
        """The worksheet as a printable HTML page, with the graph drawn inline (no gradients on it)."""
        esc = html.escape
        wt = self.walkthrough
        loss = wt.names[wt.root]
        try:
            svg = to_svg(wt.root, renderer=renderer, show_grad=False, names=wt.names)  # type: ignore[arg-type]
            picture = svg[svg.find("<svg") :]
        except RuntimeError as error:  # no renderer, or it failed (RendererNotFoundError, RenderError)
            picture = f"<p><i>No picture: {esc(str(error).splitlines()[0])}</i></p>"
        forward = "".join(
            f"<tr><td>{esc(n)}</td><td>{esc(format_number(v, self.digits))}</td></tr>"
            for n, v in self.forward_values().items()
        )
        blanks = "".join(
            f"<tr><td>{esc(n)}</td><td class='blank'>{'1 (given)' if n == loss else ''}</td></tr>"
            for n, _ in self.nodes()
        )
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Backprop by hand: worksheet {esc(self.student)}</title>
<style>
body {{ font-family: "DejaVu Sans", system-ui, sans-serif; max-width: 50em; margin: 1.5em auto; padding: 0 1em; }}
.graph svg {{ max-width: 100%; height: auto; }}
pre {{ background: #f9fafb; padding: 0.6em 1em; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1em; }}
td, th {{ border: 1px solid #9ca3af; padding: 0.3em 1em; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
td.blank {{ min-width: 10em; height: 1.6em; }}
@media print {{ body {{ margin: 0; max-width: none; }} .graph {{ page-break-inside: avoid; }} }}
</style>
</head>
<body>
<h1>Backprop by hand: worksheet {esc(self.student)}</h1>
<p><b>{esc(self.title)}</b>, with {esc(self._given())}.</p>
<pre>{esc(chr(10).join(self.formulas))}</pre>
<div class="graph">{picture}</div>
<h2>The forward pass, done for you</h2>
<table><tr><th>node</th><th>value</th></tr>{forward}</table>
<h2>Your backward pass</h2>
<p>{esc(self._task().replace("`", ""))}</p>
<table><tr><th>node</th><th>∂{esc(loss)}/∂node</th></tr>{blanks}</table>
</body>
</html>
"""

    def key_markdown(self) -> str:
        """This sheet's answers, with the worked solution."""
        loss = self.walkthrough.names[self.walkthrough.root]
        rows = [f"| {n} | {format_number(g, self.digits)} |" for n, g in self.gradients().items()]
        return "\n".join(
            [
                f"## {self.student}: {self.title}, with {self._given()}",
                "",
                f"| node | ∂{loss}/∂node |",
                "|---|---:|",
                *rows,
                "",
                "```text",
                *(str(step) for step in self.walkthrough),
                "```",
                "",
            ]
        )

    def key(self) -> dict[str, Any]:
        """What the answer key stores for this sheet: enough to rebuild it and grade it."""
        return {"family": self.family, "values": self.values, "gradients": self.gradients()}


def exercise(family: str, values: Mapping[str, float], *, student: str = "s1", digits: int = 4) -> Exercise:
    """One exercise of `family` (a key of `FAMILIES`) with these numbers."""
    if family not in FAMILIES:
        raise ValueError(f"no family of exercises is called {family!r}; the families are: {', '.join(FAMILIES)}")
    needed = list(FAMILIES[family].draw(random.Random(0)))  # the names, in the order the family draws them
    if sorted(values) != sorted(needed):
        raise ValueError(f"{family} needs numbers for {', '.join(needed)}, but was given {', '.join(values)}")
    return Exercise(family, {name: float(values[name]) for name in needed}, student, digits)


def _usable(sheet: Exercise) -> bool:
    """Numbers that make a good exercise: finite, and every input's gradient clearly not 0 (no dead ReLU)."""
    try:
        gradients = sheet.gradients()
    except (ValueError, ZeroDivisionError, OverflowError):
        return False
    inputs = set(sheet.values)
    return all(math.isfinite(g) for g in gradients.values()) and all(
        abs(g) >= 1e-3 for name, g in gradients.items() if name in inputs
    )


def check_count_and_seed(students: object, seed: object) -> None:
    """Refuse a class of no students or a negative seed, in one line each."""
    if isinstance(students, bool) or not isinstance(students, int) or not 1 <= students <= 1000:
        raise ValueError(f"the number of students must be a whole number from 1 to 1000, not {students!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"the seed must be a whole number ≥ 0, not {seed!r}")


def exercises(
    students: int, *, seed: int = 0, families: Sequence[str] | None = None, digits: int = 4
) -> list[Exercise]:
    """One `Exercise` per student, all different, the same for the same seed; the families take turns."""
    check_count_and_seed(students, seed)
    chosen = list(FAMILIES) if families is None else list(families)
    for family in chosen:
        if family not in FAMILIES:
            raise ValueError(f"no family of exercises is called {family!r}; the families are: {', '.join(FAMILIES)}")
    if not chosen:
        raise ValueError(f"give at least one family of exercises: {', '.join(FAMILIES)}")
    rng = random.Random(seed)
    offset = rng.randrange(len(chosen))
    width = len(str(students))
    sheets: list[Exercise] = []
    seen: set[tuple[str, tuple[float, ...]]] = set()
    for number in range(1, students + 1):
        family = chosen[(number - 1 + offset) % len(chosen)]
        while True:
            values = FAMILIES[family].draw(rng)
            sheet = Exercise(family, values, f"s{number:0{width}d}", digits)
            signature = (family, tuple(values.values()))
            if signature not in seen and _usable(sheet):
                seen.add(signature)
                sheets.append(sheet)
                break
    return sheets


# ---------------------------------------------------------------------- writing a class's sheets


def check_output_folder(out: str | os.PathLike[str]) -> Path:
    """The folder to write into, refused (OSError, one line) when it cannot be written: before anything is."""
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"--out {os.fspath(out)!r} is a file, not a folder")
    existing = folder.absolute()
    while not existing.exists():  # the folder that will hold the new ones: "/" at the latest
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(f"--out {os.fspath(out)!r} is inside {os.fspath(existing)!r}, which is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"can't write into {os.fspath(existing)!r}: no permission to create files there")
    return folder


def write_worksheets(sheets: Sequence[Exercise], out: str | os.PathLike[str], *, seed: int | None = None) -> list[Path]:
    """Write each sheet as ``<student>.md`` and ``<student>.html``, and the key as ``key.json`` and ``key.md``.

    Everything is drawn before the first file is written. Returns the paths written.
    """
    folder = check_output_folder(out)
    files: dict[str, str] = {}
    for sheet in sheets:
        files[f"{sheet.student}.md"] = sheet.to_markdown()
        files[f"{sheet.student}.html"] = sheet.to_html()
    key = {
        "seed": seed,
        "rel_tol": REL_TOL,
        "abs_tol": ABS_TOL,
        "sheets": {sheet.student: sheet.key() for sheet in sheets},
    }
    files["key.json"] = json.dumps(key, indent=1, ensure_ascii=False) + "\n"
    files["key.md"] = "# Answer key\n\n" + "\n".join(sheet.key_markdown() for sheet in sheets)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        write_text_atomically(folder / name, text)
        written.append(folder / name)
    return written


def load_key(path: str | os.PathLike[str]) -> dict[str, Exercise]:
    """The sheets of an answer key written by `write_worksheets`, by student."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return {
            student: exercise(entry["family"], entry["values"], student=student)
            for student, entry in data["sheets"].items()
        }
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
        raise ValueError(f"{os.fspath(path)!r} is not an answer key written by `exercises` ({error})") from None


# ---------------------------------------------------------------------- grading


@dataclass(frozen=True)
class GradeRow:
    """One node's mark: 1 right, ½ wrong only because an earlier answer of the student's was, 0 wrong or missing."""

    name: str
    given: float | None
    correct: float
    mark: float
    verdict: str


@dataclass(frozen=True)
class Grade:
    """A student's marks, node by node, and the first wrong answer with the steps that compute it (a node left
    blank is marked 0 and counted as missing)."""

    student: str
    rows: tuple[GradeRow, ...]
    first_wrong: str | None
    explanation: str
    problems: tuple[str, ...] = ()

    @property
    def score(self) -> float:
        return sum(row.mark for row in self.rows)

    @property
    def total(self) -> int:
        return len(self.rows)

    def summary(self) -> str:
        """One line: "s07: 7.5 of 9 (83%); first wrong: ∂L/∂z"."""
        line = f"{self.student}: {self.score:g} of {self.total} ({100 * self.score / max(self.total, 1):.0f}%)"
        missing = sum(row.given is None for row in self.rows)
        if self.first_wrong:
            line += f"; first wrong: {self.first_wrong}"
        if missing:
            line += f"; {missing} missing"
        return line if self.score < self.total else line + "; all right"

    def __str__(self) -> str:
        lines = [self.summary()]
        for row in self.rows:
            given = "—" if row.given is None else format_number(row.given)
            lines.append(f"  {row.name:<5} {given:>10}  {row.mark:g}  {row.verdict}")
        lines += [f"  ! {problem}" for problem in self.problems]
        if self.first_wrong:
            lines += ["", f"  The first wrong one, {self.first_wrong}, is computed so:"]
            lines += [f"    {line}" for line in self.explanation.splitlines()]
        return "\n".join(lines)


def grade(sheet: Exercise, answers: Mapping[str, str | float]) -> Grade:
    """Mark `answers` (node name → number, or the text typed) against `sheet`'s key.

    Right within the sheet's tolerance: 1. Wrong, but exactly what the chain rule gives from the
    student's own earlier answers (an error carried forward): ½. Otherwise 0. The root is given.
    """
    wt = sheet.walkthrough
    by_name = dict(sheet.nodes())
    loss = wt.names[wt.root]
    problems: list[str] = []
    given: dict[str, float] = {}
    for name, text in answers.items():
        if name not in by_name:
            problems.append(f"{name!r} is not a node of this sheet (its nodes: {', '.join(by_name)})")
            continue
        try:
            given[name] = text if isinstance(text, float) else parse_answer(str(text))
        except AnswerError as error:
            problems.append(f"{name}: {error}")
    # What each node's gradient would be from the student's own earlier numbers: an error carried forward.
    # backward()'s order: a node's upstream is complete before its step, so a gap takes what their numbers give.
    carried = dict.fromkeys(by_name.values(), 0.0)
    carried[wt.root] = 1.0
    for step in wt:
        upstream = 1.0 if step.node is wt.root else given.get(wt.names[step.node], carried[step.node])
        for c in step.contributions:
            if c.parent in carried:
                carried[c.parent] += upstream * c.local_grad
    rows = []
    first_wrong = None
    for name, node in by_name.items():
        correct = wt.gradients[node]
        if node is wt.root:
            continue  # given on the sheet
        answer = given.get(name)
        if answer is None:
            rows.append(GradeRow(name, None, correct, 0.0, "missing"))
        elif is_close(answer, correct, rel_tol=sheet.rel_tol, abs_tol=sheet.abs_tol):
            rows.append(GradeRow(name, answer, correct, 1.0, "right"))
        elif is_close(answer, carried[node], rel_tol=sheet.rel_tol, abs_tol=sheet.abs_tol):
            rows.append(GradeRow(name, answer, correct, 0.5, "follows from an earlier wrong answer"))
        else:
            rows.append(GradeRow(name, answer, correct, 0.0, f"wrong: ∂{loss}/∂{name} = {format_number(correct)}"))
        if rows[-1].mark < 1 and answer is not None and first_wrong is None:
            first_wrong = name
    explanation = ""
    if first_wrong is not None:
        node = by_name[first_wrong]
        steps = [step for step in wt if any(c.parent is node for c in step.contributions)]
        explanation = "\n".join(str(step) for step in steps)
    return Grade(sheet.student, tuple(rows), first_wrong, explanation, tuple(problems))


def read_answers(text: str) -> dict[str, str]:
    """A student's hand-in: one ``name = number`` (or ``name: number``, ``name,number``) per line; # comments."""
    answers: dict[str, str] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip().strip("|").strip()
        if not line:
            continue
        for separator in ("=", ":", ",", "|"):
            if separator in line:
                name, _, number = line.partition(separator)
                name = name.strip().removeprefix("∂L/∂").strip()
                if number.strip():
                    answers[name] = number.strip().strip("|").strip()
                break
    return answers
