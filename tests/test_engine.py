"""The engine: every op's value and gradient, backward's semantics, no_grad, errors, deep graphs."""

import gc
import math
import sys
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Constant, GradcheckError, Value, gradcheck, is_grad_enabled, no_grad, topological_order


def grads_of(f, *numbers):
    """Run f on fresh leaves, backprop, return (output, [grad of each leaf])."""
    leaves = [Value(n) for n in numbers]
    out = f(*leaves)
    out.backward()
    return out, [leaf.grad for leaf in leaves]


# ---------------------------------------------------------------- making a Value


@pytest.mark.parametrize("number", [3, 2.5, -0.0, np.float64(1.5), np.float32(0.25), np.int64(7)])
def test_any_real_number_is_stored_as_a_python_float(number):
    v = Value(number)
    assert type(v.data) is float
    assert v.data == float(number)


def test_a_new_value_is_a_leaf_with_zero_grad():
    v = Value(2.0, label="w")
    assert (v.data, v.grad, v.label, v.op, v.parents) == (2.0, 0.0, "w", "", ())


@pytest.mark.parametrize(
    ("bad", "type_name"),
    [("3", "str"), (None, "NoneType"), (1 + 2j, "complex"), ([1.0], "list"), (Value(1.0), "Value")],
)
def test_a_value_of_anything_but_a_real_number_is_a_type_error_naming_it(bad, type_name):
    with pytest.raises(TypeError, match=type_name) as info:
        Value(bad)
    assert "Value" in str(info.value)


def test_a_non_string_label_is_a_type_error():
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=3)  # type: ignore[arg-type]


def test_an_operand_that_is_not_a_number_is_a_type_error_naming_it():
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"'\+'.*str: 'a'"):
        x + "a"  # type: ignore[operator]
    with pytest.raises(TypeError, match="NoneType"):
        x * None  # type: ignore[operator]
    with pytest.raises(TypeError, match="complex"):
        x ** (1j)  # type: ignore[operator]


def test_repr_is_readable():
    assert repr(Value(0.5, label="w")) == "Value(data=0.5, grad=0.0, label='w')"
    v = Value(0.1) + 0.2
    v.grad = 0.25
    assert repr(v) == "Value(data=0.3, grad=0.25)"


# ---------------------------------------------------------------- ops: values, local gradients, graph shape

BINARY_OPS = {
    "+": (lambda a, b: a + b, lambda a, b: (1.0, 1.0)),
    "-": (lambda a, b: a - b, lambda a, b: (1.0, -1.0)),
    "*": (lambda a, b: a * b, lambda a, b: (b, a)),
    "/": (lambda a, b: a / b, lambda a, b: (1 / b, -a / b**2)),
    "**": (lambda a, b: a**b, lambda a, b: (b * a ** (b - 1), a**b * math.log(a))),
}


@pytest.mark.parametrize("op", list(BINARY_OPS))
def test_binary_op_value_gradient_and_node(op):
    f, local = BINARY_OPS[op]
    a, b = Value(1.5, "a"), Value(0.75, "b")
    out = f(a, b)
    assert out.op == op
    assert out.parents == (a, b)
    assert out.data == pytest.approx(f(1.5, 0.75), abs=1e-15)
    out.backward()
    assert (a.grad, b.grad) == pytest.approx(local(1.5, 0.75), abs=1e-15)
    assert out.local_grads() == pytest.approx(local(1.5, 0.75), abs=1e-15)


