"""The op table: every op declared once and read by every tool; your own ops; micrograd's and its lecture's code."""

import gc
import math
import threading

import graphviz
import pytest
from _shared import require_torch

from autograd import Constant, Value, draw_dot, gradcheck, no_grad, to_svg, walkthrough
from autograd.engine import BUILT_IN_OPS, OPS, Op, cos, find_stale_node, sin, topological_order
from autograd.expression import build_expression, functions
from autograd.nn import MLP, Parameter, activations

ONE_INPUT = [op for op in BUILT_IN_OPS if op.arity == 1]
TWO_INPUTS = [op for op in BUILT_IN_OPS if op.arity == 2]
# Points inside every op's domain, away from kinks (relu, abs and leaky_relu at 0).
POINTS = [0.3, 1.7, 2.9]


def apply(op: Op, x: float, y: float = 0.5) -> Value:
    return op(Value(x), Value(y)) if op.arity == 2 else op(Value(x))


# ---------------------------------------------------------------- the table is complete


def test_the_table_holds_the_engines_ops_and_the_new_ones():
    assert {op.name for op in BUILT_IN_OPS} == {
        "+", "-", "*", "/", "**", "neg", "exp", "log", "sigmoid", "tanh", "relu",
        "leaky_relu", "softplus", "sin", "cos", "sqrt", "abs",
    }  # fmt: skip


@pytest.mark.parametrize("op", BUILT_IN_OPS, ids=lambda op: op.name)
def test_every_op_has_what_every_tool_reads(op):
    assert op.symbol and op.forward is not None and op.local_grads is not None
    assert "{a}" in op.formula and ("{b}" in op.formula) == (op.arity == 2)  # the walkthrough's forward formula
    assert len(op.derivatives) == op.arity  # the walkthrough's local derivative, one per input
    assert all(symbolic for symbolic, _ in op.derivatives)
    assert op.forward.__name__ != "<lambda>" or op.arity in (1, 2)


@pytest.mark.parametrize("op", BUILT_IN_OPS, ids=lambda op: op.name)
def test_every_tool_knows_every_op(op):
    node = apply(op, 1.3)
    assert f">{op.symbol}<" in draw_dot(node).source or op.symbol in draw_dot(node).source  # its drawn oval
    assert find_stale_node(topological_order(node)) is None  # the stale-graph guard recomputes it
    if op.name.isidentifier() and op.name != "neg":
        assert functions()[op.name] is op  # the formula parser calls it
    if op.activation:
        assert op.name in activations()  # a neuron can use it


@pytest.mark.parametrize(
    "op", [op for op in BUILT_IN_OPS if op.name.isidentifier() and op.name != "neg"], ids=lambda op: op.name
)
def test_pytorch_has_every_named_op(op):
    require_torch()
    from autograd.pytorch import compare_with_torch

    assert compare_with_torch(lambda v: node_of(op, v), [1.3]).ok


def node_of(op: Op, v: Value) -> Value:
    return getattr(v, op.name)()


@pytest.mark.parametrize("op", ONE_INPUT, ids=lambda op: op.name)
@pytest.mark.parametrize("x", POINTS)
def test_every_one_input_op_agrees_with_finite_differences(op, x):
    assert gradcheck(lambda v: op(v), [x])


@pytest.mark.parametrize("op", TWO_INPUTS, ids=lambda op: op.name)
@pytest.mark.parametrize("x", [*POINTS, -0.8])
def test_every_two_input_op_agrees_with_finite_differences(op, x):
    y = 2.0 if op.name == "**" and x < 0 else 0.6  # a negative base needs a whole exponent
    if op.name == "**" and x < 0:
        assert gradcheck(lambda v: op(v, y), [x])
    else:
        assert gradcheck(lambda v, w: op(v, w), [x, y])


@pytest.mark.parametrize("op", BUILT_IN_OPS, ids=lambda op: op.name)
def test_every_rule_gives_the_same_numbers_on_values_as_on_floats(op):
    # One rule for both: the numbers backward() uses, and Values for derivatives of derivatives.
    inputs = [1.3, 0.6][: op.arity]
    out = op.forward(*inputs)
    on_floats = op.local_grads_at(out, *inputs)
    on_values = op.local_grads_at(Value(out), *(Value(x) for x in inputs))
    assert [g.data if isinstance(g, Value) else g for g in on_values] == pytest.approx(on_floats, rel=1e-15)


