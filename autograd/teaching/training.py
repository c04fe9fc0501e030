"""Watch it learn: forward pass → backward pass → update, repeated, recorded and played back step by step.

The worked example ends with the update w_new = w_old − η ∂L/∂w, "repeated for all layers" until the
loss falls. `watch_training` runs that loop for a number of steps with your optimiser and records every
number of every step: each node's data (the forward pass), each node's gradient (the backward pass),
and the update written out from the optimiser's own arithmetic (`autograd.optim`'s ``updates()``, the
very numbers ``step()`` applies; see `autograd.teaching.update`).

>>> from autograd import Value
>>> from autograd.optim import SGD
>>> w, x, b, y = Value(0.5, "w"), Value(1.5, "x"), Value(0.1, "b"), Value(1.0, "y")
>>> def loss():
...     z = w * x + b; z.label = "z"
...     a = z.sigmoid(); a.label = "a"
...     L = 0.5 * (a - y) ** 2; L.label = "L"
...     return L
>>> run = watch_training(loss, SGD([w, b], lr=0.5), steps=20)
>>> len(run), round(run[0].loss, 4), run[-1].loss < run[0].loss
(20, 0.0448, True)
>>> print(run[0].update_text)
SGD step: w ← w − η · ∂L/∂w with η = 0.5
w: 0.5000 − 0.5 · (−0.0942) = 0.5471
b: 0.1000 − 0.5 · (−0.0628) = 0.1314

``run.save_html("training.html")`` writes the training player: one offline page with the graph (drawn
once; the page's script changes its numbers), the update written out, the loss curve and each
parameter's value over time growing as the steps advance, Prev/Next, keys and a slider over every
phase of every step. In a notebook, ``run.widget()`` is the same as a stepper.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import html
import json
import math
import os
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._files import check_target, write_text_atomically
from ..drawing import RendererNotFoundError, RenderError, draw_dot, render_svg
from ..drawing.graph import picture_html
from ..drawing.names import display_names
from ..drawing.text import format_number, printable
from ..engine import OPS, Constant, Value, topological_order
from .player import PAGE_STYLE, SVG, _svg_for_inline, progress
from .update import explain_update

__all__ = ["PHASES", "TrainingRun", "TrainingStep", "watch_training"]

PHASES = ("forward pass", "backward pass", "update")
MOST_STEPS = 10_000
# Above this many boxes the graph is drawn one box per neuron (with a model), and above the second not at all.
FULL_GRAPH_BOXES = 80
SUMMARY_BOXES = 500
MOST_TRACES = 8  # parameter traces on one chart; more are summarised by neuron (or the first ones shown)
TRACE_COLOURS = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")
PRECISION = 4  # significant digits in the drawing, as `draw_dot` shows them


@dataclass(frozen=True)
class TrainingStep:
    """One training step as it happened: the forward pass's numbers, the backward pass's, and the update.

    ``data`` and ``grads`` hold every node of the step's graph in `TrainingRun.order`'s order;
    ``before`` and ``after`` every parameter's value around ``optimizer.step()``.
    """

    index: int
    sample: int | None  # which of the samples this step trained on, if samples were given
    loss: float
    data: tuple[float, ...]
    grads: tuple[float, ...]
    before: tuple[float, ...]
    after: tuple[float, ...]
    update_rule: str
    update_rows: tuple[str, ...]

    @property
    def update_text(self) -> str:
        """The update written out: the optimiser's rule, then one line (or block) per parameter."""
        return "\n".join([self.update_rule, *self.update_rows])


