"""Laying a graph out: which Values get a box, in which cluster, with which role; which fold into a neuron.

`draw_dot` asks a `Layout` where everything goes, then draws it. The grouping of an nn
model (one cluster per layer and per neuron) comes from the model's own parameter names.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Literal, Protocol

import graphviz  # type: ignore[import-untyped]

from ..engine import Constant, Value
from .text import format_number, html_text

# A leaf with more uses than this gets a small copy of its name beside each use after the first.
COPY_AFTER_USES = 6

Role = Literal["input", "parameter", "constant", "intermediate", "output", "neuron"]


class NamedParameters(Protocol):
    """Anything with ``named_parameters()``, such as `autograd.nn.Module`. A model that also has
    ``named_neurons()`` (as `autograd.nn.Module` does) is asked where its neurons are in the graph."""

    def named_parameters(self) -> Iterable[tuple[str, Value]]: ...


class StepGroup(Protocol):
    """Nodes made together that read as one step, such as `autograd.teaching.one_step` records: `output`
    computed from `inputs` by the ops of `members` (the nodes made inside, the output last)."""

    @property
    def output(self) -> Value | None: ...
    @property
    def members(self) -> Sequence[Value]: ...
    @property
    def inputs(self) -> Sequence[Value]: ...
    def formula(self, name_of: Callable[[Value], str]) -> str: ...


class Layout:
    """Which Values get a box, in which cluster, with which role; which boxes fold into a neuron."""

    def __init__(
        self,
        order: list[Value],
        parameter_names: dict[Value, str],
        names: Mapping[Value, str],
        *,
        fold_neurons: bool,
        parameters: set[Value] | None = None,
        model: object = None,
        groups: Sequence[StepGroup] = (),
        fold_groups: bool = True,
    ) -> None:
        self.parameter_names = parameter_names
        self.parameters = parameters or set()
        self.names = names
        self.parameter_class = _parameter_class()
        self.users = _users(order)
        # A plain-number exponent is written on its op's oval ("**2"), not drawn as a box.
        self.hidden: set[Value] = {
            node
            for node in order
            if isinstance(node, Constant)
            and self.users.get(node)
            and all(user.op == "**" and user.parents[0] is not node for user in self.users[node])
        }
        self.group, self.weighted_sums = _neuron_groups(model, parameter_names, self.users)
        # folds: the box that shows a neuron's weighted sum → every Value folded into it.
        self.folds: dict[Value, list[Value]] = _fold_neurons(order, self) if fold_neurons else {}
        self.folded_into: dict[Value, Value] = {
            member: head for head, members in self.folds.items() for member in members
        }
        self.hidden |= set(self.folded_into) - set(self.folds)
        # A step group folded: its output's box stands for the whole sub-expression (w · x + b); the nodes made
        # inside, and the unnamed constants used only there (their numbers are in its formula), are not drawn.
        # Unfolded: every node is drawn, inside a frame of its own (a cluster).
        in_graph = set(order)
        self.groups = [group for group in groups if group.output in in_graph and group.output not in self.hidden]
        self.step_folds: dict[Value, StepGroup] = {}
        self.step_cluster: dict[Value, int] = {}  # unfolded: a node made inside a group → the group's number
        for number, group in enumerate(self.groups):
            output = group.output
            assert output is not None  # checked above: it is in the graph
            if not fold_groups:
                self.step_cluster.update({member: number for member in group.members})
                continue
            self.step_folds[output] = group
            inside = set(group.members)
            for member in group.members:
                self.folded_into[member] = output
            constants = [
                node
                for node in group.inputs
                if isinstance(node, Constant)
                and not node.label
                and all(user in inside for user in self.users.get(node, ()))
            ]
            self.hidden |= (inside - {output}) | set(constants)
        self.order = order
        self.ids = {node: f"v{i}" for i, node in enumerate(order)}
        self.box_count = sum(1 for node in order if node not in self.hidden)
        # A leaf used many times is drawn in full once; each further use reads from a small copy of its name
        # beside that use. Long edges across the whole graph would make Graphviz's layout quadratic (x+x+…+x).
        self.copies: dict[tuple[Value, int], str] = {}
        for node in order:
            uses = self.users.get(node, [])
            if node.parents or node in self.hidden or len(uses) <= COPY_AFTER_USES:
                continue
            slots = [(user, slot) for user in dict.fromkeys(uses) for slot, p in enumerate(user.parents) if p is node]
            for user, slot in slots[1:]:
                if user not in self.folded_into:
                    self.copies[(user, slot)] = f"{self.ids[node]}_use{len(self.copies)}"
        self.copies_at: dict[Value, list[tuple[int, str]]] = {}
        for (user, slot), copy in self.copies.items():
            self.copies_at.setdefault(user, []).append((slot, copy))

    def cluster_of(self, node: Value) -> str:
        """The cluster of a box: its neuron's, or its layer's when neurons are folded (a fold is one box)."""
        group = self.group.get(node, "")
        return owner(group) if self.folds and group else group

    def edge_tail(self, user: Value, slot: int) -> str:
        """What the edge for input `slot` of `user` starts from: the input's box, or its copy beside `user`."""
        return self.copies.get((user, slot)) or self.box_id(user.parents[slot])

    def box_id(self, node: Value) -> str:
        return self.ids[self.folded_into.get(node, node)]

    def is_parameter(self, node: Value) -> bool:
        return (
            node in self.parameter_names
            or node in self.parameters
            or (self.parameter_class is not None and isinstance(node, self.parameter_class))
        )

    def role(self, node: Value, root: Value) -> Role:
        if node in self.folds:
            return "neuron"
        if not node.parents:
            if isinstance(node, Constant):
                return "constant"
            return "parameter" if self.is_parameter(node) else "input"
        return "output" if node is root else "intermediate"

    def title(self, node: Value) -> str:
        """The label to show: the Value's own (numbered, b#2, when ``names=`` numbers it), else its short name
        in the model, else one from ``names=``."""
        if node.label:  # its own label wins, numbered as every view numbers a label several nodes share (b#2)
            numbered = str(self.names.get(node, ""))
            return numbered if numbered.startswith(f"{node.label}#") else node.label
        if node in self.parameter_names:
            return self.parameter_names[node][len(self.group.get(node, "")) :].lstrip(".")
        if node in self.names and not isinstance(node, Constant):
            return str(self.names[node])
        return ""

    def op_symbol(self, node: Value) -> str:
        symbol = node.operation.symbol if node.operation is not None else node.op
        if node.op == "**" and node.parents[1] in self.hidden:
            return f"**{format_number(node.parents[1].data, 6)}"
        return symbol


