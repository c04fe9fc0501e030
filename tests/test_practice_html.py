"""The quiz page (``save_html(path, quiz=True)``): one offline file, taken in a real headless Chromium."""

import os
import re
import shutil
from pathlib import Path

import pytest

from autograd import Value, walkthrough
from autograd.practice.exercises import FAMILIES
from autograd.practice.page import quiz_html

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
SEED = {"w": 0.5, "x": 1.5, "b": 0.1, "y": 1.0}
# The seed's neuron, step by step: the gradients each step produces (u = w·x, z = u + b, a = σ(z), e = a − y, ...)
RIGHT = [["0.5"], ["-0.2994"], ["-0.2994", "0.2994"], ["-0.0628"], ["-0.0628", "-0.0628"], ["-0.0942", "-0.0314"]]


def seed_walkthrough():
    return walkthrough(FAMILIES["neuron-sigmoid"].build(SEED))


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must test the quiz page in Chromium, but {CHROMIUM} is missing (.ci/run installs it)")
        pytest.skip("no Chromium here (Debian: apt-get install chromium)")
    if not os.environ.get("CI"):
        pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def quiz_page(browser, tmp_path):
    path = seed_walkthrough().save_html(tmp_path / "quiz.html", quiz=True)
    page = browser.new_page()
    page.requests, page.errors = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(path.as_uri())
    yield page
    assert page.requests == [path.as_uri()]  # nothing fetched from anywhere
    assert page.errors == []  # the Content-Security-Policy let the page's own script run, and nothing else
    page.close()


def question(page, number):
    return page.locator(f'.question[data-q="{number}"]')


def answer(page, number, text):
    box = question(page, number)
    box.locator("input").fill(text)
    box.locator("input").press("Enter")
    return box.locator(".feedback").text_content()


def test_the_page_is_one_file_with_the_questions_as_data_and_its_script_by_hash():
    page = quiz_html(seed_walkthrough())
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", page)
    assert "default-src 'none'" in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert page.count('<section class="step"') == 6
    assert page.count('class="question"') == 9


def test_a_hostile_label_stays_text():
    x = Value(2.0, "</script><script>alert(1)</script>")
    page = quiz_html(walkthrough(x * x))
    assert "<script>alert(1)" not in page


def test_each_frame_shows_only_the_gradients_known_before_its_step():
    page = quiz_html(seed_walkthrough())
    first_step = page.split('<section class="step"')[1]
    assert "grad 1" in first_step  # ∂L/∂L, known from the start
    assert "grad 0.5" not in first_step  # ∂L/∂s: this step's question


def test_a_right_answer_is_marked_and_the_explanation_appears(quiz_page):
    assert quiz_page.locator("#counter").text_content() == "Step 1 of 6"
    assert quiz_page.locator("#next").is_disabled()
    assert answer(quiz_page, 0, "1/2") == "✓ right: ∂L/∂s = 0.5000"
    step = quiz_page.locator("section.step:visible")
    assert "∂L/∂s = ∂L/∂L · " in step.locator(".explanation").text_content()  # the chain rule, worked out
    assert "= 1.0000 · 0.5000 = 0.5000" in step.locator(".explanation").text_content()
    assert step.locator(".explanation").is_visible()
    quiz_page.click("#next")
    assert quiz_page.locator("#counter").text_content() == "Step 2 of 6"


def test_a_wrong_answer_then_two_hints_then_the_answer(quiz_page):
    answer(quiz_page, 0, "0.5")
    quiz_page.click("#next")
    assert answer(quiz_page, 1, "−0.35") == "✗ not −0.3500. Try again, ask for a hint, or show the answer."
    assert answer(quiz_page, 1, "half") == "“half” is not a number: type one such as −0.0628, -6.28e-2 or -1/16."
    box = question(quiz_page, 1)
    box.locator("button.hint").click()
    assert "2 · e^(2 − 1)" in box.locator(".hints").text_content()
    box.locator("button.hint").click()
    assert "0.5000 · (−0.5989)" in box.locator(".hints").text_content()
    assert box.locator("button.hint").is_disabled()
    assert quiz_page.locator("#next").is_disabled()
    box.locator("button.show").click()
    assert box.locator(".feedback").text_content() == (
        "The answer: ∂L/∂e = ∂L/∂s · local derivative = 0.5000 · (−0.5989) = −0.2994"
    )
    assert box.locator("input").is_disabled()
    assert quiz_page.locator("#next").is_enabled()


def test_finishing_shows_the_score_and_the_steps_that_went_wrong(quiz_page):
    number = 0
    for index, answers in enumerate(RIGHT):
        for typed in answers:
            if index == 3:  # ∂L/∂z: a wrong try first (∂L/∂a · σ(z) instead of · σ'(z))
                answer(quiz_page, number, "-0.2098")
            assert answer(quiz_page, number, typed).startswith("✓ right")
            number += 1
        quiz_page.click("#next")
    assert quiz_page.locator("#counter").text_content() == "Done"
    assert quiz_page.locator("#score").text_content() == "Score: 8 of 9 right first time (within 1% or 0.0001)."
    assert quiz_page.locator("#wrong li").all_text_contents() == ["step 4 ∂L/∂z"]
    assert quiz_page.locator("#result .frame svg").is_visible()
