"""Drawing computation graphs: `draw_dot` turns the graph behind a Value into a Graphviz diagram.

Every Value is a box with its label, ``data`` and ``grad``; every op is a small
oval between its operands and its result. Boxes are coloured by role: inputs,
parameters, constants, intermediates and the output.

>>> from autograd import Value
>>> x, w = Value(2.0, "x"), Value(-3.0, "w")
>>> y = (x * w).tanh()
>>> dot = draw_dot(y)
>>> [line.strip() for line in dot.source.splitlines() if "->" in line]
['v1 -> v2_op', 'v0 -> v2_op', 'v2_op -> v2', 'v2 -> v3_op', 'v3_op -> v3']

`to_svg` and `save_svg` draw the same picture as SVG text or an SVG file. They
use Graphviz's ``dot`` program when it is installed, and otherwise pygraphviz,
whose wheels bundle Graphviz (``pip install "scalar-autograd[render]"``).
"""

from __future__ import annotations

import html
import importlib
import os
import shutil
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, Protocol

import graphviz  # type: ignore[import-untyped]

from ._files import check_target, write_bytes_atomically, write_text_atomically
from ._render import FORMATS, Renderer, RendererNotFoundError, RenderError, dot_to_svg, render_dot
from .engine import Constant, Value, topological_order

__all__ = [
    "ComputationGraph",
    "RenderError",
    "RendererNotFoundError",
    "draw_dot",
    "render_svg",
    "save_svg",
    "to_svg",
]

Role = Literal["input", "parameter", "constant", "intermediate", "output", "neuron"]

FILL_COLOURS: dict[Role, str] = {
    "input": "#dbeafe",  # light blue
    "parameter": "#fde68a",  # amber: the numbers training changes
    "constant": "#f3f4f6",  # light grey
    "intermediate": "#ffffff",
    "output": "#bbf7d0",  # light green
    "neuron": "#fef3c7",  # a folded weighted sum, holding its parameters
}
INK = "#374151"
HIGHLIGHT = "#dc2626"
NOT_COMPUTED = '<FONT COLOR="#9ca3af">grad —</FONT>'
FONT = "Helvetica,Arial,sans-serif"
TABLE = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'  # rows of text, no lines
RANKDIRS = ("LR", "RL", "TB", "BT")
DEFAULT_MAX_NODES = 500

NO_RENDERER_NOTE = (
    "(DOT source shown because no renderer was found: `apt-get install graphviz`, `brew install graphviz` "
    'or `pip install "scalar-autograd[render]"`, then restart the kernel.)'
)
RENDER_FAILED_NOTE = "(DOT source shown because the graph could not be drawn: {reason})"
# A label longer than this is shortened in its box (the tooltip has it whole, up to TOOLTIP_CHARACTERS).
LABEL_CHARACTERS = 60
TOOLTIP_CHARACTERS = 2000


class NamedParameters(Protocol):
    """Anything with ``named_parameters()``, such as `autograd.nn.Module`."""

    def named_parameters(self) -> Iterable[tuple[str, Value]]: ...


