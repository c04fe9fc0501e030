"""Turning DOT source into SVG: with Graphviz's `dot` program, or with pygraphviz.

The `graphviz` Python package only writes DOT text; laying it out takes the `dot`
program, which `pip` cannot install. pygraphviz's wheels bundle the Graphviz
libraries, so it can lay out and draw in-process. We try `dot` first (it is what
most users have), then pygraphviz, and when neither is there we say how to get one.
"""

from __future__ import annotations

import shutil
from typing import Literal

import graphviz  # type: ignore[import-untyped]

Renderer = Literal["auto", "dot", "pygraphviz"]

INSTALL_HINT = (
    "Install either one, then restart Python (in Jupyter: restart the kernel):\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  macOS:          brew install graphviz\n"
    '  any system:     pip install "scalar-autograd[render]"   (pygraphviz, which bundles Graphviz)'
)


class RendererNotFoundError(RuntimeError):
    """Neither Graphviz's `dot` program nor the pygraphviz package is available to draw a graph."""


def dot_to_svg(source: str, renderer: Renderer = "auto") -> str:
    """Lay out DOT `source` and draw it as SVG text, with the chosen renderer."""
    if renderer not in ("auto", "dot", "pygraphviz"):
        raise ValueError(f"renderer must be 'auto', 'dot' or 'pygraphviz', but was given {renderer!r}")
    if renderer in ("auto", "dot"):
        if shutil.which("dot") is not None:
            # The graphviz package runs the `dot` program for us.
            svg: str = graphviz.Source(source).pipe(format="svg", encoding="utf-8")
            return svg
        if renderer == "dot":
            raise RendererNotFoundError(
                "renderer='dot' was asked for, but Graphviz's `dot` program is not on PATH.\n" + INSTALL_HINT
            )
    try:
        import pygraphviz  # type: ignore[import-untyped]
    except (ImportError, OSError) as error:  # OSError: the bundled Graphviz libraries failed to load
        if renderer == "pygraphviz":
            raise RendererNotFoundError(
                f"renderer='pygraphviz' was asked for, but pygraphviz cannot be imported ({error}).\n" + INSTALL_HINT
            ) from error
        raise RendererNotFoundError(
            "Cannot draw the graph as SVG: Graphviz's `dot` program is not on PATH "
            "and the Python package pygraphviz is not installed.\n" + INSTALL_HINT
        ) from error
    graph = pygraphviz.AGraph(string=source)
    drawn: bytes = graph.draw(format="svg", prog="dot")  # lays out in-process with the bundled Graphviz
    return drawn.decode("utf-8")
