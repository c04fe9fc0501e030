"""What is checked: a number given to a `Value`, and an `Op` when you make it (so that a mistake shows there).

* a number (``Value(x)``, ``v.data = x``, a plain-number operand): a real number, made a float; a bool, a str,
  another Value or a number too large for a float is refused, saying what was given;
* an op's ``forward`` and ``local_grads``: a function, or constant local gradients (finite numbers, one per input);
  the answers of your own op's functions are checked as they come: a result becomes a float (an int, a NumPy
  float; ±∞ for an int too large for one) or is refused (a str, None, a complex number, a Value);
* an op's templates (``formula``, ``derivatives``): only the fields ``{a}``, ``{b}`` and ``{out}``, written just so,
  on one line; no positional fields, format specs, attribute or index access;
* an activation's name: nothing a Value already has (``backward``, ``grad``, ``data``, …).
"""

from __future__ import annotations

import inspect
import math
import string
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any


def count_inputs(forward: Callable[..., float]) -> int:
    try:
        parameters = inspect.signature(forward).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature, such as math.sin: one input
        return 1
    return sum(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)


def constant_grads(name: str, grads: object, arity: int) -> float | tuple[float, float]:
    """Local gradients that never change, as floats: finite numbers, one per input."""
    numbers = (grads,) if arity == 1 else grads if isinstance(grads, tuple) and len(grads) == 2 else ()
    if not numbers or not all(_is_real(g) and math.isfinite(g) for g in numbers):  # type: ignore[arg-type]
        raise TypeError(
            f"Op {name!r}: local_grads must be a function (out, *inputs) giving ∂out/∂input for each input, "
            f"or those numbers (finite) when they are constants, not {grads!r}"
        )
    floats = tuple(float(g) for g in numbers)  # type: ignore[arg-type]
    return floats[0] if arity == 1 else (floats[0], floats[1])


def _is_real(x: object) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool) and type(x).__name__ != "bool_"


def _as_result(name: str, what: str, result: object) -> Any:
    """An op's result as a float (ints, NumPy floats), ±∞ for an int too large; from a rule, also a Value
    (a rule run on Values, for a derivative of a derivative)."""
    if type(result) is float or (what == "local_grads" and hasattr(result, "_data")):
        return result
    if _is_real(result):
        try:
            return float(result)  # type: ignore[arg-type]
        except OverflowError:
            return math.inf if result > 0 else -math.inf  # type: ignore[operator]
    raise TypeError(f"the op {name!r}: its {what} gave {type(result).__name__} {result!r}, not a real number")


def checked_forward(name: str, forward: Callable[..., Any]) -> Callable[..., float]:
    def checked(*numbers: float) -> float:
        return _as_result(name, "forward", forward(*numbers))  # type: ignore[no-any-return]

    checked.__name__ = checked.__qualname__ = getattr(forward, "__name__", "forward")
    checked.__wrapped__ = forward  # type: ignore[attr-defined]
    return checked


def checked_rule(name: str, rule: Callable[..., Any], arity: int) -> Callable[..., Any]:
    """A rule of yours, made to answer as the engine's do (a number, or a pair for two inputs), or to say which
    op failed where, so that backward() never meets a bad local gradient half-way."""

    def checked(out: Any, *inputs: Any) -> Any:
        try:
            grads = rule(out, *inputs)
            if arity == 1:
                return _as_result(name, "local_grads", grads[0] if type(grads) is tuple and len(grads) == 1 else grads)
            if not (isinstance(grads, (tuple, list)) and len(grads) == 2):
                raise TypeError(f"it gave {type(grads).__name__}: {grads!r}")
            return _as_result(name, "local_grads", grads[0]), _as_result(name, "local_grads", grads[1])
        except Exception as error:
            numbers = [getattr(x, "_data", x) for x in inputs]  # numbers, or Values for a derivative of a derivative
            given = ", ".join(f"{letter} = {number!r}" for letter, number in zip("ab", numbers))
            wanted = "one number" if arity == 1 else "a pair of numbers, one per input"
            reason = str(error).replace(f"the op {name!r}: its local_grads gave", "it gave")
            message = (
                f"the local-gradient rule of the op {name!r} failed at {given}: {reason} (it should return {wanted})"
            )
            raise (type(error) if type(error) in (TypeError, ValueError, ZeroDivisionError) else RuntimeError)(
                message
            ) from None

    checked.__name__ = checked.__qualname__ = getattr(rule, "__name__", "local_grads")
    checked.__wrapped__ = rule  # type: ignore[attr-defined]
    return checked


def as_float(number: object, where: str) -> float:
    """A real number as a float, or a clear error: Value(), data = … and every operand go through here.

    >>> as_float(3, "Value()")
    3.0
    """
    if type(number) is float:
        return number
    if isinstance(number, bool) or type(number).__name__ in ("bool", "bool_"):  # NumPy's bool too
        raise TypeError(f"{where} takes a number, not a bool ({number!r}): write 1.0 or 0.0")
    if isinstance(number, Real):
        try:
            return float(number)
        except OverflowError:
            raise OverflowError(f"{where} was given {_abbreviated(number)}, too large for a float") from None
    if hasattr(number, "_data"):  # a Value
        raise TypeError(
            f"{where} was given another Value ({number!r}). Use that Value itself, "
            f"or pass its number, {getattr(number, 'label', '') or 'v'}.data, to make a new leaf."
        )
    raise TypeError(
        f"{where} takes a real number (int, float or a NumPy scalar), "
        f"but was given {type(number).__name__}: {_abbreviated(number)}"
    )


def _abbreviated(thing: object) -> str:
    text = repr(thing)
    return text if len(text) <= 40 else f"{text[:20]}…{text[-10:]} ({len(text)} characters)"


def is_value_attribute(name: str) -> bool:
    """Whether `name` is already something of every Value (``backward``, ``grad``, ``_prev``, ``__add__``, …)."""
    from .engine import Value  # the engine imports this table: an op of yours is made after both are loaded

    return hasattr(Value, name)


def check_template(name: str, part: str, template: object, fields: Sequence[str]) -> None:
    allowed = ", ".join("{" + field + "}" for field in fields)
    problem = ""
    if not isinstance(template, str):
        problem = f"it is a {type(template).__name__}, not a str"
    elif not template.isprintable():
        problem = "it has a line break or another character that is not printable"
    else:
        try:
            for _, field, spec, conversion in string.Formatter().parse(template):
                if field is not None and (field not in fields or spec or conversion):
                    shown = field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
                    problem = f"it has the field {{{shown}}}"
                    break
        except ValueError as error:  # a brace that is never closed, or closed without being opened
            problem = f"its braces do not pair up ({error})"
    if problem:
        raise ValueError(
            f"Op {name!r}: its {part} {template!r} cannot be used: {problem}. A template may use {allowed} "
            f"(written just so, on one line); to show a brace, double it: {{{{ or }}}}"
        )
