"""The quiz (``save_html(path, quiz=True)``): the walkthrough's player asking each step's gradients, in Chromium."""

import re
import time

import pytest

from autograd import Value, walkthrough
from autograd.practice.exercises import FAMILIES

SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SEED = {"w": 0.5, "x": 1.5, "b": 0.1, "y": 1.0}
# The seed's neuron, step by step: the gradients each step produces (u = w·x, z = u + b, a = σ(z), e = a − y, ...)
RIGHT = [["0.5"], ["-0.2994"], ["-0.2994", "0.2994"], ["-0.0628"], ["-0.0628", "-0.0628"], ["-0.0942", "-0.0314"]]


def seed_walkthrough():
    return walkthrough(FAMILIES["neuron-sigmoid"].build(SEED))


@pytest.fixture(params=list(SCREENS))
def quiz_page(browser, tmp_path, request):
    path = seed_walkthrough().save_html(tmp_path / "quiz.html", quiz=True)
    page = browser.new_page(viewport=SCREENS[request.param], has_touch=request.param == "phone")
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


def known_in_drawing(page) -> list[str]:
    """Every gradient the drawing shows, as "grad 0.5"."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('g.node text')).map(t => t.textContent.trim())
            .filter(t => t.startsWith('grad ') && t !== 'grad —')"""
    )


def known_in_table(page) -> dict[str, str]:
    rows = page.locator("#summary tbody tr").all_inner_texts()
    return {cells[0]: cells[2] for cells in (row.split("\t") for row in rows) if cells[2] != "—"}


# ---------------------------------------------------------------------- the file


def test_the_quiz_is_the_player_with_one_drawing_the_questions_as_data_and_its_script_by_hash(tmp_path):
    page = seed_walkthrough().save_html(tmp_path / "quiz.html", quiz=True).read_text(encoding="utf-8")
    assert page.count("<svg") == 1  # laid out once, as the player is
    assert page.count("<script") == 2  # the data block and the page's own script
    assert '<script type="application/json" id="steps">' in page and '"questions":' in page
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", page)
    assert "default-src 'none'" in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert page.count('class="question"') == 2  # as many boxes as the step that asks most
    assert 'id="show-all"' not in page  # it would give every answer away


def test_a_hostile_label_stays_text(tmp_path):
    x = Value(2.0, "</script><script>alert(1)</script>")
    page = walkthrough(x * x).save_html(tmp_path / "quiz.html", quiz=True).read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page


def test_the_drawing_shows_no_answer_before_its_question_is_answered(tmp_path):
    page = seed_walkthrough().save_html(tmp_path / "quiz.html", quiz=True).read_text(encoding="utf-8")
    drawing = page[page.index("<svg") : page.index("</svg>")]
    assert "grad 1" in drawing  # ∂L/∂L, known from the start
    assert "grad 0.5" not in drawing  # ∂L/∂s: step 1's question


def test_a_leaf_has_nothing_to_ask(tmp_path):
    with pytest.raises(ValueError, match="x is a leaf"):
        walkthrough(Value(1.0, "x")).save_html(tmp_path / "quiz.html", quiz=True)


# ---------------------------------------------------------------------- in Chromium, at both screen sizes


def test_a_right_answer_is_marked_shown_in_the_drawing_and_the_table_and_the_explanation_appears(quiz_page):
    assert quiz_page.locator("#counter").text_content() == "Step 1 of 6"
    assert quiz_page.locator("#next").is_disabled()
    assert known_in_drawing(quiz_page) == ["grad 1"] and known_in_table(quiz_page) == {"L": "1.0000"}
    assert "worked out" in quiz_page.locator("#step-lines").text_content()  # not the chain rule: that's the answer
    quiz_page.keyboard.press("End")  # no jumping ahead of the questions
    assert quiz_page.locator("#counter").text_content() == "Step 1 of 6"
    assert answer(quiz_page, 0, "1/2") == "✓ right: ∂L/∂s = 0.5000"
    assert "grad 0.5" in known_in_drawing(quiz_page) and known_in_table(quiz_page)["s"] == "0.5000"
    assert "= 1.0000 · 0.5000 = 0.5000" in quiz_page.locator("#step-lines").text_content()
    quiz_page.click("#next")
    assert quiz_page.locator("#counter").text_content() == "Step 2 of 6"
    assert "e" not in known_in_table(quiz_page)  # step 2's answer, not given yet


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
    assert "grad −0.2994" not in known_in_drawing(quiz_page)
    box.locator("button.show").click()
    assert box.locator(".feedback").text_content() == (
        "The answer: ∂L/∂e = ∂L/∂s · local derivative = 0.5000 · (−0.5989) = −0.2994"
    )
    assert box.locator("input").is_disabled()
    assert "grad −0.2994" in known_in_drawing(quiz_page)
    assert quiz_page.locator("#next").is_enabled()


def test_answers_typed_in_every_form_are_read(quiz_page):
    assert answer(quiz_page, 0, "+.5").startswith("✓ right")
    quiz_page.click("#next")
    assert answer(quiz_page, 1, "-2.994e-1").startswith("✓ right")
    quiz_page.click("#next")
    assert answer(quiz_page, 2, "−0.2994").startswith("✓ right")  # the minus sign, U+2212
    assert answer(quiz_page, 3, "0.30").startswith("✓ right")  # within 1%
    quiz_page.click("#next")
    assert answer(quiz_page, 4, "-1/15").startswith("✗ not −0.0667")  # −0.0667 is 6% off −0.0628
    assert answer(quiz_page, 4, "1/0").startswith("“1/0” is not a number")


