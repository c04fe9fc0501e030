"""The offline HTML player of a walkthrough, checked as a file and in a real headless Chromium."""

import os
import re
import shutil
from pathlib import Path

import pytest

from autograd import Value
from autograd.teaching import walkthrough
from autograd.teaching.player import player_html

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
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


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must test the HTML player in Chromium, but {CHROMIUM} is missing (.ci/run installs it)")
        pytest.skip("no Chromium here (Debian: apt-get install chromium)")
    if not os.environ.get("CI"):
        pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def open_player(browser, tmp_path):
    """Save a walkthrough, open it, and record every request and dialog the page makes."""
    pages = []

    def open_(wt):
        path = wt.save_html(tmp_path / "player.html")
        page = browser.new_page()
        page.requests, page.dialogs = [], []
        page.on("request", lambda request: page.requests.append(request.url))
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(path.as_uri())
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.close()


def visible_step(page):
    return page.locator("section.step:visible")


def highlighted_box_texts(page) -> list[str]:
    """The text of every box in the visible frame drawn in the highlight colour."""
    return page.evaluate(
        """(colour) => Array.from(document.querySelectorAll("section.step:not([hidden]) g.node"))
            .filter(g => Array.from(g.querySelectorAll("path, polygon"))
                .some(shape => shape.getAttribute("stroke") === colour))
            .map(g => Array.from(g.querySelectorAll("text")).map(t => t.textContent).join(" "))""",
        HIGHLIGHT,
    )


# ---------------------------------------------------------------------- the file


def test_the_player_is_one_file_that_loads_nothing_from_elsewhere(tmp_path):
    path = seed_walkthrough().save_html(tmp_path / "seed.html")
    page = path.read_text(encoding="utf-8")
    assert page.count("<svg") == 6  # every frame inline
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<link" not in page and "@import" not in page and "<script src" not in page
    assert "default-src 'none'" in page  # and the browser is told to allow no loading at all
    assert [p.name for p in tmp_path.iterdir()] == ["seed.html"]  # no temporary file left behind


def test_saving_into_a_missing_folder_says_which_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"the folder .*nowhere.* does not exist"):
        seed_walkthrough().save_html(tmp_path / "nowhere" / "seed.html")


def test_a_hostile_label_is_escaped_in_the_file():
    x = Value(1.0, HOSTILE)
    page = player_html(walkthrough(x * 2), {})
    assert page.count("<script>") == 1  # the player's own
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ---------------------------------------------------------------------- in Chromium


def test_the_player_opens_on_step_1_with_its_node_highlighted(open_player):
    page = open_player(seed_walkthrough())
    assert page.locator("#counter").text_content() == "Step 1 of 6"
    assert visible_step(page).count() == 1
    assert "Step 1 of 6: L = 0.5 · sq = 0.0448" in visible_step(page).inner_text()
    assert [text for text in highlighted_box_texts(page) if text.startswith("L")]


def test_next_shows_step_2_with_its_node_highlighted_and_its_explanation(open_player):
    page = open_player(seed_walkthrough())
    page.click("#next")
    assert page.locator("#counter").text_content() == "Step 2 of 6"
    text = visible_step(page).inner_text()
    assert "Step 2 of 6: sq = e^2 = 0.0897" in text
    assert "∂L/∂e = ∂L/∂sq · ∂sq/∂e = 0.5000 · (−0.5989) = −0.2994" in text
    boxes = highlighted_box_texts(page)
    assert any(box.startswith("sq") for box in boxes)
    assert not any(box.startswith("L") for box in boxes)
    assert page.locator("#summary tr.current td").first.text_content() == "sq"


def test_arrow_keys_prev_and_the_slider_move_between_steps(open_player):
    page = open_player(seed_walkthrough())
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.locator("#counter").text_content() == "Step 3 of 6"
    page.keyboard.press("ArrowLeft")
    assert page.locator("#counter").text_content() == "Step 2 of 6"
    page.click("#prev")
    assert page.locator("#counter").text_content() == "Step 1 of 6"
    assert page.locator("#prev").is_disabled()
    page.locator("#slider").fill("5")
    assert page.locator("#counter").text_content() == "Step 5 of 6"
    assert "Step 5 of 6: z = wx + b = 0.8500" in visible_step(page).inner_text()
    page.keyboard.press("End")
    assert page.locator("#next").is_disabled()
    assert page.locator("#slider").input_value() == "6"


def test_the_summary_table_lists_every_gradient(open_player):
    page = open_player(seed_walkthrough())
    rows = page.locator("#summary tbody tr").all_inner_texts()
    assert len(rows) == 10
    assert rows[0].split("\t") == ["L", "0.0448", "1.0000"]
    assert ["w", "0.5000", "−0.0942"] in [row.split("\t") for row in rows]


def test_a_hostile_label_shows_as_text_runs_nothing_and_nothing_is_requested(open_player):
    x = Value(1.0, HOSTILE)
    y = (x * 2).tanh()
    y.label = HOSTILE + "&amp;"
    page = open_player(walkthrough(y))
    page.click("#next")
    page.wait_for_timeout(100)
    assert HOSTILE in page.locator("#summary").inner_text()
    assert HOSTILE + "&amp;" in page.locator("h1").inner_text()
    assert HOSTILE in visible_step(page).locator("svg").text_content()
    assert page.dialogs == []
    assert page.requests == [page.url]  # only the file itself


def test_labels_with_unshowable_characters_are_saved_as_visible_escapes(tmp_path):
    x = Value(2.0, "x\udcff\x00\x1b[31m\uffff")
    path = walkthrough(x * 3).save_html(tmp_path / "player.html")
    page = path.read_text(encoding="utf-8")
    assert "\x00" not in page and "\x1b" not in page and "\uffff" not in page
    assert "x\\udcff\\x00\\x1b[31m\\uffff" in page
