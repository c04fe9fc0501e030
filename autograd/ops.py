"""The op table: every operation the engine knows, each with its forward computation and its local gradients.

Read this first, then `autograd/engine.py` (the `Value`, applying an op, ``backward()``).
An op is declared once, as an `Op`: a name, a ``forward`` function of its inputs'
numbers, and a ``local_grads`` rule giving ∂out/∂input for each input. The engine
calls ``forward`` in the forward pass and the rule right after it, and ``backward()``
multiplies what the rule gave by the upstream gradient. That is all of the maths:

>>> MUL = OPS["*"]
>>> MUL.forward(2.0, 3.0), MUL.local_grads_at(6.0, 2.0, 3.0)   # ∂(ab)/∂a = b, ∂(ab)/∂b = a
(6.0, (3.0, 2.0))

Your own op is one more `Op`, and every tool (backward, drawing, the walkthrough,
gradcheck, ``autograd.grad``, ``jvp``, ``compile``) knows it at once:

>>> cube = Op("cube", forward=lambda x: x**3, local_grads=lambda out, x: 3 * x**2, formula="{a}³")
>>> cube(2.0).data
8.0

How an op is drawn and read in a walkthrough (its symbol, formula, derivatives) is kept
apart from the maths, at the end of this file, as JAX keeps printing rules in a registry
of their own. The table is a module of its own so that `engine.py` stays a few screens
long, with ``backward()`` near its top; what is checked when you make an op (so that a
mistake shows there, naming the op) is in `autograd/_checks.py`.

Local-gradient rules are written with arithmetic and this module's `exp`, `log`, `sin`,
`cos`, `sqrt`, `sigmoid`, `tanh`, which take a number or a Value: one rule then gives
numbers for ``backward()`` and Values for derivatives of derivatives (``autograd.grad``).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Union

from ._checks import (
    check_template,
    checked_forward,
    checked_rule,
    constant_grads,
    count_inputs,
    is_value_attribute,
)

if TYPE_CHECKING:
    from .engine import Value

__all__ = ["BUILT_IN_OPS", "OPS", "Op", "cos", "exp", "log", "sigmoid", "sin", "sqrt", "tanh"]

LocalGrads = Callable[..., Any] | float | tuple[float, float]
Scalar = Union["Value", float]  # what a rule computes with: numbers, or Values for derivatives of derivatives


class Op:
    """One operation: ``name``, ``forward`` (numbers in, a number out), ``local_grads`` (∂out/∂input per input).

    ``local_grads`` is a function of ``(out, *inputs)`` giving one number for a one-input op and a
    pair for two, or those numbers when they never change (1 and 1 for ``+``). Outside its domain
    ``forward`` raises (``ValueError``, ``ZeroDivisionError``) and the engine names the op.
    How the op reads in drawings and walkthroughs: ``symbol`` (on the drawn oval), ``formula``
    (``"σ({a})"``), ``derivatives`` (each local gradient as it reads, ``(symbolic, with numbers)``,
    with ``{a}``, ``{b}``, ``{out}``), ``activation`` (usable as a neuron's), ``commutative``.

    Calling an Op applies it: ``OPS["sigmoid"](x)`` is ``x.sigmoid()``. An Op made with a new name
    joins `OPS`; made again with the same name (a notebook cell run twice), it replaces the first.
    """

    __slots__ = (
        "activation", "arity", "commutative", "derivatives", "formula", "forward", "local_grads", "name", "symbol",
    )  # fmt: skip

    def __init__(
        self,
        name: str,
        forward: Callable[..., float] | None,
        local_grads: LocalGrads | None,
        *,
        arity: int | None = None,
        symbol: str | None = None,
        formula: str | None = None,
        derivatives: Sequence[tuple[str, str | None] | str] = (),
        activation: bool = False,
        commutative: bool = False,
        register: bool = True,
    ) -> None:
        if not isinstance(name, str) or not name or name != name.strip() or not name.isprintable():
            raise TypeError(f"an Op needs a name (a non-empty str on one line), but was given {name!r}")
        if forward is not None and not callable(forward):
            raise TypeError(f"Op {name!r}: forward must be a function of the inputs' numbers, not {forward!r}")
        arity = arity or (count_inputs(forward) if forward is not None else 1)
        if arity not in (1, 2):
            raise ValueError(f"Op {name!r} takes {arity} inputs; an op here takes one or two (compose bigger ones)")
        if forward is not None and not callable(local_grads):
            local_grads = constant_grads(name, local_grads, arity)
        if register and name in _BUILT_IN_NAMES:
            raise ValueError(f"{name!r} is one of the engine's own ops (OPS[{name!r}]); give your op another name")
        if _BUILT_IN_NAMES and forward is not None:  # an op of yours: its answers are checked as they come
            forward = checked_forward(name, forward)
            if callable(local_grads):
                local_grads = checked_rule(name, local_grads, arity)
        self.name, self.forward, self.local_grads, self.arity = name, forward, local_grads, arity
        self.symbol, self.formula, self.activation, self.commutative = name, "", False, False
        self.derivatives: tuple[tuple[str, str | None], ...] = ()
        if _BUILT_IN_NAMES:  # an op of yours (the engine's own are presented at the end of this file)
            present(self, symbol, formula, derivatives, activation, commutative)
        if register:
            OPS[name] = self

    def __call__(self, *operands: Any) -> Value:
        """Apply the op to Values or numbers (numbers become Constant nodes, as in ``x * 2``)."""
        if len(operands) != self.arity:
            raise TypeError(f"{self.name} takes {self.arity} input(s), but was given {len(operands)}: {operands!r}")
        for operand in operands:  # another kind of number that applies ops itself (forward mode's Dual)
            handler = getattr(type(operand), "__autograd_op__", None)
            if handler is not None:
                return handler(operand, self, *operands)  # type: ignore[no-any-return]
        from .engine import apply  # the engine imports this table, so it is found when an op is applied

        return apply(self, *operands)

    def local_grads_at(self, out: Any, *inputs: Any) -> tuple[Any, ...]:
        """The local gradients as a tuple, one per input, for numbers or for Values.

        >>> OPS["sigmoid"].local_grads_at(0.5, 0.0)
        (0.25,)
        """
        rule = self.local_grads
        grads = rule(out, *inputs) if callable(rule) else rule
        return grads if isinstance(grads, tuple) else (grads,)

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


OPS: dict[str, Op] = {}
"""Every op the engine knows, by name: the one place where an op is declared."""
_BUILT_IN_NAMES: set[str] = set()


# ---------------------------------------------------------------------- functions rules are written with


def exp(x: Scalar) -> Scalar:
    """eˣ of a number or a Value."""
    return _exp(x) if isinstance(x, (int, float)) else x.exp()


def log(x: Scalar) -> Scalar:
    """ln x of a number or a Value."""
    return _log(x) if isinstance(x, (int, float)) else x.log()


def sin(x: Scalar) -> Scalar:
    """sin x of a number or a Value."""
    return math.sin(x) if isinstance(x, (int, float)) else x.sin()


def cos(x: Scalar) -> Scalar:
    """cos x of a number or a Value."""
    return math.cos(x) if isinstance(x, (int, float)) else x.cos()


def sqrt(x: Scalar) -> Scalar:
    """√x of a number or a Value."""
    return _sqrt(x) if isinstance(x, (int, float)) else x.sqrt()


def sigmoid(x: Scalar) -> Scalar:
    """σ(x) of a number or a Value."""
    return _sigmoid(x) if isinstance(x, (int, float)) else x.sigmoid()


def tanh(x: Scalar) -> Scalar:
    """tanh x of a number or a Value."""
    return math.tanh(x) if isinstance(x, (int, float)) else x.tanh()


def _number(x: Any) -> float:
    return x if isinstance(x, (int, float)) else x._data


def _step(x: Any, below: Any = 0.0) -> Any:
    """The slope of a kink at 0: 1 above, ``below`` at and below 0, NaN for NaN. A constant, also for a Value."""
    number = x if type(x) is float else _number(x)
    return 1.0 if number > 0.0 else below if number <= 0.0 else math.nan


def _sign(x: Any) -> float:
    """The slope of |x|: −1, 0 at 0 (as PyTorch takes it), 1; NaN for NaN."""
    number = x if type(x) is float else _number(x)
    return 1.0 if number > 0.0 else -1.0 if number < 0.0 else 0.0 if number == 0.0 else math.nan


# ---------------------------------------------------------------------- forward computations at their edges


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
    except OverflowError:  # too large for a float: ∞
        return math.inf


def _log(x: float) -> float:
    if x <= 0.0:
        raise ValueError("log is defined for positive numbers only")
    return math.log(x)


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # e⁻ˣ would overflow for very negative x: use the equal form eˣ / (1 + eˣ)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x))) if x == x else x  # ln(1 + eˣ), never overflowing


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise ValueError("the square root is defined for numbers ≥ 0 only")
    return math.sqrt(x)


def _pow_local_grads(out: Any, base: Any, p: Any) -> tuple[Any, Any]:
    b, e = _number(base), _number(p)
    # ∂(base^p)/∂base = p·base^(p−1): 0 for p = 0; infinite at base 0 for p < 1
    if e == 0.0:
        d_base: Any = 0.0
    elif b == 0.0 and e < 1.0:
        d_base = math.inf
    else:
        d_base = p * base ** (p - 1) if not isinstance(base, (int, float)) else e * _power(b, e - 1.0)
    # ∂(base^p)/∂p = base^p·ln(base): a real number only for base > 0 (its limit is 0 at base 0)
    d_exponent = out * log(base) if b > 0.0 else (0.0 if b == 0.0 else math.nan)
    return d_base, d_exponent


def _leaky_relu_local_grads(out: Any, a: Any, slope: Any) -> tuple[Any, Any]:
    return _step(a, slope), 0.0 if _number(a) > 0.0 else a  # the slope at 0 is taken as `slope`


# ---------------------------------------------------------------------- the table: forward, local gradients

ADD = Op("+", operator.add, (1.0, 1.0))
SUB = Op("-", operator.sub, (1.0, -1.0))
MUL = Op("*", operator.mul, lambda out, a, b: (b, a))
DIV = Op("/", _divide, lambda out, a, b: (1 / b, -out / b))  # −a/b², as −out/b: b² cannot underflow
POW = Op("**", _power, _pow_local_grads)
NEG = Op("neg", operator.neg, -1.0)
EXP = Op("exp", _exp, lambda out, a: out)
LOG = Op("log", _log, lambda out, a: 1 / a)
SIGMOID = Op("sigmoid", _sigmoid, lambda out, a: out * (1 - out))
TANH = Op("tanh", math.tanh, lambda out, a: 1 - out * out)
RELU = Op("relu", lambda a: 0.0 if a <= 0.0 else a, lambda out, a: _step(a))  # the slope at 0 is taken as 0
LEAKY_RELU = Op("leaky_relu", lambda a, slope: a if a > 0.0 else slope * a, _leaky_relu_local_grads)
SOFTPLUS = Op("softplus", _softplus, lambda out, a: sigmoid(a))
SIN = Op("sin", math.sin, lambda out, a: cos(a))
COS = Op("cos", math.cos, lambda out, a: -sin(a))
SQRT = Op("sqrt", _sqrt, lambda out, a: 0.5 / out if _number(out) != 0.0 else math.inf)  # ∞ at 0
ABS = Op("abs", abs, lambda out, a: _sign(a))  # its slope at 0 is taken as 0, as in PyTorch

BUILT_IN_OPS: tuple[Op, ...] = tuple(OPS.values())
"""The engine's own ops (`OPS` also holds those you add)."""
_BUILT_IN_NAMES.update(OPS)


# ---------------------------------------------------------------------- how each op is drawn and read

LONGEST_SYMBOL = 40


def present(
    op: Op,
    symbol: str | None = None,
    formula: str | None = None,
    derivatives: Sequence[tuple[str, str | None] | str] = (),
    activation: bool = False,
    commutative: bool = False,
) -> None:
    """Set how `op` is drawn (``symbol``) and read in a walkthrough (``formula``, ``derivatives``), after
    checking each template: fields ``{a}`` (and ``{b}`` for two inputs; ``{out}`` in derivatives) only."""
    name = op.name
    symbol = name if symbol is None else symbol
    if not isinstance(symbol, str) or not symbol or not symbol.isprintable() or len(symbol) > LONGEST_SYMBOL:
        raise ValueError(
            f"Op {name!r}: its symbol is drawn on the op's oval, so it must be printable text of 1 to "
            f"{LONGEST_SYMBOL} characters on one line, but was given {symbol!r}"
        )
    inputs = ("a", "b") if op.arity == 2 else ("a",)
    formula = formula or f"{name}({', '.join('{' + x + '}' for x in inputs)})"
    pairs = tuple((d, None) if isinstance(d, str) else (d[0], d[1]) for d in derivatives)
    check_template(name, "formula", formula, inputs)
    for symbolic, numeric in pairs:
        for text in (symbolic, numeric):
            if text is not None:
                check_template(name, "derivatives", text, (*inputs, "out"))
    if activation and name not in _BUILT_IN_NAMES and is_value_attribute(name):
        raise ValueError(
            f"Op {name!r} cannot be an activation: {name!r} is already a Value attribute ({name} of a Value), "
            f"so a neuron asking for it would be confused. Give your op another name, e.g. {name + '_act'!r}."
        )
    op.symbol, op.formula, op.derivatives = symbol, formula, pairs
    op.activation, op.commutative = bool(activation), bool(commutative)


present(ADD, formula="{a} + {b}", derivatives=["1", "1"], commutative=True)
present(SUB, "−", "{a} − {b}", ["1", "−1"])
present(MUL, "×", "{a} · {b}", ["{b}", "{a}"], commutative=True)
present(DIV, "÷", "{a} / {b}", [("1/{b}", "1/{b}"), ("−{a}/{b}²", "−{a}/{b}²")])
present(
    POW, "**", "{a}^{b}", [("{b} · {a}^({b} − 1)", "{b} · {a}^({b} − 1)"), ("{a}^{b} · log {a}", "{out} · log({a})")]
)
present(NEG, "neg", "−{a}", ["−1"])
present(EXP, "exp", "exp({a})", [("exp'({a}) = exp({a})", "exp({a})")])
present(LOG, "log", "log({a})", [("log'({a}) = 1/{a}", "1/{a}")])
present(SIGMOID, "σ", "σ({a})", [("σ'({a}) = σ({a})(1 − σ({a}))", "{out} · (1 − {out})")], activation=True)
present(TANH, "tanh", "tanh({a})", [("tanh'({a}) = 1 − tanh²({a})", "1 − {out}²")], activation=True)
present(RELU, "ReLU", "ReLU({a})", [("ReLU'({a}) = [{a} > 0]", "[{a} > 0]")], activation=True)
present(
    LEAKY_RELU, "LeakyReLU", "LeakyReLU({a}; {b})",
    [("1 if {a} > 0, else {b}", "[{a} > 0] or {b}"), ("0 if {a} > 0, else {a}", None)], activation=True,
)  # fmt: skip
present(SOFTPLUS, "softplus", "softplus({a})", [("softplus'({a}) = σ({a})", "σ({a})")], activation=True)
present(SIN, "sin", "sin({a})", [("sin'({a}) = cos({a})", "cos({a})")])
present(COS, "cos", "cos({a})", [("cos'({a}) = −sin({a})", "−sin({a})")])
present(SQRT, "√", "√{a}", [("√'({a}) = 1/(2√{a})", "1/(2 · {out})")])
present(ABS, "|·|", "|{a}|", [("|·|'({a}) = sign({a})", "sign({a})")])


# ---------------------------------------------------------------------- the error of an op outside its domain


def _undefined(op: Op, inputs: Sequence[Any], error: BaseException | None) -> Exception:
    """The error for an op whose result is not a real number, naming the op and its operands."""
    formula = op.formula.format(a="a", b="b")
    given = ", ".join(f"{letter} = {x._data!r}{_named(x)}" for letter, x in zip("ab", inputs))
    reason = str(error) if error is not None else ""
    if reason in ("", "math domain error"):
        reason = "the result is not a real number"
    kind = ZeroDivisionError if isinstance(error, ZeroDivisionError) else ValueError
    return kind(f"{reason}: {formula} with {given}")


def _refuse_undefined_slope(op: Op, x: Any, y: Any) -> None:
    raise ValueError(
        f"{op.formula.format(a='a', b='b')} with a = {x._data!r}{_named(x)}, b = {y._data!r}{_named(y)}: its slope "
        f"with respect to b is not a real number here, so backward() could not use it. Make b a plain number "
        f"(a constant) instead."
    )


def _named(node: Any) -> str:
    return f" (label {node.label!r})" if node.label else ""
