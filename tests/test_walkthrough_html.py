"""The offline HTML player of a walkthrough, checked as a file and in a real headless Chromium."""

import base64
import re
from pathlib import Path

import pytest

from autograd import Value
from autograd.teaching import walkthrough
from autograd.teaching.player import player_html

HIGHLIGHT = "#dc2626"  # draw_dot's highlight colour
HOSTILE = "<script>alert(1)</script>"


def seed_walkthrough():
    """The seed's neuron, every node labelled so the browser can find it by its text."""
    w, x, b, y = Value(0.5, "w"), Value(1.5, "x"), Value(0.1, "b"), Value(1.0, "y")
    wx = w * x
    z = wx + b
    a = z.sigmoid()
    error = a - y
    squared = error**2
    loss = 0.5 * squared
    for node, label in [(wx, "wx"), (z, "z"), (a, "a"), (error, "e"), (squared, "sq"), (loss, "L")]:
        node.label = label
    return walkthrough(loss)


SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(SCREENS))
def open_player(browser, tmp_path, request):
    """Save a walkthrough, open it at a desktop's or a phone's size, and record every request and dialog."""
    pages = []

    def open_(wt, **draw_options):
        path = wt.save_html(tmp_path / "player.html", **draw_options)
        page = browser.new_page(viewport=SCREENS[request.param], has_touch=request.param == "phone")
        page.requests, page.dialogs = [], []
        page.on("request", lambda request: page.requests.append(request.url))
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(path.as_uri())
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.close()


def lit_box_texts(page) -> list[str]:
    """The text of every box the current step highlights."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("g.node.lit"))
            .map(g => Array.from(g.querySelectorAll("text")).map(t => t.textContent).join(" "))"""
    )


def table(page) -> dict[str, str]:
    """The gradient table: node name → the gradient it shows."""
    rows = page.locator("#summary tbody tr").all_inner_texts()
    return {cells[0]: cells[2] for cells in (row.split("\t") for row in rows)}


def box_grad(page, name: str) -> str:
    """The "grad" row of the drawn box whose first text is `name`."""
    return page.evaluate(
        """(name) => {
            const g = Array.from(document.querySelectorAll("g.node"))
                .find(g => g.querySelector("text") && g.querySelector("text").textContent === name);
            return Array.from(g.querySelectorAll("text")).map(t => t.textContent).find(t => t.startsWith("grad "));
        }""",
        name,
    )


def counter(page) -> str:
    return page.locator("#counter").text_content()


def explanation(page) -> str:
    return page.locator("#explanation").inner_text()


# ---------------------------------------------------------------------- the file


def test_the_player_is_one_file_with_one_drawing_that_loads_nothing_from_elsewhere(tmp_path):
    path = seed_walkthrough().save_html(tmp_path / "seed.html")
    page = path.read_text(encoding="utf-8")
    assert page.count("<svg") == 1  # laid out once: the steps only change what it shows
    assert '<script type="application/json" id="steps">' in page  # the steps travel as data
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<link" not in page and "@import" not in page and "<script src" not in page
    assert "default-src 'none'" in page  # and the browser is told to allow no loading at all
    assert [p.name for p in tmp_path.iterdir()] == ["seed.html"]  # no temporary file left behind


def test_saving_into_a_missing_folder_says_which_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"the folder .*nowhere.* does not exist"):
        seed_walkthrough().save_html(tmp_path / "nowhere" / "seed.html")


def test_a_hostile_label_is_escaped_in_the_file():
    x = Value(1.0, HOSTILE)
    wt = walkthrough(x * 2)
    page = player_html(wt, wt.picture())
    assert page.count("<script>") == 1  # the player's own
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\\u003cscript\\u003e" in page  # in the data block, "<" can't close the element


def test_the_file_gives_no_answer_away_before_its_step(tmp_path):
    page = seed_walkthrough().save_html(tmp_path / "seed.html").read_text(encoding="utf-8")
    table_html = page[page.index('<table id="summary">') :]
    assert "−0.0942" not in table_html[: table_html.index("</table>")]  # no answer before its step
    drawing = page[page.index("<svg") : page.index("</svg>")]
    assert "grad −0.09422" not in drawing and "grad —" in drawing  # nor in the drawing, even without the script


# ---------------------------------------------------------------------- in Chromium, at both screen sizes


def test_the_player_opens_on_step_1_with_its_node_highlighted(open_player):
    page = open_player(seed_walkthrough())
    assert counter(page) == "Step 1 of 6"
    assert "Step 1 of 6: L = 0.5 · sq = 0.0448" in explanation(page)
    assert [text for text in lit_box_texts(page) if text.startswith("L")]
    assert box_grad(page, "L") == "grad 1" and box_grad(page, "w") == "grad —"


