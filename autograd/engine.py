"""The engine: the table of operations, a scalar `Value` that applies them, and backpropagation.

Read this file top to bottom to see backprop work. In the notation of the seed
document (z = wx + b, a = σ(z), L = ½(a − y)²):

>>> w, x, b, y = Value(0.5, "w"), Value(1.0, "x"), Value(0.0, "b"), Value(1.0, "y")
>>> z = w * x + b            # forward pass: every op records its parents and local gradients ...
>>> a = z.sigmoid()
>>> L = 0.5 * (a - y) ** 2
>>> L.backward()             # ... and backward() applies the chain rule to them
>>> round(w.grad, 6)         # ∂L/∂w = (a − y) · σ'(z) · x
-0.088723

The file has three parts:

1. **The op table.** Every op is declared once, as an `Op`: its name, its
   forward computation and its local-gradient rule side by side, with how it is
   drawn and how it reads in a walkthrough. Drawing, the walkthrough, the formula
   parser, the nn activations, derivatives of derivatives and the compiler all
   read this one table (`OPS`). Your own op is one more `Op`:

   >>> cube = Op("cube", forward=lambda x: x**3, local_grads=lambda out, x: 3 * x**2, formula="{a}³")
   >>> y = cube(Value(2.0, "x"))
   >>> y.data, y.local_grads()
   (8.0, (12.0,))

2. **`Value`**, one number in a graph. Every node keeps ``data`` (its number),
   ``grad`` (∂L/∂node, filled in by ``backward()``), ``parents`` (the nodes it was
   computed from), ``operation`` (the `Op` that made it; ``op`` is its name) and its
   *local gradients* ∂node/∂parent, one number per parent (``local_grads()``).

3. **`backward()`** sorts the graph so that every node comes after its parents,
   walks that order in reverse and, at each node, hands its gradient (the
   *upstream* gradient) to its parents: ``parent.grad += local_grad * upstream``.
   That one line is the chain rule (`Value.chain_rule` applies it at one node,
   for doing backprop by hand).

How a node is stored, and why (speed and memory are the engine's job too):

* The local gradients are worked out in the forward pass, while the op's inputs
  are at hand, and kept as two numbers on the node. The backward pass is then one
  multiply-add per edge, and no node refers to a closure or to its output: there
  are no reference cycles (micrograd's closures make one per node), so a graph is
  freed the moment the last reference to it goes.
* A node has at most two parents, kept in two slots (``_first``, ``_second``) rather
  than in a tuple: one object per node instead of two, which halves the work the
  garbage collector does while a big graph is being built.
* Each op's function is written out once from one template (`_make_apply`), with
  the op's own forward and local gradients in it (``out = a * b``, ``g0, g1 = b, a``),
  so that applying an op costs no further call.
* ``backward()`` does not visit what a local gradient of 0 cuts off (a ReLU that is
  off): nothing there can receive a gradient, and a hand-written backward pass
  skips it too. In a ReLU network that is most of the graph.
* Because the local gradients are numbers from the forward pass, a leaf whose
  ``data`` changes before ``backward()`` (an ``optimizer.step()`` in between) would
  mix old and new numbers. Writes to ``data`` are counted, and every node carries a
  stamp: the count when the oldest node of its graph was made. ``backward()`` reads
  the root's stamp: if anything changed since, it skips nothing, and checks the whole
  graph first: one whose numbers no longer fit is refused, naming the node, as
  PyTorch does.

The numeric policy, the same for every op: a NaN operand gives NaN (never a
healthy-looking number); a result too large for a float is ±∞ (``exp(1000)``,
``1e308 * 10``); a result that is not a real number (``log(0)``, ``1 / 0``,
``sqrt(-1)``, ``inf - inf``) raises an error naming the op and its operands.
``backward()`` itself never raises on numbers: it is IEEE arithmetic (0 · ∞ is NaN).
"""

from __future__ import annotations

import inspect
import linecache
import math
import re
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ContextDecorator, contextmanager
from numbers import Real
from typing import Any, Union

__all__ = [
    "BUILT_IN_OPS",
    "OPS",
    "Constant",
    "Op",
    "Value",
    "cos",
    "enable_grad",
    "exp",
    "find_stale_node",
    "is_grad_enabled",
    "log",
    "no_grad",
    "sigmoid",
    "sin",
    "sqrt",
    "tanh",
    "topological_order",
    "tracing",
]

Number = int | float
Operand = Union["Value", int, float]  # a string forward reference needs Union
Scalar = Union["Value", float]  # what a local-gradient rule computes with: numbers, or Values for higher orders
LocalGrads = Callable[..., Any] | float | tuple[float, float]


# ====================================================================== 1. the op table


