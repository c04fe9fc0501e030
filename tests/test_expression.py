"""Formulas typed by a user are parsed against an allow-list, never evaluated."""

import math

import pytest

from autograd import Constant
from autograd.expression import ExpressionError, build_expression

VALUES = {"w": 0.5, "x": 2.0, "b": 0.1, "y": 1.0}


def test_a_formula_builds_the_same_graph_as_code():
    out, leaves = build_expression("tanh(w*x + b)", VALUES)
    assert out.op == "tanh"
    assert out.data == pytest.approx(math.tanh(1.1), abs=1e-15)
    out.backward()
    assert leaves["w"].grad == pytest.approx((1 - math.tanh(1.1) ** 2) * 2.0, abs=1e-15)
    assert {name: leaf.label for name, leaf in leaves.items()} == {"w": "w", "x": "x", "b": "b"}


def test_the_seed_loss_keeps_its_half_as_a_constant():
    out, _ = build_expression("0.5 * (sigmoid(w*x + b) - y) ** 2", VALUES)
    half, square = out.parents
    assert isinstance(half, Constant)
    assert half.data == 0.5
    assert square.op == "**"


def test_a_name_used_twice_is_one_leaf():
    out, leaves = build_expression("x * x + x", {"x": 3.0})
    out.backward()
    assert leaves["x"].grad == 7.0


def test_numbers_alone_are_folded_and_unary_signs_work():
    out, _ = build_expression("-w + +x * (2 * 3)", VALUES)
    assert out.data == -0.5 + 12.0


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("q * w", ["unknown name 'q'", "--set q="]),
        ("foo(w)", ["unknown function 'foo'", "sigmoid"]),
        ('__import__("os").system("echo hi")', ["not allowed"]),
        ("w.data", ["not allowed"]),
        ("[w][0]", ["not allowed"]),
        ("(lambda: w)()", ["not allowed"]),
        ("w +", ["not a formula I can read"]),
        ("tanh(w, x)", ["exactly one argument"]),
        ("1 + 2", ["no names"]),
        ("log(w - 0.5)", ["can't be computed", "log"]),
        ("x / (w - 0.5)", ["division by zero"]),
        ("(-8) ** (1/3) * w", ["not a real number"]),
        ("w == x", ["not allowed"]),
        ("'w' * 2", ["not allowed"]),
    ],
)
def test_anything_outside_the_allow_list_is_a_clear_error(text, words):
    with pytest.raises(ExpressionError) as info:
        build_expression(text, VALUES)
    for word in words:
        assert word in str(info.value)


def test_a_very_deeply_nested_formula_is_an_error_not_a_crash():
    with pytest.raises(ExpressionError, match="nested") as info:
        build_expression("(" * 5000 + "w" + ")" * 5000, VALUES)
    assert len(str(info.value)) < 200  # the message quotes the start of the formula, not all of it
    with pytest.raises(ExpressionError, match="nested"):
        build_expression("-" * 100_000 + "w", VALUES)


def test_a_flat_sum_of_2000_terms_builds_although_pythons_tree_of_it_is_2000_deep():
    out, leaves = build_expression("+".join(f"x{i % 7}" for i in range(2000)), {f"x{i}": 1.0 for i in range(7)})
    assert out.data == 2000.0 and len(leaves) == 7


def test_a_thousand_unary_minuses_build():
    assert build_expression("-" * 1000 + "w", VALUES)[0].data == VALUES["w"]


@pytest.mark.parametrize(
    ("text", "values", "words"),
    [
        ("x\udcff", {"x": 1.0}, "is not valid text: character 2"),
        ("x * 1e400", {"x": 1.0}, "the number 1e400 in 'x * 1e400' is too large"),
        ("x * " + "9" * 400, {"x": 1.0}, "is too large: it would be infinity"),
        ("x * 1e200 * 1e200", {"x": 1.0}, "its value is inf"),
        ("x", {"x": float("nan")}, "the value of 'x' must be a finite number, but is nan"),
        ("x", {"x": 10**400}, "the value of 'x' must be a finite number, but is inf"),
        ("x", {"x": "1"}, "the value of 'x' must be a number, but is str"),
        ("x", {"x": 1.0, "ｘ": 2.0}, "two values are given"),
    ],
)
def test_bad_text_and_numbers_that_are_not_finite_are_expression_errors(text, values, words):
    with pytest.raises(ExpressionError) as info:
        build_expression(text, values)
    assert words in str(info.value)


def test_names_are_read_as_python_reads_them_in_the_values_too():
    out, leaves = build_expression("ｘ * 2", {"ｘ": 3.0})
    assert out.data == 6.0 and list(leaves) == ["x"]