def test_next_shows_step_2_with_its_node_highlighted_and_its_explanation(open_player):
    page = open_player(seed_walkthrough())
    page.click("#next")
    assert counter(page) == "Step 2 of 6"
    text = explanation(page)
    assert "Step 2 of 6: sq = e^2 = 0.0897" in text
    assert "∂L/∂e = ∂L/∂sq · ∂sq/∂e = 0.5000 · (−0.5989) = −0.2994" in text
    boxes = lit_box_texts(page)
    assert any(box.startswith("sq") for box in boxes)
    assert not any(box.startswith("L") for box in boxes)
    assert page.locator("#summary tr.current td").first.text_content() == "sq"
    assert box_grad(page, "e") == "grad −0.2994"


def test_arrow_keys_prev_and_the_slider_move_between_steps(open_player):
    page = open_player(seed_walkthrough())
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert counter(page) == "Step 3 of 6"
    page.keyboard.press("ArrowLeft")
    assert counter(page) == "Step 2 of 6"
    page.click("#prev")
    assert counter(page) == "Step 1 of 6"
    assert page.locator("#prev").is_disabled()
    page.locator("#slider").fill("5")
    assert counter(page) == "Step 5 of 6"
    assert "Step 5 of 6: z = wx + b = 0.8500" in explanation(page)
    page.keyboard.press("End")
    assert page.locator("#next").is_disabled()
    assert page.locator("#slider").input_value() == "6"


def test_the_gradient_table_fills_in_as_the_steps_go_and_show_all_shows_every_one(open_player):
    page = open_player(seed_walkthrough())
    first = table(page)
    assert len(first) == 10
    assert (first["L"], first["sq"], first["w"], first["a"]) == ("1.0000", "0.5000", "—", "—")
    page.locator("#slider").fill("4")  # a = σ(z): z's gradient is now known, w's not yet
    fourth = table(page)
    assert (fourth["a"], fourth["z"], fourth["w"]) == ("−0.2994", "−0.0628", "—")
    page.check("#show-all")
    assert table(page)["w"] == "−0.0942"  # for teachers: every final gradient at once
    page.uncheck("#show-all")
    assert table(page)["w"] == "—"
    page.keyboard.press("End")
    assert table(page)["w"] == "−0.0942" and box_grad(page, "w") == "grad −0.09422"


def test_a_gradient_still_collecting_contributions_reads_so_far(open_player):
    x = Value(3.0, "x")
    double = x * x
    double.label = "d"
    y = double + x
    y.label = "y"
    page = open_player(walkthrough(y))
    assert table(page)["x"] == "1.0000 (so far)"  # from y = d + x; d's two contributions are still to come
    page.click("#next")
    assert table(page)["x"] == "7.0000"
    assert "(complete)" in explanation(page)


def test_the_page_never_scrolls_sideways_and_nothing_is_cut(open_player):
    page = open_player(seed_walkthrough())
    for _ in range(6):
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        fits = page.evaluate(
            """() => ["counter", "prev", "next"].every(id => {
                const e = document.getElementById(id);
                return e.scrollWidth <= e.clientWidth + 1 && e.getBoundingClientRect().right <= innerWidth;
            })"""
        )
        assert fits
        page.keyboard.press("ArrowRight")
    assert page.evaluate("document.getElementById('prev').offsetTop === document.getElementById('next').offsetTop")


def test_nothing_moves_between_steps(open_player):
    page = open_player(seed_walkthrough())
    where = """() => ['viewport', 'summary', 'slider']
        .map(id => JSON.stringify(document.getElementById(id).getBoundingClientRect()))"""
    boxes = """() => Array.from(document.querySelectorAll('g.node polygon, g.node path'))
        .map(p => p.getAttribute('points') || p.getAttribute('d'))"""
    first, first_boxes = page.evaluate(where), page.evaluate(boxes)
    for _ in range(5):
        page.click("#next")
        assert page.evaluate(where) == first
        assert page.evaluate(boxes) == first_boxes


def test_the_graph_text_is_legible_and_the_graph_pans_and_zooms(open_player):
    page = open_player(seed_walkthrough())
    height = page.evaluate(
        """() => Math.min(...Array.from(document.querySelectorAll('g.node text'))
            .map(t => t.getBoundingClientRect().height))"""
    )
    assert height >= 7  # screen pixels: readable, not 4 px
    view = "() => document.querySelector('#viewport svg').getAttribute('viewBox').split(' ').map(Number)"
    before = page.evaluate(view)
    page.click("#zoom-in")
    zoomed = page.evaluate(view)
    assert zoomed[2] < before[2]
    box = page.locator("#viewport").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 80, box["y"] + box["height"] / 2)
    page.mouse.up()
    assert page.evaluate(view)[0] > zoomed[0]  # dragged left: the view moved right
    page.click("#zoom-fit")
    assert page.evaluate(view)[2] >= before[2]


