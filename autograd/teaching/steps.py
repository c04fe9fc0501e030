"""Steps at the level the learner wrote: a whole sub-expression as one step with its own derivative.

Two ways, for two kinds of sub-expression:

* **An op of the table**, `squared_error(a, y)`: the worked example's loss ½(a − y)² as one node whose
  local derivative reads ``a − y``. Being an op, every view knows it at once (console, Markdown, LaTeX,
  player, quiz, worksheets, drawings).
* **A group around some code**, ``with one_step() as neuron: z = w * x + b``: the nodes made inside
  become one step of ``walkthrough(loss, groups=[neuron])``, whose local derivatives are the chain rule
  inside the group (∂z/∂w = x), written with the group's formula. The drawing folds the group into one
  box, ``z = w · x + b`` (``draw_dot(loss, groups=[neuron])``); ``fold=False`` draws its nodes in a frame,
  highlighted together, and the player switches between the two. ``primitive=True`` steps through them
  one by one.

>>> from autograd import Value, Constant
>>> w, x, b, y = Value(0.5, "w"), Constant(1.5, "x"), Value(0.1, "b"), Constant(1.0, "y")
>>> with one_step() as neuron:
...     z = w * x + b
>>> z.label = "z"
>>> a = z.sigmoid(); a.label = "a"
>>> loss = squared_error(a, y); loss.label = "L"
>>> neuron.output is z, [node.label for node in neuron.inputs]
(True, ['w', 'x', 'b'])
>>> round(loss.data, 5), neuron.local_grads()
(0.04483, (1.5, 0.5, 1.0))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from ..engine import Op, Value, topological_order, tracing
from .notation import TEXT, Notation, forward_formula, local_derivative

__all__ = ["SQUARED_ERROR", "Group", "group_derivative", "group_formula", "one_step", "squared_error"]

SQUARED_ERROR = Op(
    "squared_error",
    forward=lambda a, y: 0.5 * (a - y) ** 2,
    local_grads=lambda out, a, y: (a - y, y - a),
    symbol="½(a − b)²",
    formula="½({a} − {b})²",
    derivatives=[("{a} − {b}", "{a} − {b}"), ("{b} − {a}", "{b} − {a}")],
)
"""The worked example's loss L = ½(a − y)² as one op: ∂L/∂a = a − y (and ∂L/∂y = y − a)."""


def squared_error(prediction: Value | float, target: Value | float) -> Value:
    """½(a − y)² as one node, so a walkthrough's first step reads ∂L/∂a = a − y.

    >>> a = Value(0.75, "a")
    >>> loss = squared_error(a, 1.0)
    >>> loss.data, loss.local_grads()
    (0.03125, (-0.25, 0.25))
    """
    return SQUARED_ERROR(prediction, target)


class Group:
    """Nodes made together that a walkthrough shows as one step: `output` computed from `inputs`.

    Made by `one_step` (or from the nodes themselves); ``members`` are the nodes made inside,
    ``output`` the one the rest of the graph uses, ``inputs`` what feeds the group from outside,
    in the order the formula reads them.
    """

    def __init__(self, members: Sequence[Value] = ()) -> None:
        self.output: Value | None = None
        self.members: tuple[Value, ...] = ()
        self.inputs: tuple[Value, ...] = ()
        if members:
            self.record(members)

    def record(self, members: Sequence[Value]) -> None:
        """Take these nodes as the group (`one_step` calls it when its block ends)."""
        made = [node for node in members if node.parents]
        if not made:
            raise ValueError("one_step() recorded no operation: put the code that computes the step inside the block")
        inside = set(made)
        used_inside = {parent for node in made for parent in node.parents if parent in inside}
        outputs = [node for node in made if node not in used_inside]
        if len(outputs) != 1:
            raise ValueError(
                f"one_step() groups the code that computes ONE value, but {len(outputs)} values made in the block "
                f"are not used inside it: make one step per value, or compute only one value in the block"
            )
        self.output = outputs[0]
        self.members = tuple(node for node in topological_order(self.output) if node in inside)
        self.inputs = tuple(_reading_inputs(self.output, inside))

    def local_grads(self) -> tuple[float, ...]:
        """∂output/∂input for each input: the chain rule inside the group, with the engine's local gradients."""
        along = {_output(self): 1.0}
        for node in reversed(self.members):  # from the output back to the inputs, as backward() goes
            for parent, local_grad in zip(node.parents, node.local_grads()):
                along[parent] = along.get(parent, 0.0) + local_grad * along.get(node, 0.0)
        return tuple(along.get(node, 0.0) for node in self.inputs)

    def formula(self, name_of: NameOf) -> str:
        """The output written in its inputs' names (each named by `name_of`), as the learner wrote it.

        >>> w, x, b = Value(2.0, "w"), Value(3.0, "x"), Value(1.0, "b")
        >>> with one_step() as neuron:
        ...     z = w * x + b
        >>> neuron.formula(lambda node: node.label)
        'w · x + b'
        """
        return group_formula(TEXT, self, name_of)

    def __repr__(self) -> str:
        return f"<Group of {len(self.members)} ops: {self.output!r}>"


