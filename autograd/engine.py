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
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ContextDecorator, contextmanager
from numbers import Real
from typing import Any, Union

from .ops import (
    ABS, ADD, BUILT_IN_OPS, COS, DIV, EXP, LEAKY_RELU, LOG, MUL, NEG, OPS, POW, RELU, SIGMOID, SIN, SOFTPLUS, SQRT,
    SUB, TANH, Op, cos, exp, log, sigmoid, sin, sqrt, tanh,
)  # fmt: skip

__all__ = [
    "BUILT_IN_OPS", "OPS", "Constant", "Op", "Value", "apply", "cos", "enable_grad", "exp", "find_stale_node",
    "is_grad_enabled", "log", "no_grad", "sigmoid", "sin", "sqrt", "tanh", "topological_order", "tracing",
]  # fmt: skip

Operand = Union["Value", int, float]


# ====================================================================== 1. the Value


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
        if cls is Value and len(args) > 1 and not isinstance(args[1], str):
            from .micrograd import LectureValue  # micrograd's Value(data, _children, _op): see autograd/micrograd.py

            cls = LectureValue
        return object.__new__(cls)

    def __init__(self, data: float, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"a Value's label must be a str, but was given {type(label).__name__}: {label!r}")
        self._data = _as_float(data, "Value()")
        self.grad = 0.0
        self._label = label
        self.operation: Op | None = None
        self._first = self._second = self._g0 = self._g1 = None
        self._made = self._written = _writes

    @property
    def data(self) -> float:
        """This node's number. Writing it (``w.data -= lr * w.grad``) is counted: see `find_stale_node`."""
        if _mode.on_read is not None:  # a tracer watches for Python decisions on numbers (see `tracing`)
            _mode.on_read(self)
        return self._data

    @data.setter
    def data(self, number: float) -> None:
        global _writes
        self._data = _as_float(number, "data =")
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

    def __add__(self, other: Operand) -> Value:
        return apply(ADD, self, other)

    def __sub__(self, other: Operand) -> Value:
        return apply(SUB, self, other)

    def __mul__(self, other: Operand) -> Value:
        return apply(MUL, self, other)

    def __truediv__(self, other: Operand) -> Value:
        return apply(DIV, self, other)

    def __pow__(self, other: Operand) -> Value:
        return apply(POW, self, other)

    def __radd__(self, other: Operand) -> Value:  # 2 + x
        return apply(ADD, other, self)

    def __rsub__(self, other: Operand) -> Value:
        return apply(SUB, other, self)

    def __rmul__(self, other: Operand) -> Value:
        return apply(MUL, other, self)

    def __rtruediv__(self, other: Operand) -> Value:
        return apply(DIV, other, self)

    def __rpow__(self, other: Operand) -> Value:
        return apply(POW, other, self)

    def __neg__(self) -> Value:
        return apply(NEG, self)

    def exp(self) -> Value:
        return apply(EXP, self)

    def log(self) -> Value:
        return apply(LOG, self)

    def sigmoid(self) -> Value:
        return apply(SIGMOID, self)

    def tanh(self) -> Value:
        return apply(TANH, self)

    def relu(self) -> Value:
        return apply(RELU, self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        return apply(LEAKY_RELU, self, slope)

    def softplus(self) -> Value:
        return apply(SOFTPLUS, self)

    def sin(self) -> Value:
        return apply(SIN, self)

    def cos(self) -> Value:
        return apply(COS, self)

    def sqrt(self) -> Value:
        return apply(SQRT, self)

    def abs(self) -> Value:
        return apply(ABS, self)

    __abs__ = abs

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
    if _open_blocks and (not _mode.enabled or _mode.on_op is not None):  # a no_grad or tracing block somewhere
        return _apply_in_a_block(op, node, x, y)
    _record(op, node, x, y)
    return node


def _record(op: Op, node: Value, x: Value, y: Value | None) -> None:
    """Keep the parents and the local gradients ∂node/∂parent on the node, for backward()."""
    rule = op.local_grads
    node.operation = op
    node._first = x
    node._second = y
    if y is None:
        node._g0 = rule if type(rule) is float else rule(node._data, x._data)  # type: ignore[operator]
        return
    a, b = x._data, y._data
    g0, g1 = rule if type(rule) is tuple else rule(node._data, a, b)  # type: ignore[operator]
    if g1 != g1 and a == a and b == b:  # a slope towards b that is not a real number (base^p by p, for base < 0)
        if type(y) is not Constant:
            _refuse_undefined_slope(op, x, y)
        g1 = 0.0  # a Constant is never trained: it needs no slope
    node._g0, node._g1 = g0, g1


def _apply_in_a_block(op: Op, node: Value, x: Value, y: Value | None) -> Value:
    if _mode.enabled:
        _record(op, node, x, y)
    else:  # in no_grad: a leaf, with no parents to send gradients to
        node.operation = node._first = node._second = node._g0 = node._g1 = None
    if _mode.on_op is not None:
        _mode.on_op(node, op, (x,) if y is None else (x, y))
    if _mode.made_without_grad is not None and node._first is None:  # removed once the compiler uses `tracing`
        _mode.made_without_grad[node] = (op, x) if y is None else (op, x, y)
    return node


def _constant(number: object, op: Op) -> Constant:
    """A plain-number operand as a Constant node."""
    out = _new(Constant)
    out._data = number if type(number) is float else _as_float(number, f"the operands of {op.name!r}")
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
    opened: set[Value] = set()
    placed: set[Value] = set()
    maybe_stale = False
    stack = [root] if root._first is not None else []
    while stack:
        node = stack.pop()
        if node in placed:
            continue
        if node in opened:  # back again: its parents are placed
            placed.add(node)
            order.append(node)
            continue
        opened.add(node)
        stack.append(node)
        made, first, second = node._made, node._first, node._second
        if node._written > made or first._written > made:
            maybe_stale = True
        if first._first is not None and first not in placed:  # a leaf needs no place: backward only adds to it
            stack.append(first)
        if second is not None:
            if second._written > made:
                maybe_stale = True
            if second._first is not None and second not in placed:
                stack.append(second)
    return order, maybe_stale


def topological_order(root: Value) -> list[Value]:
    """Every node that `root` was computed from, each after all its parents; `root` is last.

    Iterative, and the same order on every run (it depends on the graph's shape only).

    >>> x = Value(1.0, "x")
    >>> [node.op or node.label for node in topological_order(x * 2 + x)]
    ['x', '', '*', '+']
    """
    order: list[Value] = []
    opened: set[Value] = set()
    placed: set[Value] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node in placed:
            continue
        if node in opened or node._first is None:  # back again (or a leaf): its parents are placed
            placed.add(node)
            order.append(node)
            continue
        opened.add(node)
        stack.append(node)
        stack.extend(parent for parent in (node._first, node._second) if parent is not None and parent not in placed)
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


# ====================================================================== 4. no_grad, and the hook for tracing tools


class _Mode(threading.local):
    """Per thread, as in PyTorch: whether ops record the graph, and the tracing hooks."""

    enabled = True
    on_op: Callable[[Value, Op, tuple[Value, ...]], None] | None = None
    on_read: Callable[[Value], None] | None = None
    made_without_grad: dict[Value, tuple[Any, ...]] | None = None  # removed once the compiler uses `tracing`


_mode = _Mode()
# How many no_grad, enable_grad and tracing blocks are open in all threads together. While 0 (nearly
# always), an op need not read its own thread's settings at all, which would cost it a fifth of its time.
_open_blocks = 0
_open_blocks_lock = threading.Lock()


@contextmanager
def _setting(**settings: Any) -> Iterator[None]:
    """Change this thread's settings for the block, and put them back after it, also when it raises."""
    global _open_blocks
    saved = {name: getattr(_mode, name) for name in settings}
    with _open_blocks_lock:
        _open_blocks += 1
    for name, setting in settings.items():
        setattr(_mode, name, setting)
    try:
        yield
    finally:
        for name, setting in saved.items():
            setattr(_mode, name, setting)
        with _open_blocks_lock:
            _open_blocks -= 1


def tracing(
    on_op: Callable[[Value, Op, tuple[Value, ...]], None] | None = None,
    on_read: Callable[[Value], None] | None = None,
) -> AbstractContextManager[None]:
    """The one hook for tools that trace (``compile``, the batch replay): in this thread, while the block runs,
    ``on_op(node, op, inputs)`` is called with every node an op makes (inside ``no_grad`` too, where the node
    records no parents), and ``on_read(node)`` whenever code reads a node's ``.data``. Blocks nest.

    >>> made = []
    >>> with tracing(on_op=lambda node, op, inputs: made.append(op.name)):
    ...     y = Value(2.0) * 3 + 1
    >>> made
    ['*', '+']
    """
    return _setting(on_op=on_op, on_read=on_read)


def enable_grad() -> AbstractContextManager[None]:
    """Record the graph again inside a ``no_grad()`` block, as PyTorch's ``enable_grad``.

    >>> with no_grad(), enable_grad():
    ...     y = Value(2.0) * 3
    >>> len(y.parents)
    2
    """
    return _setting(enabled=True)


def is_grad_enabled() -> bool:
    """True unless this thread is inside a ``no_grad()`` block."""
    return _mode.enabled


class no_grad(ContextDecorator):
    """Ops inside this block record no graph: their results are plain leaves.

    For work that needs no gradients, such as an optimiser's update. Blocks nest, recording
    resumes afterwards (also when the block raises), and only this thread is affected, as in
    PyTorch. Works as a decorator too.

    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * 3
    >>> y.parents
    ()
    """

    def __init__(self) -> None:
        self._blocks: list[Any] = []

    def __enter__(self) -> no_grad:
        block = _setting(enabled=False)
        block.__enter__()
        self._blocks.append(block)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._blocks.pop().__exit__(*exc_info)


# ====================================================================== 5. numbers in, errors out


def _as_float(number: object, where: str) -> float:
    """A real number as a float, or a clear error: Value(), data = … and every operand go through here."""
    if type(number) is float:
        return number
    if isinstance(number, bool) or type(number).__name__ in ("bool", "bool_"):  # NumPy's bool too
        raise TypeError(f"{where} takes a number, not a bool ({number!r}): write 1.0 or 0.0")
    if isinstance(number, Real):
        try:
            return float(number)
        except OverflowError:
            raise OverflowError(f"{where} was given {_abbreviated(number)}, too large for a float") from None
    if isinstance(number, Value):
        raise TypeError(
            f"{where} was given another Value ({number!r}). Use that Value itself, "
            f"or pass its number, {number.label or 'v'}.data, to make a new leaf."
        )
    raise TypeError(
        f"{where} takes a real number (int, float or a NumPy scalar), "
        f"but was given {type(number).__name__}: {_abbreviated(number)}"
    )


def _undefined(op: Op, inputs: Sequence[Value], error: BaseException | None) -> Exception:
    """The error for an op whose result is not a real number, naming the op and its operands."""
    formula = op.formula.format(a="a", b="b")
    given = ", ".join(f"{letter} = {x._data!r}{_named(x)}" for letter, x in zip("ab", inputs))
    reason = str(error) if error is not None else ""
    if reason in ("", "math domain error"):
        reason = "the result is not a real number"
    kind = ZeroDivisionError if isinstance(error, ZeroDivisionError) else ValueError
    return kind(f"{reason}: {formula} with {given}")


def _refuse_undefined_slope(op: Op, x: Value, y: Value) -> None:
    raise ValueError(
        f"{op.formula.format(a='a', b='b')} with a = {x._data!r}{_named(x)}, b = {y._data!r}{_named(y)}: its slope "
        f"with respect to b is not a real number here, so backward() could not use it. Make b a plain number "
        f"(a constant) instead."
    )


def _abbreviated(thing: object) -> str:
    text = repr(thing)
    return text if len(text) <= 40 else f"{text[:20]}…{text[-10:]} ({len(text)} characters)"


def _named(node: Value) -> str:
    return f" (label {node.label!r})" if node.label else ""


def _short(number: float) -> str:
    """A float rounded to 6 significant digits for reading: 0.30000000000000004 → 0.3."""
    return repr(float(f"{number:.6g}"))


_grad_mode = _mode  # removed once the compiler uses the public hook (`tracing`, `is_grad_enabled`)
