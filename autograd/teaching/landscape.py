"""Loss landscapes: the loss over two parameters as a contour map, with the paths SGD, momentum and Adam take on it.

Pick two parameters of your model (the worked example's w and b) and `loss_landscape` measures the loss
on a grid of their values, the other parameters held where they are. `LossLandscape.paths` then trains
those two parameters from the same start with each optimiser of `autograd.optim`: every point of a path
is a parameter value that optimiser's ``step()`` produced, so the picture shows the optimisers' own steps.
For a bigger model with no two parameters that stand for it, give no ``along``: the plane is then spanned
by two random directions, each neuron's part scaled to the size of that neuron's weights ("filter
normalisation", Li et al. 2018, *Visualizing the Loss Landscape of Neural Nets*), every parameter trains,
and a path is the training run seen from that plane (its projection).

>>> from autograd import Value
>>> w, x, b, y = Value(0.5, "w"), Value(1.5, "x"), Value(0.1, "b"), Value(0.8, "y")
>>> def loss():
...     return 0.5 * ((w * x + b).sigmoid() - y) ** 2
>>> land = loss_landscape(loss, along=(w, b), span=2.0, resolution=21)
>>> len(land.losses), len(land.losses[0])
(21, 21)
>>> paths = land.paths(lr=2.0, steps=30)
>>> [path.name for path in paths]
['SGD', 'momentum', 'Adam']
>>> paths[0].points[0] == (0.5, 0.1), paths[0].losses[-1] < paths[0].losses[0]
(True, True)
>>> (w.data, b.data)   # the parameters are put back where they were
(0.5, 0.1)

`LossLandscape.plot` draws the still picture, `LossLandscape.save_gif` the animation (for slides) and
`LossLandscape.widget` a learning-rate slider for the notebook: all three need matplotlib
(``pip install "scalar-autograd[notebooks]"``); the GIF needs Pillow as well.
"""

from __future__ import annotations

import io
import math
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._files import check_target
from .._random import Seed, random_generator
from ..doctor import TrainingWarning
from ..engine import Value, no_grad
from ..optim import SGD, Adam

__all__ = ["LossLandscape", "OptimiserPath", "filter_normalised_direction", "loss_landscape", "standard_optimisers"]

MOST_RESOLUTION = 301
PATH_COLOURS = {"SGD": "#dc2626", "momentum": "#2563eb", "Adam": "#16a34a"}
OTHER_COLOURS = ("#d97706", "#7c3aed", "#0891b2", "#db2777")

OptimiserMaker = Callable[[list[Value], float], Any]


def standard_optimisers() -> dict[str, OptimiserMaker]:
    """SGD, SGD with momentum 0.9 and Adam, each made for a list of parameters and a learning rate."""
    return {
        "SGD": lambda params, lr: SGD(params, lr=lr),
        "momentum": lambda params, lr: SGD(params, lr=lr, momentum=0.9),
        "Adam": lambda params, lr: Adam(params, lr=lr),
    }


@dataclass(frozen=True)
class OptimiserPath:
    """Where one optimiser went: the plane's coordinates and the loss before each step and after the last.

    ``values`` holds every trained parameter's value at each point; ``stopped`` says why a path ended early
    (the optimiser refused a step that would have made a parameter infinite: the learning rate is too large).
    """

    name: str
    lr: float
    points: tuple[tuple[float, float], ...]
    losses: tuple[float, ...]
    values: tuple[tuple[float, ...], ...]
    stopped: str = ""


def filter_normalised_direction(params: Sequence[Value], model: Any = None, *, seed: Seed = None) -> list[float]:
    """A random direction in parameter space, one number per parameter, scaled as Li et al. (2018) do.

    Each neuron's weights get a random direction as long as those weights (so a neuron with big weights
    is probed with a big step, a small one with a small step); biases get 0. Without a model (no neurons to
    go by) the whole direction is as long as the whole parameter vector.

    >>> from autograd.nn import Neuron
    >>> neuron = Neuron(2, seed=0)
    >>> d = filter_normalised_direction(neuron.parameters(), neuron, seed=1)
    >>> weights = [w.data for w in neuron.w]
    >>> round(math.hypot(*d[:2]) - math.hypot(*weights), 12), d[2]
    (0.0, 0.0)
    """
    rng = random_generator(seed)
    params = list(params)
    direction = [rng.gauss(0.0, 1.0) for _ in params]
    index = {param: i for i, param in enumerate(params)}
    neurons = model.named_neurons() if model is not None and hasattr(model, "named_neurons") else []
    if not neurons:
        _scale(direction, list(range(len(params))), params)
        return direction
    covered: set[int] = set()
    for _, neuron in neurons:
        weights = [index[w] for w in neuron.w if w in index]
        _scale(direction, weights, params)
        covered.update(weights)
    for i in range(len(params)):
        if i not in covered:  # biases, and anything outside a neuron, stay put (as in Li et al.'s code)
            direction[i] = 0.0
    return direction


