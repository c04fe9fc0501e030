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

import base64
import html
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import graphviz  # type: ignore[import-untyped]

from .._files import check_target, write_bytes_atomically, write_text_atomically
from .._installation import install_command
from ..engine import Constant, Value, topological_order
from . import layered
from .layout import ClusterTree, Layout, NamedParameters, Role, StepGroup, owner, parameter_names_of
from .names import display_names
from .render import FORMATS, IN_BROWSER, Renderer, RendererNotFoundError, RenderError, dot_to_svg, render_dot
from .text import TABLE, format_number, html_text, printable, shortened, table

__all__ = [
    "ComputationGraph",
    "RenderError",
    "RendererNotFoundError",
    "draw_dot",
    "render_svg",
    "save_svg",
    "to_svg",
]

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
MARKED_FILL = "#fee2e2"  # a neuron the training doctor marked: dead or saturated
NOT_COMPUTED = '<FONT COLOR="#9ca3af">grad —</FONT>'
# Laid out with DejaVu Sans (installed with Graphviz on Debian, and by CI), one of the widest common sans
# fonts: a reader whose browser falls back to Arial or Helvetica sees narrower text, which still fits its box.
FONT = "DejaVu Sans,Arial,Helvetica,sans-serif"
RANKDIRS = ("LR", "RL", "TB", "BT")
DEFAULT_MAX_NODES = 500

NO_RENDERER_NOTE = (
    "(DOT source shown because no renderer was found: `apt-get install graphviz`, `brew install graphviz` "
    f"or `{install_command('render')}`, then restart the kernel.)"
)
RENDER_FAILED_NOTE = "(DOT source shown because the graph could not be drawn: {reason})"
# The tooltip shows a label whole, up to this many characters.
TOOLTIP_CHARACTERS = 2000


