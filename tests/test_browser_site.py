"""The browser site (browser/build.py): built from this checkout, served on 127.0.0.1, opened in Chromium with every
other host blocked, notebooks 01, 02 and 04 run cell by cell on the real engine in Pyodide, graphs drawn as SVG by
viz.js, and the walkthrough player made there stepping.

Building takes npm (for Pyodide and viz.js) and JupyterLite (the ``browser`` extra); in CI a missing piece fails the
test, elsewhere it skips. ``AUTOGRAD_BROWSER_SITE=browser/_site`` reuses a site already built from this checkout.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
BUILD_SCRIPT = CHECKOUT / "browser" / "build.py"
SCREENSHOTS = os.environ.get("AUTOGRAD_SCREENSHOTS")  # a folder: save what the test saw there, to look at
KERNEL_START_MS = 180_000  # Pyodide, the wheels and viz.js, on a loaded 2-core machine
CELL_MS = 120_000


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must build and test the browser site, but {what}")
    pytest.skip(what)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site freshly built from this checkout (or the one named by AUTOGRAD_BROWSER_SITE)."""
    given = os.environ.get("AUTOGRAD_BROWSER_SITE")
    if given:
        return Path(given).resolve()
    if shutil.which("npm") is None or shutil.which("node") is None:
        _missing("node and npm are not installed (Debian: apt-get install nodejs npm)")
    try:
        import jupyterlite_core  # noqa: F401
        import jupyterlite_pyodide_kernel  # noqa: F401
    except ImportError:
        _missing('JupyterLite is not installed (pip install -e ".[browser]")')
    output = tmp_path_factory.mktemp("browser") / "site"
    built = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--output", str(output)], capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, f"browser/build.py failed:\n{built.stdout[-3000:]}\n{built.stderr[-3000:]}"
    return output


@pytest.fixture(scope="module")
def address(site: Path) -> Iterator[str]:
    """The site served by a plain static file server on 127.0.0.1, as `python -m http.server` would."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def lab(browser: Any, address: str) -> Iterator[tuple[Any, list[str]]]:
    """One JupyterLite tab at 1280×800, every request to a host other than the site's aborted and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    elsewhere: list[str] = []

    def only_the_site(route: Any) -> None:
        url = route.request.url
        if url.startswith(address + "/") or url.startswith(("blob:", "data:")):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    context.route("**/*", only_the_site)
    page = context.new_page()
    page.goto(f"{address}/")  # the address the docs give: JupyterLite's front page opens the lab
    page.wait_for_function(
        "window.jupyterapp && window.jupyterapp.serviceManager.kernelspecs.specs"
        " && 'python' in window.jupyterapp.serviceManager.kernelspecs.specs.kernelspecs",
        timeout=KERNEL_START_MS,
    )
    yield page, elsewhere
    context.close()


OPEN_NOTEBOOK = """async (path) => {
  const app = window.jupyterapp;
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready;
  await panel.sessionContext.ready;
  const cells = panel.content.model.cells;
  const code = [];
  for (let i = 0; i < cells.length; i++) if (cells.get(i).type === 'code') code.push(i);
  return code;
}"""

RUN_CELL = """async ([path, index]) => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  if (!panel || panel.context.path !== path) throw new Error('the notebook ' + path + ' is not in front');
  const notebook = panel.content;
  notebook.activeCellIndex = index;
  notebook.deselectAll();
  await app.commands.execute('notebook:run-cell');
  const cell = notebook.model.cells.get(index);
  return {source: cell.sharedModel.getSource(), outputs: cell.outputs.toJSON(), count: cell.executionCount};
}"""


def run_notebook(page: Any, path: str) -> list[dict[str, Any]]:
    """Open `path` in JupyterLite and run its code cells one by one, as a learner pressing Shift+Enter would."""
    code_cells = page.evaluate(OPEN_NOTEBOOK, path)
    results = []
    for index in code_cells:
        page.set_default_timeout(CELL_MS)
        result = page.evaluate(RUN_CELL, [path, index])
        result["index"] = index
        results.append(result)
    return results


def errors_in(results: list[dict[str, Any]]) -> list[str]:
    """Every error a learner would see: an exception, or anything on stderr that is not a progress line."""
    found = []
    for result in results:
        for output in result["outputs"]:
            if output["output_type"] == "error":
                found.append(f"cell {result['index']}: {output['ename']}: {output['evalue']}")
            elif output["output_type"] == "stream" and output["name"] == "stderr":
                text = "".join(output["text"])
                if "done in" not in text and "…" not in text:
                    found.append(f"cell {result['index']} wrote on stderr: {text[:300]}")
        if result["count"] is None:
            found.append(f"cell {result['index']} did not run")
    return found


