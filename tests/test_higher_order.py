"""Derivatives of derivatives (grad with create_graph, hessian, gradgradcheck) and forward mode (jvp)."""

import gc
import math
import threading

import pytest
from _shared import require_torch, seed_neuron
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import (
    Constant,
    Dual,
    GradcheckError,
    Value,
    draw_dot,
    grad,
    gradgradcheck,
    hessian,
    jvp,
    no_grad,
    to_svg,
    topological_order,
    walkthrough,
)
from autograd.engine import BUILT_IN_OPS, Op, cos
from autograd.optim import SGD

# ---------------------------------------------------------------------- derivatives of every order, two ways


def our_derivatives(fn, point):
    """f's gradient, Hessian and third derivatives at `point`, each order the grad of the one before."""
    xs = [Value(p) for p in point]
    first = grad(fn(*xs), xs, create_graph=True)
    second = [grad(g, xs, create_graph=True) for g in first]
    third = [[[d.data for d in grad(h, xs)] for h in row] for row in second]
    return [g.data for g in first], [[h.data for h in row] for row in second], third


def torch_and_its_scalar():
    """PyTorch and the bridge's stand-in for a Value: these comparisons skip without torch (and fail in CI)."""
    torch = require_torch()
    from autograd.pytorch import _TorchScalar

    return torch, _TorchScalar


def torch_grad(tensor, xs):
    """torch.autograd.grad with create_graph=True; zeros where the tensor does not depend on an input."""
    torch, _ = torch_and_its_scalar()
    if not tensor.requires_grad:
        return [torch.zeros((), dtype=torch.float64) for _ in xs]
    return torch.autograd.grad(tensor, xs, create_graph=True, allow_unused=True, materialize_grads=True)


def torch_derivatives(fn, point):
    """The same, by PyTorch in float64, on the same function (run on PyTorch's stand-in for a Value)."""
    torch, _TorchScalar = torch_and_its_scalar()
    xs = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in point]
    first = torch_grad(fn(*(_TorchScalar(x) for x in xs)).tensor, xs)
    second = [torch_grad(g, xs) for g in first]
    third = [[[d.item() for d in torch_grad(h, xs)] for h in row] for row in second]
    return [g.item() for g in first], [[h.item() for h in row] for row in second], third


def flat(numbers):
    return [x for item in numbers for x in (flat(item) if isinstance(item, list) else [item])]


def assert_same_derivatives(fn, point):
    ours, theirs = our_derivatives(fn, point), torch_derivatives(fn, point)
    for order, (mine, pytorch) in enumerate(zip(ours, theirs), start=1):
        assert flat(mine) == pytest.approx(flat(pytorch), rel=1e-10, abs=1e-12), f"order {order} at {point}"


UNARY = {  # every one-input op of the table, as a function of Values
    op.name: (lambda x, name=op.name: -x if name == "neg" else getattr(x, name)())
    for op in BUILT_IN_OPS
    if op.arity == 1 or op.name == "leaky_relu"  # leaky_relu's slope is a plain number
}
BINARY = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "/": lambda x, y: x / y,
    "**": lambda x, y: x**y,
}
POSITIVE_ONLY = {"log", "sqrt"}


def test_every_op_of_the_table_is_tested_here():
    assert set(UNARY) | set(BINARY) == {op.name for op in BUILT_IN_OPS}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("x", [-1.3, 0.4, 2.1])
def test_every_one_input_op_has_second_and_third_derivatives_as_pytorch(name, x):
    if name in POSITIVE_ONLY:
        x = abs(x)
    assert_same_derivatives(UNARY[name], [x])


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize(("x", "y"), [(1.3, 0.7), (0.6, -1.4), (2.5, 3.0)])
def test_every_two_input_op_has_all_mixed_derivatives_as_pytorch(name, x, y):
    assert_same_derivatives(BINARY[name], [x, y])


@pytest.mark.parametrize("exponent", [3, 2, 0.5, -1])
def test_a_power_with_a_constant_exponent_has_derivatives_as_pytorch(exponent):
    assert_same_derivatives(lambda x: x**exponent, [1.7])
    if float(exponent).is_integer():
        assert_same_derivatives(lambda x: x**exponent, [-1.7])  # a negative base: no slope by the exponent needed


def test_the_reflected_ops_have_derivatives_as_pytorch():
    assert_same_derivatives(lambda x: 2 - 3 / x + 2**x, [0.8])