def _reading_inputs(output: Value, inside: set[Value]) -> list[Value]:
    """The nodes from outside that feed the group, as a reader meets them in the formula, left first."""
    found: list[Value] = []
    stack = [output]
    while stack:
        node = stack.pop()
        if node not in inside:
            if node not in found:
                found.append(node)
            continue
        stack.extend(reversed(node.parents))
    return found


@contextmanager
def one_step() -> Iterator[Group]:
    """Record the code in the block as one step of a walkthrough: ``walkthrough(loss, groups=[step])``.

    The group is filled in when the block ends. Only one value may come out of the block.

    >>> w, x, b = Value(2.0, "w"), Value(3.0, "x"), Value(1.0, "b")
    >>> with one_step() as neuron:
    ...     z = w * x + b
    >>> [round(g, 1) for g in neuron.local_grads()]     # ∂z/∂w = x, ∂z/∂x = w, ∂z/∂b = 1
    [3.0, 2.0, 1.0]
    """
    made: list[Value] = []
    group = Group()
    with tracing(on_op=lambda node, op, inputs: made.append(node)):
        yield group
    group.record(made)


# ---------------------------------------------------------------------- how a group reads

NameOf = Callable[[Value], str]


def _needs_parentheses(user: Value, slot: int, text: str) -> bool:
    """Whether a sub-formula put into `user`'s template at `slot` must be bracketed: w · x + b, σ(w · x), (a + b)²."""
    if " " not in text:
        return False
    template = user.operation.formula if user.operation is not None else ""
    if "({" + "ab"[slot] + "})" in template:  # σ({a}): the template brackets it already
        return False
    return not (user.op == "+" or (user.op == "-" and slot == 0))


def _composed(n: Notation, group: Group, name_of: NameOf) -> Callable[[Value, int], str]:
    """The text of `user`'s parent at `slot`: a name from outside the group, a sub-formula from inside."""

    def part(user: Value, slot: int) -> str:
        parent = user.parents[slot]
        if parent not in group.members:
            return name_of(parent)
        text = forward_formula(n, parent, [part(parent, s) for s in range(len(parent.parents))])
        return f"({text})" if _needs_parentheses(user, slot, text) else text

    return part


def group_formula(n: Notation, group: Group, name_of: NameOf) -> str:
    """The group's output written in its inputs' names, from the op table: ``w · x + b``."""
    output = _output(group)
    part = _composed(n, group, name_of)
    return forward_formula(n, output, [part(output, slot) for slot in range(len(output.parents))])


def group_derivative(n: Notation, group: Group, target: Value, name_of: NameOf) -> str:
    """∂output/∂target inside the group, written from the ops' derivatives and simplified where it is plain
    (factors of 1 dropped): ∂(w · x + b)/∂w reads ``x``. "" when an op inside has no derivative text."""
    part = _composed(n, group, name_of)

    def factor(node: Value, slot: int) -> str | None:
        parts = [part(node, s) for s in range(len(node.parents))]
        parts = [f"({p})" if " " in p and node.parents[s] in group.members else p for s, p in enumerate(parts)]
        symbolic = local_derivative(n, node, slot, parts, 4)[0]
        return symbolic.split(" = ")[-1] if symbolic else None

    def paths(node: Value) -> list[list[str]] | None:
        if node is target:
            return [[]]
        if node not in group.members:
            return []
        found: list[list[str]] = []
        for slot, parent in enumerate(node.parents):
            below = paths(parent)
            if below is None:
                return None
            if below:
                local = factor(node, slot)
                if local is None or len(found) + len(below) > 8:
                    return None
                found += [[local, *rest] for rest in below]
        return found

    products = paths(_output(group))
    if not products:
        return ""
    terms = []
    for factors in products:
        negative = factors.count("−1") % 2 == 1
        kept = [f for f in factors if f not in ("1", "−1")]
        text = " · ".join(f"({f})" if " " in f and len(kept) > 1 else f for f in kept) or "1"
        terms.append(("−" if negative else "") + text)
    total = terms[0]
    for term in terms[1:]:
        total += f" − {term[1:]}" if term.startswith("−") else f" + {term}"
    return total


def _output(group: Group) -> Value:
    if group.output is None:
        raise ValueError("this one_step() group is still being recorded: use it after its with-block has ended")
    return group.output