@pytest.mark.parametrize(
    ("make", "value", "grad"),
    [
        (lambda x: x.sin(), math.sin(0.7), math.cos(0.7)),
        (lambda x: x.cos(), math.cos(0.7), -math.sin(0.7)),
        (lambda x: x.sqrt(), math.sqrt(0.7), 0.5 / math.sqrt(0.7)),
        (lambda x: abs(x), 0.7, 1.0),
        (lambda x: (-x).abs(), 0.7, 1.0),
        (lambda x: x.softplus(), math.log1p(math.exp(0.7)), 1 / (1 + math.exp(-0.7))),
        (lambda x: x.leaky_relu(), 0.7, 1.0),
        (lambda x: (-x).leaky_relu(), -0.007, -0.01),
        (lambda x: (-x).leaky_relu(0.2), -0.14, -0.2),
    ],
    ids=["sin", "cos", "sqrt", "abs", "abs-neg", "softplus", "leaky", "leaky-neg", "leaky-slope"],
)
def test_new_ops_value_and_gradient_in_closed_form(make, value, grad):
    x = Value(0.7)
    y = make(x)
    y.backward()
    assert y.data == pytest.approx(value, rel=1e-15)
    assert x.grad == pytest.approx(grad, rel=1e-15)


def test_slopes_at_kinks_follow_the_documented_convention():
    for make, expected in [
        (lambda x: x.relu(), 0.0),
        (lambda x: x.abs(), 0.0),
        (lambda x: x.leaky_relu(0.1), 0.1),
        (lambda x: x.sqrt(), math.inf),
    ]:
        x = Value(0.0)
        make(x).backward()
        assert x.grad == expected


def test_softplus_is_stable_far_out():
    for x, value, grad in [(1e4, 1e4, 1.0), (-1e4, 0.0, 0.0), (800.0, 800.0, 1.0)]:
        v = Value(x)
        y = v.softplus()
        y.backward()
        assert (y.data, v.grad) == (value, grad)


# ---------------------------------------------------------------- your own op, through the public API


def test_your_own_op_works_everywhere_a_built_in_one_does():
    cube = Op("cube", lambda x: x**3, lambda out, x: 3 * x**2, symbol="³", formula="{a}³")
    try:
        x = Value(1.5, "x")
        y = cube(x)
        assert (y.data, y.op, y.parents) == (3.375, "cube", (x,))
        y.backward()
        assert x.grad == 3 * 1.5**2
        assert gradcheck(
            lambda v: cube(v) * v.sin(),
            [
                0.4,
            ],
        )  # value and gradient against finite differences
        assert "³" in to_svg(y)  # drawn with its symbol, by a real Graphviz
        step = walkthrough(y)[0]
        assert step.contributions[0].local_grad == 6.75  # its local derivative in numbers, with no formula given
        assert "cube" in str(step) and "6.75" in str(step)
        with no_grad():
            assert cube(x).parents == ()
        assert build_expression("cube(x) + 1", {"x": 2.0})[0].data == 9.0  # the formula parser knows it
    finally:
        del OPS["cube"]


def test_an_op_made_again_under_the_same_name_replaces_the_first_but_a_built_in_name_is_refused():
    first = Op("twice", lambda x: 2 * x, 2.0)
    second = Op("twice", lambda x: 2 * x, 2.0, symbol="2×")
    try:
        assert OPS["twice"] is second and first is not second
        with pytest.raises(ValueError, match="'sigmoid' is one of the engine's own ops"):
            Op("sigmoid", lambda x: x, 1.0)
    finally:
        del OPS["twice"]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: Op("", lambda x: x, 1.0), ["needs a name"]),
        (lambda: Op("f3", lambda x, y, z: x, (1.0, 1.0)), ["takes 3 inputs", "one or two"]),
        (lambda: Op("g", lambda x: x, [1.0]), ["local_grads must be a function"]),
        (lambda: Op("g3", lambda x: x, math.inf), ["local_grads must be a function", "(finite)"]),
        (lambda: Op("g2", "a + 1", "1.0"), ["forward must be a function"]),  # strings are not code
        (lambda: Op("h", 3.0, 1.0), ["forward must be a function"]),
    ],
)
def test_a_malformed_op_is_refused_with_what_was_wrong(make, words):
    with pytest.raises((TypeError, ValueError)) as raised:
        make()
    for word in words:
        assert word in str(raised.value)


def test_a_two_input_op_of_your_own_with_a_plain_number_operand():
    hypot = Op("hypot", math.hypot, lambda out, a, b: (a / out, b / out), arity=2)  # math.hypot has no signature
    try:
        a = Value(3.0, "a")
        h = hypot(a, 4.0)  # the 4 becomes a Constant, as in a * 4
        h.backward()
        assert (h.data, a.grad) == (5.0, 0.6)
        assert isinstance(h.parents[1], Constant)
    finally:
        del OPS["hypot"]


