"""Step through backprop by hand: the chain rule of every step, written out in numbers.

`walkthrough(root)` replays what ``root.backward()`` does, one step per node
that has parents, in exactly the order ``backward()`` visits them, and writes
each step in the notation of the seed document (∂L/∂a, ∂a/∂z, σ'(z)):

>>> from autograd import Value
>>> w, x, b = Value(0.5, "w"), Value(1.5, "x"), Value(0.1, "b")
>>> z = w * x + b; z.label = "z"
>>> a = z.sigmoid(); a.label = "a"
>>> wt = walkthrough(a)
>>> len(wt)
3
>>> print(wt[0])
Step 1 of 3: a = σ(z) = 0.7006
  upstream ∂a/∂a = 1
  ∂a/∂z = σ'(z) = σ(z)(1 − σ(z)) = 0.7006 · (1 − 0.7006) = 0.2098
  ∂a/∂z = ∂a/∂a · ∂a/∂z = 1.0000 · 0.2098 = 0.2098

It never touches a node's ``grad``: it keeps its own record, starting from 0 for
every node (as after ``zero_grad()``) and 1 for the root, and adds each
contribution in the same order as ``backward()``, so its gradients are exactly
``backward()``'s. A `Constant` operand (the ½ in ½(a − y)²) receives its
contribution in that record too, as in ``backward()``, but the explanation
leaves it out: a constant is not trained, so its gradient is of no interest.

Also here: `check_gradients`, which marks a learner's hand-computed gradients
right or wrong, and `explain_update`, which writes out an SGD step.
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, overload

from ._player import notebook_html, write_player
from .engine import Constant, Value, no_grad, topological_order
from .optim import _check_number
from .viz import draw_dot

if TYPE_CHECKING:
    from .viz import ComputationGraph

__all__ = [
    "Contribution",
    "GradientCheck",
    "GradientCheckRow",
    "Step",
    "UpdateExplanation",
    "UpdateRow",
    "Walkthrough",
    "check_gradients",
    "explain_update",
    "walkthrough",
]


# ---------------------------------------------------------------------- notation
# The same chain-rule lines are written three ways: plain text (str, the notebook,
# the HTML player), Markdown (names escaped) and LaTeX. A notation holds what differs.


@dataclass(frozen=True)
class _Notation:
    escape_name: Callable[[str], str]
    minus: str
    times: str
    sigma: str
    tanh: str
    exp: str
    log: str
    relu: str
    squared: str
    sup: Callable[[str, str], str]  # "x" and "n" → x raised to n
    partial: Callable[[str, str], str]  # "L", "a" → ∂L/∂a
    plus_equals: str
    so: str  # joins "∂L/∂x += …" to "∂L/∂x = before + contribution"

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
        return f"({text})" if x < 0 else text

    def constant(self, x: float) -> str:
        """A plain number written in the user's expression (the ½, the exponent 2): as short as it reads."""
        text = f"{x:g}".replace("-", self.minus)
        return f"({text})" if x < 0 else text


def _text_partial(of: str, wrt: str) -> str:
    return f"∂{of}/∂{wrt}"


def _text_sup(base: str, exponent: str) -> str:
    return f"{base}^{exponent}" if re.fullmatch(r"[\w.]+", exponent) else f"{base}^({exponent})"


_TEXT = _Notation(
    escape_name=lambda name: name,
    minus="−",
    times="·",
    sigma="σ",
    tanh="tanh",
    exp="exp",
    log="log",
    relu="ReLU",
    squared="²",
    sup=_text_sup,
    partial=_text_partial,
    plus_equals="+=",
    so=", so ",
)

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&$])")


def _markdown_escape(text: str) -> str:
    """Backslash before every Markdown-special character, so a label is only ever text."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


_MARKDOWN = replace(_TEXT, escape_name=_markdown_escape)

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


def _latex_text(text: str) -> str:
    """Text with LaTeX's special characters escaped, for use in text mode."""
    return "".join(_LATEX_SPECIAL.get(char, char) for char in text)


def _latex_name(name: str) -> str:
    """A node's name in math mode: w stays w, w1 becomes w_{1}, anything else is escaped upright text."""
    if re.fullmatch(r"[A-Za-z]", name):
        return name
    if match := re.fullmatch(r"([A-Za-z])(\d+)", name):
        return f"{match[1]}_{{{match[2]}}}"
    return rf"\text{{{_latex_text(name)}}}"


