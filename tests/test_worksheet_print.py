"""A worksheet printed on A4 by Chromium (``page.pdf``) has every word, the graph's included, at 9 pt or more.

The sizes are measured in the PDF itself: ``pdftotext -bbox`` (poppler-utils) gives each word's box in points,
and a line of DejaVu Sans is 1.164 times its font size tall (checked below on the sheet's own headings).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from autograd.practice.exercises import FAMILIES, exercises

DEJAVU_LINE = 1.164  # height of a word's box per point of font size, for DejaVu Sans and DejaVu Sans Mono
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


@pytest.fixture(scope="module")
def pdftotext() -> str:
    found = shutil.which("pdftotext")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must measure printed worksheets, but pdftotext is missing (apt-get install poppler-utils)")
        pytest.skip("no pdftotext here (apt-get install poppler-utils)")
    return found


def printed_words(browser, pdftotext, tmp_path, html: str) -> list[tuple[str, float, float]]:
    """(word, font size in pt, page width in pt) for every word of `html` printed on A4."""
    page = browser.new_page()
    (tmp_path / "sheet.html").write_text(html, encoding="utf-8")
    page.goto((tmp_path / "sheet.html").as_uri())
    page.pdf(path=str(tmp_path / "sheet.pdf"), format="A4")
    page.close()
    layout = subprocess.run(
        [pdftotext, "-bbox", str(tmp_path / "sheet.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    width = float(re.search(r'<page width="([\d.]+)"', layout)[1])
    return [(w[4], (float(w[3]) - float(w[1])) / DEJAVU_LINE, width - float(w[2])) for w in WORD.findall(layout)]


@pytest.mark.parametrize("family", list(FAMILIES))
def test_a_printed_worksheet_has_graph_text_of_at_least_9_pt_on_a4(browser, pdftotext, tmp_path, family):
    (sheet,) = exercises(1, seed=3, families=[family])
    words = printed_words(browser, pdftotext, tmp_path, sheet.to_html())
    sizes = {word: size for word, size, _ in words}
    assert sizes["worksheet"] == pytest.approx(24, abs=0.3)  # the h1 (2em of 16 px = 24 pt): the ruler is right
    drawn = [(word, size) for word, size, _ in words if word == "data"]  # "data" appears only in the graph's boxes
    assert len(drawn) >= len(sheet.nodes()) - 1
    assert all(size >= 8.95 for _, size in drawn), drawn
    assert min(size for _, size, _ in words) >= 8.95, sorted(words, key=lambda w: w[1])[:5]
    assert all(room >= 0 for _, _, room in words)  # nothing printed past the page's right edge


def test_the_screen_still_shows_the_whole_graph_at_once(browser, tmp_path):
    (sheet,) = exercises(1, seed=3, families=["two-layer"])
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    (tmp_path / "sheet.html").write_text(sheet.to_html(), encoding="utf-8")
    page.goto((tmp_path / "sheet.html").as_uri())
    shown = page.evaluate(
        """() => Array.from(document.querySelectorAll("svg")).filter(s => s.getBoundingClientRect().width > 0).length"""
    )
    assert shown == 1
    page.close()
