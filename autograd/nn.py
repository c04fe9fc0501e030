"""Neural networks made of Values: `Parameter`, `Module`, `Neuron`, `Layer`, `MLP`, and saving their weights.

A neuron is the worked example's z = wx + b followed by an activation a = σ(z),
with one weight per input: z = b + w₀x₀ + w₁x₁ + … A layer is several neurons
reading the same inputs; an MLP is layers in a row. Every weight and bias is a
`Parameter`: a leaf Value that an optimiser trains.

>>> model = MLP(2, [3, 1], seed=0)
>>> output = model([1.0, -2.0])            # forward pass: one Value
>>> output.backward()                      # ∂output/∂w for every weight
>>> len(model.parameters())                # (2 + 1)·3 + (3 + 1)·1
13
>>> model.named_parameters()[0][0]
'layers.0.neurons.0.w.0'

Parameter names are dotted paths through the attributes that hold them
(``layers.0.neurons.3.w.1`` is weight 1 of neuron 3 of layer 0); the graph
labels are short (``w1``, ``b``) so a drawn graph stays readable. The losses
of `autograd.losses` are re-exported here, as in ``torch.nn``.
"""

from __future__ import annotations

import json
import math
import os
import reprlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import Any, Generic, TypeVar

from ._files import write_text_atomically
from ._random import Seed, random_generator
from .engine import OPS, Value
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    half_mse_loss,
    hinge_loss,
    mse_loss,
)

__all__ = [
    "MLP",
    "Layer",
    "Module",
    "Neuron",
    "NeuronPass",
    "Parameter",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "half_mse_loss",
    "hinge_loss",
    "load",
    "mse_loss",
    "save",
]

Output = TypeVar("Output", covariant=True)
AnyModule = TypeVar("AnyModule", bound="Module[Any]")


class Parameter(Value):
    """A trainable leaf Value: a weight or a bias (like ``torch.nn.Parameter``).

    >>> w = Parameter(0.5, "w")
    >>> isinstance(w, Value), w.op
    (True, '')

    Unlike a plain Value it takes new attributes, for an optimiser of your own:

    >>> w.velocity = 0.0
    """


def activations() -> dict[str, Callable[[Value], Value]]:
    """The activations a neuron can use: every op of the engine's table marked as one, and "linear".

    >>> sorted(activations())
    ['leaky_relu', 'linear', 'relu', 'sigmoid', 'softplus', 'tanh']
    """
    # Looked up in the op table, never as a Value attribute: an op named "backward" must not call Value.backward.
    # leaky_relu's second input, its slope, takes its default, 0.01.
    usable = [op for op in OPS.values() if op.activation and (op.arity == 1 or op is OPS["leaky_relu"])]
    chosen: dict[str, Callable[[Value], Value]] = {op.name: op if op.arity == 1 else Value.leaky_relu for op in usable}
    return {**chosen, "linear": _linear}


def _linear(z: Value) -> Value:
    return z  # the weighted sum as it is


