"""A check-up of the learner's own network on a batch: the numbers that say why it does not train.

One call runs the model forward and backward on the batch (leaving every gradient as it was) and
measures, layer by layer, what Karpathy's "makemore part 3" measures by hand:

* the share of **dead ReLUs**: neurons whose weighted sum z is never > 0 on the batch, so they pass back
  no gradient and never learn;
* the share of **saturated tanh/σ** activations: in the flat tails (|tanh z| > 0.97, σ(z) outside
  [0.03, 0.97]) where the slope is under about 0.06;
* the **mean and spread** of the activations a and of their gradients ∂L/∂a;
* the **gradient norm** of the layer's parameters;
* the **update-to-data ratio** of the optimiser's next step: the spread of the changes w_new − w_old
  over the spread of the weights (about 1e-3 is Karpathy's rule of thumb for a big network; the small
  networks of the notebooks train well at 1e-2 to 1e-1; from 0.5 a step moves the weights by half
  their own spread or more, and below 1e-5 they barely move);

and, for the whole network, the **loss against its expected value at initialisation**: the loss of a
network that knows nothing yet (outputs 0: ln C for cross-entropy over C classes, ln 2 for binary
cross-entropy, the mean of y² for the squared error).

>>> from autograd.nn import MLP, mse_loss
>>> model = MLP(2, [4, 1], activation="relu", seed=0)
>>> report = checkup(model, [[1.0, 2.0], [-1.0, 0.5]], [1.0, -1.0], loss=mse_loss, quiet=True)
>>> report.layers[0].name, report.layers[0].neurons
('layers.0', 4)
>>> round(report.expected_loss, 6)        # mean of y² = (1 + 1) / 2: a network that outputs 0
1.0
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..drawing.layout import owner
from ..engine import Value, no_grad, topological_order, tracing
from ..losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    half_mse_loss,
    hinge_loss,
    mse_loss,
)
from . import watch

__all__ = ["Checkup", "Finding", "LayerHealth", "checkup"]

# Thresholds of the report, as Karpathy's lecture uses them or a little wider.
SATURATED_TANH = 0.97  # |tanh z| above this: the slope 1 − a² is under 0.06
SATURATED_SIGMOID = 0.03  # σ(z) below this or above 1 − this: the slope a(1 − a) is under 0.03
DEAD_SHARE = 0.3  # a layer with this share of dead ReLUs or more is reported
SATURATED_SHARE = 0.2  # a layer with this share of saturated activations or more is reported
HEALTHY_RATIO = 1e-3
TOO_LARGE_RATIO = 0.5  # each step moves the weights by half their own spread or more
TOO_SMALL_RATIO = 1e-5
CONFIDENTLY_WRONG = 3.0  # a first loss this many times the expected one


@dataclass
class LayerHealth:
    """The statistics of one layer of neurons on the batch; `Checkup.layers` holds one per layer."""

    name: str  # the layer's name in the model: "layers.0"
    activation: str  # "relu", "tanh", "sigmoid", "linear", …
    neurons: int
    activations: list[float]  # a of every neuron on every sample (z for a linear layer)
    gradients: list[float]  # ∂L/∂a of the same
    activation_mean: float
    activation_std: float
    gradient_mean: float
    gradient_std: float
    grad_norm: float  # √(Σ ∂L/∂p²) over the layer's weights and biases
    dead_share: float | None  # ReLU layers: the share of neurons never active on the batch
    saturated_share: float | None  # tanh/σ layers: the share of activations in the flat tails
    dead_neurons: list[str] = field(default_factory=list)  # never active (ReLU) or always flat (tanh/σ)
    update_ratio: float | None = None  # spread of the next step's changes / spread of the weights


@dataclass
class Finding:
    """One likely cause, in plain words, and what to try."""

    title: str
    detail: str
    fix: str

    def __str__(self) -> str:
        return f"✗ {self.title}\n    {self.detail}\n    Try: {self.fix}"


@dataclass
class Checkup:
    """What `checkup` found: the numbers, and the findings in order of importance. ``print(it)`` shows the report."""

    loss: float
    expected_loss: float | None
    expected_because: str
    grad_norm: float
    layers: list[LayerHealth]
    cut_off: list[str]  # names of parameters not in the graph of the loss
    findings: list[Finding]

    @property
    def healthy(self) -> bool:
        """True when nothing was found: a clean bill of health."""
        return not self.findings

    @property
    def marks(self) -> dict[str, str]:
        """The neurons to mark in a drawing, by name: ``{"layers.0.neurons.3": "dead"}``, for
        ``draw_dot(loss, model=model, collapse="neuron", mark_neurons=report.marks)``."""
        marks = {}
        for layer in self.layers:
            note = "dead" if layer.activation == "relu" else "saturated"
            marks.update(dict.fromkeys(layer.dead_neurons, note))
        return marks

    def plot(self) -> Any:
        """Histograms of each layer's activations and gradients (a matplotlib Figure)."""
        from .pictures import plot_checkup

        return plot_checkup(self)

    def __str__(self) -> str:
        return _report(self)

    def __repr__(self) -> str:
        verdict = "a clean bill of health" if self.healthy else f"{len(self.findings)} finding(s)"
        return f"<Checkup: loss {self.loss:.4g}, {len(self.layers)} layers, {verdict}; print() it for the report>"


