"""scalar-autograd: a scalar reverse-mode automatic-differentiation engine that makes backprop visible.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = x ** 2 + 3 * x
>>> y.backward()
>>> x.grad  # dy/dx = 2x + 3
7.0

The package follows the concepts of the seed document: `engine` (the op table,
Value, backward), `gradcheck`, `higher` and `forward` (derivatives of derivatives,
forward mode), `nn` (neurons, layers, losses), `optim` (SGD, Adam), `doctor` (why
doesn't it train?), `data` (toy data sets), `drawing` (graphs as SVG), `teaching` (backprop step by step:
`walkthrough`, `check_gradients`, `explain_update`), `practice` (quizzes,
exercises, widgets), `compiler` (`compile`: a traced graph replayed as
straight-line Python) and `pytorch` (the way to PyTorch, an optional extra).
"""

from . import data, doctor, drawing, nn, optim, teaching
from .compiler import compile
from .doctor import TrainingWarning
from .drawing import ComputationGraph, RendererNotFoundError, draw_dot, render_svg, save_svg, to_svg
from .engine import OPS, Constant, Op, Value, is_grad_enabled, no_grad, topological_order
from .forward import Dual, jvp
from .gradcheck import GradcheckError, gradcheck
from .higher import grad, gradgradcheck, hessian
from .teaching import Walkthrough, check_gradients, explain_update, walkthrough

__all__ = [
    "OPS",
    "ComputationGraph",
    "Constant",
    "Dual",
    "GradcheckError",
    "Op",
    "RendererNotFoundError",
    "TrainingWarning",
    "Value",
    "Walkthrough",
    "check_gradients",
    "compile",
    "data",
    "doctor",
    "draw_dot",
    "drawing",
    "explain_update",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "hessian",
    "is_grad_enabled",
    "jvp",
    "nn",
    "no_grad",
    "optim",
    "render_svg",
    "save_svg",
    "teaching",
    "to_svg",
    "topological_order",
    "walkthrough",
]

__version__ = "0.1.0"