class Module(Generic[Output]):
    """Base class of everything with parameters: finds them, zeroes their gradients, saves them.

    A subclass defines ``forward(x)`` and keeps its parameters in attributes:
    a `Parameter`, a `Module`, or a list of those. They are found in the order
    the attributes were set, and named by their attribute path.

    >>> class Scale(Module[Value]):
    ...     def __init__(self) -> None:
    ...         self.k = Parameter(2.0, "k")
    ...     def forward(self, x):
    ...         return self.k * x[0]
    >>> Scale()([3.0]).data, Scale().named_parameters()
    (6.0, [('k', Value(data=2.0, grad=0.0, label='k'))])
    """

    def forward(self, x: Any) -> Output:
        """The module's output for input ``x``; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must define forward(x) to be called")

    def __call__(self, x: Any) -> Output:
        return self.forward(x)

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """Every parameter with its dotted name, in a stable order; shared ones once."""
        named: list[tuple[str, Parameter]] = []
        seen: set[Parameter] = set()
        for name, parameter in _parameters_in(self, ""):
            if parameter not in seen:
                seen.add(parameter)
                named.append((name, parameter))
        return named

    def named_neurons(self) -> list[tuple[str, Neuron]]:
        """Every `Neuron` inside, with its dotted name, in the order of `named_parameters`.

        Drawing asks for them to group a network's graph neuron by neuron (`Neuron.passes_in`).
        """
        return [(name, neuron) for name, neuron in _modules_in(self, "") if isinstance(neuron, Neuron)]

    def parameters(self) -> list[Parameter]:
        """Every parameter, in the order of `named_parameters`."""
        return [parameter for _, parameter in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0, before the next backward pass."""
        for parameter in self.parameters():
            parameter.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """The weights by name, as plain numbers: ``{"layers.0.neurons.0.w.0": 0.31, ...}``."""
        return {name: parameter.data for name, parameter in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Set the weights from a `state_dict`; checks everything first, so on error nothing changes."""
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict needs a dict of name → number, but was given {type(state).__name__}")
        parameters = dict(self.named_parameters())
        missing = [name for name in parameters if name not in state]
        unexpected = [name for name in state if name not in parameters]
        if missing or unexpected:
            raise ValueError(
                f"these weights do not fit {self!r} ({len(parameters)} parameters; got {len(state)} entries): "
                f"missing {_few(missing)}, unexpected {_few(unexpected)}. "
                f"Were they saved from a model of another architecture?"
            )
        numbers: dict[str, float] = {}
        for name, number in state.items():
            if isinstance(number, bool) or not isinstance(number, Real):
                raise ValueError(f"weight {name!r} must be a number, but is {type(number).__name__}: {number!r}")
            try:
                numbers[name] = float(number)
            except OverflowError:  # an int such as 10**400: too large for any float
                numbers[name] = math.inf
            if not math.isfinite(numbers[name]):
                raise ValueError(f"weight {name!r} must be a finite number, but is {numbers[name]!r}")
        for name, parameter in parameters.items():  # only now, when every entry has passed
            parameter.data = numbers[name]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.parameters())} parameters)"


def _modules_in(holder: object, name: str) -> Iterator[tuple[str, Module[Any]]]:
    """(dotted name, module) for each module inside an attribute value, itself first, depth first."""
    if isinstance(holder, Module):
        yield name, holder
        prefix = f"{name}." if name else ""
        for attribute, value in vars(holder).items():
            yield from _modules_in(value, prefix + attribute)
    elif isinstance(holder, (list, tuple)):
        for index, item in enumerate(holder):
            yield from _modules_in(item, f"{name}.{index}")


def _parameters_in(holder: object, name: str) -> Iterator[tuple[str, Parameter]]:
    """(dotted name, parameter) for each parameter inside an attribute value, depth first."""
    if isinstance(holder, Parameter):
        yield name, holder
    elif isinstance(holder, Module):
        prefix = f"{name}." if name else ""
        for attribute, value in vars(holder).items():
            yield from _parameters_in(value, prefix + attribute)
    elif isinstance(holder, (list, tuple)):
        for index, item in enumerate(holder):
            yield from _parameters_in(item, f"{name}.{index}")


@dataclass(frozen=True)
class NeuronPass:
    """One forward pass through a neuron, found in a graph: its terms wᵢxᵢ, the steps of its weighted sum
    b + w₀x₀ + w₁x₁ + … (the last is the whole sum z), and its activation a (None for a linear neuron)."""

    terms: tuple[Value, ...]
    sums: tuple[Value, ...]
    activation: Value | None


class Neuron(Module[Value]):
    """One neuron: a = activation(b + Σ wᵢxᵢ).

    Weights start uniform with variance gain/nin (gain 2 for relu, after He et
    al.; 1 otherwise), so the weighted sum stays of order 1 whatever the number
    of inputs; the bias starts at 0.

    >>> neuron = Neuron(2, activation="linear", seed=1)
    >>> neuron.w[0].data, neuron.w[1].data, neuron.b.data = 0.5, -1.0, 0.1
    >>> neuron([2.0, 3.0]).data   # 0.1 + 0.5·2 − 1·3
    -1.9
    """

    def __init__(self, nin: int, activation: str = "tanh", *, seed: Seed = None) -> None:
        _check_count(nin, "nin", "Neuron")
        self.activation = _check_activation(activation)
        self._activate = activations()[self.activation]
        rng = random_generator(seed)
        # Variance gain/nin keeps the weighted sum's size steady from layer to layer;
        # relu zeroes half its inputs, so it gets gain 2 (He et al., 2015), the others 1.
        gain = 2.0 if activation == "relu" else 1.0
        bound = math.sqrt(3.0 * gain / nin)  # a uniform on ±bound has variance bound²/3
        self.w = [Parameter(rng.uniform(-bound, bound), f"w{i}") for i in range(nin)]
        self.b = Parameter(0.0, "b")

    @property
    def nin(self) -> int:
        """The number of inputs."""
        return len(self.w)

    def forward(self, x: Any) -> Value:
        return self._fire(_as_inputs(x, self.nin, self))

    def _fire(self, inputs: list[Value]) -> Value:
        # Start from the bias, not from 0: a lean graph with no extra constant node.
        z: Value = self.b
        for weight, xi in zip(self.w, inputs):
            z = z + weight * xi
        return self._activate(z)

    def passes_in(self, users: Mapping[Value, Sequence[Value]]) -> list[NeuronPass]:
        """Every forward pass through this neuron in a graph (given as each node's users), found by following
        what the neuron builds: b, then b + w₀x₀, then + w₁x₁, …, then its activation.

        >>> from autograd import topological_order
        >>> neuron = Neuron(2, seed=0)
        >>> a = neuron([1.0, 2.0])
        >>> users = {}
        >>> for node in topological_order(a):
        ...     for parent in node.parents:
        ...         users.setdefault(parent, []).append(node)
        >>> (found,) = neuron.passes_in(users)
        >>> found.activation is a, len(found.sums), found.sums[-1] is a.parents[0]
        (True, 2, True)
        """

        def next_step(z: Value, weight: Value) -> Iterator[Value]:
            for user in users.get(z, ()):
                term = user.parents[1] if user.op == "+" and len(user.parents) == 2 else None
                if user.parents[0] is z and term is not None and term.op == "*" and term.parents[0] is weight:
                    yield user

        found = []
        for first in next_step(self.b, self.w[0]):
            sums = [first]
            for weight in self.w[1:]:
                step = next(next_step(sums[-1], weight), None)
                if step is None:
                    break
                sums.append(step)
            else:
                z = sums[-1]
                activation = next((u for u in users.get(z, ()) if u.op == self.activation and u.parents[0] is z), None)
                terms = tuple(step.parents[1] for step in sums)
                found.append(NeuronPass(terms, tuple(sums), None if self.activation == "linear" else activation))
        return found

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module[list[Value]]):
    """``nout`` neurons reading the same ``nin`` inputs; always returns a list of ``nout`` Values.

    >>> layer = Layer(3, 2, seed=0)
    >>> [round(a.data, 4) for a in layer([1.0, 0.0, -1.0])]
    [0.6899, -0.284]
    """

    def __init__(self, nin: int, nout: int, activation: str = "tanh", *, seed: Seed = None) -> None:
        _check_count(nin, "nin", "Layer")
        _check_count(nout, "nout", "Layer")
        rng = random_generator(seed)  # one generator for all neurons: one seed fixes the whole layer
        self.neurons = [Neuron(nin, activation, seed=rng) for _ in range(nout)]

    @property
    def nin(self) -> int:
        """The number of inputs."""
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        """The number of outputs (neurons)."""
        return len(self.neurons)

    @property
    def activation(self) -> str:
        """The activation of every neuron."""
        return self.neurons[0].activation

    def forward(self, x: Any) -> list[Value]:
        return self._fire(_as_inputs(x, self.nin, self))

    def _fire(self, inputs: list[Value]) -> list[Value]:
        return [neuron._fire(inputs) for neuron in self.neurons]

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(Module[Value | list[Value]]):
    """A multi-layer perceptron: layers of sizes ``nouts`` in a row.

    Hidden layers use ``activation``; the last layer uses ``output_activation``
    (linear unless told otherwise). With one output the MLP returns a Value,
    otherwise a list of Values.

    >>> model = MLP(3, [4, 4, 1], seed=0)
    >>> model
    MLP(3, [4, 4, 1], activation='tanh', output_activation='linear')
    >>> round(model([2.0, 3.0, -1.0]).data, 4)
    0.3418
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "tanh",
        *,
        output_activation: str = "linear",
        seed: Seed = None,
    ) -> None:
        _check_count(nin, "nin", "MLP")
        if isinstance(nouts, int) or not isinstance(nouts, (list, tuple)) or not nouts:
            raise TypeError(
                f"MLP needs nouts, a non-empty list of layer sizes such as [16, 16, 1], but was given {nouts!r}"
            )
        for size in nouts:
            _check_count(size, "every layer size in nouts", "MLP")
        _check_activation(activation)
        _check_activation(output_activation)
        self.activation = activation
        self.output_activation = output_activation
        rng = random_generator(seed)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < last else output_activation, seed=rng)
            for i in range(len(nouts))
        ]

    @property
    def nin(self) -> int:
        """The number of inputs."""
        return self.layers[0].nin

    def forward(self, x: Any) -> Value | list[Value]:
        signals = _as_inputs(x, self.nin, self)
        for layer in self.layers:
            signals = layer._fire(signals)
        return signals[0] if len(signals) == 1 else signals

    def __repr__(self) -> str:
        nouts = [layer.nout for layer in self.layers]
        return f"MLP({self.nin}, {nouts}, activation={self.activation!r}, output_activation={self.output_activation!r})"