def checkup(
    model: Any,
    inputs: Sequence[Any],
    targets: Sequence[Any],
    *,
    loss: Callable[[Any, Any], Value] = mse_loss,
    optimizer: Any = None,
    quiet: bool = False,
) -> Checkup:
    """Examine `model` on a batch (`inputs` with their `targets`, scored by `loss`) and print the report.

    Every parameter's ``grad`` is as it was afterwards: the check-up's own backward pass is undone, and
    it counts for none of the optimiser's warnings. With `optimizer` (an `autograd.optim` optimiser) the
    report includes the update-to-data ratio of its next step, computed by its own arithmetic
    (``optimizer.updates()``) without taking the step. ``quiet=True`` prints nothing.
    """
    if not hasattr(model, "parameters"):
        raise TypeError(
            f"checkup needs a model with parameters() (such as an autograd.nn.MLP), "
            f"but was given {type(model).__name__}"
        )
    if len(inputs) != len(targets) or not inputs:
        raise ValueError(
            f"checkup needs a batch: as many targets as inputs, at least one; got {len(inputs)} inputs "
            f"and {len(targets)} targets"
        )
    parameters = list(dict.fromkeys([*model.parameters(), *(optimizer.params if optimizer is not None else ())]))
    saved = [parameter.grad for parameter in parameters]
    try:
        for parameter in parameters:
            parameter.grad = 0.0
        predictions = [model(x) for x in inputs]
        loss_value = loss(predictions, list(targets))
        with watch.unwatched():  # the check-up's backward pass is not the learner's
            loss_value.backward()
        report = _measure(model, predictions, list(targets), loss, loss_value, optimizer)
    finally:
        for parameter, grad in zip(parameters, saved):
            parameter.grad = grad
    if optimizer is not None and getattr(getattr(optimizer, "watch", None), "backward_calls", 0) > 1:
        calls = optimizer.watch.backward_calls
        report.findings.insert(
            0,
            Finding(
                "Gradients summed over several backward() calls",
                f"the gradients the optimiser will use hold {calls} backward() calls: nothing set them to 0 "
                "in between, so each step repeats the steps before it and soon overshoots.",
                "optimizer.zero_grad() before each loss.backward().",
            ),
        )
    if not quiet:
        print(report)
    return report


def _measure(
    model: Any,
    predictions: list[Any],
    targets: list[Any],
    loss: Callable[[Any, Any], Value],
    loss_value: Value,
    optimizer: Any,
) -> Checkup:
    with tracing():  # reading numbers is the doctor's business, even inside a traced function
        order = topological_order(loss_value)
        users = users_of(order)
        changes = _next_changes(optimizer)
        layers = [_layer_health(name, neurons, users, changes) for name, neurons in _layers_of(model).items()]
        in_graph = set(order)
        named = model.named_parameters() if hasattr(model, "named_parameters") else []
        cut_off = [name for name, parameter in named if parameter not in in_graph]
        grad_norm = math.sqrt(sum(parameter.grad * parameter.grad for parameter in model.parameters()))
        expected, because = _expected_loss(loss, predictions, targets)
        report = Checkup(loss_value.data, expected, because, grad_norm, layers, cut_off, [])
        report.findings = _findings(report, loss_value)
    return report