def _users(order: list[Value]) -> dict[Value, list[Value]]:
    """For each Value, the Values computed from it (once per use: a + a uses a twice)."""
    users: dict[Value, list[Value]] = {}
    for node in order:
        for parent in node.parents:
            users.setdefault(parent, []).append(node)
    return users


def parameter_names_of(model: NamedParameters) -> dict[Value, str]:
    named = getattr(model, "named_parameters", None)
    if not callable(named):
        raise TypeError(
            f"model must have a named_parameters() method (such as an autograd.nn.MLP), "
            f"but was given {type(model).__name__}"
        )
    names: dict[Value, str] = {}
    for name, parameter in named():
        if not isinstance(parameter, Value):
            raise TypeError(f"model.named_parameters() gave {name!r} = {parameter!r}, which is not a Value")
        names.setdefault(parameter, str(name))
    return names


def _parameter_class() -> type[Value] | None:
    """`autograd.nn.Parameter`, or None while the nn module is not there."""
    try:
        nn = importlib.import_module("autograd.nn")
    except ImportError:
        return None
    parameter = getattr(nn, "Parameter", None)
    return parameter if isinstance(parameter, type) and issubclass(parameter, Value) else None


def owner(name: str) -> str:
    """The module a dotted name belongs to: ``layers.0.neurons.3.w.1`` → ``layers.0.neurons.3``.

    >>> owner("layers.0.neurons.3.w.1"), owner("layers.0.neurons.3.b"), owner("layers.0.neurons.3")
    ('layers.0.neurons.3', 'layers.0.neurons.3', 'layers.0')
    """
    parts = name.split(".")
    while parts and parts[-1].isdigit():  # list indices: the 1 of w.1, the 3 of neurons.3
        parts.pop()
    return ".".join(parts[:-1])  # then the attribute that held it