def svgs_in(results: list[dict[str, Any]]) -> list[str]:
    """Every SVG a notebook showed: as image/svg+xml, or as the data: image of a drawing's HTML (one per output)."""
    found = []
    for result in results:
        for output in result["outputs"]:
            data = output.get("data", {})
            if "image/svg+xml" in data:
                found.append("".join(data["image/svg+xml"]))
            elif "text/html" in data:
                images = re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', "".join(data["text/html"]))
                found += [base64.b64decode(image).decode("utf-8") for image in images[:1]]
    return found


def screenshot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / name))


def test_notebook_01_runs_every_cell_and_draws_with_graphviz_in_the_browser(lab: tuple[Any, list[str]]) -> None:
    page, elsewhere = lab
    results = run_notebook(page, "01_backprop_by_hand.ipynb")
    assert errors_in(results) == []
    printed = "".join("".join(o.get("text", "")) for r in results for o in r["outputs"])
    assert "engine w.grad: -0.094" in printed  # the worked example's ∂L/∂w, computed by the engine in Pyodide
    drawn = svgs_in(results)
    # Drawings say which Graphviz laid them out; a walkthrough's frames are those layouts restyled per step.
    assert len(drawn) >= 2 and any("Generated by graphviz version" in svg for svg in drawn)
    assert all('<g id="graph0" class="graph"' in svg for svg in drawn)
    assert any(">w<" in svg or ">w " in svg for svg in drawn)
    # The graph is on the page as a picture (an image of the SVG, as wide as the output), not as DOT text.
    last_drawing = page.locator(".jp-OutputArea-output img[src^='data:image/svg+xml']").last
    last_drawing.scroll_into_view_if_needed()
    assert last_drawing.bounding_box()["width"] > 200
    screenshot(page, "01-drawing-1280x800.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("window.jupyterapp.shell.collapseLeft()")  # on a phone the notebook takes the whole width
    last_drawing.scroll_into_view_if_needed()
    screenshot(page, "01-drawing-390x844.png")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.evaluate("window.jupyterapp.shell.expandLeft()")
    walkthrough = page.locator(".autograd-walkthrough").first
    walkthrough.scroll_into_view_if_needed()
    frame = walkthrough.locator("img[src^='data:image/svg+xml']").first  # the walkthrough's frame
    frame_svg = base64.b64decode(frame.get_attribute("src").split(",", 1)[1]).decode("utf-8")
    assert frame_svg.count('class="node"') >= 8 and frame.bounding_box()["width"] > 200
    screenshot(page, "01-walkthrough-1280x800.png")
    assert elsewhere == []


def test_notebook_02_runs_every_cell(lab: tuple[Any, list[str]]) -> None:
    page, elsewhere = lab
    results = run_notebook(page, "02_computation_graphs.ipynb")
    assert errors_in(results) == []
    assert len(svgs_in(results)) >= 8
    assert elsewhere == []


def test_notebook_04_runs_every_cell(lab: tuple[Any, list[str]]) -> None:
    page, elsewhere = lab
    results = run_notebook(page, "04_practice.ipynb")
    assert errors_in(results) == []
    gif = [r for r in results if "save_gif(" in r["source"]]
    assert len(gif) == 1  # the one cell that needs Pillow, which has no browser build: it says so and moves on
    assert "Pillow, which has no browser build" in json.dumps(gif[0]["outputs"])
    # The widgets are drawn by ipywidgets' JupyterLab manager, which the site includes.
    assert page.locator(".jupyter-widgets").count() > 0
    assert page.get_by_text("Error displaying widget").count() == 0
    next_button = page.locator(".jupyter-widgets button", has_text="Next").first
    next_button.scroll_into_view_if_needed()
    screenshot(page, "04-widgets-1280x800.png")
    next_button.click()  # the kernel hears the click (a comm message) and redraws the frame in place
    page.locator(".jupyter-widgets").get_by_text(re.compile(r"^\s*Step 2 of 6: ")).first.wait_for()
    assert elsewhere == []


MAKE_PLAYER = """
from autograd import Value, walkthrough
from autograd.teaching.player import player_html
w, x, b, y = Value(0.5, "w"), Value(1.5, "x"), Value(0.1, "b"), Value(1.0, "y")
z = w * x + b
z.label = "z"
a = z.sigmoid()
a.label = "a"
L = 0.5 * (a - y) ** 2
L.label = "L"
wt = walkthrough(L)
print(player_html(wt, wt.picture()))
wt.save_html("walkthrough.html")  # into the file browser (JupyterLite's drive)
wt.save_html("quiz.html", quiz=True)
"""

READ_FILE = """async (path) => {
  const file = await window.jupyterapp.serviceManager.contents.get(path, {content: true, format: 'text', type: 'file'});
  return file.content;
}"""

OPEN_PAGE = """async (path) => {
  const widget = await window.jupyterapp.commands.execute('docmanager:open', {path});
  await widget.context.ready;
  return widget.node.className;
}"""

RUN_CODE = """async (code) => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  const kernel = panel.sessionContext.session.kernel;
  let text = '';
  const future = kernel.requestExecute({code});
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream') text += msg.content.text;
    if (msg.header.msg_type === 'error') text += 'ERROR ' + msg.content.ename + ': ' + msg.content.evalue;
  };
  await future.done;
  return text;
}"""


def test_the_player_made_in_the_browser_steps(lab: tuple[Any, list[str]], browser: Any) -> None:
    page, elsewhere = lab
    page.evaluate(OPEN_NOTEBOOK, "01_backprop_by_hand.ipynb")
    html = page.evaluate(RUN_CODE, MAKE_PLAYER)
    assert html.startswith("<!DOCTYPE html>"), html[:500]
    saved = page.evaluate(READ_FILE, "walkthrough.html")
    assert saved.startswith("<!DOCTYPE html>") and "Backward pass through L" in saved
    # Opened from the file browser: JupyterLab's HTML viewer runs the page's script once it is trusted.
    page.evaluate(OPEN_PAGE, "walkthrough.html")
    page.get_by_text("Trust HTML").click()
    frame = page.frame_locator(".jp-MainAreaWidget:not(.lm-mod-hidden) iframe")
    frame.locator("#next").click()
    assert frame.locator("#counter").text_content() == "Step 2 of 6"
    screenshot(page, "player-in-jupyterlite-1280x800.png")
    page.evaluate(OPEN_PAGE, "quiz.html")
    page.get_by_text("Trust HTML").last.click()
    quiz = page.frame_locator(".jp-MainAreaWidget:not(.lm-mod-hidden) iframe")
    assert quiz.locator("input").count() > 0  # it asks for the first gradient
    screenshot(page, "quiz-in-jupyterlite-1280x800.png")
    for width, height in ((1280, 800), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        player = context.new_page()
        player.set_content(html)
        counter = player.locator("#counter")
        first = counter.text_content()
        player.locator("#next").click()
        player.locator("#next").click()
        assert counter.text_content() != first
        assert player.locator("#viewport svg g.node").count() >= 8
        screenshot(player, f"player-{width}x{height}.png")
        context.close()
    assert elsewhere == []


# Text inside its box: each node's texts lie within the node's outline (a polygon or a path), measured by the browser.
TEXT_OUTSIDE_BOXES = """() => {
  const outside = [];
  document.querySelectorAll('#viewport svg g.node').forEach((node) => {
    const outline = node.querySelector('polygon, path, ellipse');
    if (!outline) return;
    const box = outline.getBBox();
    node.querySelectorAll('text').forEach((text) => {
      const t = text.getBBox();
      if (t.width && (t.x < box.x - 0.5 || t.x + t.width > box.x + box.width + 0.5))
        outside.push(text.textContent + ' in ' + node.querySelector('title').textContent);
    });
  });
  return outside;
}"""


def test_text_stays_inside_its_box_as_laid_out_by_viz_js(lab: tuple[Any, list[str]], browser: Any) -> None:
    page, _ = lab
    page.evaluate(OPEN_NOTEBOOK, "01_backprop_by_hand.ipynb")
    html = page.evaluate(RUN_CODE, MAKE_PLAYER.split("wt.save_html")[0])
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    player = context.new_page()
    player.set_content(html)
    if player.locator("#show-all").count():  # every gradient shown: the widest texts
        player.locator("#show-all").click()
    assert player.evaluate(TEXT_OUTSIDE_BOXES) == []
    context.close()


# ------------------------------------------------------------------ the same code paths, without a browser


def test_viz_js_is_refused_outside_a_browser_with_what_to_use_instead() -> None:
    from autograd.drawing.render import RendererNotFoundError, dot_to_svg

    with pytest.raises(RendererNotFoundError, match="draws only in a browser"):
        dot_to_svg("digraph { a -> b }", renderer="viz.js")


def test_in_a_browser_png_is_refused_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    from autograd.drawing import render

    monkeypatch.setattr(render, "IN_BROWSER", True)
    with pytest.raises(render.RenderError, match="SVG only"):
        render.render_dot("digraph { a -> b }", "png")


def test_in_a_browser_a_missing_viz_js_is_named_with_no_install_advice(monkeypatch: pytest.MonkeyPatch) -> None:
    from autograd import Value, draw_dot
    from autograd.drawing import graph, render

    monkeypatch.setattr(render, "IN_BROWSER", True)
    monkeypatch.setattr(graph, "IN_BROWSER", True)

    def no_viz(source: str) -> str:
        raise render.RendererNotFoundError("No address of viz.js is set (AUTOGRAD_VIZ_URL).\n" + render.BROWSER_HINT)

    monkeypatch.setattr(render, "_viz_svg", no_viz)
    shown = draw_dot(Value(2.0, "x"))._repr_mimebundle_()
    assert set(shown) == {"text/plain"}
    assert "viz.js" in shown["text/plain"] and "apt-get" not in shown["text/plain"]


def test_progress_starts_no_thread_in_a_browser(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    import threading

    from autograd.teaching import player

    def no_threads(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("can't start new thread")  # what Pyodide says

    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setattr(threading, "Timer", no_threads)
    monkeypatch.setattr(player, "PROGRESS_AFTER_SECONDS", 0.0)
    with player.progress("drawing"):
        pass
    assert "drawing: done in" in capsys.readouterr().err


def test_in_a_browser_gifs_say_to_run_the_cell_on_a_computer(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from autograd.practice import animate

    real_import = builtins.__import__

    def without_pillow(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("No module named 'PIL'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_pillow)
    monkeypatch.setattr(sys, "platform", "emscripten")
    with pytest.raises(ImportError, match="no build for the browser") as raised:
        animate._pillow()
    assert "own computer" in str(raised.value)


def test_without_jspi_a_graph_drawn_before_viz_js_loaded_asks_to_run_the_cell_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Browsers that cannot wait inside Python (no JSPI) get viz.js by the next cell: loading starts at import."""
    import types

    from autograd.drawing import render

    ffi = types.ModuleType("pyodide.ffi")
    ffi.can_run_sync = lambda: False  # type: ignore[attr-defined]
    ffi.run_sync = lambda awaitable: pytest.fail("run_sync called where it cannot work")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pyodide", types.ModuleType("pyodide"))
    monkeypatch.setitem(sys.modules, "pyodide.ffi", ffi)
    monkeypatch.setattr(render, "IN_BROWSER", True)
    monkeypatch.setattr(render, "_viz", None)
    monkeypatch.setattr(render, "_viz_loading", object())  # a load under way
    with pytest.raises(render.RendererNotFoundError, match="still loading: run this cell again"):
        render.dot_to_svg("digraph { a -> b }")


MISSING_VIZ = """
import os
from autograd import Value, draw_dot
from autograd.drawing import render
kept = render._viz, render._viz_loading, os.environ["AUTOGRAD_VIZ_URL"]
render._viz, render._viz_loading = None, None
os.environ["AUTOGRAD_VIZ_URL"] = "../../../../static/viz/not-there.js"
try:
    shown = draw_dot(Value(2.0, "x"))._repr_mimebundle_()
finally:
    render._viz, render._viz_loading, os.environ["AUTOGRAD_VIZ_URL"] = kept
print(sorted(shown))
print(shown["text/plain"].splitlines()[0])
"""


def test_in_the_browser_a_viz_js_that_cannot_load_shows_the_dot_text_and_why(lab: tuple[Any, list[str]]) -> None:
    page, _ = lab
    page.evaluate(OPEN_NOTEBOOK, "01_backprop_by_hand.ipynb")
    printed = page.evaluate(RUN_CODE, MISSING_VIZ)
    assert "ERROR" not in printed and "Traceback" not in printed, printed
    assert printed.startswith(
        "['text/plain']\n(DOT source shown because the graph could not be drawn: viz.js did not load"
    )