# ---------------------------------------------------------------------- closed forms


def test_second_and_third_derivatives_of_sin_are_minus_sin_and_minus_cos():
    x = Value(0.7, "x")
    first = grad(x.sin(), x, create_graph=True)
    second = grad(first, x, create_graph=True)
    third = grad(second, x)
    assert (first.data, second.data, third.data) == (math.cos(0.7), -math.sin(0.7), -math.cos(0.7))


def test_derivatives_of_x_cubed_are_3x_squared_6x_and_6_then_0():
    x = Value(2.0, "x")
    derivatives = [x**3]
    for _ in range(4):
        derivatives.append(grad(derivatives[-1], x, create_graph=True))
    assert [d.data for d in derivatives] == [8.0, 12.0, 12.0, 6.0, 0.0]


def test_the_seed_losss_second_derivative_with_respect_to_w_is_the_hand_formula():
    seed = seed_neuron()
    a, x, y = seed.a.data, seed.x.data, seed.y.data
    slope = a * (1 - a)  # σ'(z)
    curvature = slope * (1 - 2 * a)  # σ''(z)
    # ∂L/∂w = (a − y) σ'(z) x, so ∂²L/∂w² = x² (σ'(z)² + (a − y) σ''(z))
    dL_dw = grad(seed.loss, seed.w, create_graph=True)
    assert dL_dw.data == pytest.approx((a - y) * slope * x, rel=1e-14)
    assert grad(dL_dw, seed.w).data == pytest.approx(x * x * (slope * slope + (a - y) * curvature), rel=1e-14)


# ---------------------------------------------------------------------- random graphs


SMOOTH_STEPS = [  # each makes a new node from two earlier ones, kept in a range where every op is defined
    lambda u, v: u + v,
    lambda u, v: u - v,
    lambda u, v: u * v,
    lambda u, v: u / (1 + v * v),
    lambda u, v: (u * u + 1).sqrt(),
    lambda u, v: (1 + v * v).log(),
    lambda u, v: (u * u + 0.5) ** v.tanh(),
    lambda u, v: u.sin() * v.cos(),
    lambda u, v: u.tanh().exp(),
    lambda u, v: (u - v).sigmoid(),
    lambda u, v: u.softplus() - v,
]
STEPS = [  # and with the ops that have a kink at 0
    *SMOOTH_STEPS,
    lambda u, v: -(u * v).abs() * 0.3,
    lambda u, v: (u + 3 * v).relu() + v.leaky_relu() ** 3,
]


@st.composite
def random_graphs(draw, steps=STEPS):
    """A function of three inputs mixing the table's ops, and a point to evaluate it at."""
    step = st.tuples(st.integers(0, len(steps) - 1), st.integers(0, 50), st.integers(0, 50))
    recipe = draw(st.lists(step, min_size=1, max_size=8))
    point = draw(st.lists(st.floats(-2.0, 2.0).filter(lambda t: abs(t) > 0.05), min_size=3, max_size=3))

    def fn(*inputs):
        nodes = list(inputs)
        for which, i, j in recipe:
            nodes.append(steps[which](nodes[i % len(nodes)], nodes[j % len(nodes)]))
        return nodes[-1] * nodes[0] + nodes[-1]

    return fn, point


@settings(max_examples=40, deadline=None)
@given(random_graphs())
def test_random_graphs_have_second_and_third_derivatives_as_pytorch(case):
    fn, point = case
    assert_same_derivatives(fn, point)


@settings(max_examples=15, deadline=None)
@given(random_graphs(SMOOTH_STEPS))  # at a kink, finite differences agree with no slope
def test_random_graphs_pass_gradgradcheck(case):
    fn, point = case
    assert gradgradcheck(fn, point, tol=1e-4)


# ---------------------------------------------------------------------- grad's semantics


def test_grad_gives_backwards_numbers_and_touches_no_grad():
    seed = seed_neuron()
    inputs = [seed.w, seed.x, seed.b, seed.z]
    ours = [g.data for g in grad(seed.loss, inputs)]
    assert all(node.grad == 0.0 for node in topological_order(seed.loss))
    seed.loss.backward()
    assert ours == [node.grad for node in inputs]  # exactly equal: the same arithmetic in the same order


def test_grad_of_one_value_gives_one_value_and_of_a_list_a_list():
    x = Value(3.0)
    assert isinstance(grad(x * x, x), Value)
    assert [g.data for g in grad(x * x, [x])] == [6.0]