UNARY_OPS = {
    "neg": (lambda v: -v, lambda x: -x, lambda x: -1.0),
    "exp": (Value.exp, math.exp, math.exp),
    "log": (Value.log, math.log, lambda x: 1 / x),
    "sigmoid": (Value.sigmoid, lambda x: 1 / (1 + math.exp(-x)), lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
    "tanh": (Value.tanh, math.tanh, lambda x: 1 / math.cosh(x) ** 2),
    "relu": (Value.relu, lambda x: max(x, 0.0), lambda x: float(x > 0)),
}


@pytest.mark.parametrize("op", list(UNARY_OPS))
@pytest.mark.parametrize("x", [0.3, 1.7, -0.4])
def test_unary_op_value_gradient_and_node(op, x):
    f, value, derivative = UNARY_OPS[op]
    if op == "log" and x <= 0:
        x = -x
    leaf = Value(x, "x")
    out = f(leaf)
    assert out.op == op
    assert out.parents == (leaf,)
    assert out.data == pytest.approx(value(x), rel=1e-14, abs=1e-15)
    out.backward()
    assert leaf.grad == pytest.approx(derivative(x), rel=1e-12, abs=1e-15)


def test_relu_gradient_is_zero_at_zero_and_below():
    for x in (0.0, -3.0):
        _, (g,) = grads_of(Value.relu, x)
        assert g == 0.0


@pytest.mark.parametrize(
    ("expression", "value", "grad"),
    [
        (lambda x: 2 + x, 5.0, 1.0),
        (lambda x: 2 * x, 6.0, 2.0),
        (lambda x: 1 - x, -2.0, -1.0),
        (lambda x: 1 / x, 1 / 3, -1 / 9),
        (lambda x: 2**x, 8.0, 8 * math.log(2)),
    ],
    ids=["2+x", "2*x", "1-x", "1/x", "2**x"],
)
def test_reflected_ops_with_a_plain_number_on_the_left(expression, value, grad):
    out, (g,) = grads_of(expression, 3.0)
    assert out.data == pytest.approx(value, abs=1e-15)
    assert g == pytest.approx(grad, abs=1e-14)


def test_plain_numbers_stay_in_the_graph_as_constants():
    a, y = Value(0.8, "a"), Value(1.0, "y")
    loss = 0.5 * (a - y) ** 2
    half, square = loss.parents
    assert isinstance(half, Constant)
    assert half.data == 0.5
    assert square.op == "**"
    difference, two = square.parents
    assert isinstance(two, Constant)
    assert two.data == 2.0
    assert difference.op == "-"  # subtraction is its own node, not + of a negation
    assert (1 / a).op == "/"  # and so is division


def test_reused_node_keeps_both_parents_and_accumulates():
    a = Value(3.0, "a")
    out = a + a
    assert out.parents == (a, a)
    out.backward()
    assert a.grad == 2.0
    b = Value(3.0)
    (b * b).backward()
    assert b.grad == 6.0


def test_diamond_sums_gradients_over_both_paths():
    a = Value(2.0, "a")
    b = a * 3  # 6
    c = a + 1  # 3
    d = b * c  # ∂d/∂a = 3c + b = 15
    d.backward()
    assert a.grad == 15.0
    assert (b.grad, c.grad) == (3.0, 6.0)


# ---------------------------------------------------------------- numerics and errors


@pytest.mark.parametrize("x", [1e4, -1e4, 800.0, -800.0])
def test_sigmoid_and_tanh_never_overflow(x):
    for op in (Value.sigmoid, Value.tanh):
        out, (g,) = grads_of(op, x)
        assert math.isfinite(out.data)
        assert math.isfinite(g)
    assert Value(-1e4).sigmoid().data == 0.0
    assert Value(1e4).sigmoid().data == 1.0
    assert Value(-1e4).tanh().data == -1.0


def test_negative_base_with_integer_exponent_is_real():
    out, (g,) = grads_of(lambda x: x**3, -2.0)
    assert out.data == -8.0
    assert g == 12.0
    assert isinstance((Value(-2.0) ** 2).data, float)


def test_power_of_zero_base():
    out, (g,) = grads_of(lambda x: x**2, 0.0)
    assert (out.data, g) == (0.0, 0.0)
    out, (g,) = grads_of(lambda x: x**0.5, 0.0)
    assert (out.data, g) == (0.0, math.inf)


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: Value(0.0, "x").log(), ValueError, ["log", "0.0", "'x'"]),
        (lambda: Value(-2.0).log(), ValueError, ["log", "-2.0", "positive"]),
        (lambda: Value(1.0, "a") / Value(0.0, "b"), ZeroDivisionError, ["division by zero", "1.0", "0.0", "'b'"]),
        (lambda: 1 / Value(0.0), ZeroDivisionError, ["division by zero"]),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, ["a^b", "a = 0.0", "b = -1.0", "negative power"]),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, ["a = -8.0", "non-integer"]),
        (lambda: (-8.0) ** Value(0.5), ValueError, ["a = -8.0", "b = 0.5"]),
        (lambda: Value(-1.0, "x").sqrt(), ValueError, ["√a", "-1.0", "'x'"]),
        (lambda: Value(math.inf).sin(), ValueError, ["sin(a)", "inf", "not a real number"]),
        (lambda: Value(math.inf) - math.inf, ValueError, ["a − b", "inf", "not a real number"]),
    ],
    ids=["log0", "log-neg", "div0", "rdiv0", "0**neg", "neg**frac", "neg**value", "sqrt-neg", "sin-inf", "inf-inf"],
)
def test_undefined_ops_raise_a_clear_error_naming_op_and_operands(make, error, words):
    with pytest.raises(error) as info:
        make()
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: Value(1000.0).exp(), math.inf),
        (lambda: Value(10.0) ** 400, math.inf),
        (lambda: Value(-10.0) ** 401, -math.inf),
        (lambda: Value(1e308) * 10, math.inf),
        (lambda: Value(1e308) + 1e308, math.inf),
        (lambda: Value(1.0) / 1e-320, math.inf),
    ],
    ids=["exp", "pow", "pow-odd-negative", "mul", "add", "div"],
)
def test_a_result_too_large_for_a_float_is_infinite_for_every_op(make, expected):
    assert make().data == expected