_LATEX = _Notation(
    escape_name=_latex_name,
    minus="-",
    times=r"\cdot",
    sigma=r"\sigma",
    tanh=r"\tanh",
    exp=r"\exp",
    log=r"\log",
    relu=r"\operatorname{ReLU}",
    squared="^2",
    sup=lambda base, exponent: f"{base}^{{{exponent}}}",
    partial=lambda of, wrt: rf"\frac{{\partial {of}}}{{\partial {wrt}}}",
    plus_equals=r"\mathrel{+}=",
    so=r",\quad\text{so}\quad ",
)


# The engine's own ops, to recompute a node from its parents' numbers as they are now.
_RECOMPUTE: dict[str, Callable[..., Value]] = {
    "+": Value.__add__,
    "-": Value.__sub__,
    "*": Value.__mul__,
    "/": Value.__truediv__,
    "**": Value.__pow__,
    "neg": Value.__neg__,
    "exp": Value.exp,
    "log": Value.log,
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
}


def _check_up_to_date(order: Sequence[Value], names: Mapping[Value, str]) -> None:
    """Refuse a graph whose numbers no longer fit together: a leaf changed after the forward pass.

    That happens after ``optimizer.step()``: w holds its new value while w · x still holds
    the old product, so every step written out would mix the two.
    """
    with no_grad():
        for node in order:
            recompute = _RECOMPUTE.get(node.op)
            if recompute is None:
                continue
            try:
                now = recompute(*node.parents).data
            except (ValueError, ZeroDivisionError, OverflowError):
                now = math.nan
            if now != node.data and not (math.isnan(now) and math.isnan(node.data)):
                inputs = ", ".join(f"{names[p]} = {p.data:.6g}" for p in node.parents)
                raise ValueError(
                    f"this graph is out of date: {names[node]} was computed as {node.data:.6g}, but from its "
                    f"parents' numbers now ({inputs}) it would be {now:.6g}. A value changed after the forward "
                    f"pass (an optimizer.step()?): run the forward pass again, then walk through the new graph."
                )


def _forward_formula(n: _Notation, op: str, args: Sequence[str]) -> str:
    """How a node was computed from its parents' names, e.g. "σ(z)" or "w · x"."""
    a = args[0]
    b = args[1] if len(args) > 1 else ""
    formulas = {
        "+": f"{a} + {b}",
        "-": f"{a} {n.minus} {b}",
        "*": f"{a} {n.times} {b}",
        "/": f"{a} / {b}",
        "neg": f"{n.minus}{a}",
        "**": n.sup(a, b),
        "exp": f"{n.exp}({a})",
        "log": f"{n.log}({a})",
        "sigmoid": f"{n.sigma}({a})",
        "tanh": f"{n.tanh}({a})",
        "relu": f"{n.relu}({a})",
    }
    return formulas.get(op, f"{op}({', '.join(args)})")


def _local_formula(n: _Notation, node: Value, index: int, args: Sequence[str], digits: int) -> tuple[str, str | None]:
    """∂node/∂parent for parent `index`: its symbolic form, and that form with the numbers put in (or None)."""
    op = node.op
    parents = node.parents
    a = args[0]
    b = args[1] if len(args) > 1 else ""
    first = parents[0].data
    second = parents[1].data if len(parents) > 1 else math.nan

    def num(x: float) -> str:
        return n.operand(x, digits)

    # A Constant operand is written as it reads in the expression (the 2 of x², the ½ of ½x).
    exponent = n.constant(second) if len(parents) > 1 and isinstance(parents[1], Constant) else num(second)
    if op == "+":
        return "1", None
    if op == "-":
        return ("1", None) if index == 0 else (f"{n.minus}1", None)
    if op == "neg":
        return f"{n.minus}1", None
    if op == "*":
        return (b, None) if index == 0 else (a, None)
    if op == "/":
        if index == 0:
            return f"1/{b}", f"1/{num(second)}"
        return f"{n.minus}{a}/{b}{n.squared}", f"{n.minus}{num(first)}/{num(second)}{n.squared}"
    if op == "**":
        if index == 0:  # ∂(x^n)/∂x = n·x^(n−1)
            return (
                f"{b} {n.times} {n.sup(a, f'{b} {n.minus} 1')}",
                f"{exponent} {n.times} {n.sup(num(first), n.constant(second - 1))}",
            )
        return f"{n.sup(a, b)} {n.times} {n.log} {a}", f"{num(node.data)} {n.times} {n.log}({num(first)})"
    if op == "exp":
        return f"{n.exp}'({a}) = {n.exp}({a})", f"{n.exp}({num(first)})"
    if op == "log":
        return f"{n.log}'({a}) = 1/{a}", f"1/{num(first)}"
    if op == "sigmoid":
        s = num(node.data)
        return f"{n.sigma}'({a}) = {n.sigma}({a})(1 {n.minus} {n.sigma}({a}))", f"{s} {n.times} (1 {n.minus} {s})"
    if op == "tanh":
        return f"{n.tanh}'({a}) = 1 {n.minus} {n.tanh}{n.squared}({a})", f"1 {n.minus} {num(node.data)}{n.squared}"
    if op == "relu":
        return f"{n.relu}'({a}) = [{a} > 0]", f"[{num(first)} > 0]"
    return n.partial(op, a), None  # an op this module does not know: no formula, the number still holds


