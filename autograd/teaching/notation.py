"""How the chain rule is written: one notation, in three formats (plain text, Markdown, LaTeX).

The notation is the worked example's, ∂L/∂z = ∂L/∂a · ∂a/∂z, kept free of double meanings:

* ``∂L/∂z`` is only ever a **gradient**, the derivative of the loss L (the root).
* ``∂a/∂z`` is a **local derivative**, of one node with respect to one of its inputs. At the
  root, whose name is L, it is written with the root's formula, ``∂(0.5 · t3)/∂t3``, so it never
  reads as a gradient; an input used twice (``x · x``) has one local derivative per use, (1st) and (2nd).
* A gradient that is still collecting contributions reads ``(so far)``; the line that completes
  it ends ``(complete)``.
* A negative number as an operand is put in parentheses, ``2 · (−1)``, and the minus sign is
  always the same one (−; ``-`` in LaTeX).

What an op reads like comes from the engine's op table (`autograd.engine.OPS`): its
``formula`` and ``derivatives`` templates. They are written in plain text; LaTeX gets them
through one translation table (`latex_from_text`), the same for every op.

>>> from autograd import Value
>>> a = Value(0.5, "a").sigmoid()
>>> local_derivative(TEXT, a, 0, ["a"], 4)
("σ'(a) = σ(a)(1 − σ(a))", '0.6225 · (1 − 0.6225)')
>>> TEXT.operand(-1.0, 4), LATEX.number(-1.9, 1)
('(−1.0000)', '-1.9')
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from ..drawing.names import constant_text
from ..engine import Constant, Value

__all__ = [
    "LATEX",
    "MARKDOWN",
    "TEXT",
    "Notation",
    "forward_formula",
    "latex_from_text",
    "local_derivative",
    "markdown_escape",
]

_PLACEHOLDER = re.compile(r"\{(a|b|out)\}")


@dataclass(frozen=True)
class Notation:
    """What differs between the formats: how names, numbers and a template's own text are written."""

    escape_name: Callable[[str], str]  # a node's name as it may appear in this format
    translate: Callable[[str], str]  # a template's own text (not the names put into it)
    minus: str
    times: str
    partial: Callable[[str, str], str]  # "L", "a" → ∂L/∂a
    plus_equals: str
    so: str  # joins "∂L/∂x += …" to "∂L/∂x = before + contribution"
    so_far: str  # after a gradient that is still collecting contributions
    complete: str  # after the line that completes one
    note: Callable[[str], str]  # a word inside a formula, such as "1st"

    def number(self, x: float, digits: int) -> str:
        """A computed number to `digits` decimals; tiny ones in scientific form so they don't read as 0."""
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "∞" if x > 0 else f"{self.minus}∞"
        if x == 0.0:
            x = 0.0  # no "−0.0000"
        text = f"{x:.{digits}f}" if x == 0.0 or abs(x) >= 0.5 * 10.0**-digits else f"{x:.{max(digits - 1, 1)}e}"
        return text.replace("-", self.minus)

    def operand(self, x: float, digits: int) -> str:
        """A number as the operand of an operator: negative ones in parentheses."""
        text = self.number(x, digits)
        return f"({text})" if x < 0 or text.startswith(self.minus) else text

    def checked(self, numbers: Sequence[float], result: float, digits: int, rule: Callable[..., float]) -> list[str]:
        """`numbers` written so that a calculator, given them as shown, gets `result` as shown: `rule` applied
        to the shown numbers rounds to the shown result. With `digits` decimals when that holds, else with as
        few more as it takes (the rounding of a factor can move a product's last digit).

        >>> TEXT.checked([0.01474, 2.0], 0.02948, 4, lambda a, b: a * b)
        ['0.01474', '2.00000']
        """
        wanted = self.number(result, digits)
        for more in range(7):
            texts = [self.number(x, digits + more) for x in numbers]
            if self.number(rule(*(self.read(text) for text in texts)), digits) == wanted:
                return texts
        return [self.number(x, digits) for x in numbers]

    def read(self, text: str) -> float:
        """A number as this notation writes it, read back: "−0.0628" → -0.0628."""
        cleaned = text.replace(self.minus, "-").replace("−", "-").strip("()")
        return float(cleaned.replace("∞", "inf"))

    def constant(self, x: float) -> str:
        """A plain number written in the user's expression (the ½, the exponent 2): as short as it reads."""
        return constant_text(x).replace("−", self.minus)

    def fill(self, template: str, values: Mapping[str, str]) -> str:
        """A template from the op table with names or numbers put in: ``"σ({a})"`` → ``σ(z)``.

        The template's own text is translated into this format; the values are put in as given.
        """
        marked = _PLACEHOLDER.sub(lambda match: f"\x00{match[1]}\x00", template)
        translated = self.translate(marked)
        return re.sub("\x00(a|b|out)\x00", lambda match: values.get(match[1], "?"), translated)


# ---------------------------------------------------------------------- plain text and Markdown

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&$])")


def markdown_escape(text: str) -> str:
    """Backslash before every Markdown-special character, so a label is only ever text."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


TEXT = Notation(
    escape_name=lambda name: name,
    translate=lambda text: text,
    minus="−",
    times="·",
    partial=lambda of, wrt: f"∂{of}/∂{wrt}",
    plus_equals="+=",
    so=", so ",
    so_far=" (so far)",
    complete=" (complete)",
    note=lambda word: f" ({word})",
)

MARKDOWN = replace(TEXT, escape_name=markdown_escape)


# ---------------------------------------------------------------------- LaTeX

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "_": r"\_",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "$": r"\$",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}


def latex_text(text: str) -> str:
    """Text with LaTeX's special characters escaped, for use in text mode."""
    return "".join(_LATEX_SPECIAL.get(char, char) for char in text)