def watch_training(
    forward: Callable[..., Value],
    optimizer: Any,
    steps: int = 20,
    *,
    samples: Sequence[Any] | None = None,
    model: Any = None,
) -> TrainingRun:
    """Train for `steps` steps and record each one: forward pass, backward pass, the optimiser's update.

    `forward` builds the loss from the current parameters: ``forward()``, or ``forward(sample)`` when
    `samples` are given (step k trains on ``samples[k % len(samples)]``, one sample per step). Each step
    clears the gradients of the optimiser's parameters and of every leaf of the graph, calls
    ``loss.backward()`` and then ``optimizer.step()``: the parameters are trained for real. Give `model`
    (an `autograd.nn` module) to name its parameters by their place in it and to draw a big graph
    one box per neuron.
    """
    if not callable(forward):
        raise TypeError(
            "watch_training() needs a function that builds the loss from the current parameters, such as "
            f"lambda: 0.5 * ((w * x + b).sigmoid() - y) ** 2; it was given {type(forward).__name__}: {forward!r}"
        )
    if not callable(getattr(optimizer, "step", None)) or not isinstance(getattr(optimizer, "params", None), list):
        raise TypeError(
            "watch_training() needs an optimiser such as autograd.optim.SGD(params, lr=0.1), "
            f"but was given {type(optimizer).__name__}: {optimizer!r}"
        )
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MOST_STEPS:
        raise ValueError(
            f"steps is how many training steps to record, a whole number from 1 to {MOST_STEPS}, not {steps!r}"
        )
    if samples is not None and (
        isinstance(samples, (str, bytes)) or not isinstance(samples, Sequence) or not len(samples)
    ):
        raise ValueError(
            f"samples must be a non-empty list (step k trains on samples[k % len(samples)]), not {samples!r}"
        )
    params: list[Value] = list(optimizer.params)
    names = _param_names(params, model)
    recorded: list[TrainingStep] = []
    shape: list[tuple[str, tuple[int, ...]]] | None = None
    last: Value | None = None
    for index in range(steps):
        sample = index % len(samples) if samples is not None else None
        loss = forward(samples[sample]) if samples is not None and sample is not None else forward()
        if not isinstance(loss, Value):
            raise TypeError(
                f"watch_training(): forward() must return the loss as a Value, but step {index + 1} returned "
                f"{type(loss).__name__}: {loss!r}"
            )
        order = topological_order(loss)
        step_shape = _shape(order)
        if shape is None:
            shape = step_shape
        elif step_shape != shape:
            raise ValueError(
                f"step {index + 1}'s graph differs from step 1's ({len(step_shape)} nodes against {len(shape)}, or "
                "other ops): the player draws one graph and changes its numbers, so every step must build the "
                "same graph. Give samples of one size, and branch on no number."
            )
        if callable(getattr(optimizer, "zero_grad", None)):
            optimizer.zero_grad()
        loss.zero_grad()  # every node's, the inputs' too: they are leaves reused from step to step
        data = tuple(node.data for node in order)
        loss.backward()
        grads = tuple(node.grad for node in order)
        rule, rows, planned = _written_update(optimizer, names)
        before = tuple(param.data for param in params)
        optimizer.step()
        after = tuple(param.data for param in params)
        if planned is not None and planned != after:  # the written update must be the one step() made
            raise RuntimeError(f"{type(optimizer).__name__}.step() did not make the update its updates() described")
        if planned is None:
            rows = tuple(f"{name}: {_num(old)} → {_num(new)}" for name, old, new in zip(rows, before, after))
        recorded.append(TrainingStep(index, sample, loss.data, data, grads, before, after, rule, rows))
        last = loss
    assert last is not None
    return TrainingRun(recorded, last, params, model, len(samples) if samples is not None else 0)


def _shape(order: list[Value]) -> list[tuple[str, tuple[int, ...]]]:
    """A graph's structure: each node's op and where its parents are, so that two steps' graphs can be compared."""
    position = {node: i for i, node in enumerate(order)}
    return [(node.op, tuple(position[parent] for parent in node.parents)) for node in order]


def _written_update(optimizer: Any, names: list[str]) -> tuple[str, tuple[str, ...], tuple[float, ...] | None]:
    """The optimiser's next update written out, and the new values it plans, from its own ``updates()``.

    Each parameter is called by its name in `names` (its place in the model, when there is one). An optimiser
    of your own without ``updates()`` gets each parameter's old and new value (the names here).
    """
    if callable(getattr(optimizer, "updates", None)):
        explained = explain_update(optimizer, digits=PRECISION)
        rows = tuple(_renamed(row.text, row.name, name) for row, name in zip(explained.rows, names))
        return explained.rule, rows, tuple(row.new for row in explained.rows)
    return f"{type(optimizer).__name__} step (its own rule: old → new)", tuple(names), None


def _renamed(text: str, old: str, new: str) -> str:
    r"""An update's lines with the parameter called `new` where they call it `old`: where a line starts with it
    and where it is assigned (``old = …``), the following lines' indent widened to match.

    >>> print(_renamed("w: v = 0.9 · 0 + 1 = 1, w = 2 − 1 = 1\n   m = 3", "w", "layer.w"))
    layer.w: v = 0.9 · 0 + 1 = 1, layer.w = 2 − 1 = 1
             m = 3
    """
    if old == new:
        return text
    first, *rest = text.split("\n")
    named = re.compile(rf"(^|, ){re.escape(old)}(?=: | = )")
    lines = [named.sub(lambda m: m.group(1) + new, first)]
    for line in rest:
        body = line[len(old) + 2 :] if line.startswith(" " * (len(old) + 2)) else line.lstrip()
        lines.append(" " * (len(new) + 2) + named.sub(lambda m: m.group(1) + new, body))
    return "\n".join(lines)


def _param_names(params: Sequence[Value], model: Any) -> list[str]:
    """Each parameter's dotted name in `model` (``layers.0.neurons.1.w.0``), else its label, else params[i]."""
    in_model = dict((param, name) for name, param in (model.named_parameters() if model is not None else ()))
    plain = _names(params)
    return [in_model.get(param, plain[i]) for i, param in enumerate(params)]


