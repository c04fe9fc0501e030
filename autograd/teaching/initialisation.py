"""What the initial weights do: each layer's activations at several initial scales, before and after training.

A neuron's weighted sum z = b + Σ wᵢxᵢ adds up nin terms. With weights of spread σ and inputs of spread 1
its spread is about σ·√nin, so σ decides what every layer sees. Too small and each layer shrinks the
signal further: the last layers' activations are all near 0 and their gradients vanish. Too large and
tanh or σ(z) sit at ±1, where σ'(z) ≈ 0, *saturated*: the chain rule multiplies by nearly 0 and those
units stop learning; a ReLU whose z is negative for every input is *dead* (its gradient is exactly 0).
Xavier's scale σ = √(2 / (nin + nout)) (Glorot & Bengio, 2010) and He's σ = √(2 / nin) (He et al.,
2015, for ReLU, which zeroes half its inputs) keep the spread the same from layer to layer.

>>> from autograd.nn import MLP
>>> model = MLP(2, [8, 8, 1], seed=0)
>>> initialise(model, "xavier", seed=1)
>>> round(statistics.pstdev(w.data for w in model.layers[1].neurons[0].w), 2) > 0
True
>>> study = compare_initialisations(lambda: MLP(2, [8, 8, 1], seed=0), {"small": 0.05, "Xavier": "xavier"},
...                                 inputs=[[1.0, 0.5], [-0.5, 1.0], [0.2, -1.0]], steps=0)
>>> [round(spread, 3) for spread in study["small"].before.spreads()][:2]   # each layer shrinks the signal
[0.048, 0.008]
"""

from __future__ import annotations

import math
import statistics
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._random import Seed, random_generator
from ..doctor import TrainingWarning
from ..engine import Value, no_grad
from ..losses import mse_loss
from ..optim import SGD

__all__ = [
    "SATURATED",
    "Activations",
    "InitialisationRun",
    "InitialisationStudy",
    "compare_initialisations",
    "initialise",
    "layer_activations",
]

SATURATED = 0.97  # |tanh(z)| above this (or σ(z) within this of 0 or 1): σ'(z) is under 6 % of its peak
SCHEMES = ("xavier", "he")


def _scale_of(scheme: float | str, nin: int, nout: int) -> float:
    if scheme == "xavier":
        return math.sqrt(2.0 / (nin + nout))
    if scheme == "he":
        return math.sqrt(2.0 / nin)
    if isinstance(scheme, bool) or not isinstance(scheme, (int, float)) or not (0 <= scheme < math.inf):
        raise ValueError(
            f"an initial scale is a spread σ ≥ 0 for the weights (such as 0.1) or one of {', '.join(SCHEMES)}, "
            f"not {scheme!r}"
        )
    return float(scheme)


def initialise(model: Any, scheme: float | str, *, seed: Seed = None) -> None:
    """Draw every weight of `model` (an `autograd.nn.MLP`) afresh from N(0, σ²), and set every bias to 0.

    `scheme` is σ itself (a number), ``"xavier"`` (σ = √(2 / (nin + nout)) per layer) or ``"he"``
    (σ = √(2 / nin)).
    """
    layers = getattr(model, "layers", None)
    if not isinstance(layers, list) or not all(hasattr(layer, "neurons") for layer in layers):
        raise TypeError(f"initialise() sets the weights of an autograd.nn.MLP, not {type(model).__name__}")
    rng = random_generator(seed)
    for layer in layers:
        sigma = _scale_of(scheme, layer.nin, layer.nout)
        for neuron in layer.neurons:
            for weight in neuron.w:
                weight.data = rng.gauss(0.0, sigma)
            neuron.b.data = 0.0


