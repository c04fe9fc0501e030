"""The engine: a scalar `Value`, its operations, and reverse-mode backpropagation.

Read this file top to bottom to see backprop work. In the notation of the seed
document (z = wx + b, a = σ(z), L = ½(a − y)²):

>>> w, x, b, y = Value(0.5, "w"), Value(1.0, "x"), Value(0.0, "b"), Value(1.0, "y")
>>> z = w * x + b            # forward pass: every op records its parents ...
>>> a = z.sigmoid()
>>> L = 0.5 * (a - y) ** 2
>>> L.backward()             # ... and backward() applies the chain rule to them
>>> round(w.grad, 6)         # ∂L/∂w = (a − y) · σ'(z) · x
-0.088723

Every node keeps

* ``data``     its number, computed in the forward pass;
* ``grad``     ∂L/∂node, filled in by ``backward()``;
* ``parents``  the nodes it was computed from, in operand order;
* ``op``       the name of the op that made it (``""`` for a leaf);
* its *local-gradient rule*: a function giving ∂node/∂parent for each parent.

``backward()`` sorts the graph so that every node comes after its parents, walks
that order in reverse and, for each node, hands its gradient (the *upstream*
gradient) to its parents: ``parent.grad += local_grad * upstream``. That one line
is the chain rule.

How a node is stored, and why (speed and memory are the engine's job too):

* The local-gradient rules are shared functions, one per op, and not a fresh
  closure per node as in micrograd. A closure costs about 200 bytes and, in
  micrograd, a reference cycle (node → closure → node), so every graph waits for
  the cyclic garbage collector. A rule here reads what it needs from the node it
  is given, so no node refers to its output: a graph is freed the moment the
  last reference to it goes.
* A node has at most two parents, kept in two slots (``_first``, ``_second``)
  rather than in a tuple: one object per node instead of two, which halves the
  work the garbage collector does while a big graph is being built. The public
  ``parents`` property hands them out as a tuple.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import ContextDecorator
from numbers import Real
from typing import Any, Union

__all__ = ["Constant", "Value", "is_grad_enabled", "no_grad", "topological_order"]

Number = int | float
Operand = Union["Value", int, float]  # a string forward reference needs Union
# A local-gradient rule: given an output node and its parents (the second is None for
# a one-parent op), ∂output/∂parent for each parent.
LocalGradRule = Callable[["Value", Any, Any], tuple[float, ...]]

# While False (inside `no_grad()`), ops record no parents: their results are leaves.
_recording = True


class Value:
    """One number in a computation graph, and the gradient of the loss with respect to it.

    >>> x = Value(3.0, label="x")
    >>> y = x * x + 1
    >>> y.backward()
    >>> y.data, x.grad
    (10.0, 6.0)
    """

    __slots__ = ("_first", "_local_grads", "_second", "data", "grad", "label", "op")

    def __init__(self, data: Any, label: str = "") -> None:
        if not isinstance(data, (float, int, Real)):  # float and int first: the common, fast case
            if isinstance(data, Value):
                raise TypeError(
                    f"Value() was given another Value ({data!r}). Use that Value itself, "
                    f"or pass its number, Value({data.label or 'v'}.data), to make a new leaf."
                )
            raise TypeError(
                f"Value() takes a real number (int, float or a NumPy scalar), "
                f"but was given {type(data).__name__}: {data!r}"
            )
        if not isinstance(label, str):
            raise TypeError(f"a Value's label must be a str, but was given {type(label).__name__}: {label!r}")
        self.data: float = float(data)
        self.grad: float = 0.0
        self.label: str = label
        self.op: str = ""
        self._first: Any = None  # the parents: a Value or None (see `parents`)
        self._second: Any = None
        self._local_grads: LocalGradRule | None = None

    # ------------------------------------------------------------------ building nodes

    @staticmethod
    def _result(data: float, op: str, local_grads: LocalGradRule, first: Value, second: Value | None = None) -> Value:
        """The output node of an op: its number, and (unless in `no_grad`) where it came from."""
        out = _new_value(Value)  # skips __init__'s checks: `data` is already a float
        out.data = data
        out.grad = 0.0
        out.label = ""
        if _recording:
            out.op = op
            out._first = first
            out._second = second
            out._local_grads = local_grads
        else:  # a leaf: no parents to send gradients to
            out.op = ""
            out._first = out._second = None
            out._local_grads = None
        return out

    @property
    def parents(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in operand order: ``(a, a)`` for ``a + a``, ``()`` for a leaf."""
        if self._first is None:
            return ()
        if self._second is None:
            return (self._first,)
        return (self._first, self._second)

    # ------------------------------------------------------------------ the ops
    # Each op computes its output, then declares its local gradient right beside it:
    # a rule that, given the output node and its parents, returns ∂out/∂parent for each parent.

    def __add__(self, other: Operand) -> Value:
        other = other if isinstance(other, Value) else _as_value(other, "+")
        return Value._result(self.data + other.data, "+", Value._add_local_grads, self, other)

    @staticmethod
    def _add_local_grads(out: Value, a: Value, b: Value) -> tuple[float, ...]:
        return (1.0, 1.0)  # ∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1

    def __sub__(self, other: Operand) -> Value:
        other = other if isinstance(other, Value) else _as_value(other, "-")
        return Value._result(self.data - other.data, "-", Value._sub_local_grads, self, other)

    @staticmethod
    def _sub_local_grads(out: Value, a: Value, b: Value) -> tuple[float, ...]:
        return (1.0, -1.0)  # ∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1

    def __mul__(self, other: Operand) -> Value:
        other = other if isinstance(other, Value) else _as_value(other, "*")
        return Value._result(self.data * other.data, "*", Value._mul_local_grads, self, other)

    @staticmethod
    def _mul_local_grads(out: Value, a: Value, b: Value) -> tuple[float, ...]:
        return (b.data, a.data)  # ∂(ab)/∂a = b, ∂(ab)/∂b = a

    def __truediv__(self, other: Operand) -> Value:
        other = other if isinstance(other, Value) else _as_value(other, "/")
        if other.data == 0.0:
            raise ZeroDivisionError(
                f"division by zero in a / b with a = {self.data!r}{_named(self)}, b = {other.data!r}{_named(other)}"
            )
        return Value._result(self.data / other.data, "/", Value._truediv_local_grads, self, other)

    @staticmethod
    def _truediv_local_grads(out: Value, a: Value, b: Value) -> tuple[float, ...]:
        return (1.0 / b.data, -a.data / (b.data * b.data))  # ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²

    def __neg__(self) -> Value:
        return Value._result(-self.data, "neg", Value._neg_local_grads, self)

    @staticmethod
    def _neg_local_grads(out: Value, x: Value, _: None) -> tuple[float, ...]:
        return (-1.0,)  # ∂(−a)/∂a = −1

    def __pow__(self, other: Operand) -> Value:
        exponent = other if isinstance(other, Value) else _as_value(other, "**")
        base, p = self.data, exponent.data
        if base == 0.0 and p < 0:
            raise ZeroDivisionError(f"0 ** {p!r} is undefined (zero to a negative power){_named(self)}")
        if base < 0.0 and not p.is_integer():
            raise ValueError(
                f"{base!r} ** {p!r}: a negative base to a non-integer power is not a real number{_named(self)}"
            )
        try:
            data = base**p
        except OverflowError:
            raise OverflowError(f"{base!r} ** {p!r} is too large for a float{_named(self)}") from None
        return Value._result(data, "**", Value._pow_local_grads, self, exponent)

    @staticmethod
    def _pow_local_grads(out: Value, a: Value, b: Value) -> tuple[float, ...]:
        base, p = a.data, b.data
        # ∂(base^p)/∂base = p·base^(p−1); at base 0 with p < 1 that slope is infinite.
        d_base = p * base ** (p - 1) if (base != 0.0 or p >= 1.0) else (0.0 if p == 0.0 else math.inf)
        # ∂(base^p)/∂p = base^p·ln(base): real only for base > 0 (its limit is 0 at base 0).
        d_exponent = out.data * math.log(base) if base > 0.0 else (0.0 if base == 0.0 else math.nan)
        return (d_base, d_exponent)

    def exp(self) -> Value:
        """e to the power of this value.

        >>> Value(0.0).exp().data
        1.0
        """
        try:
            data = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp({self.data!r}) is too large for a float (exp overflows above about 709.78){_named(self)}"
            ) from None
        return Value._result(data, "exp", Value._exp_local_grads, self)

    @staticmethod
    def _exp_local_grads(out: Value, x: Value, _: None) -> tuple[float, ...]:
        return (out.data,)  # ∂eˣ/∂x = eˣ

    def log(self) -> Value:
        """The natural logarithm; defined for positive values only.

        >>> Value(1.0).log().data
        0.0
        """
        if self.data <= 0.0:
            raise ValueError(
                f"log is defined for positive numbers only, but was applied to {self.data!r}{_named(self)}"
            )
        return Value._result(math.log(self.data), "log", Value._log_local_grads, self)

    @staticmethod
    def _log_local_grads(out: Value, x: Value, _: None) -> tuple[float, ...]:
        return (1.0 / x.data,)  # ∂ln x/∂x = 1/x

    def sigmoid(self) -> Value:
        """σ(x) = 1 / (1 + e⁻ˣ), computed so that it never overflows.

        >>> Value(0.0).sigmoid().data
        0.5
        """
        x = self.data
        if x >= 0.0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:  # e⁻ˣ would overflow for very negative x; use the equal form eˣ / (1 + eˣ)
            e = math.exp(x)
            s = e / (1.0 + e)
        return Value._result(s, "sigmoid", Value._sigmoid_local_grads, self)

    @staticmethod
    def _sigmoid_local_grads(out: Value, x: Value, _: None) -> tuple[float, ...]:
        s = out.data
        return (s * (1.0 - s),)  # σ'(x) = σ(x)(1 − σ(x))

    def tanh(self) -> Value:
        """The hyperbolic tangent.

        >>> Value(0.0).tanh().data
        0.0
        """
        return Value._result(math.tanh(self.data), "tanh", Value._tanh_local_grads, self)

    @staticmethod
    def _tanh_local_grads(out: Value, x: Value, _: None) -> tuple[float, ...]:
        t = out.data
        return (1.0 - t * t,)  # tanh'(x) = 1 − tanh²(x)

    def relu(self) -> Value:
        """max(0, x).

        >>> Value(-2.0).relu().data
        0.0
        """
        return Value._result(self.data if self.data > 0.0 else 0.0, "relu", Value._relu_local_grads, self)

    @staticmethod
    def _relu_local_grads(out: Value, x: Value, _: None) -> tuple[float, ...]:
        return (1.0 if out.data > 0.0 else 0.0,)  # slope 1 where x > 0, else 0

    # A plain number on the left (2 * x, 1 - x, 1 / x, 2 ** x) becomes a Constant node,
    # so that it shows in the drawn graph just as it reads in the formula.

    def __radd__(self, other: Number) -> Value:
        return _as_value(other, "+") + self

    def __rsub__(self, other: Number) -> Value:
        return _as_value(other, "-") - self

    def __rmul__(self, other: Number) -> Value:
        return _as_value(other, "*") * self

    def __rtruediv__(self, other: Number) -> Value:
        return _as_value(other, "/") / self

    def __rpow__(self, other: Number) -> Value:
        return _as_value(other, "**") ** self

    # ------------------------------------------------------------------ backpropagation

    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each of ``self.parents``, in the same order; ``()`` for a leaf.

        >>> a, b = Value(2.0), Value(3.0)
        >>> (a * b).local_grads()
        (3.0, 2.0)
        """
        if self._local_grads is None:
            return ()
        return self._local_grads(self, self._first, self._second)

    def backward(self) -> None:
        """Fill in ``grad`` = ∂self/∂node for every node this value was computed from.

        Leaf gradients accumulate across calls (reset them with ``zero_grad``);
        every non-leaf gradient is reset before the pass.
        """
        order = topological_order(self)  # every node after its parents
        for node in order:
            if node._first is not None:  # not a leaf
                node.grad = 0.0
        self.grad += 1.0  # ∂self/∂self = 1
        for node in reversed(order):
            local_grads = node._local_grads
            if local_grads is None:
                continue  # a leaf: nothing further back to hand its gradient to
            upstream = node.grad  # ∂L/∂node
            first, second = node._first, node._second
            local = local_grads(node, first, second)  # ∂node/∂parent, for each parent
            # The chain rule: ∂L/∂parent += ∂node/∂parent · ∂L/∂node
            first.grad += local[0] * upstream
            if second is not None:
                second.grad += local[1] * upstream

    def zero_grad(self) -> None:
        """Set ``grad`` back to 0 for this value and every node it was computed from."""
        for node in topological_order(self):
            node.grad = 0.0

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={_short(self.data)}, grad={_short(self.grad)}{label})"


class Constant(Value):
    """A leaf made from a plain number in an expression, such as the ½ in ½(a − y)².

    It is a node of its own, so drawn graphs show it, but it is not a parameter
    or an input: nothing trains it.
    """

    __slots__ = ()


_new_value = object.__new__


def _as_value(operand: object, op: str) -> Value:
    """A Value as it is, a plain number as a Constant node; anything else is a mistake."""
    if isinstance(operand, Value):
        return operand
    if isinstance(operand, (int, float, Real)):  # int and float first: the common, fast case
        return Constant(operand)
    raise TypeError(
        f"the operands of {op!r} must be Values or real numbers (int, float), "
        f"but one was {type(operand).__name__}: {operand!r}"
    )


def _named(node: Value) -> str:
    """' (label 'x')' for a labelled node, '' otherwise: for error messages."""
    return f" (label {node.label!r})" if node.label else ""


def _short(number: float) -> str:
    """A float rounded to 6 significant digits for reading: 0.30000000000000004 → 0.3."""
    return repr(float(f"{number:.6g}"))


def topological_order(root: Value) -> list[Value]:
    """Every node that `root` was computed from, each after all its parents; `root` is last.

    Iterative depth-first search, so deep graphs (a million nodes in a chain)
    need no recursion: a node goes on the stack under a marker and its parents
    on top; when the marker comes off again, its parents are all placed. The
    order depends only on the graph's shape, never on memory addresses, so it
    is the same on every run.

    >>> x = Value(1.0, "x")
    >>> [node.op or node.label for node in topological_order(x * 2 + x)]
    ['x', '', '*', '+']
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[Value | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:  # a marker: the node under it now has all its parents placed
            order.append(stack.pop())  # type: ignore[arg-type]
            continue
        if node in seen:
            continue
        seen.add(node)
        if node._first is None:  # a leaf can be placed at once
            order.append(node)
            continue
        stack.append(node)  # come back to it ...
        stack.append(None)  # ... once everything pushed after this marker is placed:
        stack.append(node._first)  # its parents
        if node._second is not None:
            stack.append(node._second)
    return order


# ---------------------------------------------------------------------- no_grad


def is_grad_enabled() -> bool:
    """True unless inside a ``no_grad()`` block."""
    return _recording


class no_grad(ContextDecorator):
    """Ops inside this block record no graph: their results are plain leaves.

    Use it for work that needs no gradients, such as an optimiser's update or
    evaluating a model. Blocks nest, and recording resumes afterwards, also
    when the block raises. Works as a decorator too.

    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * 3
    >>> y.parents
    ()
    """

    def __init__(self) -> None:
        self._saved: list[bool] = []

    def __enter__(self) -> no_grad:
        global _recording
        self._saved.append(_recording)
        _recording = False
        return self

    def __exit__(self, *exc_info: object) -> None:
        global _recording
        _recording = self._saved.pop()