def _neuron_groups(
    model: object, parameter_names: dict[Value, str], users: Mapping[Value, list[Value]]
) -> tuple[dict[Value, str], set[Value]]:
    """Which neuron each parameter, term wᵢxᵢ, step of the weighted sum and activation belongs to, asked of
    the model: each of its neurons (``named_neurons()``) finds its own passes in the graph (``passes_in``).
    A model without neurons to ask has only its parameters grouped."""
    group = {parameter: owner(name) for parameter, name in parameter_names.items()}
    weighted_sums: set[Value] = set()
    named_neurons = getattr(model, "named_neurons", None)
    for name, neuron in named_neurons() if callable(named_neurons) else ():
        for found in neuron.passes_in(users):
            for node in (*found.terms, *found.sums):
                group[node] = name
                weighted_sums.add(node)
            if found.activation is not None:
                group[found.activation] = name
    return group, weighted_sums


def _fold_neurons(order: list[Value], layout: Layout) -> dict[Value, list[Value]]:
    """Each neuron's weighted sum, with the parameters and constants used only there, as one box."""
    members: dict[str, list[Value]] = {}
    for node in order:
        if node in layout.weighted_sums:
            members.setdefault(layout.group[node], []).append(node)
    folds: dict[Value, list[Value]] = {}
    for steps in members.values():
        inside = set(steps)
        leaves = [
            parent
            for step in steps
            for parent in step.parents
            if not parent.parents
            and (layout.is_parameter(parent) or isinstance(parent, Constant))
            and all(user in inside for user in layout.users[parent])
        ]
        fold = list(dict.fromkeys([*leaves, *steps]))  # in graph order, each once
        folds[steps[-1]] = fold  # the last step is the whole sum: its box stands for the neuron
    return folds


class ClusterTree:
    """Graphviz clusters for the groups (``layers.0`` holding ``layers.0.neurons.3``), built on demand."""

    def __init__(self, dot: graphviz.Digraph, parameter_names: dict[Value, str]) -> None:
        self.dot = dot
        # Clusters are nested in the order of the model's parameters: layer 0 first, neuron 0 first.
        self.rank: dict[str, int] = {}
        for name in parameter_names.values():
            while name:
                name = owner(name)
                self.rank.setdefault(name, len(self.rank))
        self.clusters: dict[str, graphviz.Digraph] = {}
        self.children: dict[str, list[str]] = {}
        self.top: list[str] = []

    def get(self, group: str | None) -> graphviz.Digraph:
        if not group:
            return self.dot
        if group not in self.clusters:
            self.clusters[group] = graphviz.Digraph(
                name=f"cluster_{len(self.clusters)}",
                graph_attr={
                    "label": f"<{html_text(group)}>",
                    "style": "rounded,dashed",
                    "color": "#9ca3af",
                    "fontcolor": "#6b7280",
                    "labeljust": "l",
                },
            )
            parent = owner(group)
            self.get(parent)
            (self.children.setdefault(parent, []) if parent else self.top).append(group)
        return self.clusters[group]

    def close(self) -> None:
        """Nest the clusters in each other and in the graph (graphviz copies a subgraph when it is added)."""

        def in_model_order(groups: list[str]) -> list[str]:
            return sorted(groups, key=lambda group: self.rank.get(group, len(self.rank)))

        def nest(group: str) -> graphviz.Digraph:
            cluster = self.clusters[group]
            for child in in_model_order(self.children.get(group, [])):
                cluster.subgraph(nest(child))
            return cluster

        for group in in_model_order(self.top):
            self.dot.subgraph(nest(group))
