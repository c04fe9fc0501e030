"""Graduating to PyTorch: the same model in both engines, and gradients compared side by side.

`to_torch(model)` turns an `MLP` into a ``torch.nn.Sequential`` of ``Linear``
and activation layers in float64 with exactly the same weights; `from_torch`
goes the other way. `compare_with_torch(fn, inputs)` runs a function written
with Values in this engine and in PyTorch, and shows value and gradients side
by side: a check for your own functions, and an oracle for the engine's tests.

>>> from autograd.nn import MLP
>>> model = MLP(2, [3, 1], activation="tanh", seed=0)
>>> to_torch(model)
Sequential(
  (0): Linear(in_features=2, out_features=3, bias=True)
  (1): Tanh()
  (2): Linear(in_features=3, out_features=1, bias=True)
)
>>> from_torch(to_torch(model)).state_dict() == model.state_dict()   # exactly the same weights
True

PyTorch is an optional dependency: ``pip install "scalar-autograd[torch]"``.
Nothing else in the package imports it.
"""

from __future__ import annotations

import html
import inspect
import math
import re
from collections.abc import Callable, Mapping, Sequence
from numbers import Real
from typing import NamedTuple, cast

try:
    import torch
    import torch.nn.functional as F
except ImportError as error:  # PyTorch is an optional extra: say how to get it, from here
    from ._installation import install_command

    raise ImportError(
        f"autograd.pytorch needs PyTorch, which is an optional extra: {install_command('torch')} "
        "(without a GPU, install PyTorch's CPU build first, which is much smaller: "
        "pip install torch --index-url https://download.pytorch.org/whl/cpu)"
    ) from error

from torch import nn as tnn

from .engine import Value, enable_grad
from .gradcheck import _backward_leaving_grads_as_they_were
from .nn import MLP

__all__ = ["ComparisonRow", "TorchComparison", "compare_with_torch", "from_torch", "to_torch"]

# ---------------------------------------------------------------------- the two tables
# One entry per activation of `autograd.nn` and per Value method: what PyTorch calls it.
# `leaky_relu` and `softplus` are listed ahead of the engine gaining them (slope 0.01, β = 1). Softplus
# gets threshold 40, past which ln(1 + eˣ) = x exactly in float64; PyTorch's default, 20, is off by up to 2e-9.

_TORCH_LAYERS: dict[str, Callable[[], tnn.Module] | None] = {
    "tanh": tnn.Tanh,
    "relu": tnn.ReLU,
    "sigmoid": tnn.Sigmoid,
    "linear": None,  # no layer at all: the weighted sums pass as they are
    "leaky_relu": lambda: tnn.LeakyReLU(0.01),
    "softplus": lambda: tnn.Softplus(beta=1.0, threshold=40.0),
}

_TORCH_METHODS: dict[str, Callable[..., torch.Tensor]] = {
    "exp": torch.exp,
    "log": torch.log,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "sin": torch.sin,
    "cos": torch.cos,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "leaky_relu": lambda t, slope=0.01: _leaky_relu(t, slope),
    "softplus": lambda t: F.softplus(t, beta=1.0, threshold=40.0),
}


def _leaky_relu(tensor: torch.Tensor, slope: object) -> torch.Tensor:
    """x for x > 0, else slope · x, as `Value.leaky_relu`; the slope a number, or a Value's stand-in (then
    PyTorch differentiates with respect to it too, as this engine does)."""
    if isinstance(slope, _TorchScalar):
        return torch.where(tensor > 0, tensor, slope.tensor * tensor)
    return F.leaky_relu(tensor, float(cast(float, _as_tensor(slope))))


def _activation_layers() -> dict[type[tnn.Module], tuple[str, tnn.Module]]:
    """The way back: each activation layer type, with its name and the layer exactly as `to_torch` makes it."""
    table: dict[type[tnn.Module], tuple[str, tnn.Module]] = {tnn.Identity: ("linear", tnn.Identity())}
    for name, make_layer in _TORCH_LAYERS.items():
        if make_layer is not None:
            layer = make_layer()
            table[type(layer)] = (name, layer)
    return table


_ACTIVATION_LAYERS = _activation_layers()