class ComputationGraph(graphviz.Digraph):  # type: ignore[misc]
    """The `graphviz.Digraph` that `draw_dot` returns; in Jupyter it shows itself as SVG.

    It draws with whichever renderer is available (see `render_svg`). When none
    is, the notebook shows the DOT source and a one-line hint instead of an error.
    """

    def __repr__(self) -> str:
        # Deterministic (no memory address), so a notebook's saved output doesn't change on every run.
        edges = sum(line.split(maxsplit=2)[1:2] == ["->"] for line in self.body)  # "a -> b", not a label with ->
        return f"<ComputationGraph with {len(self.body) - edges} nodes and {edges} edges>"

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None, **_: Any
    ) -> dict[str, str]:
        wanted = set(include) if include is not None else {"image/svg+xml", "text/plain"}
        wanted -= set(exclude or ())
        note = NO_RENDERER_NOTE
        if "image/svg+xml" in wanted:
            try:
                return {"image/svg+xml": render_svg(self)}
            except RendererNotFoundError:
                pass
            except RenderError as error:  # a notebook shows the graph as text, never a traceback
                note = RENDER_FAILED_NOTE.format(reason=str(error).splitlines()[0])
        return {"text/plain": f"{note}\n{self.source}"} if "text/plain" in wanted else {}

    def pipe(
        self,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: bool | int | None = None,
        quiet: bool = False,
        *,
        engine: str | None = None,
        encoding: str | None = None,
    ) -> bytes | str:
        """The drawing as bytes (or text with ``encoding``); SVG, PNG and PDF work with pygraphviz alone, too.

        >>> from autograd import Value
        >>> draw_dot(Value(2.0, "x")).pipe(format="png")[:4]
        b'\\x89PNG'
        """
        chosen = format or self.format
        if renderer is None and formatter is None and not neato_no_op and engine is None and chosen in FORMATS:
            drawn = render_dot(self.source, chosen)
            return drawn.decode(encoding) if encoding else drawn
        piped: bytes | str = super().pipe(
            format, renderer, formatter, neato_no_op, quiet, engine=engine, encoding=encoding
        )
        return piped

    def render(
        self,
        filename: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,
        *,
        outfile: str | os.PathLike[str] | None = None,
        **kwargs: Any,
    ) -> str:
        """Save the DOT source and draw it next to it, as graphviz's ``render`` does; without the `dot` program,
        SVG, PNG and PDF are drawn by pygraphviz. Returns the drawing's path."""
        chosen = format or (Path(outfile).suffix.lstrip(".") if outfile is not None else self.format)
        if shutil.which("dot") is not None or kwargs or chosen not in FORMATS:
            rendered: str = super().render(
                filename,
                directory=directory,
                view=view,
                cleanup=cleanup,
                format=format,
                outfile=outfile,
                **kwargs,
            )
            return rendered
        drawn = render_dot(self.source, chosen)  # drawn before any file is touched
        source_path = self.save(filename, directory=directory)
        target = outfile if outfile is not None else f"{source_path}.{chosen}"
        write_bytes_atomically(target, drawn)
        if cleanup:
            os.remove(source_path)
        if view:
            graphviz.view(target)
        return os.fspath(target)