class ComputationGraph(graphviz.Digraph):  # type: ignore[misc]
    """The `graphviz.Digraph` that `draw_dot` returns; in Jupyter it shows itself as SVG.

    It draws with whichever renderer is available (see `render_svg`). When none
    is, the notebook shows the DOT source and a one-line hint instead of an error.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Filled in by draw_dot, for views that change one drawing instead of drawing again (the player):
        self.grad_rows: dict[str, list[Value]] = {}  # a box → the Values whose "grad" rows it shows, in order
        self.parts: dict[Value, list[str]] = {}  # a Value → the SVG titles of its box, op oval and edges

    def __repr__(self) -> str:
        # Deterministic (no memory address), so a notebook's saved output doesn't change on every run.
        edges = sum(line.split(maxsplit=2)[1:2] == ["->"] for line in self.body)  # "a -> b", not a label with ->
        return f"<ComputationGraph with {len(self.body) - edges} nodes and {edges} edges>"

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None, **_: Any
    ) -> dict[str, str]:
        # HTML with the SVG as an <img>: it fits the output's width, and JupyterLab shows it in a notebook
        # opened before running (untrusted), where it sanitizes HTML but never draws an image/svg+xml output.
        wanted = set(include) if include is not None else {"text/html", "text/plain"}
        wanted -= set(exclude or ())
        note = NO_RENDERER_NOTE
        if wanted & {"text/html", "image/svg+xml"}:
            try:
                svg = render_svg(self)
            except RendererNotFoundError as error:
                if IN_BROWSER:  # no install advice in a browser: what is missing there, and what to do
                    note = f"(DOT source shown because the graph could not be drawn: {error})"
            except RenderError as error:  # a notebook shows the graph as text, never a traceback
                note = RENDER_FAILED_NOTE.format(reason=str(error).splitlines()[0])
            else:
                bundle = {"text/plain": repr(self)} if "text/plain" in wanted else {}
                if "text/html" in wanted:
                    bundle["text/html"] = picture_html(svg)
                if "image/svg+xml" in wanted:
                    bundle["image/svg+xml"] = svg
                return bundle
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


# A picture wider than this (in CSS pixels) also gets a "full size" view to zoom into.
WIDE_PICTURE = 800


def picture_html(svg: str, *, alt: str = "the computation graph") -> str:
    """An SVG as notebook HTML: an image as wide as the output (never wider than its natural size),
    and for a wide picture a "full size" view that opens below it and scrolls sideways.

    The SVG travels inside the image (a data: URL), so no script and no inline SVG is needed:
    JupyterLab shows it in an untrusted notebook too, and the text of the SVG never shows as text.

    >>> html = picture_html('<svg width="1200pt" height="90pt" viewBox="0 0 1200 90"></svg>')
    >>> "max-width:1600px" in html, "Full size" in html
    (True, True)
    """
    match = re.search(r'<svg\b[^>]*?\swidth="([0-9.]+)(pt|px)?"', svg)
    natural = float(match.group(1)) * (4 / 3 if match.group(2) == "pt" else 1) if match else None
    source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    description = html.escape(alt, quote=True)
    fitted = "width:100%;height:auto" + (f";max-width:{natural:.0f}px" if natural else "")
    shown = f'<img src="{source}" alt="{description}" title="{description}" style="{fitted}">'
    if natural is not None and natural > WIDE_PICTURE:
        shown += (
            '<details><summary style="cursor:pointer;color:#6b7280">Full size (scroll sideways)</summary>'
            f'<div style="overflow-x:auto"><img src="{source}" alt="{description}" '
            f'style="width:{natural:.0f}px;max-width:none;height:auto"></div></details>'
        )
    return shown


def render_svg(digraph: graphviz.Graph | graphviz.Digraph, *, renderer: Renderer = "auto") -> str:
    """Lay out a Graphviz graph and return it as SVG text: the older name of ``to_svg(graph)``, kept working.

    ``renderer="auto"`` uses Graphviz's ``dot`` program when it is on PATH, and
    otherwise pygraphviz (a graph too big for them to lay out quickly is laid out in layers by
    `autograd.drawing.layered`, in a time proportional to its size); ``"dot"`` or ``"pygraphviz"``
    insists on one. When none is available it raises `RendererNotFoundError`, saying how to install one.

    >>> import graphviz
    >>> render_svg(graphviz.Digraph(body=["a -> b"])).lstrip().startswith("<?xml")
    True
    """
    if not isinstance(digraph, (graphviz.Graph, graphviz.Digraph)):
        raise TypeError(
            f"render_svg() takes a graphviz.Digraph, such as draw_dot(value) returns, "
            f"but was given {type(digraph).__name__}"
        )
    source = digraph.source
    if renderer == "auto" and layered.is_big(source):  # Graphviz would take minutes: our own linear layout
        return layered.draw(source)
    return dot_to_svg(source, renderer)


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    highlight: Value | Iterable[Value] | None = None,
    grads: Mapping[Value, float | str] | None = None,
    names: Mapping[Value, str] | None = None,
    params: Iterable[Value] | None = None,
    model: NamedParameters | None = None,
    collapse: Literal["neuron"] | None = None,
    only: Value | Iterable[Value] | None = None,
    groups: Iterable[StepGroup] = (),
    fold: bool = True,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    precision: int = 4,
    legend: bool = False,
    format: str = "svg",
    mark_neurons: Mapping[str, str] | Iterable[str] | None = None,
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
            Without it, gradients read "grad —" until ``root.backward()`` has run. A str is
            shown as written (the player draws each box with its widest number, then fills it in).
        names: names to show for Values that have no label (their own label wins); by default
            the names every view uses (`autograd.drawing.display_names`: L, t1, t2, …, v1, …).
            An unlabelled constant stays drawn as just its number.
        params: Values to draw as parameters (amber), besides `autograd.nn.Parameter` instances
            and the model's: the w and b of ``python -m autograd`` are parameters.
        model: an object with ``named_parameters()`` (such as an `autograd.nn.MLP`): its
            parameters are styled as parameters and grouped, with the weighted sum and
            activation of each neuron, into one box (cluster) per neuron inside one per layer.
        collapse: ``"neuron"`` folds each neuron's Σ wᵢxᵢ + b chain and its parameters into
            one box listing them (needs ``model``).
        only: draw only these Values and what they were computed from.
        groups: steps made of several ops, as `autograd.teaching.one_step` records them
            (``with one_step() as neuron: z = w * x + b``).
        fold: with ``groups``, draw each group as one box holding its formula as the learner wrote it
            (``w · x + b``), its data and grad, with an edge from each input (True, the default); or each
            of its ops as usual, inside a dashed frame that names the step (False).
        max_nodes: refuse, with a ValueError, to draw more boxes than this; None for no limit.
        precision: significant digits of the numbers shown.
        legend: add a small key saying which colour is which role.
        format: what ``.render()`` and ``.pipe()`` draw by default: "svg", "png" or "pdf".
        mark_neurons: neurons of ``model`` to mark in red, by name (``"layers.0.neurons.3"``), each with
            a short note (``{"layers.0.neurons.3": "dead"}``); the training doctor's check-up gives them
            as ``report.marks``. Needs ``model``.

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
    if not isinstance(fold, bool):
        raise TypeError(f"fold must be True (one box per group) or False (every op drawn), not {fold!r}")
    if grads is not None and not isinstance(grads, Mapping):
        raise TypeError(f"grads must be a mapping from Values to numbers, but was given {type(grads).__name__}")
    if names is not None and not isinstance(names, Mapping):
        raise TypeError(f"names must be a mapping from Values to str, but was given {type(names).__name__}")
    marks = _neuron_marks(mark_neurons, model)

    order = topological_order(root)
    if names is None:
        names = display_names(root, order)
    position = {node: i for i, node in enumerate(order)}
    if only is not None:
        wanted: set[Value] = set()
        for target in _node_list(only, "only", position):
            wanted.update(topological_order(target))
        order = [node for node in order if node in wanted]
    highlighted = set(_node_list(highlight, "highlight", position)) if highlight is not None else set()

    parameter_names = parameter_names_of(model) if model is not None else {}
    extra_parameters = set(_node_list(params, "params", position)) if params is not None else set()
    layout = Layout(
        order,
        parameter_names,
        names,
        fold_neurons=collapse == "neuron",
        parameters=extra_parameters,
        model=model,
        groups=_group_list(groups, position),
        fold_groups=fold,
    )
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
    clusters = ClusterTree(dot, parameter_names)
    step_frames = _step_frames(layout)
    roles = _draw_boxes(clusters, layout, readout, root, highlighted, dot, marks, step_frames)
    _mark_neuron_clusters(clusters, marks)
    _draw_edges(dot, layout, highlighted)
    _keep_neurons_in_order(dot, layout)
    clusters.close()
    for frame in step_frames:
        dot.subgraph(frame)
    if legend:
        _add_legend(dot, roles)
    return dot


def to_svg(root: Value | graphviz.Graph | graphviz.Digraph, *, renderer: Renderer = "auto", **options: Any) -> str:
    """The graph of `root` drawn as SVG text; `options` are those of `draw_dot`.

    `root` may also be a graph `draw_dot` already drew (then without options), so `to_svg` and
    `save_svg` take a Value or a drawn graph alike.

    >>> from autograd import Value
    >>> svg = to_svg(Value(2.0, "x") * 3)
    >>> "data 6" in svg
    True
    >>> to_svg(draw_dot(Value(2.0, "x") * 3)) == svg
    True
    """
    if isinstance(root, (graphviz.Graph, graphviz.Digraph)):
        if options:
            raise TypeError(
                f"to_svg() was given a drawn graph and draw_dot options ({', '.join(options)}): pass the options "
                "to draw_dot, or give to_svg the Value instead"
            )
        return render_svg(root, renderer=renderer)
    return render_svg(draw_dot(root, **options), renderer=renderer)


def save_svg(
    root: Value | graphviz.Graph | graphviz.Digraph,
    path: str | os.PathLike[str],
    *,
    renderer: Renderer = "auto",
    **options: Any,
) -> Path:
    """Draw the graph of `root` (a Value, or a graph `draw_dot` drew) into an SVG file and return its path;
    `options` are those of `draw_dot`.

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


