"""The default lesson's player shows the steps the learner wrote folded (z = w · x + b as one box) and unfolds
them on request, in Chromium; the current step's node stays wholly in view at 390×844 in both drawings."""

from __future__ import annotations

import json

from autograd.cli import worked_example
from autograd.optim import SGD
from autograd.teaching import walkthrough

PHONE = {"width": 390, "height": 844}

# The focus of the step shown, in the drawing shown: every part inside the viewport and drawn.
IN_VIEW = """(view) => {
    const data = JSON.parse(document.getElementById("steps").textContent);
    const current = Number(document.getElementById("slider").value) - 1;
    const port = document.getElementById("viewport").getBoundingClientRect();
    const byTitle = {};
    document.querySelectorAll("#viewport g.node, #viewport g.edge").forEach(g => {
        byTitle[g.querySelector("title").textContent] = g;
    });
    return data.views[view].focus[current].map(title => {
        const r = byTitle[title].getBoundingClientRect();
        const inside = r.left >= port.left && r.right <= port.right && r.top >= port.top && r.bottom <= port.bottom;
        return [title, inside && r.width > 0 && r.height > 0];
    });
}"""

BOX_TITLES = """() => Array.from(document.querySelectorAll("#viewport g.node"))
    .map(g => (g.querySelector("text[font-weight=bold]") || {textContent: ""}).textContent)"""


def lesson_page(tmp_path):
    loss, leaves, _, groups = worked_example(0.5, 1.5, 0.1, 1.0, primitive=False)
    wt = walkthrough(loss, groups=groups)
    loss.backward()
    trained = [leaves["w"], leaves["b"]]
    return wt, wt.save_html(tmp_path / "backprop.html", params=trained, update=SGD(trained, lr=0.1))


def test_the_page_holds_a_folded_and_an_unfolded_drawing(tmp_path):
    wt, path = lesson_page(tmp_path)
    page = path.read_text(encoding="utf-8")
    data = json.loads(page.split('<script type="application/json" id="steps">')[1].split("</script>")[0])
    assert [view["folded"] for view in data["views"]] == [True, False]
    assert len(data["views"][1]["focus"]) == len(wt) + 1  # every step, then the update
    assert page.count("<svg") == 2 and '<template id="view-1"><svg' in page


def test_the_toggle_switches_between_the_folded_and_the_unfolded_drawing(browser, tmp_path):
    _, path = lesson_page(tmp_path)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.click("#next")
    page.click("#next")  # step 3: z = w · x + b
    folded = page.evaluate(BOX_TITLES)
    assert "z = w · x + b" in folded and "t1" not in folded
    assert page.locator("#viewport svg g.cluster").count() == 0
    page.locator("#unfold").check()
    unfolded = page.evaluate(BOX_TITLES)
    assert "z = w · x + b" not in unfolded and {"t1", "z"} <= set(unfolded)
    assert page.locator("#viewport svg").count() == 1
    assert "one step: z = w · x + b" in page.locator("#viewport svg g.cluster").text_content()
    # The step stays the same and its gradients are written in the new drawing: ∂L/∂w is known at step 3.
    assert page.locator("#counter").text_content() == "Step 3 of 4"  # 3 backward steps, then the update
    lit = page.evaluate("() => Array.from(document.querySelectorAll('#viewport g.lit title')).map(t => t.textContent)")
    assert len(lit) == 10  # t1 = w · x and z = t1 + b: each a box, an oval, two edges in and one out
    assert "grad −0.09422" in page.locator("#viewport svg").text_content()
    page.locator("#unfold").uncheck()
    assert page.evaluate(BOX_TITLES) == folded
    assert errors == []
    page.close()


def test_every_step_is_wholly_in_view_on_a_phone_folded_and_unfolded(browser, tmp_path):
    wt, path = lesson_page(tmp_path)
    page = browser.new_page(viewport=PHONE, has_touch=True)
    page.goto(path.as_uri())
    for view, unfold in ((0, False), (1, True)):
        page.locator("#unfold").set_checked(unfold)
        page.keyboard.press("Home")  # back to step 1 (the checkbox has the focus: the keys move the steps)
        assert page.locator("#counter").text_content() == f"Step 1 of {len(wt) + 1}"
        for index in range(len(wt) + 1):
            shown = page.evaluate(IN_VIEW, view)
            assert shown and all(inside for _, inside in shown), (view, index + 1, shown)
            if index < len(wt):
                page.click("#next")
    page.close()


def test_a_notebook_frame_is_folded_by_default_and_unfolds_with_fold_false():
    loss, _, _, groups = worked_example(0.5, 1.5, 0.1, 1.0, primitive=False)
    wt = walkthrough(loss, groups=groups)
    step = [step.name for step in wt].index("z")
    folded, unfolded = wt.frame(step).svg, wt.frame(step, fold=False).svg
    assert ">z = w · x + b</text>" in folded and ">t1</text>" not in folded
    assert ">t1</text>" in unfolded and ">one step: z = w · x + b</text>" in unfolded
    for svg in (folded, unfolded):  # ∂L/∂w and ∂L/∂b are known once the step is taken, in both drawings
        assert "grad −0.09422" in svg and "grad −0.06281" in svg