def render_svg(digraph: graphviz.Graph | graphviz.Digraph, *, renderer: Renderer = "auto") -> str:
    """Lay out a Graphviz graph and return it as SVG text.

    ``renderer="auto"`` uses Graphviz's ``dot`` program when it is on PATH, and
    otherwise pygraphviz; ``"dot"`` or ``"pygraphviz"`` insists on one. When none
    is available it raises `RendererNotFoundError`, saying how to install one.

    >>> import graphviz
    >>> render_svg(graphviz.Digraph(body=["a -> b"])).lstrip().startswith("<?xml")
    True
    """
    if not isinstance(digraph, (graphviz.Graph, graphviz.Digraph)):
        raise TypeError(
            f"render_svg() takes a graphviz.Digraph, such as draw_dot(value) returns, "
            f"but was given {type(digraph).__name__}"
        )
    return dot_to_svg(digraph.source, renderer)


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    highlight: Value | Iterable[Value] | None = None,
    grads: Mapping[Value, float] | None = None,
    names: Mapping[Value, str] | None = None,
    model: NamedParameters | None = None,
    collapse: Literal["neuron"] | None = None,
    only: Value | Iterable[Value] | None = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    precision: int = 4,
    legend: bool = False,
    format: str = "svg",
) -> ComputationGraph:
    """The computation graph of `root` as a `graphviz.Digraph`, ready to show, save or restyle.

    Args:
        root: the Value whose graph to draw (usually the loss); unless it is a leaf, it is styled as the output.
        rankdir: direction of the graph: "LR" (left to right), "TB", "RL" or "BT".
        show_grad: show a ``grad`` row in each box.
        highlight: a Value or Values to mark in red. For a Value made by an op, the op's
            oval and its edges are marked too: that is the step that computed it.
        grads: the gradient to show for each Value, instead of ``Value.grad``. Values not
            in it read "grad —" (not computed yet), unlike a gradient of 0.
            Without it, gradients read "grad —" until ``root.backward()`` has run.
        names: names to show for Values that have no label (their own label wins);
            an unlabelled constant stays drawn as just its number.
        model: an object with ``named_parameters()`` (such as an `autograd.nn.MLP`): its
            parameters are styled as parameters and grouped, with the weighted sum and
            activation of each neuron, into one box (cluster) per neuron inside one per layer.
        collapse: ``"neuron"`` folds each neuron's Σ wᵢxᵢ + b chain and its parameters into
            one box listing them (needs ``model``).
        only: draw only these Values and what they were computed from.
        max_nodes: refuse, with a ValueError, to draw more boxes than this; None for no limit.
        precision: significant digits of the numbers shown.
        legend: add a small key saying which colour is which role.
        format: what ``.render()`` and ``.pipe()`` draw by default: "svg", "png" or "pdf".

    >>> from autograd import Value
    >>> a = Value(3.0, "a")
    >>> b = a + a
    >>> b.backward()
    >>> dot = draw_dot(b)
    >>> dot.source.count("v0 -> v1_op")   # a + a: two edges
    2
    >>> "grad 2" in dot.source
    True
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot() draws the graph of a Value, but was given {type(root).__name__}: {root!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, but was given {rankdir!r}")
    if collapse not in (None, "neuron"):
        raise ValueError(f"collapse can be None or 'neuron', but was given {collapse!r}")
    if collapse == "neuron" and model is None:
        raise ValueError(
            "collapse='neuron' needs model=... (the network, e.g. an MLP) to know which parameters "
            "belong to which neuron: draw_dot(loss, model=model, collapse='neuron')"
        )
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"max_nodes must be a positive int or None, but was given {max_nodes!r}")
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= 17:
        raise ValueError(f"precision must be an int from 1 to 17, but was given {precision!r}")
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, but was given {format!r}")
    if grads is not None and not isinstance(grads, Mapping):
        raise TypeError(f"grads must be a mapping from Values to numbers, but was given {type(grads).__name__}")
    if names is not None and not isinstance(names, Mapping):
        raise TypeError(f"names must be a mapping from Values to str, but was given {type(names).__name__}")

    order = topological_order(root)
    position = {node: i for i, node in enumerate(order)}
    if only is not None:
        wanted: set[Value] = set()
        for target in _node_list(only, "only", position):
            wanted.update(topological_order(target))
        order = [node for node in order if node in wanted]
    highlighted = set(_node_list(highlight, "highlight", position)) if highlight is not None else set()

    parameter_names = _parameter_names(model) if model is not None else {}
    layout = _Layout(order, parameter_names, names or {}, fold_neurons=collapse == "neuron")
    if max_nodes is not None and layout.box_count > max_nodes:
        raise ValueError(
            f"this graph has {layout.box_count} values to draw, more than max_nodes={max_nodes} "
            "(a drawing that big is slow to lay out and hard to read). To draw less, pass\n"
            "  model=model, collapse='neuron'   to fold each neuron's weighted sum and parameters into one box,\n"
            "  only=value or only=[values]      to draw only what leads to those values;\n"
            "or pass max_nodes=None to draw it all anyway."
        )

    readout = _Readout(root, grads, precision, show_grad)
    dot = ComputationGraph(
        name="computation_graph",
        format=format,
        graph_attr={"rankdir": rankdir, "fontname": FONT, "fontsize": "10", "nodesep": "0.25", "ranksep": "0.35"},
        node_attr={"fontname": FONT, "fontsize": "11", "color": INK, "fontcolor": "#111827"},
        edge_attr={"color": "#6b7280", "arrowsize": "0.6", "fontname": FONT, "fontsize": "9"},
    )
    clusters = _ClusterTree(dot, parameter_names)
    roles = _draw_boxes(clusters, layout, readout, root, highlighted)
    _draw_edges(dot, layout, highlighted)
    clusters.close()
    if legend:
        _add_legend(dot, roles)
    return dot


def to_svg(root: Value, *, renderer: Renderer = "auto", **options: Any) -> str:
    """The graph of `root` drawn as SVG text; `options` are those of `draw_dot`.

    >>> from autograd import Value
    >>> svg = to_svg(Value(2.0, "x") * 3)
    >>> "data 6" in svg
    True
    """
    return render_svg(draw_dot(root, **options), renderer=renderer)


def save_svg(root: Value, path: str | os.PathLike[str], *, renderer: Renderer = "auto", **options: Any) -> Path:
    """Draw the graph of `root` into an SVG file and return its path; `options` are those of `draw_dot`.

    The file is written whole or not at all: the SVG goes to a temporary file in
    the same folder, which then replaces `path` in one step.

    >>> import tempfile, pathlib
    >>> from autograd import Value
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     saved = save_svg(Value(2.0, "x") * 3, pathlib.Path(folder) / "graph.svg")
    ...     saved.name, "data 6" in saved.read_text(encoding="utf-8")
    ('graph.svg', True)
    """
    check_target(path)  # a missing folder fails now, not after the drawing
    svg = to_svg(root, renderer=renderer, **options)  # drawn before any file is touched
    write_text_atomically(path, svg)
    return Path(path)


# ---------------------------------------------------------------------- what goes where


class _Layout:
    """Which Values get a box, in which cluster, with which role; which boxes fold into a neuron."""

    def __init__(
        self,
        order: list[Value],
        parameter_names: dict[Value, str],
        names: Mapping[Value, str],
        *,
        fold_neurons: bool,
    ) -> None:
        self.parameter_names = parameter_names
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
        self.group, self.weighted_sums = _neuron_groups(order, parameter_names)
        # folds: the box that shows a neuron's weighted sum → every Value folded into it.
        self.folds: dict[Value, list[Value]] = _fold_neurons(order, self) if fold_neurons else {}
        self.folded_into: dict[Value, Value] = {
            member: head for head, members in self.folds.items() for member in members
        }
        self.hidden |= set(self.folded_into) - set(self.folds)
        self.order = order
        self.ids = {node: f"v{i}" for i, node in enumerate(order)}
        self.box_count = sum(1 for node in order if node not in self.hidden)

    def cluster_of(self, node: Value) -> str:
        """The cluster of a box: its neuron's, or its layer's when neurons are folded (a fold is one box)."""
        group = self.group.get(node, "")
        return _owner(group) if self.folds and group else group

    def box_id(self, node: Value) -> str:
        return self.ids[self.folded_into.get(node, node)]

    def is_parameter(self, node: Value) -> bool:
        return node in self.parameter_names or (
            self.parameter_class is not None and isinstance(node, self.parameter_class)
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
        """The label to show: the Value's own, else one from ``names=``, else its short name in the model."""
        if node.label:
            return node.label
        if node in self.names and not isinstance(node, Constant):
            return str(self.names[node])
        name = self.parameter_names.get(node, "")
        return name[len(self.group.get(node, "")) :].lstrip(".")

    def op_symbol(self, node: Value) -> str:
        symbol = node.operation.symbol if node.operation is not None else node.op
        if node.op == "**" and node.parents[1] in self.hidden:
            return f"**{_format_number(node.parents[1].data, 6)}"
        return symbol