@dataclass(frozen=True)
class Activations:
    """Every hidden and output unit's activation for every input: ``layers[l][n][s]`` is unit n of layer l on
    sample s. ``kinds`` is each layer's activation ("tanh", "relu", …)."""

    layers: tuple[tuple[tuple[float, ...], ...], ...]
    kinds: tuple[str, ...]

    def values(self, layer: int) -> list[float]:
        """All activations of a layer, every unit on every sample: what its histogram shows."""
        return [a for unit in self.layers[layer] for a in unit]

    def spreads(self) -> list[float]:
        """The standard deviation of each layer's activations."""
        return [statistics.pstdev(self.values(layer)) for layer in range(len(self.layers))]

    def saturated(self) -> list[float]:
        """Per layer, the share of (unit, sample) activations in a flat end of tanh or σ (0 for other kinds)."""
        shares = []
        for layer, kind in enumerate(self.kinds):
            values = self.values(layer)
            if kind == "tanh":
                shares.append(sum(abs(a) > SATURATED for a in values) / len(values))
            elif kind == "sigmoid":
                shares.append(sum(a < 1 - SATURATED or a > SATURATED for a in values) / len(values))
            else:
                shares.append(0.0)
        return shares

    def dead(self) -> list[float]:
        """Per layer, the share of ReLU units that output 0 for every sample: no gradient ever reaches their
        weights (0 for other kinds)."""
        return [
            sum(all(a == 0.0 for a in unit) for unit in units) / len(units) if kind == "relu" else 0.0
            for units, kind in zip(self.layers, self.kinds)
        ]


def layer_activations(model: Any, inputs: Sequence[Sequence[float]]) -> Activations:
    """Run `model` (an `autograd.nn.MLP`) on every input, recording each layer's outputs (no graph is kept)."""
    layers = getattr(model, "layers", None)
    if not isinstance(layers, list) or not layers:
        raise TypeError(f"layer_activations() reads the layers of an autograd.nn.MLP, not {type(model).__name__}")
    if not inputs:
        raise ValueError("layer_activations() needs at least one input")
    per_layer: list[list[list[float]]] = [[[] for _ in range(layer.nout)] for layer in layers]
    with no_grad():
        for x in inputs:
            signals: list[Value] | Any = list(x)
            for k, layer in enumerate(layers):
                signals = layer(signals)
                for unit, a in enumerate(signals):
                    per_layer[k][unit].append(a.data)
    return Activations(
        tuple(tuple(tuple(unit) for unit in units) for units in per_layer),
        tuple(layer.activation for layer in layers),
    )


@dataclass
class InitialisationRun:
    """One initial scale: the activations before and after training, and the loss at each step."""

    name: str
    scheme: float | str
    before: Activations
    after: Activations
    losses: list[float] = field(default_factory=list)
    stopped: str = ""  # why training ended early: a gradient or a weight that became infinite
    weight_grads: list[list[float]] = field(default_factory=list)  # per layer, |∂L/∂w| at the first step


class InitialisationStudy(dict[str, InitialisationRun]):
    """The runs by name (``study["Xavier"]``), a table of the numbers, and the histograms."""

    def __str__(self) -> str:
        """One line per layer and scale: before training → after, and the mean |∂L/∂w| of the first step."""
        lines = ["scale        layer  kind     spread            saturated    dead         mean |∂L/∂w| at step 1"]
        for run in self.values():
            grads = [statistics.fmean(g) if g else 0.0 for g in run.weight_grads] or [0.0] * len(run.before.kinds)
            spreads = zip(run.before.spreads(), run.after.spreads())
            saturated = zip(run.before.saturated(), run.after.saturated())
            dead = zip(run.before.dead(), run.after.dead())
            for layer, (kind, spread, sat, off) in enumerate(zip(run.before.kinds, spreads, saturated, dead)):
                lines.append(
                    f"{run.name[:12]:<12} {layer:>5}  {kind:<8} {_change(spread, '.2g'):<17} "
                    f"{_change(sat, '.0%'):<12} {_change(off, '.0%'):<12} {grads[layer]:.2e}"
                )
            if run.losses:
                lines.append(f"{'':<12} loss {run.losses[0]:.4g} → {run.losses[-1]:.4g} in {len(run.losses)} steps")
            if run.stopped:
                lines.append(f"{'':<12} {run.stopped}")
        return "\n".join(lines)

    def plot(self, *, bins: int = 30) -> Any:
        """One row per scale, one column per layer: the histogram of that layer's activations before training
        (grey) and after (colour). Returns the matplotlib Figure."""
        try:
            import matplotlib.pyplot as pyplot
        except ImportError:
            raise ImportError(
                'the histograms are drawn with matplotlib: pip install "scalar-autograd[notebooks]"'
            ) from None
        runs = list(self.values())
        columns = len(runs[0].before.layers)
        figure, axes = pyplot.subplots(
            len(runs), columns, figsize=(2.6 * columns, 1.9 * len(runs)), squeeze=False, sharey="row"
        )
        for row, run in enumerate(runs):
            for layer in range(columns):
                ax = axes[row][layer]
                kind = run.before.kinds[layer]
                edges = (-1.0, 1.0) if kind == "tanh" else (0.0, 1.0) if kind == "sigmoid" else None
                before, after = run.before.values(layer), run.after.values(layer)
                shared = _bin_edges(before + after, bins, edges)
                ax.hist(before, bins=shared, color="#9ca3af", alpha=0.8, label="before")
                if after != before:
                    ax.hist(after, bins=shared, histtype="step", color="#dc2626", linewidth=1.4, label="after")
                notes = []
                if run.before.saturated()[layer]:
                    notes.append(f"{run.before.saturated()[layer]:.0%} saturated")
                if run.before.dead()[layer]:
                    notes.append(f"{run.before.dead()[layer]:.0%} dead")
                ax.set_title(f"layer {layer} ({kind}) " + ", ".join(notes), fontsize=8)
                ax.tick_params(labelsize=7)
                if layer == 0:
                    ax.set_ylabel(run.name, fontsize=9)
        axes[0][-1].legend(fontsize=7)
        figure.suptitle("each layer's activations: before training (grey), after (red)", fontsize=10)
        figure.tight_layout()
        return figure