# ---------------------------------------------------------------------- drawing


class _Readout:
    """How numbers read in a box: rounded data, and the gradient or "grad —" when not computed yet."""

    def __init__(self, root: Value, grads: Mapping[Value, float | str] | None, precision: int, show_grad: bool) -> None:
        self.root = root
        self.grads = grads
        self.precision = precision
        self.show_grad = show_grad

    def grad_of(self, node: Value) -> float | str | None:
        """The gradient to show (a number, or text to show as written), or None when it has not been computed yet."""
        if self.grads is not None:
            grad = self.grads.get(node)
            return grad if grad is None or isinstance(grad, str) else float(grad)
        return node.grad if self.root.grad != 0.0 else None  # backward() always leaves root.grad ≥ 1

    def number(self, x: float) -> str:
        return format_number(x, self.precision)

    def grad(self, node: Value) -> str:
        grad = self.grad_of(node)
        if grad is None:
            return NOT_COMPUTED
        return f"grad {html_text(grad) if isinstance(grad, str) else self.number(grad)}"

    def tooltip(self, node: Value, role: str, title: str = "") -> str:
        """Shown on hover in the SVG: the label and the numbers in full."""
        grad = self.grad_of(node)
        shown = "not computed yet" if grad is None else grad if isinstance(grad, str) else repr(grad)
        numbers = f"{role}: data = {node.data!r}, grad = {shown}"
        if not title:
            return numbers
        text = printable(title)
        text = text if len(text) <= TOOLTIP_CHARACTERS else text[: TOOLTIP_CHARACTERS - 1] + "…"
        # In a DOT string a backslash starts an escape, and \n is a line break that keeps the DOT on one line.
        return numbers + "\\n" + text.replace("\\", "\\\\").replace("\n", "\\n")