def _is_number(text: str, n: _Notation) -> bool:
    try:
        float(text.replace(n.minus, "-").strip("()"))
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------- names


def _reading_order(root: Value) -> list[Value]:
    """Every node once, in the order a reader meets it in the formula: the output, then each operand, left first."""
    seen: set[Value] = set()
    order: list[Value] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        stack.extend(reversed(node.parents))  # the first operand on top: read first
    return order


def _display_names(order: Sequence[Value], root: Value) -> dict[Value, str]:
    """One unique, stable name per node: its label, else L for the root, t1, t2… for
    intermediates and v1, v2… for leaves (numbered in topological order); a Constant is its number.
    A label used by several nodes is kept by the first and becomes label#2, label#3… for the others."""
    names: dict[Value, str] = {}
    taken = {node.label for node in order if node.label and not isinstance(node, Constant)}
    used: set[str] = set()
    counters = {"t": 0, "v": 0}

    def fresh(prefix: str) -> str:
        while True:
            counters[prefix] += 1
            candidate = f"{prefix}{counters[prefix]}"
            if candidate not in taken:
                return candidate

    # A shared label is kept by the node met first when reading the formula left to right (w · w#2, not w#2 · w).
    for node in _reading_order(root):
        if node.label and not isinstance(node, Constant):
            name, copy = node.label, 1
            while name in used:
                copy += 1
                name = f"{node.label}#{copy}"
            used.add(name)
            names[node] = name
    for node in order:
        if isinstance(node, Constant):
            names[node] = node.label or _TEXT.constant(node.data)
            continue
        if node.label:
            continue  # named above
        elif node is root:
            wanted = "L" if "L" not in taken else fresh("t")
        else:
            wanted = fresh("t" if node.parents else "v")
        name, copy = wanted, 1
        while name in used:
            copy += 1
            name = f"{wanted}#{copy}"
        used.add(name)
        names[node] = name
    return {node: names[node] for node in order}  # in topological order, as the steps are


# ---------------------------------------------------------------------- steps


@dataclass(frozen=True)
class Contribution:
    """What one step hands to one parent: ∂L/∂parent += ∂node/∂parent · ∂L/∂node."""

    parent: Value
    parent_name: str
    local_grad: float  # ∂node/∂parent
    local_formula: str  # its symbolic form, e.g. "σ'(z) = σ(z)(1 − σ(z))"
    contribution: float  # local_grad · upstream
    grad_before: float  # ∂L/∂parent so far
    grad_after: float  # grad_before + contribution
    accumulates: bool  # the parent had already received a contribution: this one is "+="
    is_constant: bool  # a Constant operand: recorded, not explained


@dataclass(frozen=True)
class Step:
    """One application of the chain rule: a node hands its gradient (the upstream) to its parents.

    ``index`` counts from 0, like the walkthrough; the text counts from 1.
    """

    index: int
    count: int  # how many steps the walkthrough has
    node: Value
    name: str
    op: str
    upstream: float  # ∂L/∂node, complete by now: every node computed from it has had its step
    contributions: tuple[Contribution, ...]
    _context: _Context = field(repr=False, compare=False)

    @property
    def parents(self) -> tuple[Value, ...]:
        return self.node.parents

    def lines(self) -> list[str]:
        """The explanation, one line per string: the header, the upstream gradient, then per parent
        its local derivative and the chain rule."""
        header, equations = self._context.step_lines(self, _TEXT)
        return [header, *(f"  {equation.text()}" for equation in equations)]

    def __str__(self) -> str:
        return "\n".join(self.lines())


@dataclass(frozen=True)
class _Equation:
    """One line of a step: lhs relation rhs, e.g. ∂L/∂z = …; `note` is a word before it, or the whole line."""

    lhs: str
    relation: str
    rhs: str
    note: str = ""

    def text(self) -> str:
        equation = f"{self.lhs} {self.relation} {self.rhs}" if self.relation else ""
        return " ".join(part for part in (self.note, equation) if part)