class Op:
    """One operation, declared once; every tool reads what it needs from here.

    * ``name``         the node's ``op``: ``"sigmoid"``
    * ``forward``      its number from its inputs' numbers: a function, or its body as an expression in
      ``a`` (and ``b``), ``"a * b"``. Outside its domain it raises (``ValueError``,
      ``ZeroDivisionError``) or returns NaN, and the engine says which op failed
    * ``local_grads``  ∂out/∂input for each input, given the output and the inputs: one number for a
      one-input op, a pair for two; a function of ``(out, a, b)``, or its body, ``"b, a"``. Written
      with arithmetic and this module's `exp`, `log`, `sin`, `cos`, `sqrt`, `sigmoid`, `tanh` (which
      take numbers or Values), the same rule gives numbers for ``backward()`` and Values for
      derivatives of derivatives (``autograd.grad``). Local gradients that never change (1 and 1
      for ``+``) may be given as those numbers. The engine writes expressions into the function
      that applies the op (``source``), so they cost no call per node.
    * ``symbol``       drawn on the op's oval (default: the name)
    * ``formula``      how a node reads in a walkthrough, ``"σ({a})"``: ``{a}``, ``{b}`` are the inputs
    * ``derivatives``  each local gradient as it reads, per input: ``(symbolic, with numbers)`` or just
      the symbolic form, with ``{a}``, ``{b}``, ``{out}`` (names in the first, numbers in the
      second). Optional: without it the walkthrough shows the number alone
    * ``activation``   True for ops that make sense as a neuron's activation (``MLP(activation=...)``)
    * ``commutative``  True for a two-input op whose inputs can be swapped (``+``, ``*``); the inputs of
      the others are told apart in drawings (edges labelled a and b)
    * ``finite_slopes`` True when the local gradients are finite wherever the output is (``*``, ``tanh``;
      not ``log``, whose slope 1/a is ∞ at a = 1e-320): then the engine checks the output alone

    Calling an Op applies it: ``SIGMOID(x)`` is ``x.sigmoid()``. An Op made with a new name joins
    `OPS`, so drawing, the walkthrough and the formula parser know it at once; made again with the
    same name (a notebook cell run twice), it replaces the earlier one.
    """

    __slots__ = (
        "activation", "apply", "arity", "commutative", "derivatives", "expressions", "finite_slopes", "formula",
        "forward", "local_grads", "name", "source", "symbol",
    )  # fmt: skip

    def __init__(
        self,
        name: str,
        forward: Callable[..., float] | str | None,
        local_grads: LocalGrads | str | None,
        *,
        arity: int | None = None,
        symbol: str | None = None,
        formula: str | None = None,
        derivatives: Sequence[tuple[str, str | None] | str] = (),
        activation: bool = False,
        commutative: bool = False,
        finite_slopes: bool = False,
        register: bool = True,
    ) -> None:
        if not isinstance(name, str) or not name or name != name.strip():
            raise TypeError(f"an Op needs a name (a non-empty str), but was given {name!r}")
        # forward and local_grads may be given as expressions ("a * b"; "b, a"), which `_make_apply` writes in
        expressions = tuple(part if isinstance(part, str) else None for part in (forward, local_grads))
        if isinstance(forward, str):  # "a * b": the body of a function of the inputs' numbers
            arity = arity or (2 if re.search(r"\bb\b", forward) else 1)
            forward = _function(name, "forward", "a, b" if arity == 2 else "a", forward)
        if isinstance(local_grads, str):  # "b, a": the body of a function of the output's and inputs' numbers
            local_grads = _function(name, "local_grads", "out, a, b" if arity == 2 else "out, a", f"({local_grads})")
        if forward is not None and not callable(forward):
            raise TypeError(f"Op {name!r}: forward must be a function of the inputs' numbers, not {forward!r}")
        if arity is None:
            arity = _count_inputs(forward) if forward is not None else 0
        if arity not in (1, 2) and forward is not None:
            raise ValueError(f"Op {name!r} takes {arity} inputs; an op here takes one or two (compose bigger ones)")
        if forward is not None and not (callable(local_grads) or _is_constant_grads(local_grads, arity)):
            raise TypeError(
                f"Op {name!r}: local_grads must be a function (out, *inputs) giving ∂out/∂input for each input, "
                f"or those numbers (finite) when they are constants, not {local_grads!r}"
            )
        if register and name in _BUILT_IN_NAMES:
            raise ValueError(f"{name!r} is one of the engine's own ops (OPS[{name!r}]); give your op another name")
        if _BUILT_IN_NAMES and callable(local_grads):  # an op of yours: its rule's answers are checked as they come
            local_grads = _checked_rule(local_grads, arity)
            expressions = (expressions[0], None)
        self.name = name
        self.forward = forward
        self.local_grads = local_grads
        self.arity = arity
        self.symbol = symbol or name
        self.formula = formula or (f"{name}({{a}})" if arity == 1 else f"{name}({{a}}, {{b}})")
        self.derivatives = tuple((d, None) if isinstance(d, str) else (d[0], d[1]) for d in derivatives)
        self.activation = activation
        self.commutative = commutative
        self.finite_slopes = finite_slopes
        # forward and local_grads as given, when given as expressions: they are written into `apply`
        self.expressions = expressions
        self.source = ""  # the code of `apply`, written by `_make_apply`
        # The function that applies this op to Values and makes the output node (see `_make_apply`).
        self.apply: Callable[..., Value] = _make_apply(self)
        if register:
            OPS[name] = self

    def __call__(self, *operands: Operand) -> Value:
        """Apply the op: numbers become Constant nodes, as they do with ``x * 2``."""
        if len(operands) != self.arity:
            raise TypeError(f"{self.name} takes {self.arity} input(s), but was given {len(operands)}: {operands!r}")
        for operand in operands:  # another kind of number that applies ops itself (forward mode's Dual)
            handler = getattr(type(operand), "__autograd_op__", None)
            if handler is not None:
                return handler(operand, self, *operands)  # type: ignore[no-any-return]
        first = operands[0] if isinstance(operands[0], Value) else _constant(operands[0], self.name)
        return self.apply(first, *operands[1:])

    def local_grads_at(self, out: Scalar, *inputs: Scalar) -> tuple[Any, ...]:
        """The local gradients as a tuple, one per input, for numbers or for Values.

        >>> OPS["*"].local_grads_at(6.0, 2.0, 3.0)
        (3.0, 2.0)
        """
        rule = self.local_grads
        grads = rule(out, *inputs) if callable(rule) else rule
        return grads if isinstance(grads, tuple) else (grads,)

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


OPS: dict[str, Op] = {}
"""Every op the engine knows, by name: the one place where an op is declared."""
_BUILT_IN_NAMES: set[str] = set()


def _function(name: str, part: str, inputs: str, body: str) -> Callable[..., Any]:
    """A function made from an op's expression, with this module's names (exp, sigmoid, ...) at hand."""
    try:
        return eval(f"lambda {inputs}: {body}", globals())  # type: ignore[no-any-return]
    except SyntaxError as error:
        raise ValueError(f"Op {name!r}: its {part} {body!r} is not a Python expression ({error.msg})") from None