@pytest.mark.parametrize(
    "op",
    ["relu", "tanh", "sigmoid", "exp", "log", "sin", "cos", "sqrt", "abs", "softplus", "leaky_relu"],
)
def test_nan_in_gives_nan_out_and_a_nan_gradient_for_every_op(op):
    x = Value(math.nan, "x")
    y = getattr(x, op)()
    y.backward()
    assert math.isnan(y.data)
    assert math.isnan(x.grad)


def test_a_negative_base_to_a_value_exponent_refuses_the_slope_it_cannot_give():
    y = Value(3.0, "y")
    with pytest.raises(ValueError, match=r"b = 3.0 \(label 'y'\): its slope with respect to b is not a real number"):
        (-2.0) ** y
    assert (Value(-2.0) ** 3).data == -8.0  # a plain-number exponent needs no slope


def test_a_failed_op_leaves_its_operands_untouched():
    x = Value(-1.0, "x")
    y = x * 2
    with pytest.raises(ValueError):
        y.log()
    y.backward()
    assert x.grad == 2.0
    assert (x.data, y.data, y.op) == (-1.0, -2.0, "*")


# ---------------------------------------------------------------- backward semantics


def test_second_backward_doubles_leaf_grads_and_keeps_intermediates():
    w, x = Value(0.5, "w"), Value(1.5, "x")
    z = w * x
    a = z.tanh()
    a.backward()
    first = (w.grad, x.grad, z.grad, a.grad)
    a.backward()
    assert (w.grad, x.grad) == (2 * first[0], 2 * first[1])
    assert (z.grad, a.grad) == first[2:]


def test_zero_grad_resets_the_whole_graph():
    w = Value(0.5)
    out = (w * 3).tanh()
    out.backward()
    assert w.grad != 0.0
    out.zero_grad()
    assert w.grad == 0.0
    assert out.grad == 0.0


def test_backward_on_a_leaf_gives_one():
    x = Value(4.0)
    x.backward()
    assert x.grad == 1.0


def test_topological_order_puts_parents_first_and_is_deterministic():
    def build():
        x = Value(1.0, "x")
        y = (x * 2 + x).tanh() * (x - 3)
        return y

    orders = []
    for _ in range(2):
        y = build()
        order = topological_order(y)
        position = {node: i for i, node in enumerate(order)}
        for node in order:
            for parent in node.parents:
                assert position[parent] < position[node]
        assert order[-1] is y
        orders.append([(node.op, node.label, node.data) for node in order])
    assert orders[0] == orders[1]


def test_backward_of_a_million_node_chain_needs_no_recursion():
    assert sys.getrecursionlimit() <= 10_000
    x = Value(1.0, "x")
    v = x
    for _ in range(1_000_000):
        v = v + 1e-6
    v.backward()
    assert x.grad == 1.0
    assert v.data == pytest.approx(2.0)