def _scale(direction: list[float], members: list[int], params: Sequence[Value]) -> None:
    size = math.sqrt(sum(direction[i] ** 2 for i in members))
    target = math.sqrt(sum(params[i].data ** 2 for i in members))
    for i in members:
        direction[i] = direction[i] / size * target if size else 0.0


def loss_landscape(
    forward: Callable[[], Value],
    params: Sequence[Value] | None = None,
    *,
    along: tuple[Value, Value] | None = None,
    model: Any = None,
    span: float | tuple[float, float] = 1.0,
    centre: tuple[float, float] | None = None,
    resolution: int = 41,
    seed: Seed = 0,
) -> LossLandscape:
    """The loss on a grid around the parameters' current values, over two parameters or two directions.

    `forward()` builds the loss from the current parameters. With ``along=(p, q)`` the grid is p's and
    q's values within ``span`` of where they are, or of ``centre`` (a pair gives each its own span).
    Otherwise the grid is θ + α·d₁ + β·d₂ for two filter-normalised random directions
    (see `filter_normalised_direction`) and α, β within ``span``; `params` (or `model`'s parameters)
    are the parameters to move. Every parameter is put back afterwards.
    """
    if not callable(forward):
        raise TypeError(f"loss_landscape() needs a function that builds the loss, not {type(forward).__name__}")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or not 3 <= resolution <= MOST_RESOLUTION:
        raise ValueError(
            f"resolution is the number of grid points per side, from 3 to {MOST_RESOLUTION}, not {resolution!r}"
        )
    spans = span if isinstance(span, tuple) else (span, span)
    if len(spans) != 2 or any(
        isinstance(s, bool) or not isinstance(s, (int, float)) or not (0 < s < math.inf) for s in spans
    ):
        raise ValueError(f"span must be a positive number (or a pair of them), not {span!r}")
    if along is not None:
        if (
            not isinstance(along, (tuple, list))
            or len(along) != 2
            or not all(isinstance(p, Value) for p in along)
            or along[0] is along[1]
        ):
            raise TypeError(f"along must be two different parameters (Values), such as along=(w, b), not {along!r}")
        if along[0].parents or along[1].parents:
            raise ValueError("along must name parameters (leaves such as w and b), not values computed by an op")
        trained = list(along)
        directions = None
        names = (along[0].label or "first parameter", along[1].label or "second parameter")
    else:
        if params is None and model is not None:
            params = model.parameters()
        if params is None or not len(params):
            raise ValueError("give along=(p, q), two parameters, or the parameters (or model=) to pick directions in")
        trained = list(params)
        rng = random_generator(seed)  # one generator: the second direction differs from the first
        directions = (
            filter_normalised_direction(trained, model, seed=rng),
            filter_normalised_direction(trained, model, seed=rng),
        )
        names = ("α (direction 1)", "β (direction 2)")
    if centre is not None and (
        not isinstance(centre, (tuple, list))
        or len(centre) != 2
        or not all(isinstance(c, (int, float)) and math.isfinite(c) for c in centre)
    ):
        raise ValueError(f"centre must be two finite numbers, the middle of the picture, not {centre!r}")
    middle = (float(centre[0]), float(centre[1])) if centre is not None else None
    spans_ = (float(spans[0]), float(spans[1]))
    return LossLandscape(forward, trained, directions, names, spans_, resolution, middle)