def test_going_back_shows_a_step_as_it_was_answered(quiz_page):
    answer(quiz_page, 0, "0.4")
    answer(quiz_page, 0, "0.5")
    quiz_page.click("#next")
    quiz_page.click("#prev")
    box = question(quiz_page, 0)
    assert box.locator("input").input_value() == "0.5" and box.locator("input").is_disabled()
    assert box.locator(".feedback").text_content() == "✓ right: ∂L/∂s = 0.5000"


def test_the_arrow_keys_in_an_answer_move_the_cursor_not_the_step(quiz_page):
    answer(quiz_page, 0, "0.5")
    quiz_page.click("#next")
    field = question(quiz_page, 1).locator("input")
    field.fill("-0.3")
    field.press("ArrowLeft")
    field.press("ArrowLeft")
    assert quiz_page.locator("#counter").text_content() == "Step 2 of 6"
    field.press("Backspace")
    assert field.input_value() == "-.3"  # the "0" before the point went


def test_finishing_shows_the_score_and_the_steps_that_went_wrong(quiz_page):
    number = 0
    for index, answers in enumerate(RIGHT):
        for typed in answers:
            if index == 3:  # ∂L/∂z: a wrong try first (∂L/∂a · σ(z) instead of · σ'(z))
                answer(quiz_page, number, "-0.2098")
            assert answer(quiz_page, number, typed).startswith("✓ right")
            number += 1
        if index < len(RIGHT) - 1:
            quiz_page.click("#next")
    assert quiz_page.locator("#score").text_content() == "Score: 8 of 9 right first time (within 1% or 0.0001)."
    assert quiz_page.locator("#wrong li").all_text_contents() == ["step 4 ∂L/∂z"]
    assert quiz_page.locator("#result").is_visible()
    assert "—" not in known_in_table(quiz_page).values() and len(known_in_table(quiz_page)) == 10


def test_the_quiz_never_scrolls_sideways_and_the_drawing_never_moves(quiz_page):
    where = """() => { const r = document.getElementById('viewport').getBoundingClientRect();
        return [r.left + scrollX, r.top + scrollY, r.width, r.height]; }"""  # on the page, wherever it is scrolled
    first = quiz_page.evaluate(where)
    number = 0
    for answers in RIGHT:
        box = question(quiz_page, number)
        box.locator("button.hint").click()
        box.locator("button.hint").click()  # the longest text a question shows
        assert quiz_page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        for _ in answers:
            question(quiz_page, number).locator("button.show").click()
            number += 1
        assert quiz_page.evaluate(where) == first
        if not quiz_page.locator("#next").is_disabled():
            quiz_page.click("#next")
    assert quiz_page.evaluate("document.documentElement.scrollWidth <= innerWidth")


# ---------------------------------------------------------------------- a big graph


def test_a_big_graph_quiz_is_written_in_seconds_and_stays_small(tmp_path, browser):
    x = Value(0.5, "x")
    total = x
    for _ in range(199):
        total = total + x  # 200 terms: 199 steps, 398 questions
    wt = walkthrough(total)
    started = time.perf_counter()
    path = wt.save_html(tmp_path / "big.html", quiz=True)
    assert time.perf_counter() - started < 20  # one layout, whatever the number of steps
    assert path.stat().st_size < 3_000_000
    page = browser.new_page(viewport=SCREENS["phone"])
    page.goto(path.as_uri())
    assert page.locator("#counter").text_content() == f"Step 1 of {len(wt)}"
    assert answer(page, 0, "1").startswith("✓ right") and answer(page, 1, "1").startswith("✓ right")
    page.click("#next")
    assert page.locator("#counter").text_content() == f"Step 2 of {len(wt)}"
    page.close()


def test_the_quiz_ends_with_the_update_step_from_the_optimisers_own_arithmetic(browser, tmp_path):
    from autograd.optim import SGD

    wt = seed_walkthrough()
    wt.root.backward()
    trained = [wt.find("w"), wt.find("b")]
    path = wt.save_html(tmp_path / "quiz.html", quiz=True, update=SGD(trained, lr=0.1))
    page = browser.new_page(viewport=SCREENS["phone"], has_touch=True)
    page.goto(path.as_uri())
    number = 0
    for answers in RIGHT:
        for typed in answers:
            assert answer(page, number, typed).startswith("✓ right")
            number += 1
        page.click("#next")
    assert page.locator("#counter").text_content() == "Step 7 of 7"
    assert question(page, number).locator("label").text_content() == "w_new = ?"
    assert answer(page, number, "0.5").startswith("✗ not 0.5000")  # w_old: the update not done
    assert answer(page, number, "0.5094").startswith("✓ right: w_new = 0.5094")
    assert answer(page, number + 1, "0.1063").startswith("✓ right: b_new = 0.1063")
    assert "w_new = w_old − η · ∂L/∂w = 0.5000 − 0.1 · (−0.0942) = 0.5094" in page.locator("#step-lines").inner_text()
    assert page.locator("#score").text_content() == "Score: 10 of 11 right first time (within 1% or 0.0001)."
    assert page.locator("#wrong li").all_text_contents() == ["step 7 w_new"]
    page.close()