def _users(order: list[Value]) -> dict[Value, list[Value]]:
    """For each Value, the Values computed from it (once per use: a + a uses a twice)."""
    users: dict[Value, list[Value]] = {}
    for node in order:
        for parent in node.parents:
            users.setdefault(parent, []).append(node)
    return users


def _parameter_names(model: NamedParameters) -> dict[Value, str]:
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


def _owner(name: str) -> str:
    """The module a dotted name belongs to: ``layers.0.neurons.3.w.1`` → ``layers.0.neurons.3``.

    >>> _owner("layers.0.neurons.3.w.1"), _owner("layers.0.neurons.3.b"), _owner("layers.0.neurons.3")
    ('layers.0.neurons.3', 'layers.0.neurons.3', 'layers.0')
    """
    parts = name.split(".")
    while parts and parts[-1].isdigit():  # list indices: the 1 of w.1, the 3 of neurons.3
        parts.pop()
    return ".".join(parts[:-1])  # then the attribute that held it


def _neuron_groups(order: list[Value], parameter_names: dict[Value, str]) -> tuple[dict[Value, str], set[Value]]:
    """Which neuron each parameter, weighted-sum step and activation belongs to.

    A neuron computes b + w₀x₀ + w₁x₁ + … then an activation. So a ``*`` with one of
    the neuron's parameters is a term wᵢxᵢ; a ``+`` of the neuron's terms, parameters
    and constants is a step of its sum; tanh, ReLU or σ of its sum is its activation.
    """
    group = {parameter: _owner(name) for parameter, name in parameter_names.items()}
    weighted_sums: set[Value] = set()
    for node in order:
        if node.op == "*":
            owners = {group[parent] for parent in node.parents if parent in parameter_names}
            if len(owners) == 1:
                group[node] = owners.pop()
                weighted_sums.add(node)
        elif node.op == "+":
            owners = {group[parent] for parent in node.parents if parent in group}
            others_fit = all(
                parent in parameter_names or parent in weighted_sums or isinstance(parent, Constant)
                for parent in node.parents
            )
            if len(owners) == 1 and others_fit:
                group[node] = owners.pop()
                weighted_sums.add(node)
        elif node.operation is not None and node.operation.activation and node.parents[0] in weighted_sums:
            group[node] = group[node.parents[0]]
    return group, weighted_sums


