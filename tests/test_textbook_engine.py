"""The textbook engine (issue 19): plain code, ops checked when they are made (issue 26), micrograd as a drop-in."""

from __future__ import annotations

import inspect
import math
import random
import re
from pathlib import Path

import numpy as np
import pytest

import autograd
from autograd import OPS, Op, Value, gradcheck
from autograd.data import make_moons
from autograd.engine import find_stale_node, topological_order
from autograd.nn import MLP, activations

ENGINE = Path(autograd.__file__).parent / "engine.py"
OPS_FILE = Path(autograd.__file__).parent / "ops.py"


# ---------------------------------------------------------------- the engine reads as plain code


def test_the_engine_and_its_op_table_run_no_code_from_strings():
    for path in (ENGINE, OPS_FILE):
        assert not re.search(r"\b(exec|eval)\(", path.read_text(encoding="utf-8")), path.name


def test_the_engine_is_a_few_screens_with_backward_near_the_top():
    lines = ENGINE.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 450
    assert next(i for i, line in enumerate(lines, 1) if "def backward(" in line) <= 250


def test_every_op_has_a_real_forward_and_local_gradient_rule():
    for op in OPS.values():
        assert callable(op.forward), op.name
        assert callable(op.local_grads) or isinstance(op.local_grads, (float, tuple)), op.name
        assert not isinstance(op.forward, str) and not isinstance(op.local_grads, str)


def test_an_op_given_as_a_string_expression_is_refused():
    with pytest.raises(TypeError, match=r"Op 'twice': forward must be a function"):
        Op("twice", "2 * a", "2.0")  # type: ignore[arg-type]


# ---------------------------------------------------------------- plain semantics


def test_a_second_backward_on_the_same_graph_gives_the_same_gradients_again():
    w, x = Value(0.5, "w"), Value(1.5, "x")
    loss = (w * x + 0.1).sigmoid() ** 2
    loss.backward()
    first = (w.grad, x.grad)
    w.grad = x.grad = 0.0
    loss.backward()
    assert (w.grad, x.grad) == first  # the same numbers: nothing was skipped or left over from the first pass
    loss.backward()
    assert (w.grad, x.grad) == (2 * first[0], 2 * first[1])  # leaves accumulate, as documented


def test_a_grad_of_negative_zero_set_by_hand_takes_the_zero_that_backward_adds():
    w = Value(-2.0, "w")
    w.grad = -0.0
    (w * 3.0).relu().backward()  # the ReLU is off: 0.0 is added, and −0.0 + 0.0 is 0.0 in IEEE arithmetic
    assert w.grad == 0.0 and math.copysign(1.0, w.grad) == 1.0


def test_writing_an_inner_nodes_data_makes_the_graph_out_of_date():
    x = Value(2.0, "x")
    h = x * 3.0
    loss = h * h
    h.data = 7.0  # not what x * 3 gives: the graph no longer fits together
    with pytest.raises(ValueError, match="out of date"):
        loss.backward()
    assert x.grad == 0.0


def test_a_graph_made_after_a_write_is_not_out_of_date():
    w = Value(1.0, "w")
    w.data = 2.0
    loss = w * w  # made after the write
    loss.backward()
    assert w.grad == 4.0
    assert find_stale_node(topological_order(loss)) is None


def test_backward_through_a_chain_of_a_hundred_thousand_nodes_needs_no_recursion():
    x = Value(1.0, "x")
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0


# ---------------------------------------------------------------- ops checked when they are made (issue 26)


@pytest.mark.parametrize(
    ("formula", "words"),
    [
        ("{c} + 1", "the field {c}"),
        ("{0}³", "the field {0}"),
        ("{a:>3}³", "the field {a:>3}"),
        ("{a.__class__}", "the field {a.__class__}"),
        ("{a[0]}", "the field {a[0]}"),
        ("{a!r}", "the field {a!r}"),
        ("{a}}", "braces do not pair up"),
        ("max{0, 1 − {a}}", "braces do not pair up"),
        ("{a}\n³", "line break"),
        (42, "not a str"),
    ],
)
def test_a_formula_with_a_field_that_is_not_an_input_is_refused_when_the_op_is_made(formula, words):
    with pytest.raises(ValueError, match=r"Op 'cubed': its formula") as raised:
        Op("cubed", lambda x: x**3, lambda out, x: 3 * x**2, formula=formula)  # type: ignore[arg-type]
    assert words in str(raised.value)
    assert "cubed" not in OPS