def _count_inputs(forward: Callable[..., float]) -> int:
    try:
        parameters = inspect.signature(forward).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature, such as math.sin: one input
        return 1
    return sum(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)


def _checked_rule(rule: Callable[..., Any], arity: int) -> Callable[..., Any]:
    """A rule of your own, made to answer as the engine's do (a number, or a pair for two inputs; ints become
    floats, a one-number tuple its number), so that backward() never meets a bad local gradient half-way."""

    def checked(out: Any, *inputs: Any) -> Any:
        grads = rule(out, *inputs)
        if arity == 1:
            return _one_gradient(grads[0] if type(grads) is tuple and len(grads) == 1 else grads)
        if not (isinstance(grads, (tuple, list)) and len(grads) == 2):
            raise TypeError(f"it gave {type(grads).__name__}: {grads!r}")
        return _one_gradient(grads[0]), _one_gradient(grads[1])

    checked.__name__ = checked.__qualname__ = getattr(rule, "__name__", "local_grads")
    checked.__wrapped__ = rule  # type: ignore[attr-defined]
    return checked


def _one_gradient(grad: Any) -> Any:
    if isinstance(grad, Value):
        return grad  # a rule run on Values, for a derivative of a derivative
    if isinstance(grad, Real) and not isinstance(grad, bool):
        return float(grad)
    raise TypeError(f"it gave {type(grad).__name__}: {grad!r}")


def _is_constant_grads(grads: object, arity: int) -> bool:
    """Finite numbers, one per input (the engine uses them as they are, node after node)."""
    numbers = (grads,) if arity == 1 else grads if isinstance(grads, tuple) and len(grads) == 2 else ()
    return bool(numbers) and all(
        isinstance(g, (int, float)) and not isinstance(g, bool) and math.isfinite(g) for g in numbers
    )


# Making an op's output node. `_make_apply(op)` writes the function that applies `op` (the Value
# methods below are exactly these functions): compute the number, then record the parents and
# the local gradients, unless this thread is in `no_grad`. It is written out once per op, with
# the op's own forward and local gradients in it (``out = a * b``, ``g0, g1 = b, a`` for ``*``),
# because a function call per node would cost more than the rest of the work together. Read
# one with ``print(OPS["*"].source)``.

_APPLY = """\
def make(op, forward, rule):
    def apply({inputs}):
{operand}        a{second_number} = x._data{second_data}
        try:
            out = {forward}
        except (ValueError, ZeroDivisionError, OverflowError, TypeError) as error:
            raise _undefined(op, {tuple}, error) from None
        # The stamp: the count of changes when the oldest node of this graph was made (see `backward`)
        made = _changes
        if x._mark < made:
            made = x._mark
{second_stamp}{check_out}        node = _new(Value)
        node._data = out
        node.grad = 0.0
        if _no_grad_blocks and not _grad_mode.enabled:  # in no_grad: a leaf, with no parents to send gradients to
            node.operation = node._first = node._second = node._g0 = node._g1 = None
            node._mark = _LEAF
            if _grad_mode.made_without_grad is not None:  # `autograd.compile` is tracing: it replays this op too
                _grad_mode.made_without_grad[node] = (op, {inputs})
            if _grad_mode.on_op is not None:
                _grad_mode.on_op(node, op, ({inputs},))
            return node
        node.operation = op
        node._first = x
        node._second = {second}
{local_grads}        node._g0 = g0
        node._g1 = {g1}
        node._mark = made
        if _grad_mode.on_op is not None:
            _grad_mode.on_op(node, op, ({inputs},))
        return node
    return apply
"""

_NAN_OUT = """\
        if out != out and a == a{second_is_number}:  # NaN from numbers that are not NaN: not a real number
            raise _undefined(op, {tuple}, None)
"""

_NOT_FINITE_OUT = """\
        if not _NEG_INF < out < _INF:  # ∞ or NaN (for this op, the only time a local gradient can be ∞ or NaN)
            if out != out and a == a{second_is_number}:  # NaN from numbers that are not NaN: not a real number
                raise _undefined(op, {tuple}, None)
            made = _NOT_FRESH  # 0 · ∞ is NaN: backward() may not skip what lies behind a 0 in this graph
"""

_OPERAND = """\
        if not isinstance(y, Value):
            y = _constant(y, op.name)  # a plain number: a Constant node, drawn as it reads
"""

_LOCAL_GRADS = """\
        try:
            {grads} = {rule}
        except Exception as error:  # a rule of your own that fails: say whose
            raise _rule_failed(op, {tuple}, error) from None
"""

_NOT_FINITE_SLOPE = """\
        if not {finite}:  # ∞ or NaN: 0 · ∞ is NaN, so backward() may not skip what lies behind a 0 in this graph
            made = _NOT_FRESH
"""

_NAN_SLOPE = """\
            if g1 != g1 and a == a and b == b:  # a slope that is not a real number (of base^p by p, for base < 0)
                if type(y) is not Constant:
                    _refuse_undefined_slope(op, x, y)
                g1 = 0.0  # a constant is never trained: it needs no slope
"""


