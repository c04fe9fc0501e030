"""`gradcheck`: compare the engine's gradients with central finite differences.

A differential operator built on top of the engine, not part of it: it only
calls a function of Values, `backward()`, and reads `grad`. It records the graph it
checks itself (``enable_grad``), so it works inside ``no_grad()`` too, and it puts back
every ``grad`` that ``backward()`` wrote, so the Values ``f`` reads from outside keep theirs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from numbers import Real

from .engine import Value, enable_grad, no_grad, topological_order

__all__ = ["GradcheckError", "gradcheck"]


class GradcheckError(AssertionError):
    """The engine's gradient and the finite-difference estimate disagree."""


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | float],
    eps: float = 1e-6,
    tol: float = 1e-4,
    raise_exception: bool = True,
) -> bool:
    """Check ``f``'s gradients against central finite differences.

    ``f`` takes one Value per input and returns a Value. For each input i the
    numeric slope (f(x + eps·eᵢ) − f(x − eps·eᵢ)) / 2eps must match the engine's
    ∂f/∂xᵢ within ``tol`` (absolute, or relative for large gradients). The
    given inputs and their ``grad`` are left untouched: ``f`` runs on copies, and
    a Value ``f`` reads from outside keeps its ``grad`` too. Inside ``no_grad()``
    it checks the same: it records the graph it needs itself.
    A nan anywhere (in f's value, the slope or the gradient) is a mismatch,
    never a pass. ``eps`` must be a finite number > 0 and ``tol`` one ≥ 0.

    >>> gradcheck(lambda x, y: x * y.sigmoid(), [2.0, -1.0])
    True
    """
    if not callable(f):
        raise TypeError(f"gradcheck needs a function of Values as its first argument, but was given {f!r}")
    for name, setting, smallest in (("eps", eps, "> 0"), ("tol", tol, "≥ 0")):
        is_number = not isinstance(setting, bool) and isinstance(setting, Real) and math.isfinite(setting)
        if not is_number or setting < 0 or (name == "eps" and setting == 0):
            raise ValueError(f"gradcheck needs {name} to be a finite number {smallest}, but was given {setting!r}")
    if isinstance(inputs, (Value, int, float)):
        inputs = [inputs]
    start = [float(x.data if isinstance(x, Value) else x) for x in inputs]
    names = [x.label if isinstance(x, Value) and x.label else f"input {i}" for i, x in enumerate(inputs)]

    leaves = [Value(x) for x in start]
    with enable_grad():  # the graph to check, also when gradcheck is called inside no_grad()
        out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck needs f to return a Value, but it returned {type(out).__name__}: {out!r}")
    if not math.isfinite(out.data):
        if not raise_exception:
            return False
        raise GradcheckError(f"f gives {out.data!r} at {start!r}: there is no finite gradient to check")
    analytic_grads = _backward_leaving_grads_as_they_were(out, leaves)

    def f_at(point: list[float]) -> float:
        with no_grad():
            result = f(*(Value(x) for x in point))
        return result.data

    for i in range(len(leaves)):
        plus, minus = list(start), list(start)
        plus[i] += eps
        minus[i] -= eps
        numeric = (f_at(plus) - f_at(minus)) / (2 * eps)
        analytic = analytic_grads[i]
        # Written as "not within" so that a nan, which compares false with everything, is a mismatch.
        if not abs(numeric - analytic) <= tol * max(1.0, abs(numeric), abs(analytic)):
            if not raise_exception:
                return False
            raise GradcheckError(
                f"gradient mismatch for {names[i]} (= {start[i]!r}): "
                f"finite differences give {numeric:.8g}, the engine gives {analytic:.8g} "
                f"(difference {abs(numeric - analytic):.3g}, tolerance {tol:g})"
            )
    return True


def _backward_leaving_grads_as_they_were(out: Value, leaves: list[Value]) -> list[float]:
    """`out.backward()`'s gradient for each of the leaves; then every grad in the graph is put back as it
    was, so a parameter that ``f`` reads from outside does not collect the check's gradient."""
    saved = [(node, node.grad) for node in topological_order(out)]
    out.backward()
    found = [leaf.grad for leaf in leaves]
    for node, grad in saved:
        node.grad = grad
    return found