def _activation_of(layer: tnn.Module, where: str) -> str:
    """The `autograd.nn` activation name of a PyTorch activation layer; anything else is refused."""
    if type(layer) not in _ACTIVATION_LAYERS:
        accepted = ", ".join(known.__name__ for known in _ACTIVATION_LAYERS)
        raise ValueError(
            f"from_torch cannot represent {where}: an autograd.nn.MLP is made of Linear layers, "
            f"each followed by one of {accepted} (or nothing)"
        )
    name, expected = _ACTIVATION_LAYERS[type(layer)]
    if _settings(layer) != _settings(expected):  # e.g. LeakyReLU(negative_slope=0.2)
        raise ValueError(f"from_torch cannot represent {where}: the engine's {name!r} is {expected!r}")
    return name


def _settings(layer: tnn.Module) -> dict[str, object]:
    """What an activation layer computes with (negative_slope, beta, …): not ``inplace``, which changes where
    the result is written, not what it is, nor ``training``."""
    return {key: value for key, value in vars(layer).items() if not key.startswith("_") and key not in _NOT_MATHS}


_NOT_MATHS = ("inplace", "training")


def _refuse_unknown_module(module: tnn.Module, where: str, expected: type[tnn.Module]) -> None:
    """A module of a subclass (its own forward) or with hooks computes what from_torch cannot see: refuse it."""
    if type(module) is not expected:
        raise ValueError(
            f"from_torch cannot represent {where}: it is a {type(module).__qualname__}, a subclass of "
            f"torch.nn.{expected.__name__} that may compute something else (its own forward), and from_torch "
            f"converts the weights alone. Convert a plain torch.nn.{expected.__name__}, with your change made to "
            f"its weights"
        )
    hooks = [kind for kind in ("_forward_hooks", "_forward_pre_hooks") if getattr(module, kind, None)]
    if hooks:
        raise ValueError(
            f"from_torch cannot represent {where}: it has forward hooks ({', '.join(h.strip('_') for h in hooks)}), "
            f"which change what it computes (weight_norm and spectral_norm work that way). Remove them first "
            f"(torch.nn.utils.remove_weight_norm, or the handle's remove())"
        )


# ---------------------------------------------------------------------- models


def to_torch(model: MLP) -> tnn.Sequential:
    """The same MLP as a ``torch.nn.Sequential`` of ``Linear`` and activation layers, in float64.

    Every weight is copied exactly (both sides are float64), so the two models
    compute the same outputs, up to the order in which the sums are added.
    A linear activation adds no layer.

    >>> from autograd.nn import MLP
    >>> model = MLP(2, [1], seed=0)
    >>> torch_model = to_torch(model)
    >>> torch_model[0].weight.tolist()[0] == [w.data for w in model.layers[0].neurons[0].w]
    True
    >>> torch_model[0].weight.dtype
    torch.float64
    """
    if not isinstance(model, MLP):
        raise TypeError(f"to_torch converts an autograd.nn.MLP, but was given {type(model).__name__}: {model!r}")
    layers: list[tnn.Module] = []
    for layer in model.layers:
        if layer.activation not in _TORCH_LAYERS:
            raise ValueError(f"to_torch knows no PyTorch layer for the activation {layer.activation!r} of {model!r}")
        # skip_init: no random initialisation, so PyTorch's global random state is left as it was
        linear: tnn.Linear = tnn.utils.skip_init(  # type: ignore[no-untyped-call]
            tnn.Linear, layer.nin, layer.nout, dtype=torch.float64
        )
        weights = [[w.data for w in neuron.w] for neuron in layer.neurons]
        biases = [neuron.b.data for neuron in layer.neurons]
        with torch.no_grad():  # float64 given explicitly: torch.tensor would make float32 of Python floats
            linear.weight.copy_(torch.tensor(weights, dtype=torch.float64))
            linear.bias.copy_(torch.tensor(biases, dtype=torch.float64))
        layers.append(linear)
        make_activation = _TORCH_LAYERS[layer.activation]
        if make_activation is not None:
            layers.append(make_activation())
    return tnn.Sequential(*layers)