def _check_count(count: object, name: str, owner: str) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"{owner} needs {name} to be a positive whole number, but was given {count!r}")


def _check_activation(activation: object) -> str:
    known = activations()
    if activation not in known:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(map(repr, known))}")
    return str(activation)


def _as_inputs(x: object, nin: int, module: Module[Any]) -> list[Value]:
    """The inputs as Values (plain numbers become input leaves ``x0``, ``x1``, … shared by all neurons)."""
    if isinstance(x, (Value, Real, str, bytes, Mapping)) or not hasattr(x, "__iter__"):
        hint = f"; wrap a single input in a list: [{x!r}]" if nin == 1 else ""
        raise TypeError(
            f"{module!r} expects a list of {nin} inputs (numbers or Values), "
            f"but was given {type(x).__name__}: {reprlib.repr(x)}{hint}"
        )
    items = list(x)
    if len(items) != nin:
        raise ValueError(f"{module!r} expects {nin} inputs, but was given {len(items)}: {reprlib.repr(items)}")
    inputs: list[Value] = []
    for i, xi in enumerate(items):
        if isinstance(xi, Value):
            inputs.append(xi)
        elif isinstance(xi, Real) and not isinstance(xi, bool):
            inputs.append(Value(xi, f"x{i}"))
        else:
            raise TypeError(f"input {i} of {module!r} must be a number or a Value, but is {type(xi).__name__}: {xi!r}")
    return inputs