def test_sum_over_a_hundred_thousand_values():
    values = [Value(float(i)) for i in range(100_000)]
    total = sum(values)
    assert isinstance(total, Value)
    total.backward()
    assert total.data == sum(range(100_000))
    assert all(v.grad == 1.0 for v in values)


def test_graphs_hold_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        w, x = Value(0.5), Value(2.0)
        v = w * x
        for _ in range(10_000):
            v = (v * 0.999 + w).tanh() - x / 7
        v.backward()
        during = tracemalloc.get_traced_memory()[0]
        del v
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        assert during - before > 1_000_000  # the graph was big ...
        assert after - before < 5_000  # ... and reference counting alone freed all of it
        assert gc.collect() == 0  # nothing was left for the cycle collector
    finally:
        gc.enable()


def test_the_engine_leaves_interpreter_settings_alone():
    limit, enabled, thresholds = sys.getrecursionlimit(), gc.isenabled(), gc.get_threshold()
    x = Value(0.3)
    y = x
    for _ in range(5000):
        y = y.tanh() + x
    y.backward()
    assert (sys.getrecursionlimit(), gc.isenabled(), gc.get_threshold()) == (limit, enabled, thresholds)


# ---------------------------------------------------------------- no_grad


def test_no_grad_records_no_parents():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 3 + 1
    assert is_grad_enabled()
    assert (y.data, y.parents, y.op) == (7.0, (), "")


def test_no_grad_nests_and_resumes_after_an_exception():
    x = Value(2.0)
    with pytest.raises(RuntimeError), no_grad():
        with no_grad():
            pass
        assert not is_grad_enabled()  # the inner block ended; still inside the outer one
        raise RuntimeError("boom")
    assert is_grad_enabled()
    y = x * 2
    assert y.op == "*"
    assert y.parents[0] is x


def test_no_grad_works_as_a_decorator():
    @no_grad()
    def update(v):
        return v * 2

    out = update(Value(1.0))
    assert out.parents == ()
    assert is_grad_enabled()


# ---------------------------------------------------------------- gradcheck


def test_gradcheck_passes_for_a_correct_gradient():
    assert gradcheck(lambda w, x, b: (w * x + b).sigmoid(), [0.5, 1.5, 0.1])


def test_gradcheck_reports_which_input_and_both_numbers():
    def wrong(x, y):
        return x * y + x * x.data  # x.data is a plain number: its dependence on x is invisible to backward

    with pytest.raises(GradcheckError) as info:
        gradcheck(wrong, [Value(2.0, "x"), Value(3.0, "y")])
    message = str(info.value)
    assert "for x (= 2.0)" in message
    assert "finite differences give 7" in message  # y + 2x
    assert "engine gives 5" in message  # y + x
    assert gradcheck(wrong, [2.0, 3.0], raise_exception=False) is False


def test_gradcheck_leaves_the_inputs_untouched():
    x = Value(2.0, "x")
    gradcheck(lambda v: v.exp(), [x])
    assert (x.data, x.grad) == (2.0, 0.0)


# ---------------------------------------------------------------- property tests against finite differences

safe = st.floats(min_value=-3, max_value=3, allow_nan=False)
positive = st.floats(min_value=0.1, max_value=5)


@settings(max_examples=40, deadline=None)
@given(safe, safe)
def test_binary_ops_agree_with_finite_differences(a, b):
    gradcheck(lambda x, y: x + y, [a, b])
    gradcheck(lambda x, y: x - y, [a, b])
    gradcheck(lambda x, y: x * y, [a, b])
    if abs(b) > 0.1:
        gradcheck(lambda x, y: x / y, [a, b], tol=1e-3)


@settings(max_examples=40, deadline=None)
@given(positive, st.floats(min_value=-2, max_value=2))
def test_power_agrees_with_finite_differences(base, exponent):
    gradcheck(lambda x, p: x**p, [base, exponent], tol=1e-3)
    gradcheck(lambda x: x**exponent, [base], tol=1e-3)
    gradcheck(lambda p: base**p, [exponent], tol=1e-3)