def from_torch(module: tnn.Module) -> MLP:
    """The same network as an `autograd.nn.MLP`, from a ``Sequential`` of float64 ``Linear`` and activation layers.

    Accepted activations: ``Tanh``, ``ReLU``, ``Sigmoid``, ``Identity`` (or none
    between two ``Linear`` layers: linear). Every hidden layer must use the same
    one, as an MLP does; the last layer may use its own (a network of one layer
    has no hidden layers, and gets MLP's default). Anything else is refused with
    the reason: other layer types, subclasses of these (which may compute something
    else), modules with forward hooks, ``bias=False``, weights that are not float64.
    ``inplace=True`` is accepted: it changes where a result is written, not what it is.

    >>> import torch
    >>> torch_model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1)).double()
    >>> from_torch(torch_model)
    MLP(2, [4, 1], activation='relu', output_activation='linear')
    """
    layers = _layers_of(module)
    linears: list[tnn.Linear] = []
    activations: list[str] = []  # one per Linear
    for index, layer in enumerate(layers):
        where = f"layer ({index}) {layer!r}"
        if isinstance(layer, tnn.Linear):
            _refuse_unknown_module(layer, where, tnn.Linear)
            _check_linear(layer, where, linears[-1] if linears else None)
            linears.append(layer)
            activations.append("linear")
            continue
        activation = _activation_of(layer, where)
        _refuse_unknown_module(layer, where, type(layer))  # its type is known: its hooks are not
        if not linears:
            raise ValueError(f"from_torch: {where} comes before any Linear layer; an MLP starts with a Linear layer")
        if not isinstance(layers[index - 1], tnn.Linear):
            raise ValueError(
                f"from_torch: {where} follows another activation; an MLP has one activation after each Linear layer"
            )
        activations[-1] = activation
    hidden = set(activations[:-1])
    if len(hidden) > 1:
        found = ", ".join(f"{activation!r} after Linear {i}" for i, activation in enumerate(activations[:-1]))
        raise ValueError(
            f"from_torch: an autograd.nn.MLP uses one activation for all its hidden layers, but this module has {found}"
        )
    sizes = [linear.out_features for linear in linears]
    try:
        model = MLP(
            linears[0].in_features,
            sizes,
            activation=hidden.pop() if hidden else "tanh",
            output_activation=activations[-1],
        )
    except ValueError as error:  # an activation listed above that this version of the engine lacks
        raise ValueError(f"from_torch cannot build the MLP: {error}") from None
    for mlp_layer, linear in zip(model.layers, linears):
        weights_by_neuron = linear.weight.tolist()
        biases = cast(torch.Tensor, linear.bias).tolist()  # there is one: _check_linear refuses bias=False
        for neuron, weights, bias in zip(mlp_layer.neurons, weights_by_neuron, biases):
            for parameter, number in zip(neuron.w, weights):
                parameter.data = number
            neuron.b.data = bias
    return model


def _layers_of(module: object) -> list[tnn.Module]:
    if isinstance(module, tnn.Linear):
        return [module]
    if not isinstance(module, tnn.Sequential):
        raise TypeError(
            f"from_torch converts a torch.nn.Sequential of Linear and activation layers, "
            f"but was given {type(module).__name__}: {module!r}"
        )
    _refuse_unknown_module(module, "the module", tnn.Sequential)
    layers = list(module)
    if not any(isinstance(layer, tnn.Linear) for layer in layers):
        raise ValueError(f"from_torch: {module!r} has no Linear layer, so there are no weights to convert")
    return layers


def _check_linear(linear: tnn.Linear, where: str, previous: tnn.Linear | None) -> None:
    if linear.bias is None:
        raise ValueError(
            f"from_torch cannot represent {where}: it has no bias (bias=False), but every neuron of an "
            f"autograd.nn.MLP has one. Build it with bias=True (and set the bias to 0 to keep its outputs)"
        )
    for name, tensor in (("weight", linear.weight), ("bias", linear.bias)):
        if tensor.dtype != torch.float64:
            raise ValueError(
                f"from_torch needs float64 weights, but the {name} of {where} is {tensor.dtype}. "
                f"Convert the module first with module.double() (exact: every {tensor.dtype} number is a float64 "
                f"number), then train or compare it in float64"
            )
        if not torch.isfinite(tensor).all():
            raise ValueError(f"from_torch: the {name} of {where} holds nan or inf; training diverged?")
    if previous is not None and linear.in_features != previous.out_features:
        raise ValueError(
            f"from_torch: {where} takes {linear.in_features} inputs, but the Linear layer before it gives "
            f"{previous.out_features} outputs"
        )


# ---------------------------------------------------------------------- comparing gradients