def _names(params: Sequence[Value]) -> list[str]:
    labels = [p.label for p in params]
    return [label if label and labels.count(label) == 1 else f"params[{i}]" for i, label in enumerate(labels)]


def _as_images(fragment: str) -> str:
    """Every SVG in an HTML fragment made an image (`autograd.drawing.graph.picture_html`): a notebook shows
    images even before it is trusted, where it would strip inline SVG."""

    def image(found: re.Match[str]) -> str:
        svg = found.group(0)
        if "xmlns=" not in svg[: svg.find(">")]:
            svg = svg.replace("<svg", f'<svg xmlns="{SVG}"', 1)
        return picture_html(svg, alt="the training step")

    return re.sub(r"<svg\b.*?</svg>", image, fragment, flags=re.DOTALL)


def _few(rows: list[str]) -> list[str]:
    """The rows of a small model, or of a big one the first few and how many more (the graph shows them all)."""
    if len(rows) <= 2 * MOST_TRACES:
        return rows
    return [*rows[:MOST_TRACES], f"… and {len(rows) - MOST_TRACES} more parameters, each the same way"]


def _num(x: float) -> str:
    return format_number(x, PRECISION)


# ---------------------------------------------------------------------- the recording


@dataclass(frozen=True)
class Trace:
    """One line of the parameter chart: a parameter's value over time, or a neuron's weight size ‖w‖."""

    name: str
    values: tuple[float, ...]  # one per step, before its update, and the value after the last update