def _change(pair: tuple[float, float], spec: str) -> str:
    """A number before and after training: "0.38 → 0.41", or the number once when it did not change."""
    before, after = pair
    return format(before, spec) if format(before, spec) == format(after, spec) else f"{before:{spec}} → {after:{spec}}"


def _bin_edges(values: list[float], bins: int, edges: tuple[float, float] | None) -> list[float]:
    low, high = edges if edges is not None else (min(values), max(values))
    if high <= low:
        low, high = low - 0.5, high + 0.5
    return [low + (high - low) * k / bins for k in range(bins + 1)]


def compare_initialisations(
    make_model: Callable[[], Any],
    scales: Mapping[str, float | str],
    *,
    inputs: Sequence[Sequence[float]],
    targets: Sequence[float] | None = None,
    loss: Callable[[Any, Any], Value] = mse_loss,
    steps: int = 20,
    lr: float = 0.1,
    seed: Seed = 0,
) -> InitialisationStudy:
    """The same network at each initial scale: its activations, then `steps` steps of SGD on
    (`inputs`, `targets`) with `loss`, then its activations again.

    `make_model()` builds the network (one call per scale; `initialise` then sets its weights with `seed`).
    """
    if not isinstance(scales, Mapping) or not scales:
        raise ValueError('scales must be a dict of name → scale, such as {"σ = 0.1": 0.1, "Xavier": "xavier"}')
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a whole number ≥ 0, not {steps!r}")
    if steps and (targets is None or len(targets) != len(inputs)):
        raise ValueError("training needs one target per input: give targets=[...] (or steps=0)")
    study = InitialisationStudy()
    for name, scheme in scales.items():
        model = make_model()
        initialise(model, scheme, seed=seed)
        before = layer_activations(model, inputs)
        optimizer = SGD(model.parameters(), lr=lr)
        losses: list[float] = []
        weight_grads: list[list[float]] = []
        stopped = ""
        with warnings.catch_warnings():  # an exploding scale is the experiment: the table reports it, not a warning
            warnings.simplefilter("ignore", TrainingWarning)
            for step in range(steps):
                assert targets is not None
                optimizer.zero_grad()
                value = loss([model(x) for x in inputs], list(targets))
                losses.append(value.data)
                value.backward()
                if step == 0:
                    weight_grads = [
                        [abs(w.grad) for neuron in layer.neurons for w in neuron.w] for layer in model.layers
                    ]
                try:
                    optimizer.step()
                except ValueError as error:  # exploding activations: a gradient or a step became infinite
                    stopped = f"stopped at step {step + 1}: {error}"
                    break
        after = layer_activations(model, inputs) if steps else before
        study[name] = InitialisationRun(name, scheme, before, after, losses, stopped, weight_grads)
    return study