def _fold_neurons(order: list[Value], layout: _Layout) -> dict[Value, list[Value]]:
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


class _ClusterTree:
    """Graphviz clusters for the groups (``layers.0`` holding ``layers.0.neurons.3``), built on demand."""

    def __init__(self, dot: graphviz.Digraph, parameter_names: dict[Value, str]) -> None:
        self.dot = dot
        # Clusters are nested in the order of the model's parameters: layer 0 first, neuron 0 first.
        self.rank: dict[str, int] = {}
        for name in parameter_names.values():
            while name:
                name = _owner(name)
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
                    "label": f"<{_html_text(group)}>",
                    "style": "rounded,dashed",
                    "color": "#9ca3af",
                    "fontcolor": "#6b7280",
                    "labeljust": "l",
                },
            )
            parent = _owner(group)
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


# ---------------------------------------------------------------------- drawing


class _Readout:
    """How numbers read in a box: rounded data, and the gradient or "grad —" when not computed yet."""

    def __init__(self, root: Value, grads: Mapping[Value, float] | None, precision: int, show_grad: bool) -> None:
        self.root = root
        self.grads = grads
        self.precision = precision
        self.show_grad = show_grad

    def grad_of(self, node: Value) -> float | None:
        """The gradient to show, or None when it has not been computed yet."""
        if self.grads is not None:
            return float(self.grads[node]) if node in self.grads else None
        return node.grad if self.root.grad != 0.0 else None  # backward() always leaves root.grad ≥ 1

    def number(self, x: float) -> str:
        return _format_number(x, self.precision)

    def grad(self, node: Value) -> str:
        grad = self.grad_of(node)
        return NOT_COMPUTED if grad is None else f"grad {self.number(grad)}"

    def tooltip(self, node: Value, role: str, title: str = "") -> str:
        """Shown on hover in the SVG: the label and the numbers in full."""
        grad = self.grad_of(node)
        numbers = f"{role}: data = {node.data!r}, grad = {'not computed yet' if grad is None else repr(grad)}"
        if not title:
            return numbers
        text = _printable(title)
        text = text if len(text) <= TOOLTIP_CHARACTERS else text[: TOOLTIP_CHARACTERS - 1] + "…"
        # In a DOT string a backslash starts an escape, and \n is a line break that keeps the DOT on one line.
        return numbers + "\\n" + text.replace("\\", "\\\\").replace("\n", "\\n")


