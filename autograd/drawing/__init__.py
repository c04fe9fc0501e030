"""Drawing computation graphs: laying them out (`layout`), naming their nodes (`names`),
turning them into pictures (`graph`: `draw_dot`; `render`: Graphviz or pygraphviz).

>>> from autograd import Value
>>> from autograd.drawing import draw_dot
>>> x, w = Value(2.0, "x"), Value(-3.0, "w")
>>> y = (x * w).tanh()
>>> [line.strip() for line in draw_dot(y).source.splitlines() if "->" in line]
['v1 -> v2_op', 'v0 -> v2_op', 'v2_op -> v2', 'v2 -> v3_op', 'v3_op -> v3']
"""

from .graph import DEFAULT_MAX_NODES, ComputationGraph, draw_dot, render_svg, save_svg, to_svg
from .names import display_names
from .render import RendererNotFoundError, RenderError

__all__ = [
    "DEFAULT_MAX_NODES",
    "ComputationGraph",
    "RenderError",
    "RendererNotFoundError",
    "display_names",
    "draw_dot",
    "render_svg",
    "save_svg",
    "to_svg",
]