def test_create_graph_gives_the_same_numbers_as_a_graph_of_table_ops():
    seed = seed_neuron()
    inputs = [seed.w, seed.x, seed.b]
    numbers = [g.data for g in grad(seed.loss, inputs)]
    graphs = grad(seed.loss, inputs, create_graph=True)
    assert [g.data for g in graphs] == pytest.approx(numbers, rel=1e-15)
    assert all(g.parents for g in graphs)
    assert {node.op for g in graphs for node in topological_order(g)} <= {"", "*", "-", "+", "**", "sigmoid"}


def test_an_input_the_output_does_not_depend_on_has_gradient_zero():
    x, unused = Value(2.0), Value(5.0)
    number, graph = grad(x * x, [unused])[0], grad(x * x, [unused], create_graph=True)[0]
    assert (number.data, graph.data) == (0.0, 0.0)
    assert isinstance(graph, Constant)


def test_a_constant_local_gradient_has_second_derivative_zero_as_in_pytorch():
    x = Value(1.5)
    slope = grad(x.relu() + 2 * x, x, create_graph=True)
    assert slope.data == 3.0
    assert grad(slope, x).data == 0.0


def test_gradient_graphs_feed_an_optimiser():
    # A gradient penalty: minimise L + (∂L/∂w)², whose gradient needs ∂²L/∂w²
    w = Value(0.5, "w")
    loss = (w * 1.5 + 0.1).sigmoid()
    slope = grad(loss, w, create_graph=True)
    curvature = grad(slope, w).data
    total = loss + slope**2
    total.backward()
    assert w.grad == pytest.approx(slope.data + 2 * slope.data * curvature, rel=1e-14)
    SGD([w], lr=0.1).step()
    assert w.data == pytest.approx(0.5 - 0.1 * (slope.data + 2 * slope.data * curvature))


def test_the_second_derivative_graph_draws_and_steps_through_like_any_graph():
    seed = seed_neuron()
    dL_dw = grad(seed.loss, seed.w, create_graph=True)
    dL_dw.label = "∂L/∂w"
    assert "∂L/∂w" in draw_dot(dL_dw).source
    assert to_svg(dL_dw).lstrip().startswith("<?xml")
    steps = walkthrough(dL_dw)
    dL_dw.backward()
    assert steps.gradients[seed.w] == seed.w.grad == grad(dL_dw, seed.w).data


def test_create_graph_inside_no_grad_records_the_gradient_graph_as_pytorch_does():
    x = Value(0.3)
    y = (x * 2).tanh()
    recorded = grad(y, x, create_graph=True)
    with no_grad():
        also_recorded = grad(y, x, create_graph=True)
        second = grad(also_recorded, x)
    assert also_recorded.data == recorded.data and also_recorded.parents
    t = math.tanh(0.6)
    assert second.data == pytest.approx(-8 * t * (1 - t * t), rel=1e-14)  # d²/dx² tanh(2x)


def test_hessian_inside_no_grad_records_what_it_needs():
    with no_grad():  # as in an optimiser's step(): a Newton step
        assert hessian(lambda x: x**3, 2.0) == [[12.0]]
        assert hessian(lambda x, y: x * x * y, [3.0, 2.0]) == [[4.0, 6.0], [6.0, 0.0]]
    assert Value(1.0) * 2 is not None  # and no_grad still works as before afterwards
    with no_grad():
        assert (Value(1.0) * 2).parents == ()


def test_gradgradcheck_inside_no_grad_still_fails_a_wrong_second_derivative():
    sloppy_cube = Op("sloppy_cube_2", lambda x: x**3, lambda out, x: 3 * x * (x.data if isinstance(x, Value) else x))
    with no_grad():
        assert gradgradcheck(lambda x: sloppy_cube(x), [1.5], raise_exception=False) is False
        assert gradgradcheck(lambda x: x**3, [1.5])


def test_no_grad_in_another_thread_leaves_create_graph_alone():
    inside, done = threading.Event(), threading.Event()

    def other_thread():
        with no_grad():
            inside.set()
            done.wait(10)

    thread = threading.Thread(target=other_thread)
    thread.start()
    inside.wait(10)
    try:
        x = Value(0.3)
        slope = grad(x.sin() * x, x, create_graph=True)
        assert slope.parents
        assert grad(slope, x).data == pytest.approx(2 * math.cos(0.3) - 0.3 * math.sin(0.3), rel=1e-14)
    finally:
        done.set()
        thread.join()