@settings(max_examples=40, deadline=None)
@given(safe)
def test_unary_ops_agree_with_finite_differences(x):
    gradcheck(lambda v: v.sigmoid(), [x])
    gradcheck(lambda v: v.tanh(), [x])
    gradcheck(lambda v: v.exp(), [x])
    gradcheck(lambda v: -v, [x])
    if abs(x) > 1e-3:
        gradcheck(lambda v: v.relu(), [x])
        gradcheck(lambda v: (v * v).log(), [x], tol=1e-3)


@settings(max_examples=40, deadline=None)
@given(safe, safe, safe)
def test_composite_expressions_agree_with_finite_differences(a, b, c):
    def f(x, y, z):
        h = (x * y + z).tanh()
        return h * h.sigmoid() + (x - z).exp() / (1 + y * y) - 0.5 * (h - 1) ** 2

    gradcheck(f, [a, b, c], tol=1e-3)


# ---------------------------------------------------------------- backward never fails on numbers


def test_a_quotient_by_a_tiny_number_backpropagates_ieee_results_instead_of_failing():
    a, b = Value(1.0, "a"), Value(1e-200, "b")
    q = a / b
    q.backward()
    assert (q.data, a.grad, b.grad) == (1e200, 1e200, -math.inf)  # as PyTorch gives


def test_a_zero_power_of_a_tiny_number_has_slope_zero():
    x = Value(1e-320)
    y = x**0
    y.backward()
    assert (y.data, x.grad) == (1.0, 0.0)


def test_backward_through_a_tiny_divisor_applies_every_gradient():
    a, b, c = Value(2.0, "a"), Value(1e-200, "b"), Value(3.0, "c")
    loss = a * c + a / b
    loss.backward()
    assert (a.grad, c.grad, b.grad) == (3.0 + 1e200, 2.0, -math.inf)


@pytest.mark.parametrize("flag", [True, False, np.bool_(True)])
def test_bools_are_refused_by_one_rule_everywhere(flag):
    with pytest.raises(TypeError, match="not a bool"):
        Value(flag)
    with pytest.raises(TypeError, match="not a bool"):
        Value(1.0) + flag
    with pytest.raises(TypeError, match="not a bool"):
        Value(1.0).data = flag


def test_a_number_too_large_for_a_float_names_where_it_was_given():
    with pytest.raises(OverflowError, match=r"Value\(\) was given 1000.*too large for a float"):
        Value(10**400)
    with pytest.raises(OverflowError, match=r"the operands of '\+' were given|the operands of '\+'"):
        Value(2.0) + 10**400


@pytest.mark.parametrize("make", [lambda n, v: n * v, lambda n, v: v * n, lambda n, v: n**v, lambda n, v: v / n])
def test_a_nan_operand_of_a_two_input_op_gives_nan_not_an_error(make):
    out = make(Value(math.nan, "n"), Value(2.0, "v"))
    out.backward()
    assert math.isnan(out.data)


def test_a_zero_upstream_still_gives_ieee_nan_through_an_infinite_slope():
    x = Value(0.0, "x")
    y = x.sqrt()  # slope ∞ at 0
    (y * 0.0).backward()  # y's gradient is 0, so backward may skip it only if that changes nothing
    assert math.isnan(x.grad)  # 0 · ∞, as IEEE arithmetic and PyTorch give


def test_what_lies_behind_a_relu_that_is_off_gets_a_gradient_of_zero():
    w = Value(-2.0, "w")
    w.grad = 0.5
    (w * 1.0).relu().backward()  # the ReLU is off: it passes 0 back, and 0.5 + 0 is 0.5
    assert w.grad == 0.5
    v = Value(3.0, "v")
    (v * 2.0).relu().backward()
    assert v.grad == 2.0


# ---------------------------------------------------------------- every grad is what visiting every node gives


def reference_backward(root):
    """backward() the plain way: visit every node, apply every edge (IEEE arithmetic throughout)."""
    order = topological_order(root)
    for node in order:
        if node.parents:
            node.grad = 0.0
    root.grad += 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local_grads()):
            parent.grad += local * node.grad


def same_bits(a, b):
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1.0, a) == math.copysign(1.0, b))


