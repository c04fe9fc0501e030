"""The replay: ``backward()`` one node at a time, each chain-rule step recorded and written out.

`Replay(root)` visits the nodes in exactly ``backward()``'s order and, at each node with
parents, applies the engine's own chain-rule arithmetic, ``∂L/∂parent += ∂node/∂parent ·
∂L/∂node``, to its own record (never to ``grad``). Every other teaching tool reads it through
its public methods: the hand check, the player, the handouts.

>>> from autograd import Value
>>> w, x = Value(0.5, "w"), Value(1.5, "x")
>>> z = w * x; z.label = "z"
>>> replay = Replay(z.sigmoid())
>>> [step.name for step in replay], round(replay.gradient("w"), 4)
(['L', 'z'], 0.3268)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import overload

from ..drawing.names import display_names
from ..engine import Constant, Value, find_stale_node, topological_order
from .notation import TEXT, Notation, forward_formula, is_number, local_derivative
from .steps import Group, group_derivative, group_formula

__all__ = ["Contribution", "Equation", "Replay", "Step", "check_digits"]


@dataclass(frozen=True)
class Contribution:
    """What one step hands to one parent: ∂L/∂parent += ∂node/∂parent · ∂L/∂node."""

    parent: Value
    parent_name: str
    slot: int  # which input of the op the parent is (0 or 1)
    local_grad: float  # ∂node/∂parent
    local_formula: str  # its symbolic form from the op table, e.g. "σ'(z) = σ(z)(1 − σ(z))"; "" if it has none
    contribution: float  # local_grad · upstream
    grad_before: float  # ∂L/∂parent so far
    grad_after: float  # grad_before + contribution
    accumulates: bool  # the parent had already received a contribution: this one is "+="
    complete: bool  # no contribution to this parent comes after this one: ∂L/∂parent is final
    is_constant: bool  # a Constant operand: recorded, not explained


@dataclass(frozen=True)
class Equation:
    """One line of a step: lhs relation rhs, e.g. ∂L/∂z = …; `note` is a word before it, or the whole line."""

    lhs: str
    relation: str
    rhs: str
    note: str = ""

    def text(self) -> str:
        equation = f"{self.lhs} {self.relation} {self.rhs}" if self.relation else ""
        return " ".join(part for part in (self.note, equation) if part)


@dataclass(frozen=True)
class Step:
    """One application of the chain rule: a node hands its gradient (the upstream) to its parents.

    ``index`` counts from 0, like the walkthrough; the text counts from 1.
    """

    index: int
    count: int  # how many steps the replay has
    node: Value
    name: str
    op: str
    upstream: float  # ∂L/∂node, complete by now: every node computed from it has had its step
    contributions: tuple[Contribution, ...]
    loss_name: str
    is_root: bool
    digits: int
    group: Group | None = None  # the step is a group of ops (`one_step`), whose output is `node`
    concise: bool = False  # written as the worked example writes its steps: no upstream line, ∂L/∂a = a − y

    @property
    def parents(self) -> tuple[Value, ...]:
        """The values this step hands gradients to: the node's parents, or a group's inputs."""
        return self.group.inputs if self.group is not None else self.node.parents

    @property
    def members(self) -> tuple[Value, ...]:
        """The nodes this step covers: its node, or every node of its group."""
        return self.group.members if self.group is not None else (self.node,)

    def formula(self, n: Notation = TEXT) -> str:
        """How the node is computed from its parents' names: "σ(z)"; for a group, "w · x + b"."""
        names = self._parent_names(n)
        if self.group is None:
            return forward_formula(n, self.node, names)
        known = {c.parent: name for c, name in zip(self.contributions, names)}
        return group_formula(n, self.group, lambda node: known.get(node, "?"))

    def local_derivative(self, n: Notation, slot: int) -> tuple[str, str | None]:
        """∂node/∂parent for parent `slot`: its symbolic form and that form with the numbers (or None); "" when
        the op has no derivative text. For a group, the chain rule inside it, written out (∂z/∂w = x)."""
        names = self._parent_names(n)
        if self.group is None:
            return local_derivative(n, self.node, slot, names, self.digits)
        known = {c.parent: name for c, name in zip(self.contributions, names)}
        return group_derivative(n, self.group, self.parents[slot], lambda node: known.get(node, "?")), None

    # ------------------------------------------------------------------ writing it out

    def _name(self, n: Notation, node: Value, name: str) -> str:
        return n.constant(node.data) if isinstance(node, Constant) and not node.label else n.escape_name(name)

    def _parent_names(self, n: Notation) -> list[str]:
        return [self._name(n, c.parent, c.parent_name) for c in self.contributions]

    def forward(self, n: Notation = TEXT) -> str:
        """E.g. "a = σ(z) = 0.7006"."""
        return f"{n.escape_name(self.name)} = {self.formula(n)} = {n.number(self.node.data, self.digits)}"

    def header(self, n: Notation = TEXT) -> str:
        return f"Step {self.index + 1} of {self.count}: {self.forward(n)}"

    def local_symbol(self, c: Contribution, n: Notation = TEXT) -> str:
        """The local derivative's symbol: ∂a/∂z; at the root ∂(formula)/∂z, so that it never reads as the
        gradient ∂L/∂z; with (1st) or (2nd) when the op uses the parent twice."""
        names = self._parent_names(n)
        parent = names[c.slot]
        if self.is_root:
            formula = self.formula(n)
            single_call = n is TEXT and formula.endswith(")") and "(" in formula and " " not in formula
            out = formula if single_call else f"({formula})"
        else:
            out = n.escape_name(self.name)
        symbol = n.partial(out, parent)
        if len(self.parents) == 2 and self.parents[0] is self.parents[1]:
            symbol += n.note(("1st", "2nd")[c.slot])
        return symbol

    def equations(self, n: Notation = TEXT) -> list[Equation]:
        """The upstream gradient, then per non-constant parent its local derivative and the chain rule."""
        loss = n.escape_name(self.loss_name)
        out = n.escape_name(self.name)
        upstream = "1" if self.is_root else n.number(self.upstream, self.digits)
        lines = [] if self.concise else [Equation(n.partial(loss, out), "=", upstream, "upstream")]
        explained = [c for c in self.contributions if not c.is_constant]
        if not explained:
            lines.append(Equation("", "", "", f"only constants feed {self.name}: nothing to pass back"))
        for c in explained:
            lines.extend(self.contribution_equations(c, n))
        return lines

    def contribution_equations(self, c: Contribution, n: Notation = TEXT) -> list[Equation]:
        """∂node/∂parent, then the chain rule for ∂L/∂parent: "+=" when it accumulates, "(so far)" while
        more contributions are to come, "(complete)" on the line that completes a sum."""
        digits = self.digits
        loss = n.escape_name(self.loss_name)
        out = n.escape_name(self.name)
        parent = self._parent_names(n)[c.slot]
        local = self.local_symbol(c, n)
        symbolic, numeric = self.local_derivative(n, c.slot)
        value = n.number(c.local_grad, digits)
        if not symbolic:  # an op without derivative text (your own Op): its number, from its local_grads
            local_rhs = f"{value}{n.note(f'from {self.op} local_grads')}"
        elif is_number(n, symbolic):  # "∂t/∂a = 1" needs no "= 1.0000"
            local_rhs = symbolic
        elif numeric is None or numeric == symbolic:
            local_rhs = f"{symbolic} = {value}"
        else:
            local_rhs = f"{symbolic} = {numeric} = {value}"
        gradient = n.partial(loss, parent)
        if self.concise and self.is_root and not c.accumulates:  # ∂L/∂a is the local derivative: ∂L/∂a = a − y
            return [Equation(gradient if c.complete else gradient + n.so_far, "=", local_rhs)]
        plain = bool(symbolic) and (is_number(n, symbolic) or re.fullmatch(r"[^\s()·+−-]+", symbolic) is not None)
        if self.concise and plain:  # ∂L/∂w = ∂L/∂z · ∂z/∂w = ∂L/∂z · x, in one line
            local = f"{local} = {n.partial(loss, out)} {n.times} {symbolic}"
        upstream, local_number = n.checked([self.upstream, c.local_grad], c.contribution, digits, _times)
        chain = (
            f"{n.partial(loss, out)} {n.times} {local} = "
            f"{upstream} {n.times} {_bracketed(n, local_number)} = {n.number(c.contribution, digits)}"
        )
        if c.accumulates:
            before, contribution = n.checked([c.grad_before, c.contribution], c.grad_after, digits, _plus)
            total = f"{gradient} = {before} + {_bracketed(n, contribution)} = {n.number(c.grad_after, digits)}"
            total += n.complete if c.complete else n.so_far
            first = [] if self.concise and plain else [Equation(local, "=", local_rhs)]
            return [*first, Equation(gradient, n.plus_equals, chain + n.so + total)]
        lhs = gradient if c.complete else gradient + n.so_far
        first = [] if self.concise and plain else [Equation(local, "=", local_rhs)]
        return [*first, Equation(lhs, "=", chain)]

    def lines(self, n: Notation = TEXT) -> list[str]:
        """The explanation, one line per string: the header, then the equations, indented."""
        return [self.header(n), *(f"  {equation.text()}" for equation in self.equations(n))]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def check_digits(digits: object) -> None:
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 15:
        raise ValueError(f"digits is the number of decimals to show, a whole number from 0 to 15, not {digits!r}")


