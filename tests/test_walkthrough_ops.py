"""The walkthrough reads every op from the engine's table: built-in ops, your own Op, micrograd-style nodes."""

import importlib
import math
import pkgutil
import re
from pathlib import Path

import pytest

import autograd
from autograd import Value, walkthrough
from autograd.engine import BUILT_IN_OPS, Op
from autograd.teaching.notation import LATEX, MARKDOWN, TEXT, forward_formula, local_derivative

PLACEHOLDERS = re.compile(r"\{(a|b|out)\}")


def example(op: Op) -> Value:
    """The op applied to inputs where it is defined, labelled so the text reads with names."""
    a, b = Value(0.7, "p"), Value(1.3, "q")
    out = op(a) if op.arity == 1 else op(a, b)
    out.label = "r"
    return out * 2  # not the root: its local derivatives read ∂r/∂p


@pytest.mark.parametrize("op", BUILT_IN_OPS, ids=lambda op: op.name)
def test_every_built_in_op_has_the_entries_the_walkthrough_needs(op):
    names = set(PLACEHOLDERS.findall(op.formula))
    assert names == set("ab"[: op.arity]), op.formula
    assert len(op.derivatives) == op.arity, f"{op.name}: one derivative text per input"
    for symbolic, numeric in op.derivatives:
        assert symbolic.strip(), f"{op.name}: an empty derivative text"
        assert set(PLACEHOLDERS.findall(symbolic)) <= {"a", "b", "out"}
        assert numeric is None or set(PLACEHOLDERS.findall(numeric)) <= {"a", "b", "out"}


@pytest.mark.parametrize("op", BUILT_IN_OPS, ids=lambda op: op.name)
def test_every_built_in_op_reads_in_text_markdown_and_latex(op):
    node = example(op).parents[0]
    for n in (TEXT, MARKDOWN, LATEX):
        formula = forward_formula(n, node, ["p", "q"][: op.arity])
        assert "{" not in formula.replace("{p}", "").replace("\\", "") or n is LATEX
        for slot in range(op.arity):
            symbolic, numeric = local_derivative(n, node, slot, ["p", "q"][: op.arity], 4)
            assert symbolic, f"{op.name}: no local derivative for input {slot}"
            if n is LATEX:  # the one translation table covers every character the table's texts use
                leftover = set(symbolic + (numeric or "") + formula) & set("·−σ²³√∂½")
                assert not leftover, f"{op.name}: LaTeX still holds {leftover}"
    tex = walkthrough(example(op)).to_latex()
    assert tex.count(r"\begin{align*}") == 2


def test_a_users_op_without_derivative_text_shows_its_name_and_its_number():
    cube = Op("cube_for_a_test", forward=lambda x: x**3, local_grads=lambda out, x: 3 * x**2)
    x = Value(2.0, "x")
    y = cube(x)
    y.label = "y"
    text = str(walkthrough(y * 1.5)[1])
    assert "y = cube_for_a_test(x) = 8.0000" in text
    assert "∂y/∂x = 12.0000 (from cube_for_a_test local_grads)" in text


def test_a_micrograd_style_node_is_walked_through_with_its_closure():
    x = Value(0.5, "x")
    t = Value(math.tanh(0.5), (x,), "tanh")
    t.label = "t"

    def _backward() -> None:
        x.grad += (1 - t.data**2) * t.grad

    t._backward = _backward
    y = t * 2.0
    wt = walkthrough(y)
    assert "t = tanh(x) = 0.4621" in str(wt[1])
    assert "∂t/∂x = tanh'(x) = 1 − tanh²(x) = 1 − 0.4621² = 0.7864" in str(wt[1])
    assert wt.gradients[x] == pytest.approx(2 * (1 - math.tanh(0.5) ** 2))


def test_a_micrograd_style_node_of_an_unknown_op_reads_by_its_name():
    x = Value(3.0, "x")
    out = Value(9.0, (x,), "square")
    out.label = "s"
    out._backward = lambda: setattr(x, "grad", x.grad + 2 * x.data * out.grad)
    text = str(walkthrough(out * 1.0)[1])
    assert "s = square(x) = 9.0000" in text
    assert "∂s/∂x = 6.0000 (from square local_grads)" in text


def test_the_teaching_and_drawing_packages_import_no_cycles():
    """Each module imports only modules above it in its package's order (or outside the package)."""
    order = {
        "autograd.drawing": ["text", "render", "names", "layout", "layered", "graph"],
        "autograd.teaching": ["notation", "steps", "replay", "handout", "check", "update", "player", "lesson"],
    }
    for package, modules in order.items():
        for rank, name in enumerate(modules):
            text = Path(importlib.import_module(f"{package}.{name}").__file__).read_text(encoding="utf-8")
            imported = re.findall(r"^from \.(\w+) import", text, flags=re.MULTILINE)
            assert all(modules.index(other) < rank for other in imported), (name, imported)
    assert not isinstance(autograd.walkthrough, type(autograd))  # the function, and no module of that name
    assert "walkthrough" not in {m.name for m in pkgutil.iter_modules(autograd.__path__)}
