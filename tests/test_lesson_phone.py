"""The main job's player on a phone (390×844, in Chromium): every step's node, edges and inputs in view, whole,
and every number of the table readable (never cut to "−0.29…")."""

from __future__ import annotations

import pytest

from autograd.cli import worked_example
from autograd.optim import SGD
from autograd.teaching import walkthrough

PHONE = {"width": 390, "height": 844}

IN_VIEW = """() => {
    const data = JSON.parse(document.getElementById("steps").textContent);
    const current = Number(document.getElementById("slider").value) - 1;
    const view = document.getElementById("viewport").getBoundingClientRect();
    const byTitle = {};
    document.querySelectorAll("#viewport g.node, #viewport g.edge").forEach(g => {
        byTitle[g.querySelector("title").textContent] = g;
    });
    const step = data.steps[current];
    return step.focus.map(title => {
        const r = byTitle[title].getBoundingClientRect();
        const inside = r.left >= view.left && r.right <= view.right && r.top >= view.top && r.bottom <= view.bottom;
        return [title, inside, r.width > 0 && r.height > 0];
    });
}"""

CUT_CELLS = """() => Array.from(document.querySelectorAll("#summary td"))
    .filter(td => td.scrollWidth > td.clientWidth + 1).map(td => td.textContent)"""


@pytest.mark.parametrize("primitive", [False, True])
def test_every_step_of_the_default_lesson_is_wholly_in_view_on_a_phone(browser, tmp_path, primitive):
    loss, leaves, _, groups = worked_example(0.5, 1.5, 0.1, 1.0, primitive=primitive)
    wt = walkthrough(loss, groups=groups)
    loss.backward()
    trained = [leaves["w"], leaves["b"]]
    path = wt.save_html(tmp_path / "backprop.html", params=trained, update=SGD(trained, lr=0.1))
    page = browser.new_page(viewport=PHONE, has_touch=True)
    page.goto(path.as_uri())
    steps = len(wt) + 1  # the backward steps, then the update
    assert page.locator("#counter").text_content() == f"Step 1 of {steps}"
    for index in range(steps):
        shown = page.evaluate(IN_VIEW)
        assert shown, f"step {index + 1} brings nothing into view"
        assert all(inside and drawn for _, inside, drawn in shown), (index + 1, shown)
        assert page.evaluate(CUT_CELLS) == [], index + 1
        page.locator("#show-all").check()
        assert page.evaluate(CUT_CELLS) == [], index + 1
        page.locator("#show-all").uncheck()
        page.click("#next") if index + 1 < steps else None
    assert "w_new = w_old − η · ∂L/∂w = 0.5000 − 0.1 · (−0.0942) = 0.5094" in page.locator("#explanation").inner_text()
    page.close()
