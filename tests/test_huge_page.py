"""A walkthrough page of about 10,000 boxes (our own layered layout) opens and steps in Chromium, drawing only
the tiles of the picture near the screen; every box of the layout sits inside the tile that holds it."""

from __future__ import annotations

import re

import pytest

from autograd import Value, walkthrough
from autograd.drawing import draw_dot, layered, render_svg

IN_VIEW = """() => {
    const data = JSON.parse(document.getElementById("steps").textContent);
    const current = Number(document.getElementById("slider").value) - 1;
    const port = document.getElementById("viewport").getBoundingClientRect();
    const byTitle = {};
    document.querySelectorAll("#viewport g.node, #viewport g.edge").forEach(g => {
        byTitle[g.querySelector("title").textContent] = g;
    });
    return data.steps[current].focus.map(title => {
        const r = byTitle[title].getBoundingClientRect();
        const inside = r.left >= port.left && r.right <= port.right && r.top >= port.top && r.bottom <= port.bottom;
        return [title, inside && r.width > 0 && r.height > 0];
    });
}"""

TILES = """() => {
    const tiles = Array.from(document.querySelectorAll("#viewport g.tile"));
    return [tiles.length, tiles.filter(g => getComputedStyle(g).display !== "none").length];
}"""


def chain_of_neurons(boxes: int) -> Value:
    """A long graph of tanh neurons, each fed by the one before and a weight of its own: about `boxes` values."""
    x = Value(0.5, "x")
    for k in range(boxes // 4):
        x = (x * Value(0.9 + 0.001 * (k % 50), f"w{k}") + Value(0.01, f"b{k}")).tanh()
    return x


@pytest.fixture(scope="module")
def huge_page(tmp_path_factory):
    loss = chain_of_neurons(10_000)
    wt = walkthrough(loss)
    path = wt.save_html(tmp_path_factory.mktemp("huge") / "huge.html", max_nodes=None)
    return wt, path


def test_a_ten_thousand_box_page_opens_and_steps_in_chromium(browser, huge_page):
    wt, path = huge_page
    assert len(wt) >= 7_000
    page = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri(), timeout=300_000)
    page.wait_for_function("document.getElementById('step-header').textContent.length > 0", timeout=300_000)
    assert page.locator("#counter").text_content() == f"Step 1 of {len(wt)}"
    tiles, drawn = page.evaluate(TILES)
    assert tiles > 50 and 0 < drawn < tiles / 5  # only the tiles near the screen are drawn
    for index in range(3):
        shown = page.evaluate(IN_VIEW)
        assert shown and all(inside for _, inside in shown), (index + 1, shown)
        assert page.locator("#step-header").text_content().startswith(f"Step {index + 1} of {len(wt)}: ")
        page.click("#next")
    page.keyboard.press("End")  # the far end of the graph: other tiles drawn, the last step's node in view
    assert page.locator("#counter").text_content() == f"Step {len(wt)} of {len(wt)}"
    shown = page.evaluate(IN_VIEW)
    assert shown and all(inside for _, inside in shown), shown
    assert errors == []
    page.close()


def test_every_box_of_the_own_layout_lies_within_its_tiles_extent():
    dot = draw_dot(chain_of_neurons(2_000), max_nodes=None)
    assert layered.is_big(dot.source)
    svg = render_svg(dot)
    tiles = re.findall(r'<g class="tile" data-extent="([^"]+)">(.*?)\n</g>\n(?=<g class="tile"|</g>)', svg, re.S)
    assert len(tiles) > 5
    boxes = 0
    for extent, body in tiles:
        left, top, right, bottom = map(float, extent.split())
        for x, y in re.findall(r'<text text-anchor="\w+" x="([-\d.]+)" y="([-\d.]+)"', body):
            assert left - 1 <= float(x) <= right + 1 and top - 1 <= float(y) <= bottom + 1
        boxes += body.count('class="node"')
    assert boxes == svg.count('class="node"') == len(dot.grad_rows) + dot.source.count("_op [")
