"""Turning DOT source into a picture (SVG, PNG or PDF): with Graphviz's `dot` program, or with pygraphviz, or in a
browser with Graphviz compiled to WebAssembly (viz.js).

The `graphviz` Python package only writes DOT text; laying it out takes the `dot`
program, which `pip` cannot install. pygraphviz's wheels bundle the Graphviz
libraries, so it can lay out and draw in-process. We try `dot` first (it is what
most users have), then pygraphviz (also when `dot` is there but fails), and when
neither is there we say how to get one.

In a browser (Pyodide, as on the project's JupyterLite site) there are no programs
to run: there the same DOT goes to viz.js, Graphviz built for the web, which the
site serves and names in the ``AUTOGRAD_VIZ_URL`` environment variable. It draws
SVG only.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, Literal

import graphviz  # type: ignore[import-untyped]

from .._installation import install_command

Renderer = Literal["auto", "dot", "pygraphviz", "viz.js"]
FORMATS = ("svg", "png", "pdf")

INSTALL_HINT = (
    "Install either one, then restart Python (in Jupyter: restart the kernel):\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  macOS:          brew install graphviz\n"
    f"  any system:     {install_command('render')}   (pygraphviz, which bundles Graphviz)"
)


IN_BROWSER = sys.platform == "emscripten"  # Pyodide: Python compiled to WebAssembly, running in a web page
VIZ_URL_VARIABLE = "AUTOGRAD_VIZ_URL"
BROWSER_HINT = (
    "In a browser, graphs are drawn by viz.js (Graphviz compiled to WebAssembly), which the page must serve:\n"
    "  open this notebook on the project's browser site (built by `python browser/build.py`), or set\n"
    f"  os.environ[{VIZ_URL_VARIABLE!r}] to the address of viz.js (from the npm package @viz-js/viz) before drawing."
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
    if renderer not in ("auto", "dot", "pygraphviz", "viz.js"):
        raise ValueError(f"renderer must be 'auto', 'dot', 'pygraphviz' or 'viz.js', but was given {renderer!r}")
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, but was given {format!r}")
    if renderer == "viz.js" or (renderer == "auto" and IN_BROWSER):
        if format != "svg":
            raise RenderError(
                f"In a browser, graphs can be drawn as SVG only (viz.js draws no {format.upper()}); "
                "ask for SVG, or run this on your own computer for PNG and PDF."
            )
        return _viz_svg(source).encode("utf-8")
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


# viz.js, once loaded (a JavaScript object of the page's worker); loading is started when this module is imported.
_viz: Any = None
_viz_loading: Any = None
_viz_failed = ""  # why loading failed, if it did


def _viz_svg(source: str) -> str:
    """Draw DOT `source` as SVG with viz.js, in the browser."""
    if not IN_BROWSER:
        raise RendererNotFoundError(
            "renderer='viz.js' draws only in a browser (Pyodide); here use 'dot' or 'pygraphviz'.\n" + INSTALL_HINT
        )
    viz = _viz_instance()
    import js  # type: ignore[import-not-found]
    from pyodide.ffi import to_js  # type: ignore[import-not-found]

    options = to_js({"format": "svg"}, dict_converter=js.Object.fromEntries)
    measured, families = _one_font_each(source)
    result = viz.render(measured, options)
    if result.status != "success":
        messages = [str(error.message).strip() for error in result.errors]
        raise RenderError("viz.js could not draw this graph: " + ("; ".join(messages) or "no reason given"))
    svg = str(result.output)
    for first, whole in families.items():  # the page's reader gets the whole list of fonts back
        svg = svg.replace(f'font-family="{first}"', f'font-family="{html.escape(whole)}"')
    return svg


def _viz_instance() -> Any:
    """viz.js's Graphviz, loaded once: waited for here where the browser allows it (JSPI), else ready by the next
    cell, since loading starts at import."""
    global _viz
    if _viz is not None:
        return _viz
    loading = _start_loading_viz()
    if _viz_failed:
        raise RendererNotFoundError(f"viz.js did not load: {_viz_failed}\n" + BROWSER_HINT)
    from pyodide.ffi import can_run_sync, run_sync

    if can_run_sync():
        _keep(run_sync(loading))
        if _viz_failed:
            raise RendererNotFoundError(f"viz.js did not load: {_viz_failed}\n" + BROWSER_HINT)
        return _viz
    raise RendererNotFoundError(
        "Graphviz for the browser (viz.js) is still loading: run this cell again in a moment.\n" + BROWSER_HINT
    )


def _start_loading_viz() -> Any:
    """Start loading viz.js (a JavaScript promise of its Graphviz instance); the same promise on later calls."""
    global _viz_loading
    if _viz_loading is not None:
        return _viz_loading
    address = os.environ.get(VIZ_URL_VARIABLE)
    if not address:
        raise RendererNotFoundError(f"No address of viz.js is set ({VIZ_URL_VARIABLE}).\n" + BROWSER_HINT)
    from pyodide.code import run_js  # type: ignore[import-not-found]

    # The address is relative to the script running Python (the kernel's worker) unless it is absolute. The promise
    # never fails: a failure is its outcome's `error` (Pyodide reports a rejected promise that it waited for as an
    # error of the cell, even when Python caught it).
    load = run_js(
        "(address) => import(new URL(address, self.location.href).href).then((viz) => viz.instance())"
        ".then((instance) => ({instance, error: ''}),"
        " (error) => ({instance: null, error: String(error) || 'no reason given'}))"
    )
    _viz_loading = load(address)
    _viz_loading.then(_keep)
    return _viz_loading


def _keep(outcome: Any) -> None:
    """Keep the outcome of loading viz.js: its Graphviz instance, or why it failed."""
    global _viz, _viz_failed
    if outcome.error:  # the browser's reason (JavaScript's null would arrive as pyodide's jsnull, not None)
        _viz_failed = str(outcome.error).strip().splitlines()[0][:300]
    else:
        _viz = outcome.instance


_FONT_LIST = re.compile(r'fontname="([^",]+),([^"]*)"')


def _one_font_each(source: str) -> tuple[str, dict[str, str]]:
    """DOT `source` for viz.js, and the font lists it shortened: viz.js cannot measure text, so it estimates widths
    from a table of fonts' metrics, which knows "DejaVu Sans" but not a list such as "DejaVu Sans,Arial,…" (read
    as Times, which is far narrower: text would cross its box). The first font of a list is the widest one a
    drawing names (graph.py), so it is the one to lay out with.

    >>> _one_font_each('a [fontname="DejaVu Sans,Arial,sans-serif"]')
    ('a [fontname="DejaVu Sans"]', {'DejaVu Sans': 'DejaVu Sans,Arial,sans-serif'})
    """
    families: dict[str, str] = {}

    def first_only(match: re.Match[str]) -> str:
        families[match[1]] = f"{match[1]},{match[2]}"
        return f'fontname="{match[1]}"'

    return _FONT_LIST.sub(first_only, source), families


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:300]


if IN_BROWSER and os.environ.get(VIZ_URL_VARIABLE):
    with suppress(Exception):  # drawing says what is wrong, when a graph is drawn
        _start_loading_viz()  # so that it is ready when the first graph is drawn
