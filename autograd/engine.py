"""The engine: a scalar `Value` that applies the ops of the table, and backpropagation.

Read `autograd/ops.py` (the op table) first, then this file top to bottom. In the
notation of the worked example (z = wx + b, a = σ(z), L = ½(a − y)²):

>>> w, x, b, y = Value(0.5, "w"), Value(1.0, "x"), Value(0.0, "b"), Value(1.0, "y")
>>> z = w * x + b            # forward pass: every op records its parents and local gradients ...
>>> a = z.sigmoid()
>>> L = 0.5 * (a - y) ** 2
>>> L.backward()             # ... and backward() applies the chain rule to them
>>> round(w.grad, 6)         # ∂L/∂w = (a − y) · σ'(z) · x
-0.088723

1. **`Value`**, one number in a graph: ``data`` (its number), ``grad`` (∂L/∂node, filled in
   by ``backward()``), ``parents`` (the nodes it was computed from), ``operation`` (the `Op`
   that made it; ``op`` is its name) and its *local gradients* ∂node/∂parent (``local_grads()``).
2. **`apply`**: an op's number from its inputs' numbers (the op's ``forward``), and, right
   then, its local gradients (the op's rule), kept on the new node.
3. **`Value.backward`** sorts the graph so that every node comes after its parents, walks
   that order in reverse and at each node hands its gradient (the *upstream*) to its
   parents: ``parent.grad += local_grad * upstream``. That line is the chain rule.

How a node is stored, and why: the local gradients are numbers worked out in the forward
pass, so no node holds a closure and there are no reference cycles (micrograd's closures
make one per node): a graph is freed the moment the last reference to it goes. A node has
at most two parents, kept in two slots (``_first``, ``_second``) with their local gradients
(``_g0``, ``_g1``): no tuple per node. Because those numbers come from the forward pass, a
``data`` written after it (an ``optimizer.step()`` between forward and backward) would mix
old and new numbers. So, as PyTorch's version counter does, every write to ``data`` is
counted: a node remembers the count when it was made (``_made``), a value the count of its
last write (``_written``), and ``backward()`` refuses a graph whose numbers no longer fit.

The numeric policy, the same for every op: a NaN operand gives NaN; a result too large for
a float is ±∞ (``exp(1000)``); a result that is not a real number (``log(0)``, ``1 / 0``,
``sqrt(-1)``, ``inf - inf``) raises an error naming the op and its operands. ``backward()``
never raises on numbers: it is IEEE arithmetic (0 · ∞ is NaN).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any, Union

from . import ops
from ._checks import as_float
from .grad_mode import enable_grad, is_grad_enabled, mode, no_grad, open_blocks, tracing
from .ops import BUILT_IN_OPS, OPS, Op, cos, exp, log, sigmoid, sin, sqrt, tanh

__all__ = [
    "BUILT_IN_OPS", "OPS", "Constant", "Op", "Value", "apply", "cos", "enable_grad", "exp", "find_stale_node",
    "is_grad_enabled", "log", "no_grad", "sigmoid", "sin", "sqrt", "tanh", "topological_order", "tracing",
]  # fmt: skip

Operand = Union["Value", int, float]
_undefined, _refuse_undefined_slope = ops._undefined, ops._refuse_undefined_slope  # errors of an op outside its domain


# ====================================================================== 1. the Value


def _operator(op: Op) -> tuple[Callable[..., Value], Callable[..., Value]]:
    """The two Value methods of a two-input op: ``x ⊙ y``, and ``2 ⊙ x`` (the number on the left)."""

    def method(self: Value, other: Operand) -> Value:
        return apply(op, self, other)

    def reflected(self: Value, other: Operand) -> Value:
        return apply(op, other, self)

    method.__name__, reflected.__name__ = op.name, f"reflected {op.name}"
    return method, reflected


def _method(op: Op) -> Callable[..., Value]:
    """The Value method of a one-input op: ``x.sigmoid()``."""

    def method(self: Value) -> Value:
        return apply(op, self)

    method.__name__ = method.__qualname__ = op.name
    method.__doc__ = f"{op.formula.format(a='x')}: applies OPS[{op.name!r}] (see autograd/ops.py)."
    return method


class Value:
    """One number in a computation graph, and the gradient of the loss with respect to it.

    >>> x = Value(3.0, label="x")
    >>> y = x * x + 1
    >>> y.backward()
    >>> y.data, x.grad
    (10.0, 6.0)
    """

    __slots__ = ("_data", "_first", "_g0", "_g1", "_label", "_made", "_second", "_written", "grad", "operation")

    def __new__(cls, *args: Any, **kwargs: Any) -> Value:
        if cls is Value and ({"_children", "_op"} & kwargs.keys() or (len(args) > 1 and not isinstance(args[1], str))):
            from .micrograd import LectureValue  # micrograd's Value(data, _children, _op): see autograd/micrograd.py

            cls = LectureValue
        return object.__new__(cls)

    def __init__(self, data: float | Real, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"a Value's label must be a str, but was given {type(label).__name__}: {label!r}")
        self._data = as_float(data, "Value()")
        self.grad = 0.0
        self._label = label
        self.operation: Op | None = None
        self._first: Any = None  # the parents: a Value, or None (see `parents`)
        self._second: Any = None
        self._g0: Any = None  # ∂self/∂_first and ∂self/∂_second, recorded when the op is applied
        self._g1: Any = None
        self._made = self._written = _writes

    @property
    def data(self) -> float:
        """This node's number. Writing it (``w.data -= lr * w.grad``) is counted: see `find_stale_node`."""
        if mode.on_read is not None:  # a tracer watches for Python decisions on numbers (see `tracing`)
            mode.on_read(self)
        return self._data

    @data.setter
    def data(self, number: float) -> None:
        global _writes
        self._data = as_float(number, "data =")
        _writes += 1
        self._written = _writes

    @property
    def label(self) -> str:
        """A name for drawings and walkthroughs (``"w"``), ``""`` for none."""
        try:
            return self._label
        except AttributeError:  # an op's result has none until you give it one: one store fewer per node
            return ""

    @label.setter
    def label(self, text: str) -> None:
        self._label = text

    @property
    def op(self) -> str:
        """The name of the op that made this node: ``"+"``, ``"sigmoid"``, …; ``""`` for a leaf."""
        return self.operation.name if self.operation is not None else ""

    @property
    def parents(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in operand order: ``(a, a)`` for ``a + a``, ``()`` for a leaf."""
        if self._first is None:
            return ()
        return (self._first,) if self._second is None else (self._first, self._second)

    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each of ``self.parents``, in the same order; ``()`` for a leaf.

        >>> (Value(2.0) * Value(3.0)).local_grads()
        (3.0, 2.0)
        """
        if self._first is None:
            return ()
        return (self._g0,) if self._second is None else (self._g0, self._g1)

    # ------------------------------------------------------------------ the ops of the table (ops.py)
    # Each applies its Op through `apply` below: x * y is apply(ops.MUL, x, y), 2 * x is apply(ops.MUL, 2, x).

    __add__, __radd__ = _operator(ops.ADD)
    __sub__, __rsub__ = _operator(ops.SUB)
    __mul__, __rmul__ = _operator(ops.MUL)
    __truediv__, __rtruediv__ = _operator(ops.DIV)
    __pow__, __rpow__ = _operator(ops.POW)
    __neg__: Callable[[Value], Value] = _method(ops.NEG)
    exp, log, sigmoid, tanh = _method(ops.EXP), _method(ops.LOG), _method(ops.SIGMOID), _method(ops.TANH)
    relu, softplus = _method(ops.RELU), _method(ops.SOFTPLUS)  # ReLU's slope at 0 is taken as 0
    sin, cos, sqrt = _method(ops.SIN), _method(ops.COS), _method(ops.SQRT)
    abs = __abs__ = _method(ops.ABS)  # its slope at 0 is taken as 0, as in PyTorch

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope · x.

        >>> Value(-2.0).leaky_relu(0.1).data
        -0.2
        """
        return apply(ops.LEAKY_RELU, self, slope)

    # ------------------------------------------------------------------ backpropagation

    def chain_rule(self) -> None:
        """One step of ``backward()``, at this node: ``parent.grad += ∂self/∂parent · self.grad``, per parent.

        >>> x, w = Value(2.0, "x"), Value(-3.0, "w")
        >>> y = x * w
        >>> y.grad = 1.0
        >>> y.chain_rule()
        >>> x.grad, w.grad
        (-3.0, 2.0)
        """
        for parent, local_grad in zip(self.parents, self.local_grads()):
            parent.grad += local_grad * self.grad

    def backward(self) -> None:
        """Fill in ``grad`` = ∂self/∂node for every node this value was computed from.

        Leaf gradients accumulate across calls (reset them with ``zero_grad``); every other
        gradient is set to 0 before the pass. A graph whose numbers no longer fit together
        (a ``data`` written after its forward pass) is refused before any ``grad`` is touched.
        """
        order, maybe_stale = _order_for_backward(self)  # the nodes with parents, each after its parents
        if maybe_stale:
            _refuse_stale(order)
        for node in order:
            node.grad = 0.0
        self.grad += 1.0  # ∂self/∂self = 1
        for node in reversed(order):
            # the chain rule, as `chain_rule()` writes it: ∂L/∂parent += ∂node/∂parent · ∂L/∂node
            upstream = node.grad
            node._first.grad += node._g0 * upstream
            if node._second is not None:
                node._second.grad += node._g1 * upstream

    def zero_grad(self) -> None:
        """Set ``grad`` back to 0 for this value and every node it was computed from."""
        for node in topological_order(self):
            node.grad = 0.0

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={_short(self._data)}, grad={_short(self.grad)}{label})"


class Constant(Value):
    """A leaf made from a plain number in an expression, such as the ½ in ½(a − y)².

    It is a node of its own, so drawn graphs show it, but nothing trains it.
    """

    __slots__ = ()


# ====================================================================== 2. applying an op


def apply(op: Op, x: Operand, y: Operand | None = None) -> Value:
    """Apply `op` to one or two operands: compute the output's number, then record its parents and local gradients.

    A plain-number operand becomes a `Constant` node. ``x * y`` is ``apply(OPS["*"], x, y)``.

    >>> apply(OPS["*"], Value(2.0), 3).data
    6.0
    """
    if not isinstance(x, Value):
        x = _constant(x, op)
    a = x._data
    if op.arity == 1:
        try:
            out = op.forward(a)  # type: ignore[misc]
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            raise _undefined(op, (x,), error) from None
        if out != out and a == a:  # NaN from a number that is not NaN: not a real number
            raise _undefined(op, (x,), None)
    else:
        if not isinstance(y, Value):
            y = _constant(y, op)
        b = y._data
        try:
            out = op.forward(a, b)  # type: ignore[misc]
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            raise _undefined(op, (x, y), error) from None
        if out != out and a == a and b == b:
            raise _undefined(op, (x, y), None)
    node = _new(Value)
    node._data = out
    node.grad = 0.0
    node._made = node._written = _writes
    blocks = open_blocks.count  # no_grad or tracing blocks open in any thread: nearly always 0
    if blocks and not mode.enabled:  # in no_grad: a leaf, with no parents to send gradients to
        node.operation = node._first = node._second = node._g0 = node._g1 = None
    else:  # keep the parents and the local gradients ∂node/∂parent on the node, for backward()
        node.operation = op
        node._first = x
        node._second = y
        rule = op.local_grads
        if y is None:
            node._g0 = rule if type(rule) is float else rule(out, a)  # type: ignore[misc,operator]
        else:
            g0, g1 = rule if type(rule) is tuple else rule(out, a, b)  # type: ignore[misc,operator]
            if g1 != g1 and a == a and b == b:  # a slope towards b that is not a real number (base^p by p, base < 0)
                if type(y) is not Constant:
                    _refuse_undefined_slope(op, x, y)
                g1 = 0.0  # a Constant is never trained: it needs no slope
            node._g0, node._g1 = g0, g1
    if blocks:
        _tell_tracers(op, node, (x,) if y is None else (x, y))  # type: ignore[arg-type]
    return node


def _tell_tracers(op: Op, node: Value, inputs: tuple[Value, ...]) -> None:
    if mode.on_op is not None:  # a tool is tracing (see `tracing`)
        mode.on_op(node, op, inputs)


def _constant(number: object, op: Op) -> Constant:
    """A plain-number operand as a Constant node."""
    out = _new(Constant)
    out._data = number if type(number) is float else as_float(number, f"the operands of {op.name!r}")
    out.grad = 0.0
    out.operation = out._first = out._second = out._g0 = out._g1 = None
    out._made = out._written = _writes
    return out


_new = object.__new__  # a node made without __init__'s checks, which its numbers have passed already
_writes = 0  # how many times any Value's `data` was written (see `find_stale_node`)


# ====================================================================== 3. the backward order


def _order_for_backward(root: Value) -> tuple[list[Value], bool]:
    """The nodes with parents that `root` was computed from, each after its parents (an iterative
    depth-first search, so a chain of a million nodes needs no recursion); and whether a ``data``
    was written since any of them was made, in which case backward() checks its numbers first."""
    order: list[Value] = []
    seen: set[Value] = set()
    maybe_stale = False
    stack: list[Any] = [root] if root._first is not None else []
    push, pop, place = stack.append, stack.pop, order.append  # looked up once: this loop runs once per node
    while stack:
        node = pop()
        if node is None:  # the marker put below a node: its parents are all placed now, so place it
            place(pop())
            continue
        if node in seen:
            continue
        seen.add(node)
        push(node)
        push(None)
        made, first, second = node._made, node._first, node._second
        if node._written > made or first._written > made or (second is not None and second._written > made):
            maybe_stale = True
        if first._first is not None:  # a leaf needs no place in the order: backward() only adds to its grad
            push(first)
        if second is not None and second._first is not None:
            push(second)
    return order, maybe_stale


def topological_order(root: Value) -> list[Value]:
    """Every node that `root` was computed from, each after all its parents; `root` is last.

    Iterative, and the same order on every run (it depends on the graph's shape only).

    >>> x = Value(1.0, "x")
    >>> [node.op or node.label for node in topological_order(x * 2 + x)]
    ['x', '', '*', '+']
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if node is None:  # the marker put below a node: its parents are all placed now, so place it
            order.append(stack.pop())
        elif node not in seen:
            seen.add(node)
            stack += (node, None, *node.parents)
    return order


def find_stale_node(order: Sequence[Value]) -> tuple[Value, float] | None:
    """The first node whose number no longer follows from its parents' numbers, with what it would
    be now; None when the whole graph still fits together.

    >>> w = Value(2.0, "w")
    >>> y = w * 3
    >>> w.data = 5.0
    >>> node, now = find_stale_node(topological_order(y))
    >>> node is y, now
    (True, 15.0)
    """
    for node in order:
        operation = node.operation
        if operation is None or operation.forward is None or node._first is None:
            continue  # a leaf, or a node made micrograd's way: nothing to recompute it with
        try:
            now = operation.forward(*(parent._data for parent in node.parents))
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            now = math.nan
        if now != node._data and not (now != now and node._data != node._data):
            return node, now
    return None


def _refuse_stale(order: Sequence[Value]) -> None:
    found = find_stale_node(order)
    if found is None:
        return
    node, now = found
    name = repr(node.label) if node.label else f"the {node.op} node"
    inputs = ", ".join(f"{p.label or p.op or 'a value'} = {p._data:.6g}" for p in node.parents)
    raise ValueError(
        f"this graph is out of date: {name} was computed as {node._data:.6g}, but from its parents' numbers "
        f"now ({inputs}) it would be {now:.6g}. A value's data changed after the forward pass (an "
        f"optimizer.step()?): run the forward pass again and call backward() on the new graph. No grad was changed."
    )


def _short(number: float) -> str:
    """A float rounded to 6 significant digits for reading: 0.30000000000000004 → 0.3."""
    return repr(float(f"{number:.6g}"))