def users_of(order: Sequence[Value]) -> dict[Value, list[Value]]:
    """Each node's users (the nodes computed from it), as `autograd.nn.Neuron.passes_in` needs them."""
    users: dict[Value, list[Value]] = {}
    for node in order:
        for parent in node.parents:
            users.setdefault(parent, []).append(node)
    return users


def _layers_of(model: Any) -> dict[str, list[tuple[str, Any]]]:
    """The model's neurons, grouped by the layer that holds them (``layers.0.neurons.3`` → ``layers.0``)."""
    layers: dict[str, list[tuple[str, Any]]] = {}
    named_neurons = getattr(model, "named_neurons", None)
    for name, neuron in named_neurons() if callable(named_neurons) else ():
        layers.setdefault(owner(name) or name, []).append((name, neuron))
    return layers


def _next_changes(optimizer: Any) -> dict[Value, float]:
    """w_new − w_old of every parameter at the optimiser's next step, by its own arithmetic; {} without one."""
    updates = getattr(optimizer, "updates", None)
    if not callable(updates):
        return {}
    try:
        return {update.param: update.new - update.old for update in updates()}
    except ValueError:  # a gradient that is not finite: the step would be refused, and the report says why
        return {}


def _layer_health(
    name: str, neurons: list[tuple[str, Any]], users: dict[Value, list[Value]], changes: dict[Value, float]
) -> LayerHealth:
    activation = neurons[0][1].activation
    outputs: list[float] = []
    gradients: list[float] = []
    dead: list[str] = []
    flat_count = 0
    for neuron_name, neuron in neurons:
        passes = neuron.passes_in(users)
        sums = [found.sums[-1] for found in passes]
        outs = [found.activation if found.activation is not None else found.sums[-1] for found in passes]
        outputs += [out.data for out in outs]
        gradients += [out.grad for out in outs]
        flat = [_is_flat(activation, out.data) for out in outs]
        flat_count += sum(flat)
        if (activation == "relu" and passes and all(z.data <= 0.0 for z in sums)) or (passes and flat and all(flat)):
            dead.append(neuron_name)
    parameters = [p for _, neuron in neurons for p in neuron.parameters()]
    weights = [w for _, neuron in neurons for w in neuron.w]
    steps = [changes[w] for w in weights if w in changes]
    weight_spread = _std([w.data for w in weights])
    return LayerHealth(
        name=name,
        activation=activation,
        neurons=len(neurons),
        activations=outputs,
        gradients=gradients,
        activation_mean=_mean(outputs),
        activation_std=_std(outputs),
        gradient_mean=_mean(gradients),
        gradient_std=_std(gradients),
        grad_norm=math.sqrt(sum(p.grad * p.grad for p in parameters)),
        dead_share=len(dead) / len(neurons) if activation == "relu" and outputs else None,
        saturated_share=flat_count / len(outputs) if activation in ("tanh", "sigmoid") and outputs else None,
        dead_neurons=dead,
        update_ratio=_std(steps) / weight_spread if steps and weight_spread > 0 else None,
    )


def _is_flat(activation: str, a: float) -> bool:
    if activation == "tanh":
        return abs(a) > SATURATED_TANH
    if activation == "sigmoid":
        return a < SATURATED_SIGMOID or a > 1.0 - SATURATED_SIGMOID
    return False


def _mean(numbers: Sequence[float]) -> float:
    return sum(numbers) / len(numbers) if numbers else math.nan


def _std(numbers: Sequence[float]) -> float:
    """The spread √(mean of (x − mean)²), as NumPy's ``std`` computes it."""
    if not numbers:
        return math.nan
    mean = _mean(numbers)
    return math.sqrt(sum((x - mean) * (x - mean) for x in numbers) / len(numbers))  # x * x: ∞, not OverflowError