def _make_apply(op: Op, reflected: bool = False) -> Callable[..., Value]:
    """The function that applies `op` to Values (`_APPLY`, with the op's forward and local gradients
    written in). ``reflected``: for ``2 * x``, where the number is the left operand."""
    two = op.arity == 2
    inputs = "(x, y)" if two else "(x,)"
    rule = op.local_grads
    if callable(rule):
        expression = op.expressions[1] or f"rule(out, a{', b' if two else ''})"
        local_grads = _LOCAL_GRADS.format(grads="g0, g1" if two else "g0", rule=expression, tuple=inputs)
        if not op.finite_slopes:  # else the output's check covered them
            local_grads += _NOT_FINITE_SLOPE.format(
                finite="(_NEG_INF < g0 < _INF and _NEG_INF < g1 < _INF)" if two else "_NEG_INF < g0 < _INF"
            ) + (_NAN_SLOPE if two else "")  # fmt: skip
    else:  # local gradients that never change, such as 1 and 1 for +
        local_grads = f"        g0, g1 = {rule!r}\n" if two else f"        g0 = {rule!r}\n"
    operand = _OPERAND + ("        x, y = y, x  # 2 * x: the number is the left operand\n" if reflected else "")
    check_out = (_NOT_FINITE_OUT if op.finite_slopes and callable(rule) else _NAN_OUT).format(
        second_is_number=" and b == b" if two else "", tuple=inputs
    )
    source = _APPLY.format(
        check_out=check_out, inputs="x, y" if two else "x", tuple=inputs, operand=operand if two else "",
        second_number=", b" if two else "", second_data=", y._data" if two else "",
        forward=op.expressions[0] or f"forward(a{', b' if two else ''})", second="y" if two else "None",
        second_stamp="        if y._mark < made:\n            made = y._mark\n" if two else "",
        local_grads=local_grads, g1="g1" if two else "None",
    )  # fmt: skip
    filename = f"<autograd: the op {op.name!r}{', reflected' if reflected else ''}>"
    namespace: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), globals(), namespace)  # our own template
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)  # for tracebacks
    apply: Callable[..., Value] = namespace["make"](op, op.forward, rule)
    apply.__name__ = apply.__qualname__ = op.name
    apply.__doc__ = f"{op.formula.format(a='x', b='y')}: applies the op OPS[{op.name!r}] (see `Op`)."
    if not reflected:
        op.source = source
    return apply


def _undefined(op: Op, inputs: Sequence[Value], error: BaseException | None) -> Exception:
    """The error for an op whose result is not a real number, naming the op and its operands."""
    formula = op.formula.format(a="a", b="b")
    given = ", ".join(f"{letter} = {x._data!r}{_named(x)}" for letter, x in zip("ab", inputs))
    reason = str(error) if error is not None else ""
    if reason in ("", "math domain error"):
        reason = "the result is not a real number"
    kind = ZeroDivisionError if isinstance(error, ZeroDivisionError) else ValueError
    return kind(f"{reason}: {formula} with {given}")


def _rule_failed(op: Op, inputs: Sequence[Value], error: Exception) -> Exception:
    given = ", ".join(f"{letter} = {x._data!r}" for letter, x in zip("ab", inputs))
    wanted = "one number" if op.arity == 1 else "a pair of numbers, one per input"
    message = f"the local-gradient rule of the op {op.name!r} failed at {given}: {error} (it should return {wanted})"
    try:
        return type(error)(message)  # the same kind of error, with the op named
    except Exception:  # an error type that takes other arguments
        return RuntimeError(message)


def _refuse_undefined_slope(op: Op, x: Value, y: Value) -> None:
    raise ValueError(
        f"{op.formula.format(a='a', b='b')} with a = {x._data!r}{_named(x)}, b = {y._data!r}{_named(y)}: its slope "
        f"with respect to b is not a real number here, so backward() could not use it. Make b a plain number "
        f"(a constant) instead."
    )


# The functions local-gradient rules are written with: each takes a plain number or a Value,
# so one rule gives numbers for backward() and Values for derivatives of derivatives.


def exp(x: Scalar) -> Scalar:
    """eˣ of a number or a Value."""
    return x.exp() if isinstance(x, Value) else _exp(x)


def log(x: Scalar) -> Scalar:
    """ln x of a number or a Value."""
    return x.log() if isinstance(x, Value) else _log(x)


def sin(x: Scalar) -> Scalar:
    """sin x of a number or a Value."""
    return x.sin() if isinstance(x, Value) else math.sin(x)


def cos(x: Scalar) -> Scalar:
    """cos x of a number or a Value."""
    return x.cos() if isinstance(x, Value) else math.cos(x)


def sqrt(x: Scalar) -> Scalar:
    """√x of a number or a Value."""
    return x.sqrt() if isinstance(x, Value) else _sqrt(x)


def sigmoid(x: Scalar) -> Scalar:
    """σ(x) of a number or a Value."""
    return x.sigmoid() if isinstance(x, Value) else _sigmoid(x)


def tanh(x: Scalar) -> Scalar:
    """tanh x of a number or a Value."""
    return x.tanh() if isinstance(x, Value) else math.tanh(x)


def _number(x: Scalar) -> float:
    return x._data if isinstance(x, Value) else x


def _step(x: Scalar, below: Scalar = 0.0) -> Scalar:
    """The slope of a kink at 0: 1 above, ``below`` at and below 0, NaN for NaN. A constant, also for a Value."""
    number = _number(x)
    return 1.0 if number > 0.0 else below if number <= 0.0 else math.nan


def _sign(x: Scalar) -> float:
    """The slope of |x|: −1, 0 at 0 (as PyTorch takes it), 1; NaN for NaN."""
    number = _number(x)
    return 1.0 if number > 0.0 else -1.0 if number < 0.0 else 0.0 if number == 0.0 else math.nan


# Forward computations on plain numbers, where Python's own raise or overflow differently.