def _draw_boxes(
    clusters: _ClusterTree, layout: _Layout, readout: _Readout, root: Value, highlighted: set[Value]
) -> list[Role]:
    """One box per Value (and an oval for the op that made it); returns the roles drawn, for the legend."""
    roles: dict[Role, None] = {}  # in order of first appearance
    for node in layout.order:
        if node in layout.hidden:
            continue
        name = layout.box_id(node)
        role = layout.role(node, root)
        roles.setdefault(role)
        attributes = {
            "shape": "box",
            "style": "rounded,filled,dashed" if role == "constant" else "rounded,filled",
            "fillcolor": FILL_COLOURS[role],
            "margin": "0.06,0.03",
            "tooltip": readout.tooltip(node, role, layout.title(node) if node not in layout.folds else ""),
        }
        if role == "output":
            attributes["penwidth"] = "2"
        if node in highlighted or any(member in highlighted for member in layout.folds.get(node, ())):
            attributes.update(color=HIGHLIGHT, penwidth="3")
        if node in layout.folds:
            label = _neuron_label(layout, node, readout)
        elif role == "constant" and not node.label:
            label = f"<{readout.number(node.data)}>"
            attributes["fontsize"] = "9"
        else:
            title = _shortened(layout.title(node))
            rows = [f"<B>{_html_text(title)}</B>"] if title else []
            rows.append(f"data {readout.number(node.data)}")
            if readout.show_grad:
                rows.append(readout.grad(node))
            label = _table(rows)
        cluster = clusters.get(layout.cluster_of(node))
        cluster.node(name, label, **attributes)
        if node.parents and node not in layout.folds:
            oval = {"shape": "oval", "style": "filled", "fillcolor": "#eef2ff", "margin": "0.02,0.01", "fontsize": "10"}
            if node in highlighted:
                oval.update(color=HIGHLIGHT, penwidth="3")
            cluster.node(f"{name}_op", f"<{_html_text(layout.op_symbol(node))}>", **oval)
    return list(roles)


def _draw_edges(dot: graphviz.Digraph, layout: _Layout, highlighted: set[Value]) -> None:
    """Operands into each op's oval, the oval into its result; a + a gives two edges from a."""
    for node in layout.order:
        if node in layout.hidden or not node.parents:
            continue
        name = layout.box_id(node)
        style = {"color": HIGHLIGHT, "penwidth": "2.5"} if node in highlighted else {}
        if node in layout.folds:  # a folded neuron: what feeds its sum from outside goes straight into its box
            for member in layout.folds[node]:
                for parent in member.parents:
                    if layout.box_id(parent) != name and parent not in layout.hidden:
                        dot.edge(layout.box_id(parent), name, **style)
            continue
        drawn = [parent for parent in node.parents if parent not in layout.hidden]
        for slot, parent in enumerate(drawn):
            ordered = node.operation is not None and not node.operation.commutative
            edge_label = "ab"[slot] if ordered and len(drawn) == 2 else None
            dot.edge(layout.box_id(parent), f"{name}_op", edge_label, **style)
        dot.edge(f"{name}_op", name, **style)


def _add_legend(dot: graphviz.Digraph, roles: list[Role]) -> None:
    """A cluster with one sample box per role drawn, for readers new to the colours."""
    key = graphviz.Digraph(
        name="cluster_legend", graph_attr={"label": "legend", "style": "rounded", "color": "#d1d5db"}
    )
    for role in roles:
        dashed = ",dashed" if role == "constant" else ""
        key.node(
            f"legend_{role}",
            role,
            shape="box",
            style=f"rounded,filled{dashed}",
            fillcolor=FILL_COLOURS[role],
            fontsize="9",
            height="0.25",
            margin="0.06,0.02",
        )
    dot.subgraph(key)


# ---------------------------------------------------------------------- labels


def _format_number(x: float, precision: int) -> str:
    """A number with `precision` significant digits: 0.08872341 → '0.08872', 2.0 → '2'."""
    if x == 0.0:
        return "0"  # also -0.0
    return f"{x:.{precision}g}"