class ComparisonRow(NamedTuple):
    """One line of a `TorchComparison`: the output ``f`` or one gradient ``∂f/∂x``, in both engines."""

    quantity: str
    ours: float
    torch: float
    difference: float
    ok: bool


class TorchComparison:
    """What `compare_with_torch` found: one row for the output, then one per input's gradient.

    ``rows`` holds `ComparisonRow` tuples; ``ok`` is True when every row agrees.
    Print it, or show it in a notebook, for the table.
    """

    def __init__(self, inputs: dict[str, float], rows: list[ComparisonRow], tol: float) -> None:
        self.inputs = inputs
        self.rows = rows
        self.tol = tol

    @property
    def ok(self) -> bool:
        """True when the value and every gradient agree within float64 round-off."""
        return all(row.ok for row in self.rows)

    @property
    def differing(self) -> list[ComparisonRow]:
        """The rows that disagree beyond round-off."""
        return [row for row in self.rows if not row.ok]

    def _at(self) -> str:
        return ", ".join(f"{name} = {number!r}" for name, number in self.inputs.items())

    def _tolerance(self) -> str:
        return f"|ours − PyTorch| ≤ {self.tol:g} · max(1, |ours|, |PyTorch|)"

    def _verdict(self) -> str:
        if self.ok:
            return f"All agree within float64 round-off: {self._tolerance()}."
        names = ", ".join(row.quantity for row in self.differing)
        return (
            f"{len(self.differing)} of {len(self.rows)} DIFFER beyond float64 round-off ({self._tolerance()}): {names}."
        )

    def _cells(self) -> list[list[str]]:
        return [
            [row.quantity, repr(row.ours), repr(row.torch), f"{row.difference:.2g}", "OK" if row.ok else "DIFFERS"]
            for row in self.rows
        ]

    def __str__(self) -> str:
        table = [["", "ours", "PyTorch", "difference", ""], *self._cells()]
        widths = [max(len(line[column]) for line in table) for column in range(5)]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in table]
        return "\n".join([f"at {self._at()}", *lines, self._verdict()])

    def __repr__(self) -> str:
        return f"<TorchComparison at {self._at()}: {'ok' if self.ok else 'DIFFERS'}>"

    def _repr_markdown_(self) -> str:
        lines = ["| | ours | PyTorch | difference | |", "|---|---:|---:|---:|---|"]
        lines += ["| " + " | ".join(_markdown_text(cell) for cell in cells) + " |" for cells in self._cells()]
        return "\n".join([f"at {_markdown_text(self._at())}", "", *lines, "", _markdown_text(self._verdict())])

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{name}</th>" for name in ["", "ours", "PyTorch", "difference", ""])
        body = "".join(
            f'<tr style="color: {"inherit" if row.ok else "#c00"}">'
            + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells)
            + "</tr>"
            for row, cells in zip(self.rows, self._cells())
        )
        return (
            f"<p>at {html.escape(self._at())}</p><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f"<p>{html.escape(self._verdict())}</p>"
        )


def _markdown_text(text: str) -> str:
    """Text that stays what it says in Markdown: an input's name (``|x|``, ``**w**``, a line break) cannot end a
    table cell, start a new line or format what follows."""
    return re.sub(r"([\\`*_\[\]<>#|~&$])", r"\\\1", " ".join(text.split()))