def _divide(a: float, b: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError("division by zero")
    return a / b


def _power(base: float, p: float) -> float:
    if base == 0.0 and p < 0:
        raise ZeroDivisionError("zero to a negative power")
    if base < 0.0 and not float(p).is_integer():
        raise ValueError("a negative base to a non-integer power is not a real number")
    try:
        return base**p  # type: ignore[no-any-return]
    except OverflowError:  # too large: ∞, with the sign it would have had
        return -math.inf if base < 0.0 and float(p) % 2.0 == 1.0 else math.inf


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _log(x: float) -> float:
    if x <= 0.0:
        raise ValueError("log is defined for positive numbers only")
    return math.log(x)


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # e⁻ˣ would overflow for very negative x; use the equal form eˣ / (1 + eˣ)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x))) if x == x else x  # ln(1 + eˣ), never overflowing


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise ValueError("the square root is defined for numbers ≥ 0 only")
    return math.sqrt(x)


# Local-gradient rules too long for one line.


def _divide_local_grads(out: Scalar, a: Scalar, b: Scalar) -> tuple[Scalar, Scalar]:
    return 1 / b, -out / b  # ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b², written −out/b so that b² cannot underflow to 0


def _pow_local_grads(out: Scalar, base: Scalar, p: Scalar) -> tuple[Scalar, Scalar]:
    b, e = _number(base), _number(p)
    # ∂(base^p)/∂base = p·base^(p−1): 0 for p = 0; infinite at base 0 for p < 1.
    if e == 0.0:
        d_base: Scalar = 0.0
    elif b == 0.0 and e < 1.0:
        d_base = math.inf
    elif isinstance(base, Value):
        d_base = p * base ** (p - 1)
    else:
        d_base = e * _power(b, e - 1.0)
    # ∂(base^p)/∂p = base^p·ln(base): real only for base > 0 (its limit is 0 at base 0).
    d_exponent: Scalar = out * log(base) if b > 0.0 else (0.0 if b == 0.0 else math.nan)
    return d_base, d_exponent


def _sqrt_local_grads(out: Scalar, x: Scalar) -> Scalar:
    return 0.5 / out if _number(out) != 0.0 else math.inf  # ∂√x/∂x = 1/(2√x), infinite at 0


# The table. Each op: its name, its forward computation, its local gradients; then how it is
# drawn (symbol) and how it reads in a walkthrough (formula, derivatives).
ADD = Op("+", "a + b", (1.0, 1.0), formula="{a} + {b}", derivatives=["1", "1"], commutative=True)
SUB = Op("-", "a - b", (1.0, -1.0), symbol="−", formula="{a} − {b}", derivatives=["1", "−1"])
MUL = Op(
    "*", "a * b", "b, a", symbol="×", formula="{a} · {b}", derivatives=["{b}", "{a}"],
    commutative=True, finite_slopes=True,
)  # fmt: skip
DIV = Op(
    "/", "_divide(a, b)", "_divide_local_grads(out, a, b)", symbol="÷", formula="{a} / {b}",
    derivatives=[("1/{b}", "1/{b}"), ("−{a}/{b}²", "−{a}/{b}²")],
)  # fmt: skip
POW = Op(
    "**", "_power(a, b)", "_pow_local_grads(out, a, b)", formula="{a}^{b}",
    derivatives=[("{b} · {a}^({b} − 1)", "{b} · {a}^({b} − 1)"), ("{a}^{b} · log {a}", "{out} · log({a})")],
)  # fmt: skip
NEG = Op("neg", "-a", -1.0, formula="−{a}", derivatives=["−1"])
EXP = Op(
    "exp", "_exp(a)", "out", formula="exp({a})", derivatives=[("exp'({a}) = exp({a})", "exp({a})")], finite_slopes=True
)
LOG = Op("log", "_log(a)", "1 / a", formula="log({a})", derivatives=[("log'({a}) = 1/{a}", "1/{a}")])
SIGMOID = Op(
    "sigmoid", "_sigmoid(a)", "out * (1 - out)", symbol="σ", formula="σ({a})",
    derivatives=[("σ'({a}) = σ({a})(1 − σ({a}))", "{out} · (1 − {out})")], activation=True, finite_slopes=True,
)  # fmt: skip
TANH = Op(
    "tanh", "math.tanh(a)", "1 - out * out", formula="tanh({a})",
    derivatives=[("tanh'({a}) = 1 − tanh²({a})", "1 − {out}²")], activation=True, finite_slopes=True,
)  # fmt: skip
RELU = Op(
    "relu", "0.0 if a <= 0.0 else a", "_step(a)", symbol="ReLU", formula="ReLU({a})",
    derivatives=[("ReLU'({a}) = [{a} > 0]", "[{a} > 0]")], activation=True, finite_slopes=True,
)  # fmt: skip
LEAKY_RELU = Op(
    "leaky_relu", "a if a > 0.0 else b * a", "_step(a, b), (0.0 if _number(a) > 0.0 else a)",
    symbol="LeakyReLU", formula="LeakyReLU({a}; {b})",
    derivatives=[("1 if {a} > 0, else {b}", "[{a} > 0] or {b}"), ("0 if {a} > 0, else {a}", None)],
    activation=True, finite_slopes=True,
)  # fmt: skip
SOFTPLUS = Op(
    "softplus", "_softplus(a)", "sigmoid(a)", formula="softplus({a})",
    derivatives=[("softplus'({a}) = σ({a})", "σ({a})")], activation=True, finite_slopes=True,
)  # fmt: skip
SIN = Op(
    "sin", "math.sin(a)", "cos(a)", formula="sin({a})", derivatives=[("sin'({a}) = cos({a})", "cos({a})")],
    finite_slopes=True,
)  # fmt: skip
COS = Op(
    "cos", "math.cos(a)", "-sin(a)", formula="cos({a})", derivatives=[("cos'({a}) = −sin({a})", "−sin({a})")],
    finite_slopes=True,
)  # fmt: skip
SQRT = Op(
    "sqrt", "_sqrt(a)", "_sqrt_local_grads(out, a)", symbol="√", formula="√{a}",
    derivatives=[("√'({a}) = 1/(2√{a})", "1/(2 · {out})")],
)  # fmt: skip
ABS = Op(
    "abs", "abs(a)", "_sign(a)", symbol="|·|", formula="|{a}|",
    derivatives=[("|·|'({a}) = sign({a})", "sign({a})")], finite_slopes=True,
)  # fmt: skip


BUILT_IN_OPS: tuple[Op, ...] = tuple(OPS.values())
"""The engine's own ops (`OPS` also holds those you add)."""
_BUILT_IN_NAMES.update(OPS)


# ====================================================================== 2. the Value


class Value:
    """One number in a computation graph, and the gradient of the loss with respect to it.

    >>> x = Value(3.0, label="x")
    >>> y = x * x + 1
    >>> y.backward()
    >>> y.data, x.grad
    (10.0, 6.0)

    ``Value(data, _children, _op, label)`` also works as in micrograd and its lecture:
    a node built that way gets its gradient from the ``_backward`` function you assign to it.
    """

    # `_mark`: the node's stamp (see `backward`); then, while backward() sorts the graph, whether
    # it has been placed (see `_order_for_backward`).
    __slots__ = ("_data", "_first", "_g0", "_g1", "_label", "_mark", "_second", "grad", "operation")

    def __new__(cls, data: Any = 0.0, _children: Any = (), *args: Any, **kwargs: Any) -> Value:
        if cls is Value and _children and not isinstance(_children, str):
            cls = _LectureValue  # micrograd's way of adding an op: it needs room for a _backward function
        return object.__new__(cls)

    def __init__(self, data: Any, _children: Any = (), _op: str = "", label: str = "") -> None:
        if isinstance(_children, str):  # Value(0.5, "w"): the short form, with the label second
            _children, label = (), _children
        if not isinstance(label, str):
            raise TypeError(f"a Value's label must be a str, but was given {type(label).__name__}: {label!r}")
        self._data = _as_float(data, "Value()")
        self.grad: float = 0.0
        self._label = label
        self.operation: Op | None = None
        self._first: Any = None  # the parents: a Value or None (see `parents`)
        self._second: Any = None
        self._g0: Any = None  # ∂self/∂_first and ∂self/∂_second, recorded by the op
        self._g1: Any = None
        self._mark: int = _LEAF
        if _children or _op:
            _attach_lecture_parents(self, _children, _op)

    # ------------------------------------------------------------------ reading a node

    @property
    def data(self) -> float:
        """This node's number. Writing it (``w.data -= lr * w.grad``) is counted: see `find_stale_node`."""
        if _grad_mode.on_read is not None:  # a tracer watches for Python decisions on numbers (see `tracing`)
            _grad_mode.on_read(self)
        return self._data

    @data.setter
    def data(self, number: float) -> None:
        global _changes
        self._data = _as_float(number, "data =")
        _changes += 1

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
        if self._second is None:
            return (self._first,)
        return (self._first, self._second)

    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each of ``self.parents``, in the same order; ``()`` for a leaf.

        >>> a, b = Value(2.0), Value(3.0)
        >>> (a * b).local_grads()
        (3.0, 2.0)
        """
        if self._first is None:
            return ()
        if self._second is None:
            return (self._g0,)
        return (self._g0, self._g1)

    # micrograd's spellings, so that code written for micrograd and its lecture runs unchanged
    @property
    def _prev(self) -> set[Value]:
        """micrograd's name for the set of parents."""
        return set(self.parents)

    @property
    def _op(self) -> str:
        """micrograd's name for ``op``."""
        return self.op

    # ------------------------------------------------------------------ the ops
    # Each is the function that applies an op of the table above. A plain number as an
    # operand becomes a Constant node, so it shows in the drawn graph as it reads in the formula.

    __add__ = ADD.apply
    __sub__ = SUB.apply
    __mul__ = MUL.apply
    __truediv__ = DIV.apply
    __pow__ = POW.apply
    __radd__ = _make_apply(ADD, reflected=True)  # 2 + x
    __rsub__ = _make_apply(SUB, reflected=True)
    __rmul__ = _make_apply(MUL, reflected=True)
    __rtruediv__ = _make_apply(DIV, reflected=True)
    __rpow__ = _make_apply(POW, reflected=True)
    __neg__: Callable[[Value], Value] = NEG.apply
    exp = EXP.apply
    log = LOG.apply  # defined for positive values only
    sigmoid = SIGMOID.apply  # σ(x) = 1 / (1 + e⁻ˣ), computed so that it never overflows
    tanh = TANH.apply
    relu = RELU.apply  # max(0, x); its slope at 0 is taken as 0
    softplus = SOFTPLUS.apply  # ln(1 + eˣ), a smooth ReLU that never overflows; its slope is σ(x)
    sin = SIN.apply
    cos = COS.apply
    sqrt = SQRT.apply  # defined for values ≥ 0; its slope at 0 is infinite
    abs = __abs__ = ABS.apply  # its slope at 0 is taken as 0, as in PyTorch

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope · x; its slope at 0 is taken as ``slope``.

        >>> Value(-2.0).leaky_relu(0.1).data
        -0.2
        """
        return LEAKY_RELU.apply(self, slope)

    # ------------------------------------------------------------------ backpropagation

    def chain_rule(self) -> None:
        """Apply the chain rule at this one node: ``parent.grad += ∂self/∂parent · self.grad``, per parent.

        One step of ``backward()``, for doing backprop by hand (micrograd's lecture
        calls it ``_backward()``, which works too):

        >>> x, w = Value(2.0, "x"), Value(-3.0, "w")
        >>> y = x * w
        >>> y.grad = 1.0
        >>> y.chain_rule()
        >>> x.grad, w.grad
        (-3.0, 2.0)
        """
        global _changes
        _changes += 1  # grads written by hand: a later backward() resets every grad it relies on
        upstream = self.grad
        if self._first is not None:
            self._first.grad += self._g0 * upstream
        if self._second is not None:
            self._second.grad += self._g1 * upstream

    _backward = chain_rule

    def backward(self) -> None:
        """Fill in ``grad`` = ∂self/∂node for every node this value was computed from.

        Leaf gradients accumulate across calls (reset them with ``zero_grad``);
        every non-leaf gradient is reset before the pass. A graph that changed
        after its forward pass is refused before any ``grad`` is touched.

        The part of the graph behind a local gradient of 0 (a ReLU that is off, a
        margin that is met) can receive no gradient, so it is not visited, as a
        backward pass written by hand skips it; its grads stay 0.
        """
        global _changes
        # Fresh: nothing changed since the oldest node of this graph was made. Then its numbers
        # still fit together, its non-leaf grads are all still 0, and no local gradient is ∞ or
        # NaN, so skipping what lies behind a 0 leaves every grad as visiting it would.
        fresh = self._mark == _changes
        _changes += 1  # this pass writes grads: a graph made before it is no longer fresh
        if self._first is None:  # a leaf: ∂self/∂self = 1, and nothing else to do
            self.grad += 1.0
            return
        order, cut_off = _order_for_backward(self, skip_zeros=fresh)  # nodes with parents, after their parents
        if not fresh:  # a data write or a backward() since part of it was made, or a micrograd-style node
            _refuse_stale(order)
            if any(type(node) is _LectureValue for node in order):
                _backward_with_closures(self, order)
                return
        for node in order:
            node.grad = 0.0
        self.grad += 1.0  # ∂self/∂self = 1
        for node in reversed(order):
            # `chain_rule()` for this node, written out because this loop is the engine's hottest:
            # ∂L/∂parent += ∂node/∂parent · ∂L/∂node
            upstream = node.grad
            node._first.grad += node._g0 * upstream
            second = node._second
            if second is not None:
                second.grad += node._g1 * upstream
        for parent in cut_off:
            if parent.grad != parent.grad:  # 0 · ∞ upstream reached it: NaN, which IEEE passes on
                _spread_nan(parent)

    def zero_grad(self) -> None:
        """Set ``grad`` back to 0 for this value and every node it was computed from."""
        for node in topological_order(self):
            node.grad = 0.0

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={_short(self._data)}, grad={_short(self.grad)}{label})"


class Constant(Value):
    """A leaf made from a plain number in an expression, such as the ½ in ½(a − y)².

    It is a node of its own, so drawn graphs show it, but it is not a parameter
    or an input: nothing trains it.
    """

    __slots__ = ()


class _LectureValue(Value):
    """A node made micrograd's way, ``Value(t, (x,), 'tanh')``, whose gradient comes from the
    ``_backward`` function assigned to it. It has a ``__dict__`` to hold that function; the
    engine's own nodes stay lean."""

    def chain_rule(self) -> None:
        closure = self.__dict__.get("_backward")
        if closure is None:
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


def _attach_lecture_parents(node: Value, children: Any, name: str) -> None:
    try:
        parents = list(children)
    except TypeError:
        raise TypeError(f"Value(data, _children, _op): _children must be a tuple of Values, not {children!r}") from None
    if len(parents) > 2 or not all(isinstance(parent, Value) for parent in parents):
        raise TypeError(
            f"Value(data, _children, _op): _children must be one or two Values (a node here has at most two "
            f"parents), but was given {children!r}"
        )
    node.operation = _lecture_op(name or "?", len(parents))
    node._mark = _NOT_FRESH  # backward() takes the path that checks the graph and runs closures
    if parents:
        node._first = parents[0]
        node._second = parents[1] if len(parents) > 1 else None


def _lecture_op(name: str, arity: int) -> Op:
    """The Op a micrograd-style node reports: drawn and read like the table's op of that name, if any, but
    with no forward or rule of the table's, since the node's own code computed it (bit for bit, its
    tanh need not be math.tanh's)."""
    if (name, arity) not in _LECTURE_OPS:
        known = OPS.get(name)
        _LECTURE_OPS[name, arity] = Op(
            name, forward=None, local_grads=None, register=False, arity=known.arity if known else arity,
            symbol=known.symbol if known else None, formula=known.formula if known else None,
            derivatives=known.derivatives if known else (), activation=bool(known and known.activation),
            commutative=bool(known and known.commutative),
        )  # fmt: skip
    return _LECTURE_OPS[name, arity]


_LECTURE_OPS: dict[tuple[str, int], Op] = {}


# ---------------------------------------------------------------------- numbers in


def _as_float(number: object, where: str) -> float:
    """A real number as a float, or a clear error: Value(), data = … and every operand go through here."""
    if type(number) is float:
        return number
    if isinstance(number, bool) or type(number).__name__ in ("bool", "bool_"):  # NumPy's bool too
        raise TypeError(f"{where} takes a number, not a bool ({number!r}): write 1.0 or 0.0")
    if isinstance(number, (int, Real)):
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


def _constant(number: object, op: str) -> Constant:
    """A plain-number operand as a Constant node, made without __init__'s general checks."""
    out = _new(Constant)
    out._data = number if type(number) is float else _as_float(number, f"the operands of {op!r}")
    out.grad = 0.0
    out.operation = out._first = out._second = out._g0 = out._g1 = None
    out._mark = _LEAF
    return out


def _abbreviated(thing: object) -> str:
    text = repr(thing)
    return text if len(text) <= 40 else f"{text[:20]}…{text[-10:]} ({len(text)} characters)"


def _named(node: Value) -> str:
    """' (label 'x')' for a labelled node, '' otherwise: for error messages."""
    return f" (label {node.label!r})" if node.label else ""


def _short(number: float) -> str:
    """A float rounded to 6 significant digits for reading: 0.30000000000000004 → 0.3."""
    return repr(float(f"{number:.6g}"))


# Changes that can make a graph out of date: writes to any Value's `data`, and backward() runs (which
# write grads). Each node is stamped with the count when the oldest node of its graph was made; a leaf
# has no such age (`_LEAF`, above every count) and `_NOT_FRESH` is below all of them (see `backward`).
_changes = 0
_LEAF = sys.maxsize
_NOT_FRESH = -1
_INF, _NEG_INF = math.inf, -math.inf
_new = object.__new__


# ====================================================================== 3. the backward order


def topological_order(root: Value) -> list[Value]:
    """Every node that `root` was computed from, each after all its parents; `root` is last.

    Iterative depth-first search, so deep graphs (a million nodes in a chain)
    need no recursion. The order depends only on the graph's shape, never on
    memory addresses, so it is the same on every run. ``backward()`` sorts the
    same way, leaving out the leaves and what can receive no gradient.

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


def _order_for_backward(root: Value, skip_zeros: bool) -> tuple[list[Value], list[Value]]:
    """The nodes with parents that `root` was computed from, each after its parents, for backward().

    Depth-first search, as in `topological_order`: a node is opened (put back on the stack, its
    parents on top of it), and placed when it comes off the stack again, when all its parents are
    placed. Leaves need no place: backward() only adds to their grads. The marks live in a slot of
    each node (faster than a set), as numbers below every stamp, new for each search.

    With `skip_zeros`, a parent behind a local gradient of 0 is not searched (it is cut off): nothing
    can pass to it there. Those parents are returned too, as backward() checks them afterwards.
    """
    opened = -2 - 2 * _changes  # this search's marks (`_changes` is new for each backward())
    placed = opened - 1
    order: list[Value] = []
    cut_off: list[Value] = []
    stack = [root]
    push, pop, place = stack.append, stack.pop, order.append  # bound once: this loop runs once per node
    while stack:
        node = pop()
        mark = node._mark
        if mark == placed:
            continue
        if mark == opened:  # back again: its parents are placed
            node._mark = placed
            place(node)
            continue
        node._mark = opened
        push(node)
        first, second = node._first, node._second
        if first._first is not None and first._mark != placed:
            if skip_zeros and node._g0 == 0.0:
                cut_off.append(first)
            else:
                push(first)
        if second is not None and second._first is not None and second._mark != placed:
            if skip_zeros and node._g1 == 0.0:
                cut_off.append(second)
            else:
                push(second)
    return order, cut_off


# ---------------------------------------------------------------------- a graph that went out of date


def find_stale_node(order: Sequence[Value]) -> tuple[Value, float] | None:
    """The first node whose number no longer follows from its parents' numbers, with what it would
    be now; None when the whole graph still fits together.

    That happens when a leaf's ``data`` changed after the forward pass (an ``optimizer.step()``):
    w holds its new number while w · x still holds the old product.

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


def _spread_nan(node: Value) -> None:
    """What backward() would have passed on from a node cut off with a NaN gradient: NaN to every
    node it was computed from (NaN times any number is NaN)."""
    for ancestor in topological_order(node):
        ancestor.grad = math.nan


def _backward_with_closures(root: Value, order: list[Value]) -> None:
    """backward() for a graph with micrograd-style nodes: each node's `chain_rule()` (their
    ``_backward`` functions), and if one raises, every ``grad`` is put back as it was."""
    saved = [(node, node.grad) for node in topological_order(root)]
    try:
        for node in order:
            node.grad = 0.0
        root.grad += 1.0
        for node in reversed(order):
            node.chain_rule()
    except BaseException:
        for node, grad in saved:
            node.grad = grad
        raise


# ---------------------------------------------------------------------- no_grad


class _GradMode(threading.local):
    """Whether ops record the graph, per thread (as in PyTorch): one thread's ``no_grad`` leaves the others alone."""

    enabled = True
    # While `autograd.compile` traces a function: each node made inside no_grad, with the op and inputs that made it
    made_without_grad: dict[Value, tuple[Any, ...]] | None = None
    on_op: Callable[[Value, Op, tuple[Value, ...]], None] | None = None  # see `tracing`
    on_read: Callable[[Value], None] | None = None


_grad_mode = _GradMode()
# How many no_grad blocks are open in all threads together. While 0 (the common case), ops
# need not look up their own thread's setting at all.
_no_grad_blocks = 0
_no_grad_blocks_lock = threading.Lock()


@contextmanager
def tracing(
    on_op: Callable[[Value, Op, tuple[Value, ...]], None] | None = None,
    on_read: Callable[[Value], None] | None = None,
) -> Iterator[None]:
    """The one hook for tools that trace (``compile``, the batch replay): in this thread, while the block runs,
    ``on_op(node, op, inputs)`` is called with every node an op makes (inside ``no_grad`` too, where the node
    records no parents), and ``on_read(node)`` whenever code reads a node's ``.data``. Blocks nest.

    >>> made = []
    >>> with tracing(on_op=lambda node, op, inputs: made.append(op.name)):
    ...     y = Value(2.0) * 3 + 1
    >>> made
    ['*', '+']
    """
    saved = (_grad_mode.on_op, _grad_mode.on_read)
    _grad_mode.on_op, _grad_mode.on_read = on_op, on_read
    try:
        yield
    finally:
        _grad_mode.on_op, _grad_mode.on_read = saved


@contextmanager
def enable_grad() -> Iterator[None]:
    """Record the graph again inside a ``no_grad()`` block (as PyTorch's ``enable_grad``): tools that need
    a graph, such as ``hessian``, use it so that they work wherever they are called.

    >>> with no_grad(), enable_grad():
    ...     y = Value(2.0) * 3
    >>> len(y.parents)
    2
    """
    saved = _grad_mode.enabled
    _grad_mode.enabled = True
    try:
        yield
    finally:
        _grad_mode.enabled = saved


def is_grad_enabled() -> bool:
    """True unless this thread is inside a ``no_grad()`` block."""
    return _grad_mode.enabled


class no_grad(ContextDecorator):
    """Ops inside this block record no graph: their results are plain leaves.

    Use it for work that needs no gradients, such as an optimiser's update or
    evaluating a model. Blocks nest, and recording resumes afterwards, also when
    the block raises. It applies to the thread that enters it, as in PyTorch.
    Works as a decorator too.

    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * 3
    >>> y.parents
    ()
    """

    def __init__(self) -> None:
        self._saved: list[bool] = []

    def __enter__(self) -> no_grad:
        global _no_grad_blocks
        with _no_grad_blocks_lock:
            _no_grad_blocks += 1
        self._saved.append(_grad_mode.enabled)
        _grad_mode.enabled = False
        return self

    def __exit__(self, *exc_info: object) -> None:
        global _no_grad_blocks
        _grad_mode.enabled = self._saved.pop()
        with _no_grad_blocks_lock:
            _no_grad_blocks -= 1
