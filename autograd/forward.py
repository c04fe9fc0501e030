"""Forward mode: `jvp` and the dual numbers it computes with.

Reverse mode (``backward()``, `grad`) runs the graph forward, then sends
gradients back from the output: one backward pass gives ∂f/∂xᵢ for *every*
input. Forward mode carries a derivative *alongside* each number instead, in
the same single pass that computes it: a dual number a + a′ε holds a value a
and its tangent a′, the derivative of a along one chosen direction of the
inputs. Each op computes its output's tangent by the chain rule, from the same
local gradients the op table gives backprop:

    tangent of out = Σᵢ ∂out/∂inputᵢ · tangent of inputᵢ

One forward pass gives one directional derivative, so the whole gradient of a
function of n inputs takes n passes (tangents e₁, …, eₙ), where reverse mode
takes one. Forward mode wins the other way round: one input, many outputs.

>>> value, derivative = jvp(lambda x, y: x * y + x.sin(), [2.0, 3.0], [1.0, 0.0])
>>> round(value, 4), round(derivative, 4)      # f = xy + sin x, and ∂f/∂x = y + cos x
(6.9093, 2.5839)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

from .engine import BUILT_IN_OPS, OPS, Op

__all__ = ["Dual", "jvp"]


class Dual:
    """A dual number: a ``primal`` value and its ``tangent``, the derivative along the chosen direction.

    It has the ops of a Value (``+ - * / **``, ``sigmoid()``, ``tanh()``, …), so a
    function written for Values runs on Duals too. Each op is read from the
    engine's op table: ``forward`` for the value, ``local_grads`` for the tangent.

    >>> x = Dual(3.0, 1.0)        # x = 3, and we differentiate with respect to x
    >>> x * x + 1
    Dual(primal=10.0, tangent=6.0)
    """

    __slots__ = ("primal", "tangent")

    def __init__(self, primal: float, tangent: float = 0.0) -> None:
        self.primal = float(primal)
        self.tangent = float(tangent)

    def __repr__(self) -> str:
        return f"Dual(primal={self.primal!r}, tangent={self.tangent!r})"

    def __autograd_op__(self, op: Op, *operands: Dual | float) -> Dual:
        """Calling an op on a Dual (``cube(x)``) comes here: the engine hands ops to numbers that apply them."""
        return _apply(op, *operands)

    def apply(self, op: Op, *others: Dual | float) -> Dual:
        """Apply any op of the table, your own ones too: ``x.apply(cube)`` where a Value would write ``cube(x)``.

        >>> Dual(2.0, 1.0).apply(OPS["exp"]).tangent == Dual(2.0, 1.0).exp().primal
        True
        """
        return _apply(op, self, *others)

    # The other ops of a Value (`+`, `sigmoid()`, …) are made from the op table: see `_add_methods` below.

    @property
    def data(self) -> float:
        """Refused: f reads a Value's number (micrograd's way of writing an op, or a Python decision)."""
        raise TypeError(
            f"jvp runs f on dual numbers (here {self!r}), but f reads .data, as code written micrograd's way does "
            f"(Value(x.data * 2, (x,), 'double'), or an if on a number). A number read that way is cut off from its "
            f"tangent, so jvp could not give the derivative. Write f with the ops of a Value (x * 2, x.tanh(), "
            f"x.relu(), …), or an autograd.engine.Op for an op of your own"
        )

    def leaky_relu(self, slope: float = 0.01) -> Dual:
        """x for x > 0, else slope · x, as `Value.leaky_relu`."""
        return _apply(OPS["leaky_relu"], self, slope)


def _apply(op: Op, *operands: Dual | float) -> Dual:
    """One op on dual numbers: the value from the op's ``forward``, the tangent by the chain rule."""
    if op.forward is None:
        raise TypeError(f"op {op.name!r} has no forward computation, so forward mode cannot apply it")
    duals = [_as_dual(operand, op) for operand in operands]
    primals = [d.primal for d in duals]
    try:
        out = op.forward(*primals)
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        given = ", ".join(f"{letter} = {x!r}" for letter, x in zip("ab", primals))
        raise type(error)(f"{error}: {op.formula.format(a='a', b='b')} with {given}") from None
    local_grads = op.local_grads_at(out, *primals)
    # tangent of out = Σ ∂out/∂input · tangent of input. A plain number is a constant, whose tangent is
    # exactly 0: it adds nothing (not even 0 · ∞ = NaN where an op's slope is infinite, as at √0).
    tangent = sum(
        local_grad * dual.tangent for local_grad, dual, operand in zip(local_grads, duals, operands)
        if isinstance(operand, Dual)
    )  # fmt: skip
    return Dual(out, tangent)