class _Context:
    """What writing a step needs beyond the step itself: the names, the root, the number format."""

    def __init__(self, root: Value, names: dict[Value, str], digits: int) -> None:
        self.root = root
        self.names = names
        self.digits = digits

    def name(self, node: Value, n: _Notation) -> str:
        if isinstance(node, Constant) and not node.label:
            return n.constant(node.data)
        return n.escape_name(self.names[node])

    def forward(self, node: Value, n: _Notation) -> str:
        """E.g. "a = σ(z) = 0.7006"."""
        args = [self.name(parent, n) for parent in node.parents]
        return f"{self.name(node, n)} = {_forward_formula(n, node.op, args)} = {n.number(node.data, self.digits)}"

    def step_lines(self, step: Step, n: _Notation) -> tuple[str, list[_Equation]]:
        """The header ("Step 2 of 5: a = σ(z) = 0.7006"), then the equations: the upstream gradient,
        and per non-constant parent its local derivative and the chain rule."""
        out = self.name(step.node, n)
        header = f"Step {step.index + 1} of {step.count}: {self.forward(step.node, n)}"
        upstream = "1" if step.node is self.root else n.number(step.upstream, self.digits)
        equations = [_Equation(n.partial(self.name(self.root, n), out), "=", upstream, "upstream")]
        args = [self.name(parent, n) for parent in step.node.parents]
        explained = [(i, c) for i, c in enumerate(step.contributions) if not c.is_constant]
        if not explained:
            equations.append(
                _Equation("", "", "", f"only constants feed {self.names[step.node]}: nothing to pass back")
            )
        for index, c in explained:
            equations.extend(self.contribution_lines(step, index, c, args, n))
        return header, equations

    def contribution_lines(
        self, step: Step, index: int, c: Contribution, args: Sequence[str], n: _Notation
    ) -> list[_Equation]:
        """∂node/∂parent, then the chain rule for ∂L/∂parent (with "+=" when it accumulates)."""
        digits = self.digits
        loss = self.name(self.root, n)
        out = self.name(step.node, n)
        parent = self.name(c.parent, n)
        symbolic, numeric = _local_formula(n, step.node, index, args, digits)
        local = n.number(c.local_grad, digits)
        # "∂t/∂a = 1" and "∂L/∂t = 0.5" need no "= 1.0000": the formula already is the number.
        local_rhs = symbolic if _is_number(symbolic, n) else f"{symbolic} = {local}"
        if numeric is not None:
            local_rhs = f"{symbolic} = {numeric} = {local}"
        chain = (
            f"{n.partial(loss, out)} {n.times} {n.partial(out, parent)} = "
            f"{n.number(step.upstream, digits)} {n.times} {n.operand(c.local_grad, digits)} = "
            f"{n.number(c.contribution, digits)}"
        )
        if c.accumulates:
            total = (
                f"{n.partial(loss, parent)} = {n.number(c.grad_before, digits)} + "
                f"{n.operand(c.contribution, digits)} = {n.number(c.grad_after, digits)}"
            )
            return [
                _Equation(n.partial(out, parent), "=", local_rhs),
                _Equation(n.partial(loss, parent), n.plus_equals, chain + n.so + total),
            ]
        return [_Equation(n.partial(out, parent), "=", local_rhs), _Equation(n.partial(loss, parent), "=", chain)]


# ---------------------------------------------------------------------- the walkthrough