def _printable(text: str) -> str:
    r"""User text (a label) as it is shown anywhere: every character that can't be shown is written as an escape.

    Control characters (NUL, ESC, …, but not the newline), noncharacters such as U+FFFF
    (Graphviz rejects them) and lone surrogates (bytes that were not UTF-8; they can't be
    written to a file) become visible escapes; everything else is kept.

    >>> print(_printable("a\x00b\x1b[31m\uffff\udcff\nc"))
    a\x00b\x1b[31m\uffff\udcff
    c
    """
    return "".join(c if _is_showable(c) else _escape(c) for c in text)


def _is_showable(c: str) -> bool:
    if c == "\n":
        return True
    code = ord(c)
    if 0xD800 <= code <= 0xDFFF or 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
        return False  # a lone surrogate, or a noncharacter
    return unicodedata.category(c) != "Cc"


def _escape(c: str) -> str:
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _shortened(text: str, limit: int = LABEL_CHARACTERS) -> str:
    """A label cut to `limit` characters for its box (the tooltip shows it whole).

    >>> _shortened("x" * 100, 10)
    'xxxxxxxxx…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _html_text(text: str) -> str:
    r"""User text made safe in a Graphviz HTML-like label: shown literally, never read as markup.

    >>> print(_html_text('<b>"x"</b> & {y} \\N'))
    &lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; {y} \\N
    """
    text = _printable(text)
    escaped = html.escape(text, quote=False).replace('"', "&quot;").replace("'", "&#39;")
    # Graphviz reads \N, \G, \l … as escapes even in HTML labels (after entities): double each backslash.
    return escaped.replace("\\", "\\\\").replace("\n", "<BR/>")


def _table(rows: list[str]) -> str:
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    return f"<{TABLE}{cells}</TABLE>>"


def _neuron_label(layout: _Layout, head: Value, readout: _Readout) -> str:
    """A folded neuron: its name, the sum's data and grad, then one row per parameter folded in."""
    group = layout.group[head]
    name = group[len(_owner(group)) :].lstrip(".")  # "neurons.3": its layer's cluster shows the rest
    title = f"<B>{_html_text(name or 'neuron')}</B>"
    rows = [title, "Σ wᵢxᵢ + b", f"data {readout.number(head.data)}"]
    if readout.show_grad:
        rows.append(readout.grad(head))
    model_order = {parameter: i for i, parameter in enumerate(layout.parameter_names)}
    parameters = [member for member in layout.folds[head] if not member.parents and not isinstance(member, Constant)]
    parameters.sort(key=lambda parameter: model_order.get(parameter, len(model_order)))
    parameter_rows = [
        f"<TR><TD ALIGN='LEFT'>{_html_text(layout.title(member))}</TD>"
        f"<TD ALIGN='RIGHT'>{readout.number(member.data)}</TD>"
        + (f"<TD ALIGN='RIGHT'>{readout.grad(member)}</TD>" if readout.show_grad else "")
        + "</TR>"
        for member in parameters
    ]
    span = 3 if readout.show_grad else 2
    cells = "".join(f'<TR><TD COLSPAN="{span}">{row}</TD></TR>' for row in rows) + "".join(parameter_rows)
    return f"<{TABLE}{cells}</TABLE>>"


def _node_list(nodes: Value | Iterable[Value], argument: str, position: Mapping[Value, int]) -> list[Value]:
    """`nodes` (one Value or several) as a list, each checked to be a Value in the graph."""
    if isinstance(nodes, Value):
        listed = [nodes]
    elif isinstance(nodes, Iterable) and not isinstance(nodes, (str, bytes)):
        listed = list(nodes)
    else:
        raise TypeError(f"{argument}= takes a Value or Values, but was given {type(nodes).__name__}: {nodes!r}")
    for node in listed:
        if not isinstance(node, Value):
            raise TypeError(f"{argument}= takes a Value or Values, but one item was {type(node).__name__}: {node!r}")
        if node not in position:
            raise ValueError(
                f"{argument}= was given {node!r}, which is not in the graph of the Value being drawn "
                "(it was not used to compute it)"
            )
    return listed