def test_rules_written_with_the_engines_functions_also_run_on_values():
    x = Value(0.3)
    assert sin(x).data == math.sin(0.3) and cos(0.3) == math.cos(0.3)


# ---------------------------------------------------------------- micrograd and its lecture


def lecture_neuron():
    """The lecture's neuron, cell by cell, with the lecture's own numbers."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return locals()


def test_the_lectures_backprop_by_hand_with_underscore_backward():
    v = lecture_neuron()
    v["o"].grad = 1.0
    for name in ["o", "n", "b", "x1w1x2w2", "x2w2", "x1w1"]:
        v[name]._backward()
    assert round(v["o"].data, 4) == 0.7071
    assert round(v["n"].grad, 4) == 0.5
    grads = {name: round(v[name].grad, 4) for name in ["x1", "w1", "x2", "w2", "b"]}
    assert grads == {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}


def test_the_lectures_build_topo_and_prev_and_op():
    v = lecture_neuron()
    topo, visited = [], set()

    def build_topo(node):
        if node not in visited:
            visited.add(node)
            for child in node._prev:
                build_topo(child)
            topo.append(node)

    build_topo(v["o"])
    v["o"].grad = 1.0
    for node in reversed(topo):
        node._backward()
    assert round(v["w1"].grad, 4) == 1.0
    assert v["n"]._prev == {v["x1w1x2w2"], v["b"]} and v["n"]._op == "+" and v["o"]._op == "tanh"


def micrograd_draw_dot(root):
    """micrograd's trace_graph draw_dot, as its notebook has it."""

    def trace(root):
        nodes, edges = set(), set()

        def build(v):
            if v not in nodes:
                nodes.add(v)
                for child in v._prev:
                    edges.add((child, v))
                    build(child)

        build(root)
        return nodes, edges

    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad), shape="record")  # noqa: UP031
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot


def test_micrograds_own_draw_dot_runs_on_our_values():
    v = lecture_neuron()
    v["o"].backward()
    source = micrograd_draw_dot(v["o"]).source
    assert "{ o | data 0.7071 | grad 1.0000 }" in source
    assert "{ w1 | data -3.0000 | grad 1.0000 }" in source
    assert source.count("label=tanh") == 1 and source.count('label="+"') == 2


def lecture_tanh(self):
    """The lecture's way of adding an op: a node built with Value(t, (self,), 'tanh') and a _backward closure."""
    x = self.data
    t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


def test_the_lectures_way_of_adding_an_op_works_with_backward_draw_dot_and_walkthrough():
    x = Value(0.8, label="x")
    h = lecture_tanh(x * 2)
    loss = h * h
    assert h.data == pytest.approx(math.tanh(1.6), rel=1e-14)
    loss.backward()
    expected = 2 * math.tanh(1.6) * (1 - math.tanh(1.6) ** 2) * 2
    assert x.grad == pytest.approx(expected, rel=1e-12)
    assert gradcheck(lambda v: lecture_tanh(v * 2) * lecture_tanh(v * 2), [0.8])
    assert "tanh" in to_svg(loss)
    wt = walkthrough(loss)
    assert wt.gradients[x] == pytest.approx(expected, rel=1e-12)
    tanh_step = next(step for step in wt if step.node is h)
    assert tanh_step.contributions[0].local_grad == pytest.approx(1 - math.tanh(1.6) ** 2, rel=1e-12)


def test_a_lecture_node_without_its_backward_says_what_to_assign():
    x = Value(1.0)
    y = Value(2.0, (x,), "double")
    with pytest.raises(TypeError, match="has no _backward"):
        y.backward()
    assert x.grad == 0.0


def test_a_failing_backward_closure_leaves_every_grad_as_it_was():
    a, b = Value(2.0, "a"), Value(3.0, "b")
    out = Value(6.0, (a, b), "*")

    def _backward():
        a.grad += b.data * out.grad
        raise RuntimeError("the learner's closure fails half-way")

    out._backward = _backward
    total = out + a * b
    a.grad = 0.25
    with pytest.raises(RuntimeError):
        total.backward()
    assert (a.grad, b.grad) == (0.25, 0.0)


def test_parameters_take_new_attributes_and_plain_values_stay_lean():
    w = Parameter(0.5, "w")
    w.m = 0.0  # a learner's own optimiser keeps its state on the parameter
    assert w.m == 0.0
    with pytest.raises(AttributeError):
        Value(1.0).m = 0.0  # type: ignore[attr-defined]


# ---------------------------------------------------------------- a graph whose leaves changed