def test_derivatives_are_checked_too_and_may_name_the_output():
    with pytest.raises(ValueError, match=r"Op 'cubed': its derivatives '3 · \{x\}²'.*the field \{x\}"):
        Op("cubed", lambda x: x**3, lambda out, x: 3 * x**2, derivatives=["3 · {x}²"])
    cubed = Op("cubed", lambda x: x**3, lambda out, x: 3 * x**2, derivatives=[("3 · {a}²", "3 · {a}² = {out}")])
    try:
        assert cubed.derivatives == (("3 · {a}²", "3 · {a}² = {out}"),)
    finally:
        del OPS["cubed"]


def test_a_literal_brace_is_written_doubled():
    hinge = Op("hinge", lambda x: max(0.0, 1 - x), lambda out, x: -1.0 if x < 1 else 0.0, formula="max{{0, 1 − {a}}}")
    try:
        assert hinge.formula.format(a="z") == "max{0, 1 − z}"
    finally:
        del OPS["hinge"]


def test_a_symbol_too_long_to_draw_or_on_two_lines_is_refused():
    with pytest.raises(ValueError, match=r"Op 'long': its symbol .* 1 to 40 characters"):
        Op("long", lambda x: x, 1.0, symbol="x" * 60)
    with pytest.raises(ValueError, match=r"Op 'two_lines': its symbol"):
        Op("two_lines", lambda x: x, 1.0, symbol="a\nb")


def test_an_op_name_with_a_line_break_is_refused():
    with pytest.raises(TypeError, match="on one line"):
        Op("f\nimport os", lambda x: x, 1.0)


@pytest.mark.parametrize("name", ["backward", "zero_grad", "grad", "data", "label", "parents"])
def test_an_activation_named_like_a_value_attribute_is_refused(name):
    with pytest.raises(ValueError, match=rf"Op '{name}' cannot be an activation: '{name}' is already a Value"):
        Op(name, lambda x: x, 1.0, activation=True)
    assert name not in OPS


def test_a_neuron_looks_its_activation_up_in_the_op_table():
    swish = Op("swish", lambda x: x * (1 / (1 + math.exp(-x))), lambda out, x: 1.0, activation=True)  # slope: a stub
    try:
        assert activations()["swish"] is swish
        model = MLP(2, [3, 1], activation="swish", seed=0)
        out = model([0.5, -1.0])
        assert any(node.op == "swish" for node in topological_order(out))
    finally:
        del OPS["swish"]


@pytest.mark.parametrize(
    ("result", "expected"),
    [(3, 3.0), (np.float32(0.25), 0.25), (np.float64(1.5), 1.5), (10**400, math.inf), (-(10**400), -math.inf)],
)
def test_an_ops_result_is_made_a_float(result, expected):
    const = Op("const", lambda x: result, 0.0)
    try:
        out = const(Value(1.0))
        assert type(out.data) is float and out.data == expected
    finally:
        del OPS["const"]


@pytest.mark.parametrize("result", ["1", None, 1j, Value(1.0), True])
def test_an_ops_result_that_is_not_a_real_number_is_refused_at_the_op(result):
    const = Op("const", lambda x: result, 0.0)
    try:
        with pytest.raises(TypeError, match=r"the op 'const': its forward gave"):
            const(Value(1.0))
    finally:
        del OPS["const"]


def test_a_forward_written_with_the_wrong_input_name_fails_at_the_op():
    with pytest.raises(NameError):  # the slip `x * 2` in an op of `a`: an ordinary Python error, at the op
        broken = Op("broken", lambda a: x * 2, 2.0)  # type: ignore[name-defined]  # noqa: F821
        try:
            broken(Value(1.0))
        finally:
            del OPS["broken"]