def _draw_boxes(
    clusters: ClusterTree,
    layout: Layout,
    readout: _Readout,
    root: Value,
    highlighted: set[Value],
    dot: ComputationGraph,
    marks: Mapping[str, str],
    step_frames: list[graphviz.Digraph],
) -> list[Role]:
    """One box per Value (and an oval for the op that made it); returns the roles drawn, for the legend."""
    roles: dict[Role, None] = {}  # in order of first appearance
    for node in layout.order:
        if node not in layout.hidden or node in layout.folded_into:
            dot.parts[node] = _parts(layout, node)
    for node in _in_model_order(layout):
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
        folded_in = layout.folds.get(node, ()) or (layout.step_folds[node].members if node in layout.step_folds else ())
        if node in highlighted or any(member in highlighted for member in folded_in):
            attributes.update(color=HIGHLIGHT, penwidth="3")
        mark = marks.get(layout.group.get(node, "")) if node in layout.folds else None
        if mark is not None:  # a folded neuron the doctor marked: dead or saturated
            attributes.update(fillcolor=MARKED_FILL, color=HIGHLIGHT, penwidth="2")
        if node in layout.folds:
            label = _neuron_label(layout, node, readout, mark)
            if readout.show_grad:
                dot.grad_rows[name] = [node, *_folded_parameters(layout, node)]
        elif node in layout.step_folds:
            label = _step_label(layout, node, readout)
            attributes["peripheries"] = "2"  # a double frame: more ops are folded inside
            attributes["tooltip"] = readout.tooltip(node, "one step of several ops", _step_formula(layout, node))
            if readout.show_grad:
                dot.grad_rows[name] = [node]
        elif role == "constant" and not node.label:
            label = f"<{readout.number(node.data)}>"
            attributes["fontsize"] = "9"
        else:
            title = shortened(layout.title(node))
            rows = [f"<B>{html_text(title)}</B>"] if title else []
            rows.append(f"data {readout.number(node.data)}")
            if readout.show_grad:
                rows.append(readout.grad(node))
                dot.grad_rows[name] = [node]
            label = table(rows)
        number = layout.step_cluster.get(node)
        cluster = clusters.get(layout.cluster_of(node)) if number is None else step_frames[number]
        cluster.node(name, label, **attributes)
        for slot, copy in layout.copies_at.get(node, ()):  # a leaf used many times: its name again, beside this use
            leaf = node.parents[slot]
            cluster.node(
                copy,
                f"<<I>{html_text(shortened(layout.title(leaf)))}</I>>",
                shape="box",
                style="rounded,filled,dashed",
                fillcolor=FILL_COLOURS[layout.role(leaf, root)],
                fontsize="9",
                margin="0.04,0.02",
                tooltip="the same value as the full box of this name, used again here",
            )
        if node.parents and node not in layout.folds and node not in layout.step_folds:
            oval = {"shape": "oval", "style": "filled", "fillcolor": "#eef2ff", "margin": "0.02,0.01", "fontsize": "10"}
            if node in highlighted:
                oval.update(color=HIGHLIGHT, penwidth="3")
            cluster.node(f"{name}_op", f"<{html_text(layout.op_symbol(node))}>", **oval)
    return list(roles)


