"""scalar-autograd: a scalar reverse-mode automatic-differentiation engine that makes backprop visible.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = x ** 2 + 3 * x
>>> y.backward()
>>> x.grad  # dy/dx = 2x + 3
7.0

The package follows the concepts of the worked example of backprop (z = wx + b, a = σ(z),
L = ½(a − y)²): `engine` (the op table,
Value, backward), `gradcheck`, `higher` and `forward` (derivatives of derivatives,
forward mode), `nn` (neurons, layers, losses), `optim` (SGD, Adam), `doctor` (why
doesn't it train?), `data` (toy data sets), `drawing` (graphs as SVG), `teaching` (backprop step by step:
`walkthrough`, `check_gradients`, `explain_update`), `practice` (quizzes,
exercises, widgets), `compiler` (`compile`: a traced graph replayed as
straight-line Python), `batching` (`batch`: one sample's loss replayed over
whole arrays with NumPy) and `pytorch` (the way to PyTorch, an optional extra).
"""

from . import data, doctor, drawing, micrograd, nn, optim, teaching
from ._installation import warn_about_clash
from .batching import batch

# compile is importable by name but not in __all__, so `from autograd import *` keeps the builtin compile;
# render_svg is the older name of to_svg(graph), kept working.
from .compiler import compile as compile
from .doctor import TrainingWarning
from .drawing import (
    ComputationGraph,
    RendererNotFoundError,
    RenderError,
    draw_dot,
    save_svg,
    to_svg,
)
from .drawing import render_svg as render_svg
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
    "RenderError",
    "RendererNotFoundError",
    "TrainingWarning",
    "Value",
    "Walkthrough",
    "batch",
    "check_gradients",
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
    "micrograd",
    "nn",
    "no_grad",
    "optim",
    "save_svg",
    "teaching",
    "to_svg",
    "topological_order",
    "walkthrough",
]

__version__ = "0.1.0"
_SCALAR_AUTOGRAD = True  # this __init__ ran (HIPS autograd's, installed over it, has no such name)

warn_about_clash()  # HIPS autograd in the same folder: say what is broken and how to fix it