class Replay(Sequence[Step]):
    """The backward pass of one graph, one `Step` per node with parents, in ``backward()``'s order."""

    def __init__(self, root: Value, *, digits: int = 4, groups: Iterable[Group] = (), primitive: bool = False) -> None:
        if not isinstance(root, Value):
            raise TypeError(
                f"walkthrough() needs the Value whose gradients to explain (usually the loss), "
                f"but was given {type(root).__name__}: {root!r}"
            )
        check_digits(digits)
        self.root = root
        self.digits = digits
        order = topological_order(root)
        self.names: Mapping[Value, str] = display_names(root, order)
        self._refuse_stale(order)
        self.nodes: tuple[Value, ...] = tuple(order)
        self.groups: tuple[Group, ...] = () if primitive else self._check_groups(groups, order)
        self.primitive = primitive
        self._steps, self._gradients = self._replay_backward(order)
        self._into: dict[Value, list[tuple[Step, Contribution]]] = {}
        for step in self._steps:
            for c in step.contributions:
                self._into.setdefault(c.parent, []).append((step, c))

    def _refuse_stale(self, order: Sequence[Value]) -> None:
        """Refuse a graph whose numbers no longer fit together (a leaf changed after the forward pass)."""
        found = find_stale_node(order)
        if found is None:
            return
        node, now = found
        inputs = ", ".join(f"{self.names[p]} = {p.data:.6g}" for p in node.parents)
        raise ValueError(
            f"this graph is out of date: {self.names[node]} was computed as {node.data:.6g}, but from its "
            f"parents' numbers now ({inputs}) it would be {now:.6g}. A value changed after the forward "
            f"pass (an optimizer.step()?): run the forward pass again, then walk through the new graph."
        )

    def _check_groups(self, groups: Iterable[Group], order: list[Value]) -> tuple[Group, ...]:
        """The groups (`one_step`) to show as one step each; each must lie in this graph and be used only
        through its output."""
        if isinstance(groups, Group):
            groups = [groups]
        checked = []
        in_graph = set(order)
        users: dict[Value, list[Value]] = {}
        for node in order:
            for parent in node.parents:
                users.setdefault(parent, []).append(node)
        for group in groups:
            if not isinstance(group, Group):
                raise TypeError(f"groups= takes the groups made by one_step(), not {type(group).__name__}: {group!r}")
            if group.output is None or group.output not in in_graph:
                continue  # a step of another graph (or of an earlier run of the cell): nothing of it is here
            for member in group.members:
                outside = [user for user in users.get(member, []) if user not in group.members]
                if member is not group.output and outside:
                    raise ValueError(
                        f"the one_step() group of {self.names[group.output]} cannot be one step: "
                        f"{self.names[member]}, made inside it, is also used by {self.names[outside[0]]} outside it"
                    )
            checked.append(group)
        return tuple(checked)

    def _replay_backward(self, order: list[Value]) -> tuple[list[Step], dict[Value, float]]:
        """Exactly ``backward()``'s arithmetic, recorded instead of written into ``grad``; a group's step
        multiplies by the group's local derivatives (the chain rule inside it), and the nodes inside the
        group get backward()'s own numbers."""
        gradients = dict.fromkeys(order, 0.0)
        gradients[self.root] += 1.0  # ∂L/∂L = 1
        group_of = {group.output: group for group in self.groups}
        inside = {member for group in self.groups for member in group.members if member is not group.output}
        with_parents = [node for node in reversed(order) if node.parents and node not in inside]

        def edges(node: Value) -> tuple[tuple[Value, ...], tuple[float, ...]]:
            group = group_of.get(node)
            return (group.inputs, group.local_grads()) if group else (node.parents, node.local_grads())

        remaining: dict[Value, int] = {}  # how many contributions each parent is still to receive
        for node in with_parents:
            for parent in edges(node)[0]:
                remaining[parent] = remaining.get(parent, 0) + 1
        received: set[Value] = set()
        loss = self.names[self.root]
        steps: list[Step] = []
        for node in with_parents:
            upstream = gradients[node]
            parents, local_grads = edges(node)
            names = [self.names[parent] for parent in parents]
            contributions = []
            group = group_of.get(node)
            for slot, (parent, local_grad) in enumerate(zip(parents, local_grads)):
                before = gradients[parent]
                contribution = local_grad * upstream  # the chain rule, as backward() computes it
                gradients[parent] = before + contribution
                remaining[parent] -= 1
                contributions.append(
                    Contribution(
                        parent=parent,
                        parent_name=names[slot],
                        slot=slot,
                        local_grad=local_grad,
                        local_formula="" if group else local_derivative(TEXT, node, slot, names, self.digits)[0],
                        contribution=contribution,
                        grad_before=before,
                        grad_after=gradients[parent],
                        accumulates=parent in received,
                        complete=remaining[parent] == 0,
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
                    loss_name=loss,
                    is_root=node is self.root,
                    digits=self.digits,
                    group=group,
                    concise=bool(self.groups),
                )
            )
        if inside:  # the nodes inside a group: backward()'s own numbers, for the drawing
            inner = _backward_numbers(self.root, order)
            gradients.update({node: inner[node] for node in inside})
        return steps, gradients

    # ------------------------------------------------------------------ a sequence of steps

    def __len__(self) -> int:
        return len(self._steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self._steps)

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
            raise IndexError(self.out_of_range(index)) from None

    def out_of_range(self, index: object) -> str:
        """Why step `index` does not exist, for an IndexError."""
        if not self._steps:
            return (
                f"this walkthrough has no steps: its root {self.names[self.root]} is a leaf, so backward() does nothing"
            )
        return f"step {index} does not exist: this walkthrough has {len(self)} steps, numbered 0 to {len(self) - 1}"

    # ------------------------------------------------------------------ gradients

    @property
    def gradients(self) -> Mapping[Value, float]:
        """∂L/∂node for every node once all steps are done: exactly what ``backward()`` puts in ``grad``
        on a freshly built graph (Constants included)."""
        return self._gradients

    def gradient(self, node: Value | str) -> float:
        """∂L/∂node for one node, given as the node itself or its name.

        >>> x = Value(3.0, "x")
        >>> Replay(x * x).gradient("x")
        6.0
        """
        return self._gradients[self.find(node)]

    def gradients_after(self, index: int) -> dict[Value, float]:
        """The gradients known once step `index` is done: the root's, and every one that has received a
        contribution (a node fed into several others may not be complete yet: see `is_complete_after`)."""
        if not -len(self) <= index < len(self):
            raise IndexError(self.out_of_range(index))
        index %= len(self)
        known = {self.root: 1.0}
        for step in self._steps[: index + 1]:
            for c in step.contributions:
                known[c.parent] = c.grad_after
        return known

    def contributions_to(self, node: Value) -> list[tuple[Step, Contribution]]:
        """Every contribution to ∂L/∂node, with its step, in the order they are added."""
        return list(self._into.get(node, ()))

    def completed_at(self, node: Value) -> int:
        """The index of the step after which ∂L/∂node is final (-1 for the root: it starts at 1)."""
        into = self._into.get(node)
        return into[-1][0].index if into else -1

    def shown_nodes(self) -> list[Value]:
        """Every node a table lists, from the root back to the leaves: not Constants, not the inside of a group."""
        inside = {member for group in self.groups for member in group.members if member is not group.output}
        return [node for node in reversed(self.nodes) if not isinstance(node, Constant) and node not in inside]

    def summary_rows(self) -> list[tuple[str, float, float]]:
        """(name, value, ∂L/∂node) for every node but Constants, from the root back to the leaves."""
        return [(self.names[node], node.data, self._gradients[node]) for node in self.shown_nodes()]

    # ------------------------------------------------------------------ finding a node

    def find(self, key: Value | str) -> Value:
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


def _backward_numbers(root: Value, order: Sequence[Value]) -> dict[Value, float]:
    """∂L/∂node for every node, by backward()'s arithmetic, kept in a record of its own (never in ``grad``)."""
    gradients = dict.fromkeys(order, 0.0)
    gradients[root] = 1.0
    for node in reversed(order):
        for parent, local_grad in zip(node.parents, node.local_grads()):
            gradients[parent] += local_grad * gradients[node]
    return gradients


def _times(a: float, b: float) -> float:
    return a * b


def _plus(a: float, b: float) -> float:
    return a + b


def _bracketed(n: Notation, number: str) -> str:
    """A written number as an operand: negative ones in parentheses, 2 · (−1)."""
    return f"({number})" if number.startswith(n.minus) else number