class LossLandscape:
    """The loss measured on a grid, and what the optimisers do on it (see `loss_landscape`)."""

    def __init__(
        self,
        forward: Callable[[], Value],
        trained: list[Value],
        directions: tuple[list[float], list[float]] | None,
        names: tuple[str, str],
        spans: tuple[float, float],
        resolution: int,
        centre: tuple[float, float] | None = None,
    ) -> None:
        self.forward = forward
        self.trained = trained
        self.directions = directions
        self.names = names
        self.start = tuple(p.data for p in trained)
        if centre is None:
            centre = (self.start[0], self.start[1]) if directions is None else (0.0, 0.0)
        self.us = [centre[0] - spans[0] + 2 * spans[0] * i / (resolution - 1) for i in range(resolution)]
        self.vs = [centre[1] - spans[1] + 2 * spans[1] * j / (resolution - 1) for j in range(resolution)]
        self.losses: list[list[float]] = []  # losses[j][i]: the loss at (us[i], vs[j])
        try:
            for v in self.vs:
                self.losses.append([self._loss_at(u, v) for u in self.us])
        finally:
            self._restore()

    @property
    def start_point(self) -> tuple[float, float]:
        """Where every path starts, in the plane's coordinates."""
        return (self.start[0], self.start[1]) if self.directions is None else (0.0, 0.0)

    def _place(self, u: float, v: float) -> None:
        if self.directions is None:
            self.trained[0].data, self.trained[1].data = u, v
        else:
            d1, d2 = self.directions
            for param, start, a, b in zip(self.trained, self.start, d1, d2):
                param.data = start + u * a + v * b

    def _restore(self) -> None:
        for param, start in zip(self.trained, self.start):
            param.data = start

    def _loss_at(self, u: float, v: float) -> float:
        self._place(u, v)
        with no_grad():
            loss = self.forward()
        if not isinstance(loss, Value):
            raise TypeError(f"forward() must return the loss as a Value, but returned {type(loss).__name__}")
        return loss.data

    def point_of(self, values: Sequence[float]) -> tuple[float, float]:
        """The plane's coordinates of parameter values: the two parameters themselves, or θ − θ₀ projected
        onto the two directions (least squares)."""
        if self.directions is None:
            return (values[0], values[1])
        d1, d2 = self.directions
        shift = [value - start for value, start in zip(values, self.start)]
        a11 = sum(x * x for x in d1)
        a12 = sum(x * y for x, y in zip(d1, d2))
        a22 = sum(y * y for y in d2)
        b1 = sum(s * x for s, x in zip(shift, d1))
        b2 = sum(s * y for s, y in zip(shift, d2))
        det = a11 * a22 - a12 * a12
        if det == 0:
            return (0.0, 0.0)
        return ((b1 * a22 - b2 * a12) / det, (a11 * b2 - a12 * b1) / det)

    def path(self, name: str, make: OptimiserMaker, lr: float, steps: int) -> OptimiserPath:
        """Train from the start with the optimiser `make(params, lr)` makes, for `steps` steps, recording each
        point; the parameters are put back afterwards."""
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 100_000:
            raise ValueError(f"steps must be a whole number from 1 to 100000, not {steps!r}")
        optimizer = make(self.trained, lr)
        values = [self.start]
        losses: list[float] = []
        # A landscape runs learning rates that diverge on purpose: the doctor's training warnings would be noise.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TrainingWarning)
            stopped = self._walk(optimizer, steps, values, losses)
        return OptimiserPath(
            name, float(lr), tuple(self.point_of(v) for v in values), tuple(losses), tuple(values), stopped
        )

    def _walk(self, optimizer: Any, steps: int, values: list[tuple[float, ...]], losses: list[float]) -> str:
        """Train for `steps` steps, appending each point and loss; returns why it stopped early ("" if it did not)."""
        stopped = ""
        try:
            for step in range(steps):
                optimizer.zero_grad()
                try:
                    loss = self.forward()
                    losses.append(loss.data)
                    loss.backward()
                    optimizer.step()
                except (ValueError, ArithmeticError) as error:  # a loss that overflowed, a step to ∞ refused
                    stopped = f"stopped at step {step + 1}: {error}"
                    break
                values.append(tuple(p.data for p in self.trained))
            else:
                with no_grad():
                    losses.append(self.forward().data)
        finally:
            self._restore()
        return stopped

    def paths(
        self, lr: float = 0.1, steps: int = 50, optimisers: dict[str, OptimiserMaker] | None = None
    ) -> list[OptimiserPath]:
        """One path per optimiser (SGD, momentum, Adam unless told otherwise), all from the same start."""
        chosen = standard_optimisers() if optimisers is None else optimisers
        return [self.path(name, make, lr, steps) for name, make in chosen.items()]

    # ------------------------------------------------------------------ pictures

    def plot(
        self, paths: Sequence[OptimiserPath] = (), *, upto: int | None = None, ax: Any = None, title: str | None = None
    ) -> Any:
        """The contour map with the paths (each drawn up to point `upto`); returns the matplotlib Figure."""
        pyplot = _pyplot()
        if ax is None:
            figure, ax = pyplot.subplots(figsize=(6, 5))
        else:
            figure = ax.figure
        finite = [x for row in self.losses for x in row if math.isfinite(x)]
        low, high = min(finite), max(finite)
        filled = ax.contourf(self.us, self.vs, self.losses, levels=_levels(low, high), cmap="viridis", alpha=0.85)
        ax.contour(self.us, self.vs, self.losses, levels=_levels(low, high), colors="white", linewidths=0.4)
        figure.colorbar(filled, ax=ax, label="loss")
        start = self.start_point
        ax.plot(*start, marker="o", color="black", markersize=7, zorder=5, label="start")
        others = iter(OTHER_COLOURS)
        for path in paths:
            shown = path.points if upto is None else path.points[: upto + 1]
            colour = PATH_COLOURS.get(path.name) or next(others, "#111827")
            label = f"{path.name} (η = {path.lr:g})" + (" — stopped" if path.stopped else "")
            ax.plot(
                [p[0] for p in shown],
                [p[1] for p in shown],
                "-o",
                color=colour,
                markersize=2.5,
                linewidth=1.5,
                label=label,
                zorder=4,
            )
        ax.set_xlim(self.us[0], self.us[-1])
        ax.set_ylim(self.vs[0], self.vs[-1])
        ax.set_xlabel(self.names[0])
        ax.set_ylabel(self.names[1])
        ax.set_title(title or "the loss, and each optimiser's path from the same start")
        if paths:
            ax.legend(loc="best", fontsize=8, framealpha=0.85)
        return figure

    def frames(self, paths: Sequence[OptimiserPath], *, every: int = 1, dpi: int = 80) -> list[Any]:
        """The animation as Pillow images: the paths growing step by step (every `every` steps)."""
        images = _pillow()
        pyplot = _pyplot()
        longest = max((len(p.points) for p in paths), default=1)
        pictures = []
        for upto in [*range(0, longest - 1, max(1, every)), longest - 1]:
            figure = self.plot(paths, upto=upto, title=f"step {upto}")
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=dpi)
            pyplot.close(figure)
            buffer.seek(0)
            pictures.append(images.open(buffer).convert("RGB"))
        return pictures

    def save_gif(
        self,
        path: str | os.PathLike[str],
        paths: Sequence[OptimiserPath],
        *,
        every: int = 1,
        seconds_per_frame: float = 0.15,
        dpi: int = 80,
    ) -> Path:
        """Write the paths growing step by step as one looping GIF (for slides), whole or not at all."""
        if not isinstance(seconds_per_frame, (int, float)) or not 0.02 <= seconds_per_frame <= 10:
            raise ValueError(f"seconds_per_frame must be from 0.02 to 10, not {seconds_per_frame!r}")
        check_target(path)
        from ..practice.animate import write_gif

        return write_gif(self.frames(paths, every=every, dpi=dpi), path, seconds_per_frame)

    def widget(self, *, steps: int = 50, lr: float = 0.1, lr_range: tuple[float, float] = (1e-3, 10.0)) -> Any:
        """A learning-rate slider (log scale) over the picture: move it and see SGD, momentum and Adam again."""
        from ..practice.widgets import widgets_available

        if not widgets_available():
            raise ImportError('the slider needs ipywidgets: pip install "scalar-autograd[notebooks]"')
        import ipywidgets  # type: ignore[import-untyped]

        pyplot = _pyplot()
        low, high = (math.log10(x) for x in lr_range)
        slider = ipywidgets.FloatLogSlider(
            value=lr, base=10, min=low, max=high, step=0.1, description="η (lr)", readout_format=".3g"
        )
        output = ipywidgets.Output()

        def draw(lr: float) -> None:
            output.clear_output(wait=True)
            with output:
                figure = self.plot(self.paths(lr=lr, steps=steps))
                pyplot.show()
                pyplot.close(figure)

        slider.observe(lambda change: draw(change["new"]), names="value")
        draw(lr)
        return ipywidgets.VBox([slider, output])


def _levels(low: float, high: float, count: int = 20) -> list[float]:
    """Contour levels spaced evenly in log(loss − low) over three decades: the valley floor, where the paths end,
    gets as many lines as the steep walls."""
    if high <= low:
        return [low, low + 1.0]
    floor = (high - low) / 1000
    return [low, *(low + floor * 1000 ** (k / count) for k in range(count + 1))]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as pyplot
    except ImportError:
        raise ImportError(
            'loss landscapes are drawn with matplotlib: pip install "scalar-autograd[notebooks]" '
            "(or pip install matplotlib)"
        ) from None
    return pyplot


def _pillow() -> Any:
    try:
        from PIL import Image
    except ImportError:
        raise ImportError('GIFs need Pillow: pip install "scalar-autograd[render]" (or pip install Pillow)') from None
    return Image