class TrainingRun(Sequence[TrainingStep]):
    """The recorded steps of `watch_training`; a sequence of `TrainingStep` with pictures and a player."""

    def __init__(self, steps: list[TrainingStep], graph: Value, params: list[Value], model: Any, samples: int) -> None:
        self.steps = steps
        self.graph = graph  # the last step's loss: its graph is the one drawn, with each step's numbers
        self.order = topological_order(graph)
        self.params = params
        self.model = model
        self.samples = samples
        self.names = display_names(graph, self.order)
        self.param_names = _param_names(params, model)

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, index: Any) -> Any:
        return self.steps[index]

    @property
    def losses(self) -> list[float]:
        """The loss of every step's forward pass."""
        return [step.loss for step in self.steps]

    def values(self, param: int) -> list[float]:
        """Parameter `param`'s value before each step, and after the last one (len(run) + 1 numbers)."""
        return [step.before[param] for step in self.steps] + [self.steps[-1].after[param]]

    def traces(self) -> list[Trace]:
        """What the parameter chart draws: every parameter of a small model; with many and a model, each neuron's
        weight size ‖w‖, or for more than a few neurons each layer's (the root mean square of its neurons' ‖w‖)."""
        if len(self.params) <= MOST_TRACES:
            return [Trace(name, tuple(self.values(i))) for i, name in enumerate(self.param_names)]
        neurons = self.model.named_neurons() if self.model is not None and hasattr(self.model, "named_neurons") else []
        index = {param: i for i, param in enumerate(self.params)}

        def squared_sizes(neuron: Any) -> list[float]:
            columns = [self.values(index[w]) for w in neuron.w if w in index]
            return [sum(column[t] ** 2 for column in columns) for t in range(len(self) + 1)]

        if neurons and len(neurons) <= MOST_TRACES:
            return [Trace(f"‖w‖ of {name}", tuple(map(math.sqrt, squared_sizes(n)))) for name, n in neurons]
        layers: dict[str, list[Any]] = {}
        for name, neuron in neurons:
            layers.setdefault(name.rpartition(".neurons.")[0] or name, []).append(neuron)
        if layers and len(layers) <= MOST_TRACES:
            traces = []
            for name, members in layers.items():
                each = [squared_sizes(neuron) for neuron in members]
                mean = tuple(math.sqrt(sum(sizes[t] for sizes in each) / len(each)) for t in range(len(self) + 1))
                traces.append(Trace(f"‖w‖ in {name} (rms)", mean))
            return traces
        return [Trace(self.param_names[i], tuple(self.values(i))) for i in range(MOST_TRACES)]

    def explanation(self, position: int) -> tuple[str, str]:
        """The header and the lines shown at `position` (3 per step: forward pass, backward pass, update)."""
        step = self.steps[position // 3]
        phase = position % 3
        loss_name = self.names[self.graph]
        sample = f" on sample {step.sample + 1} of {self.samples}" if step.sample is not None else ""
        header = f"Step {step.index + 1} of {len(self)}{sample}: {PHASES[phase]}"
        values = ", ".join(_few([f"{n} = {_num(v)}" for n, v in zip(self.param_names, step.before)]))
        if phase == 0:
            lines = f"{loss_name} = {_num(step.loss)}, computed from {values}"
        elif phase == 1:
            position_of = {node: i for i, node in enumerate(self.order)}
            grads = [
                f"∂{loss_name}/∂{name} = {_num(step.grads[position_of[p]])}"
                for name, p in zip(self.param_names, self.params)
                if p in position_of
            ]
            lines = "backward() fills in every node's gradient; the parameters' are\n" + "\n".join(_few(grads))
        else:
            lines = "\n".join([step.update_rule, *_few(list(step.update_rows))])
        return printable(header), printable(lines)

    def __repr__(self) -> str:
        return f"<TrainingRun: {len(self)} steps, loss {_num(self.steps[0].loss)} → {_num(self.steps[-1].loss)}>"

    def __str__(self) -> str:
        return "\n".join(f"step {s.index + 1:>3}: {self.names[self.graph]} = {s.loss:.6g}" for s in self.steps)

    # ------------------------------------------------------------------ pictures

    def picture(self, **draw_options: Any) -> TrainingPicture | None:
        """The graph drawn once with room for every step's numbers; None (with ``problem`` said) when it can't be."""
        return TrainingPicture.of(self, draw_options)

    def html(self, **draw_options: Any) -> str:
        """The training player as one HTML page (see `save_html`)."""
        return player_page(self, self.picture(**draw_options))

    def save_html(self, path: str | os.PathLike[str], **draw_options: Any) -> Path:
        """Write the training player to `path`: one offline page, written whole or not at all."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"save_html() needs a file path (str or Path), not {type(path).__name__}: {path!r}")
        check_target(path)
        with progress(f"writing the training player ({len(self)} steps)"):
            write_text_atomically(path, self.html(**draw_options))
        return Path(path)

    def frame_html(self, position: int, picture: TrainingPicture | None = None) -> str:
        """Position `position` as a notebook shows it: the graph with its numbers, the text, the two charts."""
        if not 0 <= position < 3 * len(self):
            raise IndexError(f"position {position} is outside 0 … {3 * len(self) - 1} (3 per step)")
        drawn = picture.frame_svg(position) if picture is not None else "<p><i>No picture of the graph.</i></p>"
        header, lines = self.explanation(position)
        charts = Charts(self)
        return _as_images(
            f'<div class="autograd-training"><div>{drawn}</div>'
            f"<h4>{html.escape(header)}</h4><pre>{html.escape(lines)}</pre>"
            f'<div style="display:flex;flex-wrap:wrap;gap:1em"><div style="flex:1 1 18em;max-width:30em">'
            f"<b>Loss</b>{charts.loss_svg(position)}</div>"
            f'<div style="flex:1 1 18em;max-width:30em"><b>Parameters</b>'
            f"{charts.params_svg(position)}</div></div></div>"
        )

    def widget(self, **draw_options: Any) -> Any:
        """A notebook stepper over every phase of every step (needs ipywidgets)."""
        from ..practice.widgets import widgets_available

        if not widgets_available():
            raise ImportError('the stepper needs ipywidgets: pip install "scalar-autograd[notebooks]"')
        import ipywidgets  # type: ignore[import-untyped]

        picture = self.picture(**draw_options)
        last = 3 * len(self)
        prev = ipywidgets.Button(description="◀ Prev")
        next_ = ipywidgets.Button(description="Next ▶")
        slider = ipywidgets.IntSlider(value=1, min=1, max=last, description="position")
        view = ipywidgets.HTML(self.frame_html(0, picture))

        def show(change: dict[str, Any]) -> None:
            view.value = self.frame_html(change["new"] - 1, picture)

        slider.observe(show, names="value")
        prev.on_click(lambda _: setattr(slider, "value", max(1, slider.value - 1)))
        next_.on_click(lambda _: setattr(slider, "value", min(last, slider.value + 1)))
        return ipywidgets.VBox([ipywidgets.HBox([prev, slider, next_]), view])


# ---------------------------------------------------------------------- the graph, drawn once


class TrainingPicture:
    """The last step's graph laid out once, each number it shows marked so that a step can fill in its own.

    Every data and grad text of a box gets ``class="d{k}"`` or ``class="g{k}"`` (k: the node's place in
    `TrainingRun.order`) and the text in front of its number as ``data-prefix``.
    """

    def __init__(self, run: TrainingRun, svg: str, shown: list[int], summarised: bool) -> None:
        self.run = run
        self.svg = svg
        self.shown = shown  # the nodes whose numbers the drawing shows
        self.summarised = summarised

    @classmethod
    def of(cls, run: TrainingRun, draw_options: dict[str, Any]) -> TrainingPicture | None:
        order = run.order
        # Each box is drawn holding the widest numbers it will show, so every step's numbers fit and nothing
        # moves. It is drawn from a copy of the graph (and model), whose numbers can be set without touching yours.
        graph, model, params = _copy_of(run)
        drawn = topological_order(graph)
        if len(drawn) != len(order):
            graph, model, params, drawn = run.graph, run.model, run.params, order
        for k, node in enumerate(drawn):
            if node is not order[k] and not (isinstance(node, Constant) and not node.parents):
                node.data = max((s.data[k] for s in run.steps), key=lambda x: len(_num(x)))
        widest = {node: max([_num(s.grads[k]) for s in run.steps], key=len) for k, node in enumerate(drawn)}
        options: dict[str, Any] = {
            "names": {node: run.names[order[k]] for k, node in enumerate(drawn)},
            "params": params,
            "grads": widest,
            "precision": PRECISION,
            **draw_options,
        }
        if model is not None:
            options.setdefault("model", model)
        summarised = False
        try:
            try:
                dot = draw_dot(graph, **{"max_nodes": FULL_GRAPH_BOXES, **options})
            except ValueError:
                if options.get("model") is None:
                    return None
                summarised = True
                dot = draw_dot(graph, **{"max_nodes": SUMMARY_BOXES, "collapse": "neuron", **options})
            svg = _svg_for_inline(render_svg(dot))
        except (ValueError, RendererNotFoundError, RenderError):
            return None
        position = {node: k for k, node in enumerate(drawn)}
        parameters = set(run.params)
        trained = {k for k, node in enumerate(order) if node in parameters}
        root = ElementTree.fromstring(svg)
        shown: set[int] = set()
        for group in root.iter(f"{{{SVG}}}g"):
            title = group.find(f"{{{SVG}}}title")
            nodes = dot.grad_rows.get(title.text or "" if title is not None else "")
            if not nodes:
                continue
            texts = list(group.iter(f"{{{SVG}}}text"))
            data_texts = [t for t in texts if (t.text or "").startswith("data ")]
            grad_texts = [
                t for t in texts if (t.text or "").strip().startswith("grad ") and t.get("font-weight") != "bold"
            ]
            folded_data = [
                t for t in texts if (t.text or "").startswith("\u00a0\u00a0") and "grad" not in (t.text or "")
            ]
            marks = [(t, "d", nodes[0], "data ") for t in data_texts[:1]]
            marks += [(t, "d", node, "\u00a0\u00a0") for t, node in zip(folded_data, nodes[1:])]
            marks += [
                (t, "g", node, (t.text or "")[: (t.text or "").find("grad ")] + "grad ")
                for t, node in zip(grad_texts, nodes)
            ]
            for text, kind, node, prefix in marks:
                k = position[node]
                shown.add(k)
                text.set("class", f"{kind}{k}")
                text.set("data-prefix", prefix)
            if any(position[node] in trained for node in nodes):  # the update changes this box's numbers
                group.set("class", f"{group.get('class', 'node')} trained")
        return cls(run, ElementTree.tostring(root, encoding="unicode"), sorted(shown), summarised)

    def numbers(self, position: int) -> tuple[dict[int, str], dict[int, str]]:
        """The data and grad texts at `position`: grads read "—" during the forward pass."""
        step = self.run.steps[position // 3]
        data = {k: _num(step.data[k]) for k in self.shown}
        grads = {k: _num(step.grads[k]) if position % 3 else "—" for k in self.shown}
        return data, grads

    def frame_svg(self, position: int) -> str:
        """The drawing at `position`, with that step's numbers filled in (for a notebook)."""
        data, grads = self.numbers(position)
        root = ElementTree.fromstring(self.svg)
        for text in root.iter(f"{{{SVG}}}text"):
            mark = text.get("class") or ""
            if mark[:1] in ("d", "g") and mark[1:].isdigit():
                number = (data if mark[0] == "d" else grads)[int(mark[1:])]
                text.text = (text.get("data-prefix") or "") + number
        return ElementTree.tostring(root, encoding="unicode")


def _copy_of(run: TrainingRun) -> tuple[Value, Any, list[Value]]:
    """The last step's graph, the model and the parameters copied together (the ops themselves shared), or the
    originals when the graph is too deep to copy."""
    shared: dict[int, Any] = {id(op): op for op in OPS.values()}
    try:
        graph, model, params = copy.deepcopy((run.graph, run.model, run.params), shared)
    except (RecursionError, TypeError, copy.Error):  # too deep, or a model that cannot be copied
        return run.graph, run.model, run.params
    return graph, model, list(params)


# ---------------------------------------------------------------------- the charts

CHART_WIDTH, CHART_HEIGHT = 360, 170
LEFT, RIGHT, TOP, BOTTOM = 56, 10, 10, 26


class Charts:
    """The loss curve and the parameter traces as small SVG charts, each point placed once for every step."""

    def __init__(self, run: TrainingRun) -> None:
        self.run = run
        self.traces = run.traces()
        steps = len(run)
        self.loss_points = self._points(run.losses, [run.losses], steps)
        self.trace_points = [
            self._points(list(t.values), [list(t.values) for t in self.traces], steps) for t in self.traces
        ]
        self.loss_range = _range([run.losses])
        self.trace_range = _range([list(t.values) for t in self.traces])

    @staticmethod
    def _points(values: list[float], all_values: list[list[float]], steps: int) -> list[str]:
        low, high = _range(all_values)
        width, height = CHART_WIDTH - LEFT - RIGHT, CHART_HEIGHT - TOP - BOTTOM
        return [
            f"{LEFT + width * t / max(steps, 1):.1f},{TOP + height * (high - v) / (high - low):.1f}"
            for t, v in enumerate(values)
        ]

    def loss_count(self, position: int) -> int:
        """How many loss points are drawn at `position`: every forward pass done so far."""
        return position // 3 + 1

    def trace_count(self, position: int) -> int:
        """How many parameter values are drawn: the value before each step so far, and after its update."""
        return position // 3 + 1 + (position % 3 == 2)

    def _frame(self, title: str, low: float, high: float, x_label: str) -> str:
        steps = len(self.run)
        bottom, right = CHART_HEIGHT - BOTTOM, CHART_WIDTH - RIGHT
        return (
            f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="#9ca3af"/>'
            f'<line x1="{LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#9ca3af"/>'
            f'<text x="{LEFT - 4}" y="{TOP + 9}" text-anchor="end">{_num(high)}</text>'
            f'<text x="{LEFT - 4}" y="{bottom}" text-anchor="end">{_num(low)}</text>'
            f'<text x="{LEFT}" y="{bottom + 16}">0</text>'
            f'<text x="{right}" y="{bottom + 16}" text-anchor="end">{steps}</text>'
            f'<text x="{(LEFT + right) / 2}" y="{bottom + 16}" text-anchor="middle">{x_label}</text>'
            f"<title>{html.escape(title)}</title>"
        )

    def loss_svg(self, position: int | None = None) -> str:
        """The loss chart; with `position`, its curve drawn up to there (the page's script draws it otherwise)."""
        count = self.loss_count(position) if position is not None else 0
        low, high = self.loss_range
        return (
            f'<svg id="loss-chart" class="chart" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" role="img" '
            f'aria-label="the loss at each step" font-size="11" font-family="DejaVu Sans, sans-serif" '
            f'width="{CHART_WIDTH}" height="{CHART_HEIGHT}">'
            + self._frame("the loss at each step", low, high, "step")
            + f'<polyline id="loss-line" fill="none" stroke="#111827" stroke-width="2" '
            f'points="{" ".join(self.loss_points[:count])}"/>'
            + self._dot(self.loss_points[count - 1] if count else None)
            + "</svg>"
        )

    @staticmethod
    def _dot(point: str | None) -> str:
        """The current step's point on the loss curve, a red dot (hidden until there is one)."""
        x, y = point.split(",") if point else ("0", "0")
        hidden = "" if point else ' visibility="hidden"'
        return f'<circle id="loss-dot" r="4" fill="#dc2626" cx="{x}" cy="{y}"{hidden}/>'

    def params_svg(self, position: int | None = None) -> str:
        """The parameter chart, one coloured line per trace, and its key."""
        count = self.trace_count(position) if position is not None else 0
        low, high = self.trace_range
        lines = "".join(
            f'<polyline class="trace" fill="none" stroke="{TRACE_COLOURS[i % len(TRACE_COLOURS)]}" '
            f'stroke-width="2" points="{" ".join(points[:count])}"/>'
            for i, points in enumerate(self.trace_points)
        )
        key = "".join(
            f'<span class="key"><span style="color:{TRACE_COLOURS[i % len(TRACE_COLOURS)]}">■</span> '
            f"{html.escape(printable(t.name))}</span> "
            for i, t in enumerate(self.traces)
        )
        shown = len(self.traces)
        note = (
            ""
            if shown == len(self.run.params)
            else (
                f'<p class="legend">{len(self.run.params)} parameters: '
                + (
                    "each neuron's weight size ‖w‖ is drawn."
                    if self.traces[0].name.startswith("‖w‖ of")
                    else "each layer's weight size is drawn (the rms of its neurons' ‖w‖)."
                    if self.traces[0].name.startswith("‖w‖ in")
                    else f"the first {shown} are drawn."
                )
                + "</p>"
            )
        )
        return (
            f'<div class="chart-box"><svg id="params-chart" class="chart" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" '
            f'role="img" aria-label="the parameters at each step" font-size="11" '
            f'font-family="DejaVu Sans, sans-serif" width="{CHART_WIDTH}" height="{CHART_HEIGHT}">'
            + self._frame("each parameter's value at each step", low, high, "step")
            + lines
            + f'</svg><p class="keys">{key}</p>{note}</div>'
        )


def _range(series: list[list[float]]) -> tuple[float, float]:
    """The low and high end of a chart's y axis: every value in it, and never an empty range."""
    values = [v for s in series for v in s if math.isfinite(v)]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high - low < 1e-12 * max(1.0, abs(high)):
        low, high = low - 0.5, high + 0.5
    return low, high


# ---------------------------------------------------------------------- the page

_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("training").textContent);
  var steps = data.steps, last = 3 * steps.length - 1;
  var slider = document.getElementById("slider"), counter = document.getElementById("counter");
  var prev = document.getElementById("prev"), next = document.getElementById("next");
  var header = document.getElementById("phase-header"), lines = document.getElementById("phase-lines");
  var lossLine = document.getElementById("loss-line");
  var lossDot = document.getElementById("loss-dot");
  var trainedBoxes = document.querySelectorAll("#viewport svg g.trained");
  var traceLines = document.querySelectorAll("#params-chart polyline.trace");
  var phases = document.querySelectorAll("#phases li");
  var marked = {};
  document.querySelectorAll("#viewport svg text[data-prefix]").forEach(function (t) {
    var kind = t.getAttribute("class");
    (marked[kind] = marked[kind] || []).push(t);
  });
  var current = 0;
  function fill(kind, k, text) {
    (marked[kind + k] || []).forEach(function (t) { t.textContent = t.getAttribute("data-prefix") + text; });
  }
  function show(i) {
    current = Math.max(0, Math.min(last, i));
    var s = Math.floor(current / 3), phase = current % 3, step = steps[s];
    data.shown.forEach(function (k, j) {
      fill("d", k, step.dataText[j]);
      fill("g", k, phase ? step.gradText[j] : "\\u2014");
    });
    document.querySelectorAll("#viewport svg text[data-prefix]").forEach(function (t) {
      if (t.getAttribute("class").charAt(0) === "g") t.setAttribute("fill", phase ? "#111827" : "#9ca3af");
    });
    lossLine.setAttribute("points", data.lossPoints.slice(0, s + 1).join(" "));
    var dot = data.lossPoints[s].split(",");
    lossDot.setAttribute("cx", dot[0]); lossDot.setAttribute("cy", dot[1]);
    lossDot.setAttribute("visibility", "visible");
    trainedBoxes.forEach(function (g) { g.classList.toggle("lit", phase === 2); });
    var count = s + 1 + (phase === 2 ? 1 : 0);
    traceLines.forEach(function (line, t) {
      line.setAttribute("points", data.tracePoints[t].slice(0, count).join(" "));
    });
    header.textContent = step.texts[phase][0];
    lines.textContent = step.texts[phase][1];
    phases.forEach(function (li, p) { li.classList.toggle("now", p === phase); });
    slider.value = String(current + 1);
    counter.textContent = "Step " + (s + 1) + " of " + steps.length + " \\u00b7 " + data.phases[phase];
    prev.disabled = current === 0;
    next.disabled = current === last;
  }
  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  slider.addEventListener("input", function () { show(Number(slider.value) - 1); });
  document.addEventListener("keydown", function (event) {
    if (event.target === slider) return;  // the slider moves itself with the arrow keys
    var moves = {ArrowRight: current + 1, ArrowLeft: current - 1, PageDown: current + 3, PageUp: current - 3,
                 Home: 0, End: last};
    if (event.key in moves) { show(moves[event.key]); event.preventDefault(); }
  });
  // The drawing fits the width it has, but never shrinks below 60 % of its size: then it scrolls.
  var viewport = document.getElementById("viewport"), svg = viewport.querySelector("svg");
  if (svg) {
    var box = svg.viewBox.baseVal, natural = {w: box.width, h: box.height};
    function fit() {  // Graphviz draws in points: 0.8 to 4/3 pixels a point keeps its text readable
      var scale = Math.max(0.8, Math.min(4 / 3, (viewport.clientWidth - 2) / natural.w));
      svg.setAttribute("width", String(natural.w * scale));
      svg.setAttribute("height", String(natural.h * scale));
    }
    window.addEventListener("resize", fit);
    fit();
    var hint = document.getElementById("scroll-hint");
    if (hint) hint.hidden = viewport.scrollWidth <= viewport.clientWidth + 1;
  }
  // The explanation is as tall as the tallest, so nothing below it jumps between steps.
  var probe = lines.cloneNode(false);
  probe.removeAttribute("id");
  probe.style.cssText = "position:absolute;visibility:hidden;width:" + lines.getBoundingClientRect().width + "px";
  lines.parentNode.appendChild(probe);
  var most = 0;
  steps.forEach(function (step) {
    step.texts.forEach(function (t) { probe.textContent = t[1]; most = Math.max(most, probe.offsetHeight); });
  });
  probe.remove();
  lines.style.minHeight = most + "px";
  show(0);
})();
"""

_STYLE = (
    PAGE_STYLE
    + """
