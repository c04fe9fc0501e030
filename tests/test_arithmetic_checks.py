"""Every line a learner can redo with a calculator, from the numbers shown, gives the number shown.

The lines checked: each chain-rule product (upstream · local derivative = contribution), each running sum
(before + contribution = after), each update (w_old − η · ∂L/∂w = w_new), in the console, the quiz's answers and
hints, and the main job's lesson.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys

from autograd import Value
from autograd.optim import SGD
from autograd.practice.quiz import Quiz
from autograd.teaching import explain_update, walkthrough
from autograd.teaching.notation import TEXT

NUMBER = r"\(?−?\d+\.\d+(?:e[+−]\d+)?\)?"
PRODUCT = re.compile(rf"(?<![−+] )(?<![\d.(−])({NUMBER}) · ({NUMBER}) = ({NUMBER})(?!\d| ·)")
SUM_OF_PRODUCT = re.compile(rf"({NUMBER}) \+ ({NUMBER}) · ({NUMBER}) = ({NUMBER})")
SUM = re.compile(rf"= ({NUMBER}) \+ ({NUMBER}) = ({NUMBER})")
UPDATE = re.compile(rf"({NUMBER}) − (\d+(?:\.\d+)?) · ({NUMBER}) = ({NUMBER})")


def read(text: str) -> float:
    return float(text.strip("()").replace("−", "-"))


def decimals(text: str) -> int:
    mantissa = text.strip("()").split("e")[0]
    return len(mantissa.split(".")[1]) if "." in mantissa else 0


def shown(x: float, like: str) -> str:
    return TEXT.number(x, decimals(like)) if "e" not in like else TEXT.number(x, decimals(like) + 1)


def wrong_lines(text: str) -> list[str]:
    """Every product, sum or update in `text` whose shown result is not what its shown numbers give."""
    wrong = []
    for line in text.splitlines():
        for a, b, result in PRODUCT.findall(line):
            if shown(read(a) * read(b), result) != result.strip("()"):
                wrong.append(line)
        for a, b, c, result in SUM_OF_PRODUCT.findall(line):
            if shown(read(a) + read(b) * read(c), result) != result.strip("()"):
                wrong.append(line)
        for a, b, result in SUM.findall(line):
            if shown(read(a) + read(b), result) != result.strip("()"):
                wrong.append(line)
        for old, lr, grad, new in UPDATE.findall(line):
            if shown(read(old) - float(lr) * read(grad), new) != new:
                wrong.append(line)
    return wrong


def random_graph(rng: random.Random) -> Value:
    pool = [Value(round(rng.uniform(-2, 2), 3), f"x{i}") for i in range(3)]
    for _ in range(8):
        a, b = rng.choice(pool), rng.choice(pool)
        op = rng.choice(["*", "+", "-", "tanh", "sigmoid", "square"])
        if op == "*":
            pool.append(a * b)
        elif op == "+":
            pool.append(a + b)
        elif op == "-":
            pool.append(a - b)
        elif op == "square":
            pool.append(a**2)
        else:
            pool.append(getattr(a, op)())
    return pool[-1] * pool[3]


def test_a_product_whose_rounded_factors_miss_the_last_digit_shows_more_digits():
    x = Value(1.5, "x")
    doubled = x * 2
    doubled.label = "d"
    text = str(walkthrough(doubled * 0.01474))  # ∂L/∂d = 0.01474, then ∂L/∂x = 0.01474 · 2 = 0.02948
    assert "0.0147 · 2.0000 = 0.0295" not in text  # the example: 0.0294 on a calculator
    assert "0.01474 · 2.00000 = 0.0295" in text
    assert wrong_lines(text) == []


def test_every_product_and_sum_in_walkthroughs_of_random_graphs_checks():
    rng = random.Random(23)
    checked = 0
    for _ in range(150):
        root = random_graph(rng)
        for digits in (2, 4):
            text = str(walkthrough(root, digits=digits))
            assert wrong_lines(text) == [], text
            checked += len(PRODUCT.findall(text))
    assert checked > 1000  # the pattern does find the lines


def test_the_quizs_answers_and_hints_check():
    rng = random.Random(5)
    for _ in range(60):
        quiz = Quiz(random_graph(rng))
        for question in quiz.questions:
            assert wrong_lines(question.shown()) == [], question.shown()
            assert wrong_lines(question.hints[1]) == []


def test_every_update_line_checks():
    rng = random.Random(7)
    for _ in range(200):
        w = Value(round(rng.uniform(-2, 2), 4), "w")
        w.grad = rng.uniform(-1, 1)
        lr = rng.choice([0.1, 0.05, 0.5, 0.01])
        explained = explain_update(SGD([w], lr=lr))
        text = "\n".join([str(explained), *explained.worked_lines()])
        assert UPDATE.search(text)
        assert wrong_lines(text) == [], text


def test_the_main_jobs_lesson_checks_on_a_calculator():
    for args in ([], ["--w", "-1.3", "--x", "0.7", "--b", "0.25", "--y", "0", "--lr", "0.3"], ["--primitive"]):
        out = subprocess.run(
            [sys.executable, "-m", "autograd", "--no-files", *args], capture_output=True, text=True, timeout=120
        ).stdout
        assert PRODUCT.search(out)
        assert wrong_lines(out) == []
