"""The main job's default lesson is the worked example's five steps, in its notation, with its numbers.

The oracle is the worked example's own formulas, computed here with plain floats:
∂L/∂a = a − y, ∂a/∂z = σ'(z) = σ(z)(1 − σ(z)), ∂L/∂z = ∂L/∂a · ∂a/∂z, ∂L/∂w = ∂L/∂z · x, w_new = w_old − η ∂L/∂w.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys

import pytest

from autograd import Constant, Value
from autograd.teaching import walkthrough
from autograd.teaching.steps import Group, one_step, squared_error

MINUS = "−"


def reference(w: float, x: float, b: float, y: float, lr: float) -> dict[str, float]:
    z = w * x + b
    a = 1 / (1 + math.exp(-z))
    dL_da = a - y
    da_dz = a * (1 - a)
    dL_dz = dL_da * da_dz
    dL_dw = dL_dz * x
    return {"a": a, "dL/da": dL_da, "da/dz": da_dz, "dL/dz": dL_dz, "dL/dw": dL_dw, "dL/db": dL_dz,
            "w_new": w - lr * dL_dw, "b_new": b - lr * dL_dz}  # fmt: skip


def run_lesson(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "autograd", "--no-files", *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def number(text: str) -> float:
    return float(text.replace(MINUS, "-").strip("()"))


def last_number(line: str) -> float:
    return number(line.rsplit("= ", 1)[1])


@pytest.mark.parametrize(
    "numbers",
    [
        {"w": 0.5, "x": 1.5, "b": 0.1, "y": 1.0, "lr": 0.1},  # the worked example's default
        {"w": 2.0, "x": -1.0, "b": 0.3, "y": 0.0, "lr": 0.5},
        {"w": -0.7, "x": 3.0, "b": -1.2, "y": 1.0, "lr": 0.05},
    ],
)
def test_the_default_lesson_prints_the_worked_examples_five_steps_with_its_numbers(numbers):
    out = run_lesson(*(f"--{k}={v}" for k, v in numbers.items()))
    expected = reference(**numbers)
    numbered = {m[1]: m[2] for m in re.finditer(r"^ +([1-5])\. +(.*)$", out, flags=re.MULTILINE)}
    assert list(numbered) == ["1", "2", "3", "4", "5"]
    # each step in the worked example's notation ...
    assert numbered["1"].startswith("∂L/∂a = a − y = ")
    assert numbered["2"].startswith("∂a/∂z = σ'(z) = ")
    assert numbered["3"].startswith("∂L/∂z = ∂L/∂a · ∂a/∂z = ")
    assert numbered["4"].startswith("∂L/∂w = ∂L/∂z · ∂z/∂w = ∂L/∂z · x = ")
    assert numbered["5"].startswith("w_new = w_old − η · ∂L/∂w = ")
    # ... with its numbers, to the 4 decimals shown
    for step, key in zip("12345", ["dL/da", "da/dz", "dL/dz", "dL/dw", "w_new"]):
        assert last_number(numbered[step]) == pytest.approx(expected[key], abs=0.6e-4), step
    b_line = next(line for line in out.splitlines() if line.strip().startswith("b_new"))
    assert last_number(b_line) == pytest.approx(expected["b_new"], abs=0.6e-4)
    # the data are shown where the worked example uses them: y in step 1's a − y, x in step 4's ∂L/∂z · x
    assert f" − {numbers['y']:g} = " in numbered["1"]
    x = f"{numbers['x']:.4f}".replace("-", MINUS)
    assert f" · {f'({x})' if numbers['x'] < 0 else x} = " in numbered["4"]


def test_primitive_keeps_the_node_by_node_pass():
    out = run_lesson("--primitive")
    assert "Step 6 of 6: u = w · x = 0.7500" in out
    assert "∂L/∂a = ∂L/∂e · ∂e/∂a = −0.2994 · 1.0000 = −0.2994" in out


def test_the_main_job_and_terminal_practice_name_every_node_alike():
    primitive = run_lesson("--primitive")
    right_answers = "0.5\n-0.2994\n-0.2994\n0.2994\n-0.0628\n-0.0628\n-0.0628\n-0.0942\n-0.0314\n"
    practice = subprocess.run(
        [sys.executable, "-m", "autograd", "practice"], input=right_answers, capture_output=True, text=True, timeout=120
    )
    headers = re.findall(r"Step \d of 6: .*", practice.stdout)
    assert headers == [h.strip() for h in re.findall(r" Step \d of 6: .*", primitive)]
    assert "Step 2 of 6: s = e^2 = 0.0897" in headers


def neuron(w=0.5, x=1.5, b=0.1, y=1.0) -> tuple[Value, Group, dict[str, Value]]:
    leaves = {"w": Value(w, "w"), "x": Constant(x, "x"), "b": Value(b, "b"), "y": Constant(y, "y")}
    with one_step() as group:
        z = leaves["w"] * leaves["x"] + leaves["b"]
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    loss = squared_error(a, leaves["y"])
    loss.label = "L"
    return loss, group, leaves


def test_a_group_is_one_step_whose_gradients_are_backwards():
    loss, group, leaves = neuron()
    wt = walkthrough(loss, groups=[group])
    assert [step.forward() for step in wt] == ["L = ½(a − y)² = 0.0448", "a = σ(z) = 0.7006", "z = w · x + b = 0.8500"]
    loss.backward()
    assert wt.gradient("w") == pytest.approx(leaves["w"].grad, rel=1e-15)
    assert wt.gradient("b") == pytest.approx(leaves["b"].grad, rel=1e-15)
    assert [name for name, _, _ in wt.summary_rows()] == ["L", "a", "z", "w", "b"]  # nothing inside the group


def test_the_loss_op_reads_a_minus_y_in_every_format():
    loss, group, _ = neuron()
    wt = walkthrough(loss, groups=[group])
    assert "∂L/∂a = a − y = 0.7006 − 1 = −0.2994" in str(wt)
    assert "∂L/∂a = a − y = 0.7006 − 1 = −0.2994" in wt.to_markdown()
    assert r"\frac{\partial L}{\partial a} &= a - y = 0.7006 - 1 = -0.2994" in wt.to_latex()
    assert r"z = w \cdot x + b = 0.8500" in wt.to_latex()


def test_primitive_ignores_the_groups():
    loss, group, _ = neuron()
    assert len(walkthrough(loss, groups=[group], primitive=True)) == 4  # L, a, z = t1 + b, t1 = w · x


def test_a_group_used_from_outside_through_an_inner_node_is_refused():
    w = Value(2.0, "w")
    with one_step() as group:
        inner = w * 3
        out = inner + 1
    with pytest.raises(ValueError, match="also used by"):
        walkthrough(out * inner, groups=[group])


def test_a_block_that_makes_two_values_is_refused():
    w = Value(2.0, "w")
    with pytest.raises(ValueError, match="2 values made in the block"), one_step():
        _ = w * 3
        _ = w + 1