body { max-width: 90em; }
h2 { font-size: 1.05em; margin: 0.8em 0 0.3em; }
#counter { text-align: center; font-variant-numeric: tabular-nums; }
#phases { list-style: none; display: flex; gap: 0.3em; padding: 0; margin: 0.3em 0; flex-wrap: wrap; }
#phases li { padding: 0.15em 0.6em; border-radius: 1em; background: #f3f4f6; color: #6b7280; }
#phases li.now { background: #dc2626; color: #fff; }
main { display: grid; grid-template-columns: minmax(0, 1fr); gap: 0 1.5em; }
@media (min-width: 900px) {
  main { grid-template-columns: minmax(0, 1.3fr) minmax(0, 1fr) minmax(0, 1fr); }
  #graph-pane { grid-column: 1 / -1; }
}
#viewport { overflow: auto; border: 1px solid #e5e7eb; border-radius: 6px; max-height: 70vh; background: #fff; }
#viewport svg { display: block; }
g.lit path, g.lit polygon { stroke: #dc2626; stroke-width: 2.5px; }
pre { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 0.85em; line-height: 1.45; margin: 0;
      background: #f9fafb; border-left: 3px solid #dc2626; padding: 0.6em 1em; white-space: pre-wrap;
      overflow-wrap: anywhere; }
svg.chart { width: 100%; max-width: 30em; height: auto; display: block; }
.keys { font-size: 0.85em; margin: 0.2em 0; } .key { white-space: nowrap; margin-right: 0.6em; }
"""
)


def player_page(run: TrainingRun, picture: TrainingPicture | None) -> str:
    """The training player as HTML text: the page's own script and data, and a strict Content-Security-Policy."""
    charts = Charts(run)
    shown = picture.shown if picture is not None else []
    steps = []
    for step in run.steps:
        texts = [run.explanation(3 * step.index + phase) for phase in range(3)]
        steps.append(
            {
                "loss": step.loss,
                "data": [step.data[k] for k in shown],
                "grads": [step.grads[k] for k in shown],
                "dataText": [_num(step.data[k]) for k in shown],
                "gradText": [_num(step.grads[k]) for k in shown],
                "before": list(step.before),
                "after": list(step.after),
                "texts": [list(t) for t in texts],
            }
        )
    data = {
        "phases": list(PHASES),
        "shown": shown,
        "nodes": [printable(run.names[run.order[k]]) for k in shown],
        "params": [printable(name) for name in run.param_names],
        "steps": steps,
        "lossPoints": charts.loss_points,
        "tracePoints": charts.trace_points,
    }
    # Data, not code: the browser never runs it, and "<" is escaped so it can't close its element.
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    blob = blob.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    script_hash = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
    policy = (
        f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{script_hash}'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    loss = html.escape(printable(run.names[run.graph]))
    count = 3 * len(run)
    if picture is None:
        drawing = (
            f"<p><i>No graph: its {len(run.order)} values are too many to draw even one box per neuron (or no "
            "Graphviz was found). Train on one sample per step (samples=...) to see it; the charts show the run."
            "</i></p>"
        )
    else:
        drawing = picture.svg
    summary = (
        '<p class="legend">A big graph: each neuron\'s weighted sum and parameters are one box.</p>'
        if picture is not None and picture.summarised
        else ""
    )
    title = f"Training: {loss} step by step"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{title}</h1>
<p class="intro">Each step is a forward pass (every node's data, {loss} at the end), a backward pass (every node's
gradient ∂{loss}/∂node) and an update of the parameters, w_new = w_old − η · ∂{loss}/∂w (or the optimiser's
own rule). Keys: ← → move one phase, Page Up / Page Down one step, Home / End jump.</p>
<nav>
<button id="prev" type="button" disabled>◀ Prev</button>
<span id="counter">Step 1 of {len(run)}</span>
<button id="next" type="button">Next ▶</button>
<input id="slider" type="range" min="1" max="{count}" value="1" step="1" aria-label="position">
</nav>
<ol id="phases"><li>1 forward pass</li><li>2 backward pass</li><li>3 update</li></ol>
<main>
<section id="graph-pane">
<div id="viewport">{drawing}</div>{summary}
<p id="scroll-hint" class="legend" hidden>The graph is wider than the screen: swipe or scroll it sideways.</p>
</section>
<section id="explanation">
<h2 id="phase-header"></h2>
<pre id="phase-lines"></pre>
</section>
<section id="loss-pane">
<h2>Loss</h2>
{charts.loss_svg()}
</section>
<section id="params-pane">
<h2>Parameters</h2>
{charts.params_svg()}
</section>
</main>
<script type="application/json" id="training">{blob}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""