def _few(names: list[str]) -> str:
    """A short list of names for an error message."""
    if not names:
        return "none"
    shown = ", ".join(map(repr, names[:3]))
    return f"{shown} and {len(names) - 3} more" if len(names) > 3 else shown


# ---------------------------------------------------------------------- saving and loading

_FORMAT = "scalar-autograd weights"
_VERSION = 1


def save(model: Module[Any], path: str | os.PathLike[str]) -> None:
    """Write the model's weights to ``path`` as JSON, atomically.

    The file is written next to ``path`` under a temporary name and then moved
    into place in one step (``os.replace``), so a crash mid-write never leaves
    a half-written file where a good one was.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> save(MLP(2, [1], seed=0), path)
    >>> copy = load(MLP(2, [1], seed=1), path)
    >>> copy.state_dict() == MLP(2, [1], seed=0).state_dict()
    True
    """
    weights = model.state_dict()
    broken = [name for name, number in weights.items() if not math.isfinite(number)]
    if broken:
        raise ValueError(
            f"cannot save {model!r}: weights {_few(broken)} are not finite (nan or inf); training diverged?"
        )
    document = {"format": _FORMAT, "version": _VERSION, "model": repr(model), "weights": weights}
    write_text_atomically(path, json.dumps(document, indent=1) + "\n")


def load(model: AnyModule, path: str | os.PathLike[str]) -> AnyModule:
    """Set the model's weights from a file written by `save`, and return the model.

    A file for another architecture, a truncated or corrupted file, or one with
    non-numeric weights raises ``ValueError`` and leaves the weights as they were.
    (See `save` for an example.)
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{os.fspath(path)!r} is not a weights file: it is not text (corrupted?)") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{os.fspath(path)!r} is not a valid weights file: its JSON breaks at line {error.lineno}, "
            f"column {error.colno} ({error.msg}). Was it truncated or corrupted?"
        ) from None
    except RecursionError:  # lists in lists thousands deep: save never writes that
        raise ValueError(f"{os.fspath(path)!r} is not a weights file: its JSON is nested too deeply") from None
    if not isinstance(document, dict) or document.get("format") != _FORMAT:
        raise ValueError(f"{os.fspath(path)!r} is not a weights file written by autograd.nn.save")
    version = document.get("version")
    if type(version) is not int or version != _VERSION:  # true == 1 in Python, but it is no version number
        raise ValueError(f"{os.fspath(path)!r} has format version {version!r}; expected {_VERSION}")
    weights = document.get("weights")
    if not isinstance(weights, dict):
        raise ValueError(f"{os.fspath(path)!r} has no 'weights' table (corrupted?)")
    try:
        model.load_state_dict(weights)
    except ValueError as error:
        raise ValueError(f"cannot load {os.fspath(path)!r} (saved from {document.get('model')}): {error}") from None
    return model