class Walkthrough(Sequence[Step]):
    """The backward pass of one graph, one `Step` per node with parents, in ``backward()``'s order.

    A sequence (``len``, ``wt[i]``, iteration) with a current position for the notebook
    (`next`, `prev`, `goto`); displaying it shows the current step's frame and explanation.
    Build it with `walkthrough`.
    """

    def __init__(self, root: Value, *, digits: int = 4) -> None:
        if not isinstance(root, Value):
            raise TypeError(
                f"walkthrough() needs the Value whose gradients to explain (usually the loss), "
                f"but was given {type(root).__name__}: {root!r}"
            )
        _check_digits(digits)
        self.root = root
        self.digits = digits
        order = topological_order(root)
        self.names: Mapping[Value, str] = _display_names(order, root)
        _check_up_to_date(order, self.names)
        self._context = _Context(root, dict(self.names), digits)
        self.nodes: tuple[Value, ...] = tuple(order)
        self._steps, self._gradients = self._replay_backward(order)
        self.position = 0

    def _replay_backward(self, order: list[Value]) -> tuple[list[Step], dict[Value, float]]:
        """Exactly ``backward()``'s arithmetic, recorded instead of written into ``grad``."""
        gradients = dict.fromkeys(order, 0.0)
        gradients[self.root] += 1.0  # ∂L/∂L = 1
        received: set[Value] = set()  # parents that have had a contribution: the next one is "+="
        steps: list[Step] = []
        with_parents = [node for node in reversed(order) if node.parents]
        for node in with_parents:
            upstream = gradients[node]
            args = [self._context.name(parent, _TEXT) for parent in node.parents]
            contributions = []
            for index, (parent, local_grad) in enumerate(zip(node.parents, node.local_grads())):
                before = gradients[parent]
                contribution = local_grad * upstream  # the chain rule, as backward() computes it
                gradients[parent] = before + contribution
                contributions.append(
                    Contribution(
                        parent=parent,
                        parent_name=args[index],
                        local_grad=local_grad,
                        local_formula=_local_formula(_TEXT, node, index, args, self.digits)[0],
                        contribution=contribution,
                        grad_before=before,
                        grad_after=gradients[parent],
                        accumulates=parent in received,
                        is_constant=isinstance(parent, Constant),
                    )
                )
                received.add(parent)
            steps.append(
                Step(
                    index=len(steps),
                    count=len(with_parents),
                    node=node,
                    name=self.names[node],
                    op=node.op,
                    upstream=upstream,
                    contributions=tuple(contributions),
                    _context=self._context,
                )
            )
        return steps, gradients

    # ------------------------------------------------------------------ a sequence of steps

    def __len__(self) -> int:
        return len(self._steps)

    @overload
    def __getitem__(self, index: int) -> Step: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Step]: ...
    def __getitem__(self, index: int | slice) -> Step | Sequence[Step]:
        if isinstance(index, slice):
            return self._steps[index]
        try:
            return self._steps[index]
        except IndexError:
            raise IndexError(self._out_of_range(index)) from None

    def _out_of_range(self, index: object) -> str:
        if not self._steps:
            return (
                f"this walkthrough has no steps: its root {self.names[self.root]} is a leaf, so backward() does nothing"
            )
        return f"step {index} does not exist: this walkthrough has {len(self)} steps, numbered 0 to {len(self) - 1}"

    @property
    def gradients(self) -> Mapping[Value, float]:
        """∂L/∂node for every node once all steps are done: exactly what ``backward()`` puts in ``grad``
        on a freshly built graph (Constants included)."""
        return self._gradients

    def gradient(self, node: Value | str) -> float:
        """∂L/∂node for one node, given as the node itself or its name.

        >>> x = Value(3.0, "x")
        >>> walkthrough(x * x).gradient("x")
        6.0
        """
        return self._gradients[self._find(node)]

    def gradients_after(self, index: int) -> dict[Value, float]:
        """The gradients known once step `index` is done: the root's, and every one that has received a
        contribution (a node fed into several others may not be complete yet)."""
        if not -len(self) <= index < len(self):
            raise IndexError(self._out_of_range(index))
        index %= len(self)
        known = {self.root: 1.0}
        for step in self._steps[: index + 1]:
            for c in step.contributions:
                known[c.parent] = c.grad_after
        return known

    def _find(self, key: Value | str) -> Value:
        """The node meant by a key: the node itself, a label (if only one node has it) or a shown name."""
        if isinstance(key, Value):
            if key not in self.names:
                raise KeyError(
                    f"{key!r} is not part of the graph of {self.names[self.root]}; its nodes are: {self._available()}"
                )
            return key
        if not isinstance(key, str):
            raise TypeError(
                f"name a node by the node itself or by its label (a str), not {type(key).__name__}: {key!r}"
            )
        labelled = [node for node in self.nodes if node.label == key and not isinstance(node, Constant)]
        if len(labelled) > 1:
            shown = ", ".join(sorted(self.names[node] for node in labelled))
            raise KeyError(
                f"{len(labelled)} nodes have the label {key!r}; use the node itself or one of their names: {shown}"
            )
        if labelled:
            return labelled[0]
        for node, name in self.names.items():
            if name == key and not isinstance(node, Constant):
                return node
        raise KeyError(f"no node is named {key!r}; the nodes are: {self._available()}")

    def _available(self) -> str:
        return ", ".join(self.names[node] for node in reversed(self.nodes) if not isinstance(node, Constant))

    # ------------------------------------------------------------------ the notebook's cursor

    @property
    def current(self) -> Step:
        """The step the notebook shows."""
        return self[self.position]

    def goto(self, index: int) -> Walkthrough:
        """Show step `index` (from 0; negative counts from the end). Returns the walkthrough, so it displays."""
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"goto() takes a step number (an int), not {type(index).__name__}: {index!r}")
        if not -len(self) <= index < len(self):
            raise IndexError(self._out_of_range(index))
        self.position = index % len(self)
        return self

    def next(self) -> Walkthrough:
        """Move to the next step (stays on the last one). Returns the walkthrough, so it displays."""
        self.position = min(self.position + 1, max(len(self) - 1, 0))
        return self

    def prev(self) -> Walkthrough:
        """Move to the previous step (stays on the first one). Returns the walkthrough, so it displays."""
        self.position = max(self.position - 1, 0)
        return self

    # ------------------------------------------------------------------ frames

    def frame(self, index: int, **draw_options: Any) -> ComputationGraph:
        """The graph at step `index`: its node and edges highlighted, the gradients known so far
        filled in, the others blank ("grad —"). Extra keyword arguments go to `autograd.viz.draw_dot`.

        >>> x = Value(3.0, "x")
        >>> wt = walkthrough(x * x)
        >>> "grad 6" in wt.frame(0).source
        True
        """
        step = self[index]
        options: dict[str, Any] = {
            "highlight": step.node,
            "grads": self.gradients_after(step.index),
            "names": self.names,  # unlabeled nodes drawn with the names the text uses (t1, v1, L)
        }
        options.update(draw_options)
        return draw_dot(self.root, **options)

    def _repr_html_(self) -> str:
        return notebook_html(self)

    # ------------------------------------------------------------------ the worked solution

    def summary_rows(self) -> list[tuple[str, float, float]]:
        """(name, value, ∂L/∂node) for every node but Constants, from the root back to the leaves."""
        return [
            (self.names[node], node.data, self._gradients[node])
            for node in reversed(self.nodes)
            if not isinstance(node, Constant)
        ]

    def _intro(self) -> str:
        loss = self.names[self.root]
        return (
            f"Backward pass through {loss}: {len(self)} steps, in the order backward() applies them. "
            f"It starts from ∂{loss}/∂{loss} = 1."
        )

    def summary_table(self) -> list[tuple[str, str, str]]:
        """`summary_rows` with the numbers written as the steps write them."""
        number = self.digits
        return [(name, _TEXT.number(v, number), _TEXT.number(g, number)) for name, v, g in self.summary_rows()]

    def __str__(self) -> str:
        rows = self.summary_table()
        loss = self.names[self.root]
        header = ("node", "value", f"∂{loss}/∂node")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        table = [
            f"  {row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}".rstrip() for row in [header, *rows]
        ]
        parts = [self._intro(), *(str(step) for step in self._steps), "Gradients:\n" + "\n".join(table)]
        return "\n\n".join(parts)

    def __repr__(self) -> str:
        return f"<Walkthrough of {self.names[self.root]}: {len(self)} steps, at step {self.position}>"

    def to_markdown(self) -> str:
        """The worked solution as Markdown: a heading and the chain-rule lines per step, then a table."""
        n = _MARKDOWN
        loss = self._context.name(self.root, n)
        parts = [f"## Backward pass through {loss}", _markdown_escape(self._intro())]
        for step in self._steps:
            header, equations = self._context.step_lines(step, n)
            parts.append(f"### {header}")
            parts.append("\n".join(f"- {equation.text()}" for equation in equations))
        table = [f"| node | value | ∂{loss}/∂node |", "|---|---:|---:|"]
        for node in reversed(self.nodes):
            if not isinstance(node, Constant):
                value, grad = n.number(node.data, self.digits), n.number(self._gradients[node], self.digits)
                table.append(f"| {self._context.name(node, n)} | {value} | {grad} |")
        parts.append("### Gradients\n\n" + "\n".join(table))
        return "\n\n".join(parts) + "\n"

    def to_latex(self) -> str:
        """The worked solution as a LaTeX fragment (needs ``\\usepackage{amsmath}``): an ``align*`` per step
        and a table of all gradients. Labels are escaped, so ``_``, ``&``, ``%``, ``#`` or braces are safe."""
        n = _LATEX
        loss = self._context.name(self.root, n)
        parts = [
            "% The backward pass, step by step. Needs \\usepackage{amsmath}.",
            f"Backward pass through ${loss}$: {len(self)} steps, in the order backward() applies them. "
            f"It starts from ${n.partial(loss, loss)} = 1$.",
        ]
        for step in self._steps:
            header, equations = self._context.step_lines(step, n)
            title, formula = header.split(": ", 1)
            body = " \\\\\n".join(
                rf"{e.lhs} &{e.relation} {e.rhs}" if e.relation else rf"&\text{{{_latex_text(e.note)}}}"
                for e in equations
            )
            parts.append(f"\\paragraph{{{title}: ${formula}$}}\n\\begin{{align*}}\n{body}\n\\end{{align*}}")
        rows = [
            f"${self._context.name(node, n)}$ & ${n.number(node.data, self.digits)}$ & "
            f"${n.number(self._gradients[node], self.digits)}$ \\\\"
            for node in reversed(self.nodes)
            if not isinstance(node, Constant)
        ]
        parts.append(
            "\\begin{tabular}{lrr}\n"
            f"node & value & $\\partial {loss}/\\partial\\,\\text{{node}}$ \\\\\n\\hline\n"
            + "\n".join(rows)
            + "\n\\end{tabular}"
        )
        return "\n\n".join(parts) + "\n"

    # ------------------------------------------------------------------ the HTML player

    def save_html(self, path: str | os.PathLike[str], *, quiz: bool = False, **draw_options: Any) -> Path:
        """Write one self-contained HTML file that plays the walkthrough: every frame inline,
        Prev/Next buttons, a slider, the arrow keys, each step's explanation and a table of all gradients.
        Nothing is loaded from the network. Extra keyword arguments go to `autograd.viz.draw_dot`.
        With ``quiz=True`` each step asks for its gradients before showing them (`autograd.practice.page`).
        Returns the path written."""
        if quiz:
            from .practice.page import write_quiz  # teaching tools sit on top of the walkthrough

            return write_quiz(self, path, draw_options)
        return write_player(self, path, draw_options)

    # ------------------------------------------------------------------ checking a learner's work

    def check(
        self, guesses: Mapping[Value | str, float], *, rel_tol: float = 1e-2, abs_tol: float = 1e-4
    ) -> GradientCheck:
        """Mark hand-computed gradients right or wrong; see `check_gradients`."""
        return _check(self, guesses, rel_tol, abs_tol)