def compare_with_torch(
    fn: Callable[..., Value], inputs: Sequence[float | Value] | Mapping[str, float], *, tol: float = 1e-12
) -> TorchComparison:
    """Run ``fn`` in this engine and in PyTorch (float64), and compare its value and gradients.

    ``fn`` takes one Value per input and returns a Value, built from the Value
    ops (``+ - * / **``, ``exp``, ``log``, ``sigmoid``, ``tanh``, ``relu``, …) and
    plain numbers. ``inputs`` are numbers (named after ``fn``'s parameters) or
    a dict of name → number. Two numbers agree when
    |ours − PyTorch| ≤ tol · max(1, |ours|, |PyTorch|): ``tol=1e-12`` is
    thousands of times float64's round-off, and far below any real mistake.

    In the PyTorch run ``.data`` does *not* cut the graph, so a gradient that
    ``.data`` loses in this engine shows up as a difference.

    >>> result = compare_with_torch(lambda w, x: (w * x).tanh(), [0.5, 1.5])
    >>> result.ok
    True
    >>> print(compare_with_torch(lambda x: x * x.data, [3.0]))   # meant x², but .data is a plain number
    at x = 3.0
           ours  PyTorch  difference
    f      9.0   9.0      0           OK
    ∂f/∂x  3.0   6.0      3           DIFFERS
    1 of 2 DIFFER beyond float64 round-off (|ours − PyTorch| ≤ 1e-12 · max(1, |ours|, |PyTorch|)): ∂f/∂x.
    """
    if not callable(fn):
        raise TypeError(f"compare_with_torch needs a function of Values as its first argument, but was given {fn!r}")
    if isinstance(tol, bool) or not isinstance(tol, Real) or not tol >= 0:
        raise ValueError(f"compare_with_torch needs tol, a relative tolerance such as 1e-12, but was given {tol!r}")
    numbers = _named_inputs(fn, inputs)

    leaves = [Value(number, name) for name, number in numbers.items()]
    with enable_grad():  # both sides record, wherever this is called
        ours = fn(*leaves)
    if not isinstance(ours, Value):
        hint = " (.data gives a plain number: return the Value itself)" if isinstance(ours, Real) else ""
        raise TypeError(
            f"compare_with_torch needs fn to return a Value, but it returned {type(ours).__name__}: {ours!r}{hint}"
        )
    our_grads = _backward_leaving_grads_as_they_were(ours, leaves)  # Values fn reads from outside keep theirs

    tensors = [torch.tensor(float(number), dtype=torch.float64, requires_grad=True) for number in numbers.values()]
    try:
        with torch.enable_grad():
            theirs = fn(*(_TorchScalar(tensor) for tensor in tensors))
    except Exception as error:
        raise TypeError(
            f"fn runs on Values but failed on PyTorch's stand-ins for them ({type(error).__name__}: {error}). "
            f"compare_with_torch checks functions made of Value ops ({', '.join(['+ - * / **', *_TORCH_METHODS])}) "
            f"on its inputs and plain numbers; Value(...) or autograd.nn's losses inside fn cannot run in PyTorch"
        ) from error
    if not isinstance(theirs, _TorchScalar):
        raise TypeError(f"fn returned a Value in this engine but {type(theirs).__name__} in PyTorch: {theirs!r}")
    if theirs.tensor.requires_grad:
        torch_grads = torch.autograd.grad(theirs.tensor, tensors, allow_unused=True)
    else:  # fn's result does not depend on its inputs
        torch_grads = (None,) * len(tensors)

    rows = [_row("f", ours.data, theirs.tensor.item(), tol)]
    for name, our_grad, grad in zip(numbers, our_grads, torch_grads):
        rows.append(_row(f"∂f/∂{name}", our_grad, 0.0 if grad is None else grad.item(), tol))
    return TorchComparison(numbers, rows, tol)


def _named_inputs(fn: Callable[..., Value], inputs: object) -> dict[str, float]:
    """The inputs as name → number, named by the dict, a Value's label, fn's parameter or position."""
    if isinstance(inputs, Mapping):
        items = list(inputs.items())
    elif isinstance(inputs, (Value, Real)) or not isinstance(inputs, Sequence) or isinstance(inputs, str):
        raise TypeError(
            f"compare_with_torch needs a list of input numbers (one per argument of fn) or a dict name → number, "
            f"but was given {type(inputs).__name__}: {inputs!r}; wrap a single input in a list: [{inputs!r}]"
        )
    else:
        parameter_names = _parameter_names(fn)
        items = [
            (
                x.label
                if isinstance(x, Value) and x.label
                else parameter_names[i]
                if i < len(parameter_names)
                else f"x{i}",
                x,
            )
            for i, x in enumerate(inputs)
        ]
    try:
        inspect.signature(fn).bind(*range(len(items)))
    except TypeError:
        raise ValueError(
            f"fn{inspect.signature(fn)} cannot be called with {len(items)} input(s): compare_with_torch calls it "
            f"with one Value per input, and was given {[number for _, number in items]!r}"
        ) from None
    except ValueError:  # no signature to check (a builtin): the call itself will tell
        pass
    numbers: dict[str, float] = {}
    for name, x in items:
        number = x.data if isinstance(x, Value) else x
        if isinstance(number, bool) or not isinstance(number, Real):
            raise TypeError(f"input {name!r} must be a number or a Value, but is {type(x).__name__}: {x!r}")
        if name in numbers:
            raise ValueError(f"two inputs are named {name!r}; give them different labels")
        numbers[str(name)] = float(number)
    return numbers