def _draw_edges(dot: graphviz.Digraph, layout: Layout, highlighted: set[Value]) -> None:
    """Operands into each op's oval, the oval into its result; a + a gives two edges from a."""
    for node in layout.order:
        if node in layout.hidden or not node.parents:
            continue
        name = layout.box_id(node)
        style = {"color": HIGHLIGHT, "penwidth": "2.5"} if node in highlighted else {}
        if node in layout.step_folds:  # a folded step: each input goes straight into its box
            for parent in layout.step_folds[node].inputs:
                if parent not in layout.hidden:
                    dot.edge(layout.box_id(parent), name, **style)
            continue
        if node in layout.folds:  # a folded neuron: what feeds its sum from outside goes straight into its box
            for member in layout.folds[node]:
                for parent in member.parents:
                    if layout.box_id(parent) != name and parent not in layout.hidden:
                        dot.edge(layout.box_id(parent), name, **style)
            continue
        drawn = [slot for slot, parent in enumerate(node.parents) if parent not in layout.hidden]
        for slot in drawn:
            ordered = node.operation is not None and not node.operation.commutative
            # "1st" and "2nd", not "a" and "b": those would read as the names of the graph's own values.
            edge_label = ("1st", "2nd")[slot] if ordered and len(drawn) == 2 else None
            dot.edge(layout.edge_tail(node, slot), f"{name}_op", edge_label, **style)
        dot.edge(f"{name}_op", name, **style)


def _parts(layout: Layout, node: Value) -> list[str]:
    """The SVG titles of what a step at `node` uses: its box, its op's oval, the edges into and out of the oval.

    Graphviz titles a box by its DOT name and an edge ``tail->head``; a folded neuron is one box.
    """
    box = layout.box_id(node)
    if not node.parents:
        return [box]
    if node in layout.folded_into:
        return [
            box,
            *(f"{layout.box_id(p)}->{box}" for p in node.parents if layout.box_id(p) != box and p not in layout.hidden),
        ]
    edges = [
        f"{layout.edge_tail(node, slot)}->{box}_op" for slot, p in enumerate(node.parents) if p not in layout.hidden
    ]
    return [box, f"{box}_op", *edges, f"{box}_op->{box}"]