def _latex_name(name: str) -> str:
    """A node's name in math mode: w stays w, w1 becomes w_{1}, a number stays a number, anything else
    is escaped upright text."""
    if re.fullmatch(r"[A-Za-z]", name):
        return name
    if match := re.fullmatch(r"([A-Za-z])(\d+)", name):
        return f"{match[1]}_{{{match[2]}}}"
    if re.fullmatch(r"\(?−?[\d.]+(e[+−]?\d+)?\)?", name):
        return name.replace("−", "-")
    return rf"\text{{{latex_text(name)}}}"


# Characters of the plain-text templates and what they are in LaTeX, one table for every op.
_LATEX_SYMBOLS = {
    "·": r"\cdot",
    "−": "-",
    "σ": r"\sigma",
    "²": "^2",
    "³": "^3",
    "√": r"\sqrt",
    "½": r"\tfrac{1}{2}",
    "∂": r"\partial",
    "≥": r"\geq",
    "≤": r"\leq",
    "|": r"\vert",
}
_LATEX_FUNCTIONS = {"exp", "log", "ln", "sin", "cos", "tan", "tanh", "max", "min"}


def latex_from_text(text: str) -> str:
    """A plain-text formula as LaTeX math, by one table for every op: · → \\cdot, − → -, σ → \\sigma,
    ² → ^2, ``^(…)`` and ``^x`` → ``^{…}``, known functions → ``\\exp``, other words → ``\\operatorname``.

    >>> print(latex_from_text("σ'(z) = σ(z)(1 − σ(z))"))
    \\sigma'(z) = \\sigma(z)(1 - \\sigma(z))
    >>> print(latex_from_text("b · a^(b − 1) · log a"))
    b \\cdot a^{b - 1} \\cdot \\log a
    """
    text = re.sub(r"\^\(([^()]*)\)", r"^{\1}", text)  # x^(n − 1) → x^{n − 1}
    text = re.sub(r"\^(\x00\w+\x00|\w+)", r"^{\1}", text)  # x^n → x^{n}

    def word(match: re.Match[str]) -> str:
        name = match[0]
        if name in _LATEX_FUNCTIONS:
            following = match.string[match.end() : match.end() + 1]
            return f"\\{name} " if following.isalnum() or following == "\x00" else f"\\{name}"
        if len(name) == 1 or match.string[match.end() : match.end() + 1] not in "('":
            return name if len(name) == 1 else rf"\text{{ {name} }}"  # a variable, or a word such as "if"
        return rf"\operatorname{{{name}}}"

    text = re.sub(r"(?<![\\\x00\w])[A-Za-z]+(?![\x00\w])", word, text)
    out = []
    for char, following in zip(text, [*text[1:], ""]):
        symbol = _LATEX_SYMBOLS.get(char, char)
        command = symbol.startswith("\\") and symbol[-1].isalpha()
        out.append(symbol + " " if command and (following.isalnum() or following == "\x00") else symbol)  # \sigma z
    return "".join(out)


LATEX = Notation(
    escape_name=_latex_name,
    translate=latex_from_text,
    minus="-",
    times=r"\cdot",
    partial=lambda of, wrt: rf"\frac{{\partial {of}}}{{\partial {wrt}}}",
    plus_equals=r"\mathrel{+}=",
    so=r",\quad\text{so}\quad ",
    so_far=r"\ \text{(so far)}",
    complete=r"\ \text{(complete)}",
    note=lambda word: rf"\ \text{{({word})}}",
)


# ---------------------------------------------------------------------- ops, from the engine's table


def _template_of(node: Value) -> str:
    """The node's forward formula template; an op made micrograd's way, unknown to the table, by its name."""
    operation = node.operation
    count = len(node.parents)
    formula = operation.formula if operation is not None else ""
    if not formula or len(set(_PLACEHOLDER.findall(formula)) - {"out"}) != count:
        name = node.op or "?"
        formula = f"{name}({{a}})" if count == 1 else f"{name}({{a}}, {{b}})"
    return formula


def forward_formula(n: Notation, node: Value, names: Sequence[str]) -> str:
    """How a node was computed from its parents' names, e.g. "σ(z)" or "w · x", from the op table."""
    return n.fill(_template_of(node), dict(zip("ab", names)))


def local_derivative(n: Notation, node: Value, index: int, names: Sequence[str], digits: int) -> tuple[str, str | None]:
    """∂node/∂parent for parent `index`: its symbolic form, and that form with the numbers put in (or None).

    Both come from the op's ``derivatives`` in the engine's table. An op without them (your own
    `Op`, or one made micrograd's way) has neither: the walkthrough then shows the number alone.
    """
    operation = node.operation
    derivatives = operation.derivatives if operation is not None else ()
    if index >= len(derivatives):
        return "", None
    symbolic, numeric = derivatives[index]
    parents = node.parents

    def number(parent: Value) -> str:
        # A Constant operand is written as it reads in the expression (the 2 of x², the ½ of ½x).
        return n.constant(parent.data) if isinstance(parent, Constant) else n.operand(parent.data, digits)

    numbers = {"a": number(parents[0]), "out": n.operand(node.data, digits)}
    if len(parents) > 1:
        numbers["b"] = number(parents[1])
    named = n.fill(symbolic, dict(zip("ab", names)))
    return named, None if numeric is None else n.fill(numeric, numbers)


def is_number(n: Notation, text: str) -> bool:
    """Whether a filled-in template is just a number ("1", "−1"): then it needs no "= 1.0000" after it."""
    try:
        float(text.replace(n.minus, "-").strip("()"))
    except ValueError:
        return False
    return True
