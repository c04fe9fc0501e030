"""Turning DOT source into SVG: with Graphviz's `dot` program, or with pygraphviz.

The `graphviz` Python package only writes DOT text; laying it out takes the `dot`
program, which `pip` cannot install. pygraphviz's wheels bundle the Graphviz
libraries, so it can lay out and draw in-process. We try `dot` first (it is what
most users have), then pygraphviz, and when neither is there we say how to get one.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Literal

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
        dot_program = shutil.which("dot")
        if dot_program is not None:
            return _svg_with_dot_program(dot_program, source)
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
    svg: bytes = graph.draw(format="svg", prog="dot")  # lays out in-process with the bundled Graphviz
    return svg.decode("utf-8")


def _svg_with_dot_program(dot_program: str, source: str) -> str:
    finished = subprocess.run([dot_program, "-Tsvg"], input=source.encode("utf-8"), capture_output=True, check=False)
    if finished.returncode != 0:
        message = finished.stderr.decode("utf-8", errors="replace").strip()
        raise RuntimeError(f"Graphviz's `dot` ({dot_program}) failed to draw the graph: {message}")
    return finished.stdout.decode("utf-8")
