"""scalar-autograd: a scalar reverse-mode automatic-differentiation engine that makes backprop visible.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = x ** 2 + 3 * x
>>> y.backward()
>>> x.grad  # dy/dx = 2x + 3
7.0
"""

from .engine import Constant, Value, is_grad_enabled, no_grad, topological_order
from .gradcheck import GradcheckError, gradcheck

__all__ = [
    "Constant",
    "GradcheckError",
    "Value",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "topological_order",
]

__version__ = "0.1.0"