def test_your_own_op_works_with_backward_gradcheck_higher_orders_and_forward_mode():
    cube = Op("cube_t", forward=lambda x: x**3, local_grads=lambda out, x: 3 * x**2, formula="{a}³")
    try:
        x = Value(2.0, "x")
        y = cube(x)
        y.backward()
        assert (y.data, x.grad) == (8.0, 12.0)
        assert gradcheck(lambda v: cube(v) * v, [1.3])
        assert autograd.hessian(lambda v: cube(v), [2.0]) == [[12.0]]
        assert autograd.jvp(lambda v: cube(v), [2.0], [1.0]) == (8.0, 12.0)
        assert autograd.compile(lambda v: cube(v) * v)(2.0) == 16.0
    finally:
        del OPS["cube_t"]


# ---------------------------------------------------------------- micrograd as a drop-in


def micrograd_readme(Value):  # micrograd's README example, as written there
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return g.data, a.grad, b.grad


def test_micrograds_readme_example_runs_through_the_drop_in_as_in_micrograd():
    from micrograd.engine import Value as MicrogradValue

    from autograd.micrograd import Value as DropInValue

    ours, theirs = micrograd_readme(DropInValue), micrograd_readme(MicrogradValue)
    assert f"{ours[0]:.4f} {ours[1]:.4f} {ours[2]:.4f}" == "24.7041 138.8338 645.5773"  # as its README prints
    assert all(math.isclose(o, t, rel_tol=1e-12) for o, t in zip(ours, theirs)), (ours, theirs)


def micrograd_demo(Value, MLP, steps, points):  # micrograd's demo.ipynb, as written there
    X, y = make_moons(points, noise=0.1, seed=1)
    y = [yi * 2 - 1 for yi in y]  # make y be -1 or 1
    random.seed(1337)
    model = MLP(2, [16, 16, 1])  # 2-layer neural network

    def loss():
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    history = []
    for k in range(steps):
        total_loss, acc = loss()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        history.append((total_loss.data, acc))
    return history, [p.data for p in model.parameters()], model


def test_micrograds_nn_demo_trains_through_the_drop_in_as_in_micrograd():
    from micrograd.engine import Value as MicrogradValue
    from micrograd.nn import MLP as MicrogradMLP

    from autograd.micrograd import MLP as DropInMLP
    from autograd.micrograd import Value as DropInValue

    ours, our_weights, model = micrograd_demo(DropInValue, DropInMLP, steps=3, points=40)
    theirs, their_weights, their_model = micrograd_demo(MicrogradValue, MicrogradMLP, steps=3, points=40)
    assert [acc for _, acc in ours] == [acc for _, acc in theirs]
    assert all(math.isclose(o, t, rel_tol=1e-12) for (o, _), (t, _) in zip(ours, theirs)), (ours, theirs)
    assert all(math.isclose(o, t, rel_tol=1e-12, abs_tol=1e-12) for o, t in zip(our_weights, their_weights))
    assert ours[-1][0] < ours[0][0]  # it learns
    assert repr(model) == repr(their_model) and len(model.parameters()) == 337


def test_the_drop_in_layer_gives_one_value_for_one_output_and_a_list_otherwise():
    from autograd.micrograd import Layer, Neuron

    random.seed(0)
    assert isinstance(Layer(2, 1)([1.0, 2.0]), Value)
    assert len(Layer(2, 3, nonlin=False)([1.0, 2.0])) == 3
    assert repr(Neuron(3, nonlin=False)) == "LinearNeuron(3)"


def test_micrograd_style_nodes_live_outside_the_engine():
    source = ENGINE.read_text(encoding="utf-8")
    assert not re.search(r"\b(_prev|_LectureValue|_backward)\b", source)
    x = Value(2.0, "x")
    y = Value(4.0, (x,), "square")  # the lecture's way: children and an op name ...
    y._backward = lambda: setattr(x, "grad", x.grad + 2 * x.data * y.grad)  # ... and a closure
    (y * 3.0).backward()
    assert x.grad == 12.0 and y._prev == {x} and y._op == "square"
    assert inspect.getmodule(type(y)).__name__ == "autograd.micrograd"