def relu_network(rng, numbers, scale):
    """A random ReLU network over the leaves, with shared parts and many ReLUs that are off."""
    leaves = [Value(n) for n in numbers]
    pool = list(leaves)
    for _ in range(rng.randrange(5, 40)):
        a, b = rng.choice(pool), rng.choice(pool)
        pool.append(rng.choice([a * b, a + b, (a - b).relu(), (a * 0.5).relu()]))
    return leaves, pool[-1] * scale + pool[-2].relu()


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.randoms(use_true_random=False), st.lists(st.floats(-3, 3), min_size=2, max_size=5), st.sampled_from([1, 1e300])
)
def test_backward_gives_every_grad_that_visiting_every_node_gives(rng, numbers, scale):
    # backward() visits every node, in the order of topological_order: every grad is the reference's, bit for bit
    _, root = relu_network(rng, numbers, scale)
    root.backward()
    ours = [node.grad for node in topological_order(root)]
    for node in topological_order(root):
        node.grad = 0.0
    reference_backward(root)
    visited = [node.grad for node in topological_order(root)]
    assert all(same_bits(a, b) for a, b in zip(ours, visited)), (ours, visited)


@pytest.mark.parametrize("seed", range(5))
def test_in_a_relu_network_backward_gives_every_grad_bit_for_bit(seed):
    from autograd.nn import MLP

    model = MLP(3, [8, 8, 1], activation="relu", seed=seed)
    rng = np.random.default_rng(seed)
    points = rng.uniform(-2, 2, size=(20, 3)).tolist()
    labels = rng.choice([-1.0, 1.0], size=20).tolist()
    loss = sum(((1 - y * model(x)).relu() for x, y in zip(points, labels)), Value(0.0)) * (1 / 20)
    loss.backward()
    ours = [p.grad for p in model.parameters()]
    assert any(g == 0.0 for g in ours) and any(g != 0.0 for g in ours)  # some ReLUs off, some on
    for node in topological_order(loss):
        node.grad = 0.0
    reference_backward(loss)
    assert all(same_bits(a, p.grad) for a, p in zip(ours, model.parameters()))


def test_an_infinite_gradient_reaching_a_relu_that_is_off_gives_nan_behind_it_as_ieee_does():
    w, x = Value(-2.0, "w"), Value(3.0, "x")
    h = w * x  # −6: the ReLU below is off, so h is not visited ...
    loss = h.relu() * 1e200 * 1e200  # ... but the gradient reaching the ReLU is 1e400 = ∞, and 0 · ∞ is NaN
    loss.backward()
    assert math.isnan(h.grad) and math.isnan(w.grad) and math.isnan(x.grad)


def test_a_data_write_behind_a_relu_that_is_off_is_still_refused():
    w, x = Value(-2.0, "w"), Value(3.0, "x")
    h = w * x
    w.data = 2.0  # h = −6 is out of date: from w now it would be 6, and the ReLU would be on
    loss = h.relu() + 1.0
    with pytest.raises(ValueError, match="out of date"):
        loss.backward()
    assert (w.grad, x.grad) == (0.0, 0.0)


def test_grads_left_by_an_earlier_backward_behind_a_relu_that_is_off_are_reset():
    a = Value(-1.0, "a")
    b = a * 2.0
    d = b * 1.0
    b.backward()
    assert b.grad == 1.0
    d.relu().backward()  # the ReLU is off: b can receive nothing, and its grad from before must not stay
    assert (b.grad, d.grad, a.grad) == (0.0, 0.0, 2.0)


def test_a_relu_that_is_off_passes_nothing_back_through_a_long_chain():
    x = Value(-1.0, "x")
    deep = x
    for _ in range(1000):
        deep = deep * 1.0
    loss = deep.relu() + x  # the chain of 1000 products passes nothing back
    loss.backward()
    assert (x.grad, deep.grad) == (1.0, 0.0)


def test_tracing_hook_sees_every_op_and_every_read_of_data():
    from autograd.engine import tracing

    made, read = [], []
    x = Value(2.0, "x")
    with tracing(on_op=lambda node, op, inputs: made.append((op.name, len(inputs))), on_read=read.append):
        y = x * 3
        with no_grad():
            z = y + 1
        _ = z.data
    assert made == [("*", 2), ("+", 2)]
    assert read == [z]
    _ = x.data  # outside the block: nothing is called
    assert read == [z]