def _in_model_order(layout: Layout) -> list[Value]:
    """The boxes to declare, in topological order, but a layer's folded neurons in the model's order (0, 1, 2…):
    Graphviz keeps the order it is given where it can, so the neurons read top to bottom as numbered."""
    if not layout.folds:
        return layout.order
    rank = {name: i for i, name in enumerate(dict.fromkeys(owner(n) for n in layout.parameter_names.values()))}
    heads = sorted(layout.folds, key=lambda head: rank.get(layout.group[head], len(rank)))
    slots = iter(heads)
    return [next(slots) if node in layout.folds else node for node in layout.order]


def _keep_neurons_in_order(dot: graphviz.Digraph, layout: Layout) -> None:
    """Each layer's neurons top to bottom as numbered (0, 1, 2…): Graphviz would order them to save crossings.

    One box per neuron (its folded box, or its output: the activation) is tied to the next by an invisible
    edge in a same-rank group, which fixes their order.
    """
    rank = {name: i for i, name in enumerate(dict.fromkeys(owner(n) for n in layout.parameter_names.values()))}
    outputs: dict[str, Value] = {}
    for node in layout.order:  # topological: the last node of a neuron's group is its output
        group = layout.group.get(node)
        if group and node.parents and node not in layout.hidden and (node in layout.folds or not layout.folds):
            outputs[group] = node
    layers: dict[str, list[str]] = {}
    for group in sorted(outputs, key=lambda group: rank.get(group, len(rank))):
        layers.setdefault(owner(group), []).append(layout.box_id(outputs[group]))
    for boxes in layers.values():
        if len(boxes) > 1:
            dot.body.append("\t{rank=same; " + " -> ".join(boxes) + " [style=invis]}\n")


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


def _neuron_label(layout: Layout, head: Value, readout: _Readout, mark: str | None = None) -> str:
    """A folded neuron: its name (and the doctor's mark), the sum's data and grad, then one row per parameter."""
    group = layout.group[head]
    name = group[len(owner(group)) :].lstrip(".")  # "neurons.3": its layer's cluster shows the rest
    title = f"<B>{html_text(name or 'neuron')}</B>"
    if mark:
        title += f'<FONT COLOR="{HIGHLIGHT}">&#160;⚠ {html_text(mark)}</FONT>'  # no text of spaces alone
    rows = [title, "Σ wᵢxᵢ + b", f"data {readout.number(head.data)}"]
    if readout.show_grad:
        rows.append(readout.grad(head))
    gap = "&#160;&#160;"  # the columns never run together, whatever the reader's font
    parameter_rows = [
        f"<TR><TD ALIGN='LEFT'>{html_text(layout.title(member))}</TD>"
        f"<TD ALIGN='RIGHT'>{gap}{readout.number(member.data)}</TD>"
        + (f"<TD ALIGN='RIGHT'>{gap}{readout.grad(member)}</TD>" if readout.show_grad else "")
        + "</TR>"
        for member in _folded_parameters(layout, head)
    ]
    span = 3 if readout.show_grad else 2
    cells = "".join(f'<TR><TD COLSPAN="{span}">{row}</TD></TR>' for row in rows) + "".join(parameter_rows)
    return f"<{TABLE}{cells}</TABLE>>"


def _neuron_marks(mark_neurons: Mapping[str, str] | Iterable[str] | None, model: object) -> dict[str, str]:
    """The neurons to mark, by name, with their notes, after checking that the model has them."""
    if mark_neurons is None:
        return {}
    if model is None:
        raise ValueError("mark_neurons needs model=... (the network whose neurons they are)")
    if isinstance(mark_neurons, str) or not isinstance(mark_neurons, (Mapping, Iterable)):
        raise TypeError(
            "mark_neurons must be neuron names with notes, such as {'layers.0.neurons.3': 'dead'}, "
            f"or a list of names, but was given {mark_neurons!r}"
        )
    marks = dict(mark_neurons) if isinstance(mark_neurons, Mapping) else dict.fromkeys(mark_neurons, "")
    named_neurons = getattr(model, "named_neurons", None)
    known = [name for name, _ in named_neurons()] if callable(named_neurons) else []
    unknown = [name for name in marks if name not in known]
    if unknown:
        raise ValueError(
            f"mark_neurons names {unknown[0]!r}, which is no neuron of the model; its neurons are "
            f"{', '.join(map(repr, known[:3]))}{', …' if len(known) > 3 else ''}"
        )
    return {name: str(note) for name, note in marks.items()}