# ---------------------------------------------------------------------- the loss of a network that knows nothing

_UNINFORMED: dict[Callable[..., Value], tuple[float, str]] = {
    cross_entropy: (0.0, "logits all 0, every one of the C classes equally likely: ln C"),
    binary_cross_entropy_with_logits: (0.0, "a logit of 0, a 50/50 guess: ln 2"),
    binary_cross_entropy: (0.5, "a probability of 0.5, a 50/50 guess: ln 2"),
    mse_loss: (0.0, "outputs of 0: the mean of y²"),
    half_mse_loss: (0.0, "outputs of 0: half the mean of y²"),
    hinge_loss: (0.0, "scores of 0: max(0, 1 − y·0) = 1"),
}


def _expected_loss(
    loss: Callable[[Any, Any], Value], predictions: list[Any], targets: list[Any]
) -> tuple[float | None, str]:
    """The loss of a network that knows nothing yet, and why that is its value."""
    guess, because = _UNINFORMED.get(loss, (0.0, "outputs of 0 for every sample"))

    def uninformed(prediction: Any) -> Any:
        if isinstance(prediction, (list, tuple)):
            return [uninformed(p) for p in prediction]
        return guess

    try:
        with no_grad():
            return loss([uninformed(p) for p in predictions], targets).data, because
    except (ValueError, TypeError, ArithmeticError):  # a loss of the learner's own that refuses plain numbers
        return None, "unknown for this loss function"


# ---------------------------------------------------------------------- the findings and the report


