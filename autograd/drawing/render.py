"""Turning DOT source into a picture (SVG, PNG or PDF): with Graphviz's `dot` program, or with pygraphviz.

The `graphviz` Python package only writes DOT text; laying it out takes the `dot`
program, which `pip` cannot install. pygraphviz's wheels bundle the Graphviz
libraries, so it can lay out and draw in-process. We try `dot` first (it is what
most users have), then pygraphviz (also when `dot` is there but fails), and when
neither is there we say how to get one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import graphviz  # type: ignore[import-untyped]

from .._installation import install_command

Renderer = Literal["auto", "dot", "pygraphviz"]
FORMATS = ("svg", "png", "pdf")

INSTALL_HINT = (
    "Install either one, then restart Python (in Jupyter: restart the kernel):\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  macOS:          brew install graphviz\n"
    f"  any system:     {install_command('render')}   (pygraphviz, which bundles Graphviz)"
)


class RendererNotFoundError(RuntimeError):
    """Neither Graphviz's `dot` program nor the pygraphviz package is available to draw a graph."""


class RenderError(RuntimeError):
    """A renderer was there but could not draw this graph (every available one was tried)."""


def dot_to_svg(source: str, renderer: Renderer = "auto") -> str:
    """Lay out DOT `source` and draw it as SVG text, with the chosen renderer."""
    return render_dot(source, "svg", renderer).decode("utf-8")


def render_dot(source: str, format: str = "svg", renderer: Renderer = "auto") -> bytes:
    """Lay out DOT `source` and draw it in `format` ("svg", "png" or "pdf"), with the chosen renderer.

    With ``"auto"``, a `dot` program that fails is followed by pygraphviz before giving up.
    """
    if renderer not in ("auto", "dot", "pygraphviz"):
        raise ValueError(f"renderer must be 'auto', 'dot' or 'pygraphviz', but was given {renderer!r}")
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, but was given {format!r}")
    failures: list[str] = []
    if renderer in ("auto", "dot"):
        if shutil.which("dot") is not None:
            try:
                drawn: bytes = graphviz.Source(source).pipe(format=format, quiet=True)  # runs the `dot` program
                return drawn
            except (subprocess.CalledProcessError, graphviz.ExecutableNotFound, OSError) as error:
                if renderer == "dot":
                    raise RenderError(
                        f"Graphviz's `dot` program could not draw this graph: {_first_line(error)}"
                    ) from None
                failures.append(f"`dot` failed: {_first_line(error)}")
        elif renderer == "dot":
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
        if failures:
            raise RenderError(f"Cannot draw the graph: {failures[0]}, and pygraphviz is not installed") from None
        raise RendererNotFoundError(
            "Cannot draw the graph: Graphviz's `dot` program is not on PATH "
            "and the Python package pygraphviz is not installed.\n" + INSTALL_HINT
        ) from error
    try:
        with _without_fontconfigs_known_warning():
            graph = pygraphviz.AGraph(string=source)
            picture: bytes = graph.draw(format=format, prog="dot")  # lays out in-process with the bundled Graphviz
    except Exception as error:  # pygraphviz raises DotError, ValueError, ... for a graph Graphviz rejects
        failures.append(f"pygraphviz failed: {_first_line(error)}")
        raise RenderError("Cannot draw the graph: " + "; ".join(failures)) from None
    return picture


# pygraphviz's wheels bundle an older fontconfig, which does not know an element of a sample file that newer
# systems (Debian 12) ship in /usr/share/fontconfig/conf.avail, and says so on stderr at the first render in a
# process, whatever FONTCONFIG_FILE says. The render is fine; the line is noise to a user.
_KNOWN_WARNING = re.compile(
    rb'^Fontconfig warning: "[^"]*conf\.avail/[^"]*reset-dirs[^"]*", line \d+: unknown element "reset-dirs"\n', re.M
)


@contextmanager
def _without_fontconfigs_known_warning() -> Iterator[None]:
    """Run the block with the process's stderr (file descriptor 2, where C libraries write) caught, then pass on
    everything it wrote except that one known warning line."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable stderr: nothing to filter
        yield
        return
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            rest = _KNOWN_WARNING.sub(b"", caught.read())
            if rest:
                os.write(2, rest)


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:300]