def walkthrough(root: Value, *, digits: int = 4) -> Walkthrough:
    """The backward pass of `root`, one step per node with parents, written out in numbers.

    `digits` is the number of decimals shown; the recorded numbers keep full precision.

    >>> x = Value(2.0, "x")
    >>> y = x * x; y.label = "y"
    >>> print(walkthrough(y)[0])
    Step 1 of 1: y = x · x = 4.0000
      upstream ∂y/∂y = 1
      ∂y/∂x = x = 2.0000
      ∂y/∂x = ∂y/∂y · ∂y/∂x = 1.0000 · 2.0000 = 2.0000
      ∂y/∂x = x = 2.0000
      ∂y/∂x += ∂y/∂y · ∂y/∂x = 1.0000 · 2.0000 = 2.0000, so ∂y/∂x = 2.0000 + 2.0000 = 4.0000
    """
    return Walkthrough(root, digits=digits)


# ---------------------------------------------------------------------- checking a learner's gradients


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
        guess, actual = _TEXT.number(row.guess, self.digits), _TEXT.number(row.actual, self.digits)
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
        e = _markdown_escape
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
      ∂z/∂x = w = 0.5000
      ∂z/∂x = ∂z/∂z · ∂z/∂x = 1.0000 · 0.5000 = 0.5000
    """
    return _check(Walkthrough(root, digits=digits), guesses, rel_tol, abs_tol)


def _check(wt: Walkthrough, guesses: Mapping[Value | str, float], rel_tol: float, abs_tol: float) -> GradientCheck:
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
        node = wt._find(key)
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


def _how_computed(wt: Walkthrough, node: Value) -> tuple[str, ...]:
    """Every chain-rule line that adds to ∂L/∂node."""
    loss = wt.names[wt.root]
    if node is wt.root:
        return (f"∂{loss}/∂{loss} = 1 (the backward pass starts here)",)
    lines: list[str] = []
    for step in wt:
        args = [wt._context.name(parent, _TEXT) for parent in step.node.parents]
        for index, c in enumerate(step.contributions):
            if c.parent is node:
                lines += [line.text() for line in wt._context.contribution_lines(step, index, c, args, _TEXT)]
    return tuple(lines)


# ---------------------------------------------------------------------- the update step


class _SGDLike(Protocol):
    """What explain_update reads from an optimiser (autograd.optim.SGD has it)."""

    @property
    def params(self) -> Sequence[Value]: ...
    @property
    def lr(self) -> float: ...
    @property
    def momentum(self) -> float: ...
    @property
    def weight_decay(self) -> float: ...


@dataclass(frozen=True)
class UpdateRow:
    """One parameter's update: w_new = w_old − η · step, where step is ∂L/∂w (plus decay, momentum)."""

    param: Value
    name: str
    old: float
    grad: float
    new: float
    text: str