def _names(layers: list[LayerHealth]) -> str:
    names = [layer.name for layer in layers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _percent(share: float) -> str:
    return f"{100 * share:.0f} %"


def _findings(report: Checkup, loss_value: Value) -> list[Finding]:
    findings = []
    if not math.isfinite(report.loss):
        findings.append(
            Finding(
                f"The loss is {report.loss!r}",
                watch.describe_first_not_finite(loss_value) + ".",
                "a smaller learning rate; inputs scaled to about −1…1; no NaN in the data.",
            )
        )
    if report.cut_off:
        findings.append(
            Finding(
                "Parameters cut off from the graph",
                f"{', '.join(report.cut_off[:4])}{' and more' if len(report.cut_off) > 4 else ''} "
                "are not in the graph of the loss, so they receive no gradient and never learn.",
                "look for .data in the forward pass (w.data * x is a plain number: use w * x), "
                "or a layer that is never called.",
            )
        )
    dead = [layer for layer in report.layers if layer.dead_share is not None and layer.dead_share >= DEAD_SHARE]
    if dead:
        counts = "; ".join(
            f"{layer.name}: {len(layer.dead_neurons)} of {layer.neurons} ({_percent(layer.dead_share or 0)})"
            for layer in dead
        )
        findings.append(
            Finding(
                f"Dead ReLUs in {_names(dead)}",
                f"neurons that never fire on this batch ({counts}): their weighted sum z is ≤ 0 for every "
                "sample, so their slope is 0, they pass back no gradient, and they never learn their way out.",
                "biases at 0 (or slightly positive), He initialisation (nn.Neuron's default: weights of "
                "variance 2/n_in), a smaller learning rate, or activation='leaky_relu'.",
            )
        )
    flat = [
        layer
        for layer in report.layers
        if layer.saturated_share is not None and layer.saturated_share >= SATURATED_SHARE
    ]
    if flat:
        shares = "; ".join(f"{layer.name}: {_percent(layer.saturated_share or 0)}" for layer in flat)
        kinds = " and ".join(dict.fromkeys(layer.activation for layer in flat))
        findings.append(
            Finding(
                f"Saturated {kinds} in {_names(flat)}",
                f"activations in the flat tails ({shares}; |a| > {SATURATED_TANH} for tanh), where the slope is "
                "nearly 0: the gradient hardly passes, and the layers before them barely learn.",
                "smaller initial weights: variance 1/n_in (Xavier; nn.Neuron's default) rather than "
                "weights of order 1; inputs scaled to about −1…1.",
            )
        )
    ratios = [(layer.name, layer.update_ratio) for layer in report.layers if layer.update_ratio is not None]
    too_large = [(name, r) for name, r in ratios if r > TOO_LARGE_RATIO]
    too_small = [(name, r) for name, r in ratios if 0 < r < TOO_SMALL_RATIO]  # 0: no gradient, not a small lr
    if too_large:
        name, ratio = max(too_large, key=lambda pair: pair[1])
        findings.append(
            Finding(
                "Learning rate too large",
                f"the next step changes the weights of {name} by {ratio:.2g} times their spread: each step "
                "throws them about rather than nudging them (about 1e-3 is the rule of thumb for a big network; "
                "a small one trains well up to about 1e-1).",
                f"a learning rate about {max(3, round(ratio / 0.05))} times smaller.",
            )
        )
    elif too_small and report.grad_norm > 0:
        name, ratio = min(too_small, key=lambda pair: pair[1])
        findings.append(
            Finding(
                "Learning rate too small",
                f"the next step changes the weights of {name} by only {ratio:.2g} of their spread "
                f"(about {HEALTHY_RATIO:g} is the rule of thumb): training will crawl.",
                "a larger learning rate.",
            )
        )
    expected = report.expected_loss
    if expected is not None and expected > 0 and report.loss > CONFIDENTLY_WRONG * expected:
        findings.append(
            Finding(
                "Confidently wrong at the start",
                f"the loss is {report.loss:.4g}, {report.loss / expected:.1f} times the {expected:.4g} of a network "
                f"that knows nothing yet ({report.expected_because}): it starts out sure of wrong answers, and "
                "the first steps are spent undoing large random outputs.",
                "smaller weights in the last layer (e.g. × 0.1) so that the first predictions are near 0.",
            )
        )
    if math.isfinite(report.loss) and report.grad_norm == 0.0 and report.loss > 0:
        findings.append(
            Finding(
                "No gradient reaches any parameter",
                "every parameter's gradient is 0 though the loss is not: nothing can learn.",
                "look for dead ReLUs or saturated units above, or a loss computed from plain numbers (.data).",
            )
        )
    return findings


def _report(report: Checkup) -> str:
    lines = ["Check-up of the network on this batch", ""]
    expected = (
        f"; a network that knows nothing yet scores {report.expected_loss:.4g} ({report.expected_because})"
        if report.expected_loss is not None
        else ""
    )
    lines.append(f"loss {report.loss:.4g}{expected}")
    lines.append(f"gradient norm of all parameters {report.grad_norm:.3g}")
    if report.layers:
        lines += [
            "",
            f"{'layer':<10} {'act.':<8} {'a mean':>8} {'a std':>8} {'∂L/∂a std':>10} "
            f"{'|∇p|':>8} {'dead':>6} {'flat':>6} {'update/data':>12}",
        ]
        for layer in report.layers:
            dead = _percent(layer.dead_share) if layer.dead_share is not None else "–"
            flat = _percent(layer.saturated_share) if layer.saturated_share is not None else "–"
            ratio = f"{layer.update_ratio:.2g}" if layer.update_ratio is not None else "–"
            if layer.activations:
                spreads = f"{layer.activation_mean:>8.3f} {layer.activation_std:>8.3f} {layer.gradient_std:>10.3g}"
            else:  # not in the graph: nothing to measure
                spreads = f"{'–':>8} {'–':>8} {'–':>10}"
            lines.append(
                f"{layer.name:<10} {layer.activation:<8} {spreads} "
                f"{layer.grad_norm:>8.3g} {dead:>6} {flat:>6} {ratio:>12}"
            )
        lines.append(
            "(dead: ReLUs never active on the batch; flat: tanh/σ activations in the flat tails; "
            f"update/data: about {HEALTHY_RATIO:g} in a big network, up to 1e-1 in a small one)"
        )
    lines.append("")
    if report.healthy:
        lines.append("✓ A clean bill of health: nothing here stops this network from training.")
    else:
        lines.append("Likely causes, most important first:")
        lines += [str(finding) for finding in report.findings]
    return "\n".join(lines)