def test_a_part_made_under_no_grad_is_a_constant_to_grad_as_to_backward():
    x = Value(0.8)
    with no_grad():
        frozen = x * x  # a leaf: no path back to x
    y = frozen * x.exp()
    slope = grad(y, x, create_graph=True)
    assert slope.data == pytest.approx(0.64 * math.exp(0.8))
    assert grad(slope, x).data == pytest.approx(0.64 * math.exp(0.8))


def live_values():
    return sum(type(thing) in (Value, Constant) for thing in gc.get_objects())


def test_create_graph_leaves_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        before = live_values()
        x = Value(0.5)
        y = x
        for _ in range(300):
            y = (y * 0.9 + x).tanh()
        second = grad(grad(y, x, create_graph=True), x, create_graph=True)
        third = grad(second, x)
        assert math.isfinite(third.data)
        assert live_values() - before > 5_000  # the graphs were big ...
        del x, y, second, third
        assert live_values() == before  # ... and reference counting alone freed every node
        assert gc.collect() == 0  # nothing was left for the cycle collector
    finally:
        gc.enable()


# ---------------------------------------------------------------------- bad input


def test_grad_of_a_list_of_outputs_is_refused_with_what_to_do():
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"one output Value .* call grad once per output"):
        grad([x * 2, x * 3], x)


def test_grad_of_a_number_is_refused():
    with pytest.raises(TypeError, match="grad needs a Value as its output, but was given float"):
        grad(3.0, Value(1.0))


def test_a_plain_number_as_an_input_is_refused_naming_its_position():
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"input 1 is float: 2.0"):
        grad(x * 2, [x, 2.0])


def test_a_user_op_written_with_math_has_no_second_order_rule_and_says_how_to_write_one():
    math_sine = Op("math_sine", forward=math.sin, local_grads=lambda out, x: math.cos(x))
    x = Value(0.4)
    assert grad(math_sine(x), x).data == math.cos(0.4)  # first order: numbers are fine
    with pytest.raises(TypeError, match=r"op 'math_sine' has no second-order rule.* cos\(x\) rather than math.cos"):
        grad(math_sine(x), x, create_graph=True)


def test_a_user_op_written_with_the_engines_functions_has_every_order():
    sine = Op("sine", forward=math.sin, local_grads=lambda out, x: cos(x))
    cube = Op("cube", forward=lambda x: x**3, local_grads=lambda out, x: 3 * x**2)
    x = Value(0.4)
    slope = grad(cube(sine(x)), x, create_graph=True)  # 3 sin²x cos x
    assert grad(slope, x).data == pytest.approx(
        6 * math.sin(0.4) * math.cos(0.4) ** 2 - 3 * math.sin(0.4) ** 3, rel=1e-14
    )


def test_a_micrograd_style_node_gives_first_derivatives_but_refuses_a_graph():
    x = Value(0.5)
    out = Value(math.tanh(0.5), (x,), "my_tanh")

    def _backward():
        x.grad += (1 - out.data**2) * out.grad

    out._backward = _backward
    assert grad(out, x).data == pytest.approx(1 - math.tanh(0.5) ** 2)
    with pytest.raises(TypeError, match=r"micrograd's way.*Make it an Op"):
        grad(out, x, create_graph=True)


def test_a_graph_changed_after_its_forward_pass_is_refused():
    w = Value(2.0, "w")
    y = w * 3
    w.data = 5.0
    with pytest.raises(ValueError, match="out of date"):
        grad(y, w)


# ---------------------------------------------------------------------- hessian and gradgradcheck


def test_hessian_is_symmetric_and_matches_pytorch():
    def loss(w1, w2):
        return 0.5 * ((w1 * 1.5 + w2 * -0.5 + 0.1).sigmoid() - 1) ** 2 + 0.1 * (w1 * w2).tanh()

    point = [0.5, -0.3]
    ours = hessian(loss, point)
    torch, _TorchScalar = torch_and_its_scalar()
    theirs = torch.autograd.functional.hessian(
        lambda t: loss(_TorchScalar(t[0]), _TorchScalar(t[1])).tensor, torch.tensor(point, dtype=torch.float64)
    ).tolist()
    assert ours[0][1] == pytest.approx(ours[1][0], rel=1e-14)
    for mine, pytorch in zip(ours, theirs):
        assert mine == pytest.approx(pytorch, rel=1e-12)