def test_backward_refuses_a_graph_whose_leaf_changed_after_the_forward_pass_and_changes_no_grad():
    w, x = Value(2.0, "w"), Value(3.0, "x")
    loss = (w * x).tanh()
    w.data = 2.5  # e.g. an optimizer.step() between the forward pass and backward()
    with pytest.raises(ValueError, match="out of date") as raised:
        loss.backward()
    assert "w = 2.5" in str(raised.value)
    assert (w.grad, x.grad, loss.grad) == (0.0, 0.0, 0.0)


def test_writing_a_leaf_back_to_its_value_or_changing_another_graph_is_fine():
    w, x = Value(2.0, "w"), Value(3.0, "x")
    loss = w * x
    other = Value(1.0)
    other.data = 5.0  # a Value of another graph
    w.data = 9.0
    w.data = 2.0  # back as it was
    loss.backward()
    assert (w.grad, x.grad) == (3.0, 2.0)


def test_a_training_loop_never_sees_a_stale_graph():
    model = MLP(2, [3, 1], seed=0)
    from autograd.optim import SGD

    optimizer = SGD(model.parameters(), lr=0.1)
    for _ in range(3):
        loss = (model([1.0, -1.0]) - 1.0) ** 2
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


# ---------------------------------------------------------------- no_grad per thread


def test_no_grad_in_one_thread_leaves_another_thread_recording():
    inside, release = threading.Event(), threading.Event()

    def other_thread():
        with no_grad():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other_thread)
    thread.start()
    inside.wait(5)
    try:
        w = Value(3.0, "w")
        y = w * w
        y.backward()
        assert w.grad == 6.0
    finally:
        release.set()
        thread.join()


def test_interleaved_no_grad_blocks_in_two_threads_leave_recording_on():
    steps = [threading.Event() for _ in range(4)]

    def first():
        block = no_grad()
        block.__enter__()
        steps[0].set()
        steps[1].wait(5)
        block.__exit__(None, None, None)
        steps[2].set()

    def second():
        steps[0].wait(5)
        block = no_grad()
        block.__enter__()
        steps[1].set()
        steps[2].wait(5)
        block.__exit__(None, None, None)
        steps[3].set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    x = Value(2.0)
    assert (x * x).parents == (x, x)


def live_values() -> int:
    return sum(type(o) in (Value, Constant) for o in gc.get_objects())


def test_graphs_with_new_ops_hold_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        before = live_values()
        x = Value(0.4)
        y = (x.sin() * x.cos() + x.sqrt() + x.softplus() + x.leaky_relu() + abs(x)).tanh()
        y.backward()
        del y
        assert live_values() == before + 1  # only x is left: the rest was freed by reference counting alone
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_rule_of_your_own_that_returns_the_wrong_shape_is_named_at_the_op():
    swapped = Op("swapped", lambda a, b: a - b, lambda out, a, b: 1.0)  # a two-input rule must give a pair
    with pytest.raises(TypeError, match=r"rule of the op 'swapped' failed at a = 2.0, b = 1.0.*a pair of numbers"):
        swapped(Value(2.0), Value(1.0))


def test_a_lecture_node_whose_number_differs_from_the_tables_op_in_the_last_bit_is_not_stale():
    x = next(Value(v / 100) for v in range(1, 400) if lecture_tanh(Value(v / 100)).data != math.tanh(v / 100))
    h = lecture_tanh(x)
    assert h.data != math.tanh(x.data)  # the lecture's formula, not math.tanh, bit for bit
    y = h * 2
    assert find_stale_node(topological_order(y)) is None
    walkthrough(y)
    y.backward()
    assert x.grad == pytest.approx(2 * (1 - h.data**2), rel=1e-15)
    assert h.op == "tanh" and "tanh" in to_svg(y)


def test_a_rule_of_your_own_may_give_ints_or_a_one_number_tuple_but_nothing_else():
    square = Op("square", lambda x: x * x, lambda out, x: (2 * x,))  # a tuple from a one-input rule
    count = Op("count", lambda x: 3 * x, lambda out, x: 3)  # an int
    broken = Op("broken", lambda x: x, lambda out, x: "1")
    x = Value(2.0)
    (square(x) + count(x)).backward()
    assert x.grad == 7.0 and type(x.grad) is float
    with pytest.raises(TypeError, match=r"rule of the op 'broken' failed at a = 2.0: it gave str"):
        broken(x)


def test_a_graph_with_an_infinite_slope_anywhere_is_visited_whole():
    x = Value(1e-320, "x")
    y = x.log()  # slope 1/x = ∞, output finite
    (y.relu() * 0.0 + 1.0).backward()  # the ReLU is off; 0 · ∞ behind it must still give NaN, as IEEE does
    assert math.isnan(x.grad)