@dataclass(frozen=True)
class UpdateExplanation:
    """The lines of one SGD step, before it is taken; ``str()`` prints them."""

    rule: str
    rows: tuple[UpdateRow, ...]

    def __str__(self) -> str:
        return "\n".join([self.rule, *(row.text for row in self.rows)])

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"


def explain_update(optimizer: _SGDLike, *, digits: int = 4) -> UpdateExplanation:
    """Write out the update an SGD optimiser's next ``step()`` will make, w_new = w_old − η ∂L/∂w,
    from each parameter's current ``data`` and ``grad``. It changes nothing: call ``step()`` yourself.

    >>> from types import SimpleNamespace
    >>> w = Value(0.5, "w"); w.grad = 0.025
    >>> sgd = SimpleNamespace(params=[w], lr=0.1, momentum=0.0, weight_decay=0.0)
    >>> print(explain_update(sgd))
    SGD step: w ← w − η · ∂L/∂w with η = 0.1
    w: 0.5000 − 0.1 · 0.0250 = 0.4975
    """
    for attribute in ("params", "lr", "momentum", "weight_decay"):
        if not hasattr(optimizer, attribute):
            raise TypeError(
                f"explain_update() explains SGD steps and needs an optimiser with params, lr, momentum and "
                f"weight_decay; {type(optimizer).__name__} has no {attribute!r}"
            )
    _check_digits(digits)
    lr, mu, decay = (_check_number(getattr(optimizer, name), name) for name in ("lr", "momentum", "weight_decay"))
    params = list(optimizer.params)
    velocities = list(getattr(optimizer, "velocities", None) or [0.0] * len(params))
    names = _param_names(params)
    t = _TEXT

    def num(x: float) -> str:
        return t.number(x, digits)

    rule = f"SGD step: w ← w − η · ∂L/∂w with η = {lr:g}"
    if decay:
        rule = f"SGD step: w ← w − η · (∂L/∂w + λ · w) with η = {lr:g}, λ = {decay:g}"
    if mu:
        step_term = "(∂L/∂w + λ · w)" if decay else "∂L/∂w"
        rule = f"SGD step with momentum: v ← μ · v + {step_term}, w ← w − η · v with η = {lr:g}, μ = {mu:g}"
        rule += f", λ = {decay:g}" if decay else ""
    rows = []
    for param, name, velocity in zip(params, names, velocities):
        old, grad = param.data, param.grad
        gradient_text = num(grad)
        step = grad
        if decay:
            step = grad + decay * old
            gradient_text = f"({num(grad)} + {decay:g} · {t.operand(old, digits)})"
        if mu:
            old_velocity = float(getattr(velocity, "data", velocity))
            step = mu * old_velocity + step
            text = (
                f"{name}: v = {mu:g} · {t.operand(old_velocity, digits)} + {gradient_text} = {num(step)}, "
                f"{name} = {num(old)} − {lr:g} · {t.operand(step, digits)} = {num(old - lr * step)}"
            )
        else:
            gradient_text = gradient_text if decay else t.operand(grad, digits)
            text = f"{name}: {num(old)} − {lr:g} · {gradient_text} = {num(old - lr * step)}"
        rows.append(UpdateRow(param, name, old, grad, old - lr * step, text))
    return UpdateExplanation(rule, tuple(rows))


def _is_real(number: object) -> bool:
    """A real number as Value() takes it (int, float, Fraction, a NumPy scalar); True and False are not guesses."""
    return isinstance(number, Real) and not isinstance(number, bool)


def _check_digits(digits: object) -> None:
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 15:
        raise ValueError(f"digits is the number of decimals to show, a whole number from 0 to 15, not {digits!r}")


def _param_names(params: Iterable[Value]) -> list[str]:
    """Each parameter's label, or params[i] when it has none or shares it with another parameter."""
    params = list(params)
    labels = [p.label for p in params]
    return [
        label if label and labels.count(label) == 1 else (f"params[{i}] ({label})" if label else f"params[{i}]")
        for i, label in enumerate(labels)
    ]