def _as_dual(operand: object, op: Op) -> Dual:
    if isinstance(operand, Dual):
        return operand
    if isinstance(operand, Real) and not isinstance(operand, bool):
        return Dual(float(operand), 0.0)
    raise TypeError(
        f"forward mode runs f on dual numbers, but {op.name!r} was given {type(operand).__name__}: {operand!r}. "
        f"Inside jvp, compute with f's inputs and plain numbers only (no Value(...))"
    )


# Python's operator for each binary op of the table; every unary op is a method named after it.
_OPERATORS = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "**": "pow"}
_SPELLED_DIFFERENTLY = {"neg": "__neg__", "abs": "__abs__"}  # also methods of their own names: -x and abs(x)


def _add_methods() -> None:
    """Give Dual a method for every op of the engine's table, spelled as on a Value."""
    for op in BUILT_IN_OPS:
        if op.name in _OPERATORS:
            name = _OPERATORS[op.name]
            setattr(Dual, f"__{name}__", lambda self, other, op=op: _apply(op, self, other))
            setattr(Dual, f"__r{name}__", lambda self, other, op=op: _apply(op, other, self))
        elif op.arity == 1:
            setattr(Dual, op.name, lambda self, op=op: _apply(op, self))
            if op.name in _SPELLED_DIFFERENTLY:
                setattr(Dual, _SPELLED_DIFFERENTLY[op.name], lambda self, op=op: _apply(op, self))


_add_methods()


def jvp(f: Callable[..., Any], primals: Sequence[float], tangents: Sequence[float]) -> tuple[float, float]:
    """f's value at ``primals`` and its derivative along ``tangents``, in one forward pass (as ``jax.jvp``).

    The derivative along the direction t is Σᵢ ∂f/∂xᵢ · tᵢ: with t = (1, 0, …, 0), it is ∂f/∂x₀.
    ``f`` is written as for Values (operators and methods such as ``x.tanh()``); it runs on `Dual`
    numbers. An op of your own applies as it does to a Value: ``my_op(x)``.

    >>> a, da_dw = jvp(lambda w: (w * 1.5 + 0.1).sigmoid(), [0.5], [1.0])
    >>> round(a, 4), round(da_dw, 4)            # a = σ(wx + b) and ∂a/∂w = σ'(z) · x
    (0.7006, 0.3147)
    """
    if not callable(f):
        raise TypeError(f"jvp needs a function as its first argument, but was given {f!r}")
    primals, tangents = _numbers(primals, "primals"), _numbers(tangents, "tangents")
    if len(primals) != len(tangents):
        raise ValueError(
            f"jvp needs one tangent per primal, but was given {len(primals)} primals and {len(tangents)} tangents"
        )
    out = f(*(Dual(x, t) for x, t in zip(primals, tangents)))
    if isinstance(out, Dual):
        return out.primal, out.tangent
    if isinstance(out, Real) and not isinstance(out, bool):
        return float(out), 0.0  # f does not depend on its inputs
    raise TypeError(f"jvp needs f to return one number (a scalar), but it returned {type(out).__name__}: {out!r}")


def _numbers(numbers: object, name: str) -> list[float]:
    if isinstance(numbers, Real):
        numbers = [numbers]
    if not isinstance(numbers, Sequence) or not all(isinstance(x, Real) and not isinstance(x, bool) for x in numbers):
        raise TypeError(f"jvp needs {name} as a list of numbers, one per input of f, but was given {numbers!r}")
    return [float(x) for x in numbers]
