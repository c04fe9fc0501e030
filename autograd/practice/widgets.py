"""Notebook widgets: a stepper over a walkthrough, and a nudge widget for the numerical check.

* `Stepper(wt)`: Prev / Next and a slider over the steps; the frame and the explanation change in place.
* `Nudge(loss)`: a slider per input moves it by h and shows the change in L next to ∂L/∂input · h,
  the check a lecture does by hand: for a small h the two agree, and the gap shrinks like h².

Both need ipywidgets (``pip install "scalar-autograd[notebooks]"``) and a running kernel. Where widgets
cannot run (GitHub's notebook viewer, a notebook opened without its kernel, no ipywidgets) they show a
static view and a one-line hint instead: the current step, or the nudge table at h = 0.01.

>>> from autograd import Value
>>> w, x = Value(0.5, "w"), Value(1.5, "x")
>>> loss = (w * x).tanh(); loss.label = "L"
>>> nudge = Nudge(loss)
>>> nudge.set("w", 0.01)
>>> reading = nudge.readings()["w"]
>>> round(reading.predicted, 6), round(reading.actual, 6)      # ∂L/∂w · h and L(w + h) − L(w)
(0.008949, 0.008864)
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .. import draw_dot, render_svg, walkthrough
from .._installation import install_command
from ..engine import Constant, Value, topological_order
from .quiz import format_number

__all__ = ["Nudge", "Reading", "Stepper", "widgets_available"]

NO_WIDGETS = (
    "This is a static view: the controls need a running Jupyter kernel with ipywidgets "
    f"({install_command('notebooks')})."
)


def widgets_available() -> bool:
    """True when ipywidgets can be imported."""
    try:
        import ipywidgets  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return False
    return True


def _hint_html() -> str:
    return f'<p style="color:#6b7280;font-style:italic">{html.escape(NO_WIDGETS)}</p>'


class _Widget:
    """Shows the ipywidgets view where widgets run and the static HTML view everywhere else."""

    widget: Any = None

    def static_html(self) -> str:
        raise NotImplementedError

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, Any]:
        bundle: dict[str, Any] = {}
        if self.widget is not None:
            bundle.update(self.widget._repr_mimebundle_(include=include, exclude=exclude, **kwargs) or {})
        bundle["text/html"] = self.static_html() + _hint_html()  # what a viewer without widgets shows
        bundle.setdefault("text/plain", repr(self))
        return bundle


# ---------------------------------------------------------------------- the stepper


class Stepper(_Widget):
    """Prev / Next and a slider over the steps of a walkthrough; the frame and the explanation update in place.

    Move it from code as a learner would: ``stepper.next_button.click()``, ``stepper.slider.value = 3``
    (steps count from 1, as the text does). ``explanation`` and ``frame`` are what it shows.
    """

    def __init__(self, wt: Any, **draw_options: Any) -> None:
        if isinstance(wt, Value):
            wt = walkthrough(wt)
        if not len(wt):
            raise ValueError(f"{wt.names[wt.root]} is a leaf: backward() has no step to show")
        self.walkthrough = wt
        self.draw_options = {"names": wt.names, **draw_options}
        self.position = 0
        self.widget = None
        if widgets_available():
            import ipywidgets

            self.prev_button = ipywidgets.Button(description="◀ Prev")
            self.next_button = ipywidgets.Button(description="Next ▶")
            self.slider = ipywidgets.IntSlider(value=1, min=1, max=len(wt), description="step")
            self.frame_view = ipywidgets.HTML()
            self.explanation_view = ipywidgets.HTML()
            self.prev_button.on_click(lambda _: self.go(self.position - 1))
            self.next_button.on_click(lambda _: self.go(self.position + 1))
            self.slider.observe(lambda change: self.go(change["new"] - 1), names="value")
            controls = ipywidgets.HBox([self.prev_button, self.slider, self.next_button])
            self.widget = ipywidgets.VBox([controls, self.frame_view, self.explanation_view])
        self.go(0)

    def go(self, index: int) -> None:
        """Show step `index` (from 0), clamped to the steps there are."""
        self.position = max(0, min(len(self.walkthrough) - 1, index))
        if self.widget is not None:
            self.slider.value = self.position + 1  # observing itself: go() again with the same index, a no-op
            self.prev_button.disabled = self.position == 0
            self.next_button.disabled = self.position == len(self.walkthrough) - 1
            self.frame_view.value = self.frame_html()
            self.explanation_view.value = f"<pre>{html.escape(self.explanation)}</pre>"

    @property
    def step(self) -> Any:
        return self.walkthrough[self.position]

    @property
    def explanation(self) -> str:
        """The current step, written out."""
        return str(self.step)

    def known_gradients(self) -> dict[Value, float]:
        """The gradients known once the current step is done."""
        wt = self.walkthrough
        known = {wt.root: 1.0}
        for step in list(wt)[: self.position + 1]:
            for c in step.contributions:
                known[c.parent] = c.grad_after
        return known

    def frame_html(self) -> str:
        """The current frame as inline SVG (or one line saying why there is no picture)."""
        options = {**self.draw_options, "highlight": self.step.node, "grads": self.known_gradients()}
        try:
            svg = render_svg(draw_dot(self.walkthrough.root, **options))
        except RuntimeError as error:  # no renderer, or it failed (RendererNotFoundError, RenderError)
            return f"<p><i>No picture: {html.escape(str(error).splitlines()[0])}</i></p>"
        return svg[svg.find("<svg") :]

    def static_html(self) -> str:
        return f"<div>{self.frame_html()}<pre>{html.escape(self.explanation)}</pre></div>"

    def __repr__(self) -> str:
        return f"<Stepper at step {self.position + 1} of {len(self.walkthrough)}>"


# ---------------------------------------------------------------------- the nudge widget


@dataclass(frozen=True)
class Reading:
    """One input moved by h alone: the change in L the gradient predicts, and the change that happens."""

    name: str
    h: float
    gradient: float  # ∂L/∂input
    predicted: float  # ∂L/∂input · h
    actual: float  # L(input + h) − L(input)

    def text(self, loss: str = "L") -> str:
        n = format_number
        return (
            f"{self.name}: h = {self.h:g}   ∂{loss}/∂{self.name} · h = {n(self.gradient)} · {self.h:g} = "
            f"{n(self.predicted, 6)}   Δ{loss} = {n(self.actual, 6)}"
        )


def _evaluate(order: Sequence[Value], moved: dict[Value, float]) -> float:
    """The root's number with some leaves moved, recomputed with each node's op from the engine's table."""
    numbers: dict[Value, float] = {}
    for node in order:
        if not node.parents:
            numbers[node] = node.data + moved.get(node, 0.0)
            continue
        forward = node.operation.forward if node.operation is not None else None
        if forward is None:
            raise ValueError(f"the node {node!r} was not made by an op of the table: Nudge cannot recompute it")
        try:
            numbers[node] = float(forward(*(numbers[parent] for parent in node.parents)))
        except (ValueError, ZeroDivisionError, OverflowError):
            return math.nan  # outside the op's domain: no change to show
    return numbers[order[-1]]