def test_hessian_of_a_quadratic_is_its_matrix():
    assert hessian(lambda x, y: x * x * 3 + x * y * 2 - y * y, [0.7, -4.0]) == [[6.0, 2.0], [2.0, -2.0]]


def test_hessian_of_one_number():
    assert hessian(lambda x: x**3, 2.0) == [[12.0]]


def test_gradgradcheck_names_the_pair_whose_second_derivative_is_wrong():
    # x.data cuts the graph: the first derivative is right, the second is not
    sloppy_cube = Op("sloppy_cube", lambda x: x**3, lambda out, x: 3 * x * (x.data if isinstance(x, Value) else x))
    f = lambda x, y: sloppy_cube(x) * y  # noqa: E731
    with pytest.raises(GradcheckError, match=r"∂²f/∂x∂x at \[1.5, 2.0\]: finite differences of the gradient give 18"):
        gradgradcheck(f, [Value(1.5, "x"), Value(2.0, "y")])
    assert gradgradcheck(f, [1.5, 2.0], raise_exception=False) is False


def test_gradgradcheck_passes_for_correct_rules():
    assert gradgradcheck(lambda x, y: (x / y).log() * x.softplus() + (x - y).sqrt(), [3.0, 1.5])


# ---------------------------------------------------------------------- forward mode


def test_dual_numbers_have_every_op_of_the_table():
    x = Dual(0.7, 1.0)
    for name, fn in UNARY.items():
        assert isinstance(fn(x), Dual), name
    for name, fn in BINARY.items():
        assert isinstance(fn(x, x), Dual), name


@pytest.mark.parametrize("name", sorted(UNARY))
def test_jvp_of_every_one_input_op_is_its_reverse_mode_derivative(name):
    x = abs(-1.3) if name in POSITIVE_ONLY else -1.3
    leaf = Value(x)
    out = UNARY[name](leaf)
    assert jvp(UNARY[name], [x], [1.0]) == (out.data, pytest.approx(grad(out, leaf).data, rel=1e-14))


@settings(max_examples=30, deadline=None)
@given(random_graphs(), st.lists(st.floats(-1.0, 1.0), min_size=3, max_size=3))
def test_jvp_is_the_gradient_dotted_with_the_tangent(case, tangent):
    fn, point = case
    leaves = [Value(p) for p in point]
    out = fn(*leaves)
    gradient = [g.data for g in grad(out, leaves)]
    value, derivative = jvp(fn, point, tangent)
    assert value == out.data
    assert derivative == pytest.approx(sum(g * t for g, t in zip(gradient, tangent)), rel=1e-9, abs=1e-12)


def test_jvp_applies_a_user_op_with_apply():
    cube = Op("cube", forward=lambda x: x**3, local_grads=lambda out, x: 3 * x**2)
    assert jvp(lambda x: x.apply(cube) * 2, [2.0], [1.0]) == (16.0, 24.0)
    assert jvp(lambda x: cube(x) * 2, [2.0], [1.0]) == (16.0, 24.0)  # called as on a Value


def test_jvp_refuses_a_value_inside_f_and_mismatched_tangents():
    with pytest.raises(TypeError, match=r"forward mode runs f on dual numbers.*no Value"):
        jvp(lambda x: x * Value(2.0), [1.0], [1.0])
    with pytest.raises(ValueError, match="one tangent per primal, but was given 2 primals and 1 tangents"):
        jvp(lambda x, y: x * y, [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match=r"log is defined for positive numbers only: log\(a\) with a = -1.0"):
        jvp(lambda x: x.log(), [-1.0], [1.0])


def test_a_constant_function_has_tangent_zero():
    assert jvp(lambda x: 3.0, [1.0], [1.0]) == (3.0, 0.0)


def test_jvp_of_a_function_written_micrograds_way_says_why_it_cannot():
    def double(x):
        out = Value(x.data * 2, (x,), "double")
        out._backward = lambda: None
        return out

    with pytest.raises(TypeError, match=r"jvp runs f on dual numbers .* but f reads \.data, as code written micrograd"):
        jvp(double, [1.5], [1.0])
    with pytest.raises(TypeError, match=r"reads \.data"):
        jvp(lambda x: x * 2 if x.data > 0 else -x, [1.5], [1.0])