def test_a_big_graph_plays_with_one_layout(open_player):
    from autograd.nn import MLP

    model = MLP(2, [4, 4, 1], seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    wt = walkthrough(loss)
    page = open_player(wt, model=model, collapse="neuron")
    assert counter(page) == f"Step 1 of {len(wt)}"
    known = page.evaluate(
        """() => Array.from(document.querySelectorAll('g.node text')).map(t => t.textContent.trim())
            .filter(t => t.startsWith('grad ') && t !== 'grad —')"""
    )
    assert len(known) <= 3  # the root and what step 1 reached: no folded parameter gives its answer away
    page.keyboard.press("End")
    assert counter(page) == f"Step {len(wt)} of {len(wt)}"
    assert lit_box_texts(page)  # the last step's neuron box is lit
    assert "—" not in table(page).values()


def test_a_hostile_label_shows_as_text_runs_nothing_and_nothing_is_requested(open_player):
    x = Value(1.0, HOSTILE)
    y = (x * 2).tanh()
    y.label = HOSTILE + "&amp;"
    page = open_player(walkthrough(y))
    page.click("#next")
    page.wait_for_timeout(100)
    assert HOSTILE in page.locator("#summary").inner_text()
    assert HOSTILE + "&amp;" in page.locator("h1").inner_text()
    assert HOSTILE in page.locator("#viewport svg").text_content()
    assert HOSTILE in explanation(page)
    assert page.dialogs == []
    assert page.requests == [page.url]  # only the file itself


def test_labels_with_unshowable_characters_are_saved_as_visible_escapes(tmp_path):
    x = Value(2.0, "x\udcff\x00\x1b[31m\uffff")
    path = walkthrough(x * 3).save_html(tmp_path / "player.html")
    page = path.read_text(encoding="utf-8")
    assert "\x00" not in page and "\x1b" not in page and "\uffff" not in page
    assert "x\\udcff\\x00\\x1b[31m\\uffff" in page


# ---------------------------------------------------------------------- committed pictures fit their boxes

ROOT = Path(__file__).resolve().parent.parent


def committed_svgs() -> list[tuple[str, str]]:
    """The README's picture and every SVG saved in the notebooks' outputs (the walkthrough's frames too)."""
    import json

    picture = ROOT / "notebooks" / "images" / "worked-example-graph.svg"
    found = [(picture.name, picture.read_text(encoding="utf-8"))]
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for index, cell in enumerate(json.loads(notebook.read_text(encoding="utf-8"))["cells"]):
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                pictures = ["".join(data["image/svg+xml"])] if "image/svg+xml" in data else []
                html = "".join(data.get("text/html", []))
                pictures += re.findall(r"<svg.*?</svg>", html, flags=re.DOTALL)
                pictures += [  # draw_dot's pictures and the walkthrough's frames, as images of their SVG
                    base64.b64decode(encoded).decode("utf-8")
                    for encoded in re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
                ]
                found += [(f"{notebook.name} cell {index}", svg) for svg in pictures]
    return found


def test_every_committed_picture_keeps_its_text_inside_its_boxes_in_the_widest_font(browser):
    page = browser.new_page()
    overflowing = {}
    for where, svg in committed_svgs():
        start = svg.find("<svg")
        # Drawn in DejaVu Sans, as wide as the fonts readers have: narrower fonts fit all the more.
        page.set_content(f"<style>text {{ font-family: 'DejaVu Sans' !important; }}</style>{svg[start:]}")
        out = page.evaluate(
            """() => Array.from(document.querySelectorAll("g.node")).flatMap(g => {
                const shape = g.querySelector("polygon, path, ellipse");
                if (!shape) return [];
                const box = shape.getBBox();
                return Array.from(g.querySelectorAll("text")).filter(t => {
                    const r = t.getBBox();
                    return r.x < box.x - 1 || r.x + r.width > box.x + box.width + 1;
                }).map(t => t.textContent);
            })"""
        )
        if out:
            overflowing[where] = out
    page.close()
    assert overflowing == {}


def test_work_that_takes_more_than_a_second_says_what_it_is_doing_and_how_long_it_took(capsys, monkeypatch):
    import time

    from autograd.teaching import player

    monkeypatch.setattr(player, "PROGRESS_AFTER_SECONDS", 0.05)
    with player.progress("laying out the graph (982 boxes)"):
        time.sleep(0.3)
    with player.progress("something quick"):
        pass
    err = capsys.readouterr().err
    assert "laying out the graph (982 boxes)…" in err
    assert re.search(r"laying out the graph \(982 boxes\): done in 0\.\d s", err)
    assert "something quick" not in err