def _mark_neuron_clusters(clusters: ClusterTree, marks: Mapping[str, str]) -> None:
    """A neuron drawn as a cluster of boxes (not folded): its frame in red, its note beside its name."""
    for name, note in marks.items():
        if name in clusters.clusters:
            label = f'<{html_text(name)}<FONT COLOR="{HIGHLIGHT}">&#160;⚠ {html_text(note)}</FONT>>'
            clusters.clusters[name].attr("graph", color=HIGHLIGHT, style="rounded,bold", label=label)


def _step_formula(layout: Layout, output: Value) -> str:
    """A step's output and its formula in its inputs' names, as the learner wrote it: ``z = w · x + b``."""
    formula = layout.step_folds.get(output) or layout.groups[layout.step_cluster[output]]
    written = printable(formula.formula(lambda node: layout.title(node) or str(layout.names.get(node, ""))))
    title = layout.title(output)
    return f"{title} = {written}" if title else written


def _step_label(layout: Layout, output: Value, readout: _Readout) -> str:
    """A folded step's box: its output's name and formula (z = w · x + b), then its data and grad."""
    rows = [f"<B>{html_text(shortened(_step_formula(layout, output)))}</B>", f"data {readout.number(output.data)}"]
    if readout.show_grad:
        rows.append(readout.grad(output))
    return table(rows)


def _step_frames(layout: Layout) -> list[graphviz.Digraph]:
    """A dashed frame (a Graphviz cluster) per unfolded step, named by the step's formula."""
    frames = []
    for number, group in enumerate(layout.groups if not layout.step_folds else ()):
        output = group.output
        assert output is not None  # the layout keeps only groups in the graph
        label = html_text(shortened(f"one step: {_step_formula(layout, output)}"))
        frames.append(
            graphviz.Digraph(
                name=f"cluster_step_{number}",
                graph_attr={
                    "label": f"<{label}>",
                    "style": "rounded,dashed",
                    "color": "#7c3aed",
                    "fontcolor": "#6d28d9",
                    "labeljust": "l",
                },
            )
        )
    return frames


def _group_list(groups: Iterable[StepGroup], position: Mapping[Value, int]) -> list[StepGroup]:
    """The groups to draw, each checked to be a group of this graph's nodes (one of another graph is skipped)."""
    if hasattr(groups, "members"):  # one group alone
        groups = [groups]  # type: ignore[list-item]
    if not isinstance(groups, Iterable) or isinstance(groups, (str, bytes)):
        raise TypeError(f"groups= takes a list of the groups made by one_step(), but was given {groups!r}")
    listed = []
    for group in groups:
        if not all(hasattr(group, name) for name in ("output", "members", "inputs", "formula")):
            raise TypeError(
                f"groups= takes the groups made by one_step(), but one item was {type(group).__name__}: {group!r}"
            )
        if group.output is None:
            raise ValueError("a one_step() group is still being recorded: draw it after its with-block has ended")
        if group.output in position and all(member in position for member in group.members):
            listed.append(group)
    return listed


def _folded_parameters(layout: Layout, head: Value) -> list[Value]:
    """The parameters folded into a neuron's box, in the model's order (w0, w1, …, b)."""
    model_order = {parameter: i for i, parameter in enumerate(layout.parameter_names)}
    parameters = [member for member in layout.folds[head] if not member.parents and not isinstance(member, Constant)]
    return sorted(parameters, key=lambda parameter: model_order.get(parameter, len(model_order)))


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