def _parameter_names(fn: Callable[..., Value]) -> list[str]:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except ValueError:
        return []
    return [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _row(quantity: str, ours: float, theirs: float, tol: float) -> ComparisonRow:
    both_nan = math.isnan(ours) and math.isnan(theirs)
    same = ours == theirs or both_nan
    difference = 0.0 if same else abs(ours - theirs) if not math.isnan(ours - theirs) else math.inf
    # ∞ and NaN agree only with themselves: a tolerance scaled by ∞ would call ∞ against 1.0 (or −∞) OK
    finite = math.isfinite(ours) and math.isfinite(theirs)
    ok = same or (finite and difference <= tol * max(1.0, abs(ours), abs(theirs)))
    return ComparisonRow(quantity, ours, theirs, difference, ok)


def _as_tensor(operand: object) -> torch.Tensor | float:
    if isinstance(operand, _TorchScalar):
        return operand.tensor
    if isinstance(operand, Value):  # a Value that is not an input: a constant, as in this engine
        return operand.data
    if isinstance(operand, Real) and not isinstance(operand, bool):
        return float(operand)
    raise TypeError(f"the operands of a Value op must be Values or numbers, but one was {type(operand).__name__}")


class _TorchScalar:
    """PyTorch's stand-in for a Value: the same ops, computed on a 0-dim float64 tensor that PyTorch differentiates."""

    __slots__ = ("label", "tensor")

    def __init__(self, tensor: torch.Tensor) -> None:
        self.tensor = tensor
        self.label = ""  # fn may label its intermediate Values

    @property
    def data(self) -> _TorchScalar:
        # The whole point of the oracle: PyTorch follows the maths through .data, which this engine cannot.
        return self

    def __getattr__(self, name: str) -> Callable[..., _TorchScalar]:
        if name not in _TORCH_METHODS:
            raise AttributeError(f"compare_with_torch knows no PyTorch counterpart of Value.{name}()")
        method = _TORCH_METHODS[name]
        return lambda *arguments: _TorchScalar(method(self.tensor, *arguments))

    def __add__(self, other: object) -> _TorchScalar:
        return _TorchScalar(self.tensor + _as_tensor(other))

    def __radd__(self, other: object) -> _TorchScalar:
        return _TorchScalar(_as_tensor(other) + self.tensor)

    def __sub__(self, other: object) -> _TorchScalar:
        return _TorchScalar(self.tensor - _as_tensor(other))

    def __rsub__(self, other: object) -> _TorchScalar:
        return _TorchScalar(_as_tensor(other) - self.tensor)

    def __mul__(self, other: object) -> _TorchScalar:
        return _TorchScalar(self.tensor * _as_tensor(other))

    def __rmul__(self, other: object) -> _TorchScalar:
        return _TorchScalar(_as_tensor(other) * self.tensor)

    def __truediv__(self, other: object) -> _TorchScalar:
        return _TorchScalar(self.tensor / _as_tensor(other))

    def __rtruediv__(self, other: object) -> _TorchScalar:
        return _TorchScalar(_as_tensor(other) / self.tensor)

    def __pow__(self, other: object) -> _TorchScalar:
        return _TorchScalar(self.tensor ** _as_tensor(other))

    def __rpow__(self, other: object) -> _TorchScalar:
        return _TorchScalar(torch.pow(_as_tensor(other), self.tensor))

    def __neg__(self) -> _TorchScalar:
        return _TorchScalar(-self.tensor)

    def __abs__(self) -> _TorchScalar:
        return _TorchScalar(self.tensor.abs())

    def __float__(self) -> float:
        return self.tensor.item()

    # For control flow on a value (``if x.data > 0``), as on a Value's number.
    def __lt__(self, other: object) -> bool:
        return bool(self.tensor < _as_tensor(other))

    def __le__(self, other: object) -> bool:
        return bool(self.tensor <= _as_tensor(other))

    def __gt__(self, other: object) -> bool:
        return bool(self.tensor > _as_tensor(other))

    def __ge__(self, other: object) -> bool:
        return bool(self.tensor >= _as_tensor(other))

    def __repr__(self) -> str:
        return f"<PyTorch stand-in for a Value: {self.tensor.item()!r}>"
