"""micrograd's API as a drop-in: change one import line and micrograd code runs here.

    from micrograd.engine import Value               →   from autograd.micrograd import Value
    from micrograd.nn import Neuron, Layer, MLP      →   from autograd.micrograd import Neuron, Layer, MLP

>>> from autograd.micrograd import MLP, Value
>>> import random
>>> random.seed(1337)
>>> model = MLP(2, [16, 16, 1])          # ReLU hidden layers, a linear last layer, as micrograd's
>>> score = model([Value(1.0), Value(-2.0)])
>>> score.backward()
>>> len(model.parameters()), str(model.layers[-1])
(337, 'Layer of [LinearNeuron(16)]')

Also here, so that the engine's own code never meets them: micrograd's and its lecture's
spellings on every Value (``_prev``, ``_op``, ``_backward()``), and the lecture's way of
adding an op, a node made as ``Value(data, _children, _op)`` with a ``_backward`` closure
assigned to it (`LectureValue`). See docs/how-to/from-micrograd.md for what still differs.
"""

from __future__ import annotations

import random
from typing import Any

from . import nn
from .engine import OPS, Op, Value

__all__ = ["MLP", "Layer", "LectureValue", "Module", "Neuron", "Value"]


# ---------------------------------------------------------------------- micrograd's spellings on every Value


def _prev(self: Value) -> set[Value]:
    """micrograd's name for the set of parents."""
    return set(self.parents)


def _op(self: Value) -> str:
    """micrograd's name for ``op``."""
    return self.op


def _backward(self: Value) -> None:
    """The lecture's backprop by hand, ``node._backward()``: `Value.chain_rule`."""
    self.chain_rule()


Value._prev = property(_prev)  # type: ignore[attr-defined]
Value._op = property(_op)  # type: ignore[attr-defined]
Value._backward = _backward  # type: ignore[attr-defined]


# ---------------------------------------------------------------------- the lecture's way of adding an op


class LectureValue(Value):
    """A node made micrograd's way, ``Value(t, (x,), 'tanh')``, whose gradient comes from the ``_backward``
    function assigned to it. ``Value(...)`` makes one when given children; it has a ``__dict__`` to hold
    the function, so the engine's own nodes stay lean.

    Its local gradients are learned by running ``_backward`` once with an upstream gradient of 1 (every
    ``grad`` is put back), when backward() first reaches the node, before any ``grad`` is written: a
    ``_backward`` that fails then leaves every gradient as it was.
    """

    def __init__(self, data: Any, _children: Any = (), _op: str = "", label: str = "") -> None:
        super().__init__(data, label)
        try:
            parents = list(_children)
        except TypeError:
            raise TypeError(
                f"Value(data, _children, _op): _children must be a tuple of Values, not {_children!r}"
            ) from None
        if len(parents) > 2 or not all(isinstance(parent, Value) for parent in parents):
            raise TypeError(
                f"Value(data, _children, _op): _children must be one or two Values (a node here has at most two "
                f"parents), but was given {_children!r}"
            )
        self.operation = _lecture_op(_op or "?", len(parents)) if parents or _op else None
        if parents:
            self._first = parents[0]
            self._second = parents[1] if len(parents) > 1 else None

    def chain_rule(self) -> None:
        closure = self.__dict__.get("_backward")
        if closure is None:
            if self._first is None:
                return  # a leaf: nothing to pass on
            raise TypeError(
                f"this {self.op or 'node'} node was made as Value(data, children, op) but has no _backward: "
                f"assign it a function that adds each child's local gradient times out.grad to the child's grad"
            )
        closure()

    def local_grads(self) -> tuple[float, ...]:
        """Learned by running its ``_backward`` with an upstream gradient of 1 (every ``grad`` is put back)."""
        parents = self.parents
        saved = [(node, node.grad) for node in (self, *parents)]
        try:
            for parent in parents:
                parent.grad = 0.0
            self.grad = 1.0
            self.chain_rule()
            learned = [parent.grad for parent in parents]
        finally:
            for node, grad in saved:
                node.grad = grad
        if len(parents) == 2 and parents[0] is parents[1]:  # x + x: both edges landed on one node
            return (learned[0] / 2, learned[0] / 2)
        return tuple(learned)

    # backward() reads a node's `_made` when it first reaches it, before writing any grad; `_g0` and `_g1`
    # in its chain-rule loop. Here they learn the local gradients and hand them over.
    @property
    def _made(self) -> int:
        self.__dict__["learned"] = self.local_grads()
        return self.__dict__["made"]  # type: ignore[no-any-return]

    @_made.setter
    def _made(self, count: int) -> None:
        self.__dict__["made"] = count

    @property
    def _g0(self) -> Any:
        return self.__dict__["learned"][0] if "learned" in self.__dict__ else self.local_grads()[0]

    @_g0.setter
    def _g0(self, grad: Any) -> None:
        pass  # set to None by Value.__init__; learned from _backward instead

    @property
    def _g1(self) -> Any:
        return self.__dict__["learned"][1] if "learned" in self.__dict__ else self.local_grads()[1]

    @_g1.setter
    def _g1(self, grad: Any) -> None:
        pass


def _lecture_op(name: str, arity: int) -> Op:
    """The Op a micrograd-style node reports: drawn and read like the table's op of that name, if any, but
    with no forward or rule, since the node's own code computed it (its tanh need not be math.tanh's)."""
    if (name, arity) not in _LECTURE_OPS:
        known = OPS.get(name)
        same_shape = known is not None and known.arity == arity
        _LECTURE_OPS[name, arity] = Op(
            name, forward=None, local_grads=None, register=False, arity=arity,
            symbol=known.symbol if known else None, formula=known.formula if same_shape and known else None,
            derivatives=known.derivatives if same_shape and known else (),
            commutative=bool(known and known.commutative),
        )  # fmt: skip
    return _LECTURE_OPS[name, arity]


_LECTURE_OPS: dict[tuple[str, int], Op] = {}


# ---------------------------------------------------------------------- micrograd's nn


class Module(nn.Module[Any]):
    """micrograd's base class: ``parameters()`` and ``zero_grad()`` (and this library's ``state_dict`` …)."""

    def __call__(self, x: Any) -> Any:
        return self.forward(x)


class Neuron(Module):
    """micrograd's neuron: weights uniform in [−1, 1] from Python's `random`, bias 0, ReLU unless ``nonlin=False``."""

    def __init__(self, nin: int, nonlin: bool = True) -> None:
        self.w = [nn.Parameter(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = nn.Parameter(0.0)
        self.nonlin = nonlin

    def forward(self, x: Any) -> Value:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """micrograd's layer: ``nout`` neurons; called, it gives a list of Values, or the Value itself for one."""

    def __init__(self, nin: int, nout: int, **kwargs: Any) -> None:
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def forward(self, x: Any) -> Any:
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """micrograd's MLP: ReLU hidden layers and a linear last layer."""

    def __init__(self, nin: int, nouts: list[int]) -> None:
        sizes = [nin, *nouts]
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))]

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