def _forward_reading_order(root: Value) -> list[Value]:
    """Every node once, each after its operands, the left operand first: leaves in the order the formula reads."""
    seen: set[Value] = set()
    order: list[Value] = []
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((parent, False) for parent in reversed(node.parents))  # the left operand first
    return order


class Nudge(_Widget):
    """A slider per input: move it by h, see ΔL next to ∂L/∂input · h. The graph itself is never changed.

    `inputs` are the leaves to offer (default: every leaf that is not a constant, as the formula reads); `h_max`
    is the slider's range, ± h_max.
    """

    def __init__(self, root: Value, inputs: Sequence[Value] | None = None, *, h_max: float = 0.1) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"Nudge() takes the Value to nudge (the loss), not {type(root).__name__}")
        if not (isinstance(h_max, (int, float)) and 0 < h_max <= 10):
            raise ValueError(f"h_max must be a number from 0 to 10, not {h_max!r}")
        wt = walkthrough(root)
        self.root = root
        self.loss_name = wt.names[root]
        self.order = topological_order(root)
        leaves = [n for n in _forward_reading_order(root) if not n.parents and not isinstance(n, Constant)]
        chosen = list(inputs) if inputs is not None else leaves
        for node in chosen:
            if node not in leaves:
                raise ValueError(f"{node!r} is not an input (a leaf) of this graph")
        self.inputs = {wt.names[node]: node for node in chosen}
        self.gradients = {name: wt.gradients[node] for name, node in self.inputs.items()}
        self.h = dict.fromkeys(self.inputs, 0.0)
        self.widget = None
        if widgets_available():
            import ipywidgets

            self.sliders = {
                name: ipywidgets.FloatSlider(
                    value=0.0, min=-h_max, max=h_max, step=h_max / 100, description=f"h on {name}", readout_format=".3f"
                )
                for name in self.inputs
            }
            for name, slider in self.sliders.items():
                slider.observe(lambda change, name=name: self.set(name, change["new"]), names="value")
            self.table = ipywidgets.HTML(self.table_html())
            self.widget = ipywidgets.VBox([*self.sliders.values(), self.table])

    def set(self, name: str, h: float) -> None:
        """Move input `name` by h (what its slider does)."""
        if name not in self.inputs:
            raise KeyError(f"no input is named {name!r}; the inputs are: {', '.join(self.inputs)}")
        self.h[name] = float(h)
        if self.widget is not None:
            if self.sliders[name].value != h:
                self.sliders[name].value = h
            self.table.value = self.table_html()

    def readings(self, h: dict[str, float] | None = None) -> dict[str, Reading]:
        """For each input, moved alone by its h: ∂L/∂input · h and L(input + h) − L(input)."""
        steps = self.h if h is None else h
        base = _evaluate(self.order, {})
        return {
            name: Reading(
                name,
                steps[name],
                self.gradients[name],
                self.gradients[name] * steps[name],
                _evaluate(self.order, {node: steps[name]}) - base,
            )
            for name, node in self.inputs.items()
        }

    def together(self, h: dict[str, float] | None = None) -> tuple[float, float]:
        """All inputs moved at once: (Σ ∂L/∂input · h, the actual change in L)."""
        steps = self.h if h is None else h
        predicted = sum(self.gradients[name] * steps[name] for name in self.inputs)
        moved = {node: steps[name] for name, node in self.inputs.items()}
        return predicted, _evaluate(self.order, moved) - _evaluate(self.order, {})

    def table_html(self, h: dict[str, float] | None = None) -> str:
        """The readings as an HTML table, and the row for every input moved at once."""
        loss = html.escape(self.loss_name)
        n = format_number
        rows = "".join(
            f"<tr><td>{html.escape(r.name)}</td><td>{r.h:g}</td><td>{n(r.gradient)}</td>"
            f"<td>{n(r.predicted, 6)}</td><td>{n(r.actual, 6)}</td></tr>"
            for r in self.readings(h).values()
        )
        predicted, actual = self.together(h)
        return (
            f"<table><tr><th>input</th><th>h</th><th>∂{loss}/∂input</th><th>∂{loss}/∂input · h</th>"
            f"<th>Δ{loss} = {loss}(input + h) − {loss}</th></tr>{rows}"
            f"<tr><td><b>all at once</b></td><td></td><td></td><td>{n(predicted, 6)}</td><td>{n(actual, 6)}</td></tr>"
            "</table>"
        )

    def static_html(self) -> str:
        """The table with every input moved by h = 0.01, as the lecture's check does."""
        return self.table_html(dict.fromkeys(self.inputs, 0.01))

    def __repr__(self) -> str:
        return f"<Nudge of {self.loss_name} over {', '.join(self.inputs)}>"
