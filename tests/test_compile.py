"""autograd.compile: a traced graph, replayed as straight-line Python, gives the eager engine's numbers and errors."""

import gc
import math
import random
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from autograd import Constant, Value, compile, no_grad
from autograd.compiler import FREE_EARLY_ABOVE, INLINE_FORWARD, INLINE_LOCAL_GRADS, NAN_PROPAGATING, ReplayMismatch
from autograd.engine import BUILT_IN_OPS, OPS, Op
from autograd.nn import MLP, hinge_loss
from autograd.optim import SGD

# Numbers where arithmetic is tricky: signed zeros, infinities, NaN, the ends of the float range.
SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.5, -3.25, 1e-310, 1e308, -1e308, math.inf, -math.inf, math.nan]
CUBE = Op("cube", forward=lambda x: x**3, local_grads=lambda out, x: 3 * x**2, formula="{a}³")


def same(a: float, b: float) -> bool:
    """Bitwise the same float, as far as Python shows it: tells -0.0 from 0.0, and NaN equals NaN."""
    return repr(a) == repr(b)


def outcome(run: Callable[[], Any]) -> Any:
    """What running it gives: its result, or the error it raises (type and message)."""
    try:
        return run()
    except (ValueError, ZeroDivisionError, TypeError) as error:
        return (type(error).__name__, str(error))


def eager_then_compiled(
    make_fn: Callable[[list[Value]], Callable[..., Value]], data: Sequence[float], calls: Sequence[tuple[Any, ...]],
    *, several_may_fail: bool = False, **options: Any,
) -> tuple[list[Any], list[Any]]:  # fmt: skip
    """Run fn eagerly and compiled, each on its own copy of the parameters, call after call: each call's
    output and every parameter's grad afterwards (or the error), in repr form.

    When several nodes fail in one call, eager names the first it made, and the replay the first in its
    order (see `_forward_order`): with `several_may_fail`, an error is compared by its type alone."""
    results = []
    for compiled in (False, True):
        params = [Value(number, f"p{k}") for k, number in enumerate(data)]
        fn = make_fn(params)
        step = compile(fn, **options) if compiled else None
        seen = []
        for args in calls:

            def run(fn: Callable[..., Value] = fn, args: tuple[Any, ...] = args, step: Any = step) -> Any:
                if step is not None:
                    return step(*args)
                loss = fn(*[_constants(arg) for arg in args])
                loss.backward()
                return loss.data

            result = outcome(run)
            if several_may_fail and isinstance(result, tuple):
                result = result[0]
            seen.append((repr(result), [repr(p.grad) for p in params]))
        results.append(seen)
    return results[0], results[1]


def agree_to_rounding(eager: list[Any], compiled: list[Any]) -> bool:
    """Each call's output and errors bitwise, each grad to rounding. backward() skips what a ReLU that is off cuts
    off; where that part is also reached another way, it visits the rest in another order than the replay, and a
    sum of the same gradients, added in another order, may differ in its last bits."""
    if len(eager) != len(compiled):
        return False
    for (out_e, grads_e), (out_c, grads_c) in zip(eager, compiled):
        if out_e != out_c or len(grads_e) != len(grads_c):
            return False
        for e, c in zip(map(float, grads_e), map(float, grads_c)):
            if not (e == c or (e != e and c != c) or math.isclose(e, c, rel_tol=1e-12)):
                return False
    return True


def _constants(arg: Any) -> Any:
    """The argument as the trace gives it to fn: numbers as Constant leaves."""
    return [_constants(part) for part in arg] if isinstance(arg, list) else Constant(arg)


def seed_fn(params: list[Value]) -> Callable[..., Value]:
    w, b = params

    def neuron_loss(x: Value, y: Value) -> Value:
        z = w * x + b
        z.label = "z"
        a = z.sigmoid()
        a.label = "a"
        return 0.5 * (a - y) ** 2

    return neuron_loss


# ---------------------------------------------------------------------- agreement with the eager engine


def test_the_seed_neuron_compiled_gives_the_eager_output_and_gradients_bitwise() -> None:
    eager, compiled = eager_then_compiled(seed_fn, [0.5, 0.1], [(1.5, 1.0), (-2.0, 0.0), (0.3, 1.0)])
    assert compiled == eager
    assert eager[0][0] == repr(0.044830018083101025)


def test_gradients_accumulate_across_calls_as_backward_does() -> None:
    w = Value(3.0, "w")
    step = compile(lambda x: (w * x - 1) ** 2)
    assert (step(2.0), w.grad) == (25.0, 20.0)
    assert (step(1.0), w.grad) == (4.0, 24.0)  # 20 + 4: added to, not replaced
    w.grad = 0.0
    w.data = 2.0  # a parameter's new number is read on the next call
    assert (step(1.0), w.grad) == (1.0, 2.0)


@pytest.mark.parametrize("op", [*BUILT_IN_OPS, CUBE], ids=lambda op: op.name)
def test_every_op_of_the_table_and_a_users_op_compile_to_the_eager_numbers(op: Op) -> None:
    def make_fn(params: list[Value]) -> Callable[..., Value]:
        p, q = params

        def fn(x: Value) -> Value:
            first = op(p * x) if op.arity == 1 else op(p * x, q + x)
            second = op(x) if op.arity == 1 else op(q, p)  # inputs and parameters straight into the op
            return first * second + first

        return fn

    calls = [(x,) for x in (0.7, -1.3, 0.0, 2.0, 3.0)]
    for data in ([0.5, 1.5], [-0.4, 2.0], [1.0, -1.0]):
        eager, compiled = eager_then_compiled(make_fn, data, calls)
        assert compiled == eager, op.name


def within_domain(op: Op, operands: list[Any]) -> list[Any]:
    """Operands moved into the op's domain with more ops (|a| + 0.5, tanh a), so that most graphs trace."""
    a, b = [*operands, None][:2]
    if op.name in ("log", "sqrt"):
        return [abs(a) + 0.5]
    if op.name in ("exp", "cube", "sin", "cos", "softplus", "sigmoid"):
        return [a.tanh() * 3.0] if isinstance(a, Value) else [a]
    if op.name == "/":
        return [a, abs(b) + 0.5]
    if op.name == "**":
        return [abs(a) + 0.5, b.tanh() if isinstance(b, Value) else b]
    return operands


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_with_shared_nodes_constants_and_user_ops_agree_bitwise(seed: int) -> None:
    ops = [*BUILT_IN_OPS, CUBE]

    def make_fn(params: list[Value]) -> Callable[..., Value]:
        def fn(xs: list[Value]) -> Value:
            rng = random.Random(seed)  # the same graph on every call
            pool: list[Value] = [*params, *xs]
            for _ in range(rng.randrange(5, 60) if seed % 10 else 700):  # a few big enough to free numbers early
                op = rng.choice(ops)
                operands: list[Any] = [rng.choice(pool[-8:] if rng.random() < 0.7 else pool) for _ in range(op.arity)]
                if op.arity == 2 and rng.random() < 0.3:
                    operands[rng.randrange(2)] = rng.choice([2.0, -1.5, 0.5, 3.0])  # a Constant
                pool.append(op(*within_domain(op, operands)).tanh() * 2.0)  # kept finite
            made = pool[len(params) + len(xs) :]
            return sum(made[1:], made[0] * pool[len(params)])  # every node reaches the output, as eagerly

        return fn

    rng = random.Random(1000 + seed)
    data = [rng.uniform(-2, 2) for _ in range(3)]
    calls = [([rng.uniform(-2, 2) for _ in range(2)],) for _ in range(3)]
    calls += [([math.inf, 1.0],), ([math.nan, 0.5],), ([-1e300, 0.0],)]  # errors and NaN, met while replaying
    for options in ({}, {"max_nodes": 0}):  # straight-line Python, and the flat replay
        eager, compiled = eager_then_compiled(make_fn, data, calls, several_may_fail=True, **options)
        assert agree_to_rounding(eager, compiled), (eager, compiled)
        assert eager[0][0][0].isdigit() or eager[0][0][1].isdigit()  # the first call traced: replays were tested


def test_training_an_mlp_compiled_gives_the_eager_losses_and_weights() -> None:
    rng = random.Random(0)
    points = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(30)]
    labels = [1 if x * y > 0 else -1 for x, y in points]
    eager_model, model = MLP(2, [4, 4, 1], activation="relu", seed=0), MLP(2, [4, 4, 1], activation="relu", seed=0)
    eager_optimizer, optimizer = SGD(eager_model.parameters(), lr=0.1), SGD(model.parameters(), lr=0.1)
    step = compile(lambda xs: hinge_loss([model(x) for x in xs], labels))
    for _ in range(5):
        eager_optimizer.zero_grad()
        loss = hinge_loss([eager_model(x) for x in points], labels)
        loss.backward()
        eager_optimizer.step()
        optimizer.zero_grad()
        assert same(step(points), loss.data)
        optimizer.step()
    assert model.state_dict() == eager_model.state_dict()
    assert step.path == "straight-line Python" and step.rechecks == 0
    assert step.nodes > FREE_EARLY_ABOVE and "    del " in step.source  # big enough to free numbers early


# ---------------------------------------------------------------------- the ops written inline


@pytest.mark.parametrize("op", list(INLINE_FORWARD), ids=lambda op: op.name)
def test_each_inline_forward_gives_the_ops_own_numbers_bitwise(op: Op) -> None:
    forward: Any = op.forward
    expression = INLINE_FORWARD[op].format(a="a", b="b")
    for a in SPECIAL:
        for b in SPECIAL if op.arity == 2 else [0.0]:
            inline = outcome(lambda a=a, b=b: eval(expression, {"a": a, "b": b}))
            by_function = outcome(lambda a=a, b=b: forward(*[a, b][: op.arity]))
            if isinstance(by_function, tuple):  # the op raises here: so must the inline form (the message may differ)
                assert isinstance(inline, tuple) and inline[0] == by_function[0]
            else:
                assert same(inline, by_function), (op.name, a, b)


def test_each_inline_forward_raises_where_the_op_raises() -> None:
    with pytest.raises(ZeroDivisionError):
        eval(INLINE_FORWARD[OPS["/"]].format(a="1.0", b="0.0"))


@pytest.mark.parametrize("op", list(INLINE_LOCAL_GRADS), ids=lambda op: op.name)
def test_each_inline_local_gradient_gives_the_rules_numbers_bitwise(op: Op) -> None:
    forward: Any = op.forward
    for a in SPECIAL:
        for b in SPECIAL:
            inline = tuple(eval(g.format(a="a", b="b"), {"a": a, "b": b}) for g in INLINE_LOCAL_GRADS[op])
            by_rule = op.local_grads_at(forward(a, b), a, b)
            assert [repr(g) for g in inline] == [repr(g) for g in by_rule]


@pytest.mark.parametrize("op", sorted(NAN_PROPAGATING, key=lambda op: op.name), ids=lambda op: op.name)
def test_ops_taken_as_nan_propagating_give_nan_for_nan_and_a_real_slope_otherwise(op: Op) -> None:
    forward: Any = op.forward
    numbers = [x for x in SPECIAL if x == x]
    for a in numbers:
        for b in numbers if op.arity == 2 else [0.0]:
            for position in range(op.arity):
                operands = [a, b][: op.arity]
                operands[position] = math.nan
                result = outcome(lambda operands=operands: forward(*operands))
                assert isinstance(result, tuple) or math.isnan(result), (op.name, operands)  # an error, or NaN
            out = outcome(lambda a=a, b=b: forward(*[a, b][: op.arity]))
            if op.arity == 2 and isinstance(out, float) and out == out:
                slope_to_b = op.local_grads_at(out, a, b)[1]
                assert slope_to_b == slope_to_b, (op.name, a, b)


# ---------------------------------------------------------------------- errors, as eagerly


@pytest.mark.parametrize("max_nodes", [1_000, 0], ids=["straight-line", "flat"])
@pytest.mark.parametrize(
    ("fn", "args"),
    [
        (lambda x: (x - 1.0).log(), (0.5,)),  # log of a negative number
        (lambda x: 1.0 / (x - 2.0), (2.0,)),  # division by zero
        (lambda x: x.exp() - math.inf, (1000.0,)),  # e¹⁰⁰⁰ = inf, and inf − inf is NaN from numbers that are not
        (lambda x: (x - 3.0).sqrt() * 2.0, (1.0,)),
        (lambda x: (x - 3.0) ** 0.5, (1.0,)),
    ],
    ids=["log", "divide", "inf-inf", "sqrt", "pow"],
)
def test_a_domain_error_during_replay_is_the_eager_error_naming_the_op(
    fn: Callable[[Value], Value], args: tuple[float, ...], max_nodes: int
) -> None:
    w = Value(1.0, "w")
    step = compile(lambda x: fn(x * w), max_nodes=max_nodes)
    assert step(10.0) == fn(Constant(10.0) * Value(1.0, "w")).data  # traced on numbers that work
    eager = outcome(lambda: fn(Constant(args[0], "x") * Value(1.0, "w")))
    assert isinstance(eager, tuple)
    assert outcome(lambda: step(*args)) == eager


def test_a_failed_call_leaves_every_grad_as_it_was() -> None:
    w = Value(2.0, "w")
    step = compile(lambda x: (w * x).log())
    step(1.0)
    before = w.grad
    with pytest.raises(ValueError, match=r"log is defined for positive numbers only: log\(a\) with a = -2.0"):
        step(-1.0)
    assert w.grad == before


def test_a_nan_parameter_gives_nan_without_an_error_as_eagerly() -> None:
    w = Value(1.0, "w")
    step = compile(lambda x: (w * x).tanh() + 1.0)
    step(1.0)
    w.data = math.nan
    assert math.isnan(step(1.0)) and math.isnan(w.grad)


def test_a_nan_slope_towards_a_value_exponent_is_refused_as_eagerly() -> None:
    base, exponent = Value(2.0, "base"), Value(2.0, "p")
    step = compile(lambda x: (base * x) ** exponent)
    step(1.0)
    eager = outcome(lambda: (Value(2.0, "base") * Constant(-1.0, "x")) ** Value(2.0, "p"))
    assert eager[0] == "ValueError" and "slope with respect to b" in eager[1]
    assert outcome(lambda: step(-1.0)) == eager


# ---------------------------------------------------------------------- what is recorded


def test_no_grad_inside_fn_is_replayed_with_current_numbers_and_passes_no_gradient() -> None:
    w, scale = Value(2.0, "w"), Value(3.0, "scale")

    def fn(x: Value) -> Value:
        with no_grad():
            frozen = scale * 2.0  # a leaf: no gradient reaches scale through it
        return w * x * frozen

    step = compile(fn)
    assert (step(1.0), w.grad, scale.grad) == (12.0, 6.0, 0.0)
    scale.data = 5.0  # its new number is used: the no_grad op is replayed, not frozen
    assert (step(1.0), w.grad, scale.grad) == (20.0, 16.0, 0.0)


def test_the_compiled_function_holds_no_intermediate_value_of_the_trace() -> None:
    w = Value(0.5, "w")

    def fn(x: Value) -> Value:
        hidden = (w * x).tanh()
        hidden.label = "hidden node of the trace"
        return hidden * hidden

    step = compile(fn)
    step(1.0)
    gc.collect()
    alive = [o for o in gc.get_objects() if type(o) is Value and o.label == "hidden node of the trace"]
    assert alive == []
    assert step(2.0) == math.tanh(1.0) ** 2


def test_numbers_of_another_shape_trace_fn_again() -> None:
    w = Value(1.0, "w")
    step = compile(lambda xs: sum((w * x for x in xs), Value(0.0)))
    assert step([1.0, 2.0]) == 3.0 and step.nodes == 8  # 0, w, two inputs; two products and two sums
    assert step([1.0, 2.0, 3.0]) == 6.0 and step.nodes == 11
    assert step([4.0, 4.0]) == 8.0 and step.nodes == 8  # the first shape's program, kept


def test_a_python_decision_on_an_inputs_number_is_refused_when_tracing() -> None:
    w = Value(1.0, "w")

    def fn(x: Value) -> Value:
        return (w * x).relu() if x.data > 0 else (w * x).tanh()

    step = compile(fn)
    with pytest.raises(TypeError, match=r"fn reads \.data of the input x \(= 2\.0\), a number that depends on"):
        step(2.0)  # replayed, step(-2.0) would give relu's 0.0 where fn gives tanh(-2)
    with pytest.raises(TypeError, match=r"\.data of the tanh node labelled 'h'"):
        compile(lambda x: x * 2.0 if _labelled((w * x).tanh(), "h").data > 0 else x)(1.0)
    assert w.grad == 0.0


def _labelled(node: Value, label: str) -> Value:
    node.label = label
    return node


def test_a_read_that_fn_catches_is_refused_all_the_same() -> None:
    def fn(x: Value) -> Value:
        try:
            return x * 2.0 if x.data > 0 else -x
        except TypeError:
            return x * 2.0

    with pytest.raises(TypeError, match="depends on fn's inputs"):
        compile(fn)(1.0)


def test_a_number_read_from_an_outside_value_traces_again_when_it_changes() -> None:
    w = Value(2.0, "w")
    step = compile(lambda x: w * x + w.data if w.data > 0 else w * x)  # w.data: frozen into the trace
    assert (step(1.0), w.grad) == (4.0, 1.0)
    assert (step(1.0), step.retraces) == (4.0, 0)  # w unchanged: the same program
    w.data = -3.0
    assert (step(1.0), w.grad, step.retraces) == (-3.0, 3.0, 1)  # eagerly: w * x alone
    w.data = 5.0
    assert (step(2.0), step.retraces) == (15.0, 2)


def test_check_mode_names_the_first_node_that_differs() -> None:
    two = Constant(2.0, "two")  # a Constant's number is frozen into the program: nothing trains a constant
    checked = compile(lambda x: x * two, check=True)
    assert checked(1.0) == 2.0
    two.data = 3.0
    with pytest.raises(
        ReplayMismatch, match=r"differ at the Constant 'two' \(a Constant's number is frozen.*replayed 2.0, eagerly 3.0"
    ):
        checked(1.0)


def test_check_mode_names_another_path_taken_by_fn() -> None:
    use_tanh = [False]
    w = Value(1.0, "w")
    checked = compile(lambda x: (w * x).tanh() if use_tanh[0] else (w * x).relu(), check=True)
    assert checked(2.0) == 2.0
    use_tanh[0] = True
    with pytest.raises(ReplayMismatch, match=r"where the trace has L = ReLU\(t1\), the eager run made a tanh node"):
        checked(2.0)


def test_check_mode_passes_and_leaves_the_eager_gradients_when_all_agree() -> None:
    w, b = Value(0.5, "w"), Value(0.1, "b")
    checked = compile(seed_fn([w, b]), check=True)
    for x, y in [(1.5, 1.0), (-1.0, 0.0)]:
        checked(x, y)
    assert same(w.grad, -0.09421931299660385 + seed_grad(-1.0, 0.0))


def seed_grad(x: float, y: float) -> float:
    w, b = Value(0.5, "w"), Value(0.1, "b")
    seed_fn([w, b])(Constant(x), Constant(y)).backward()
    return w.grad


def test_a_graph_above_max_nodes_is_replayed_flat_with_the_same_numbers() -> None:
    w = Value(0.9, "w")
    flat, straight = compile(seed_fn([w, Value(0.1)]), max_nodes=5), compile(seed_fn([Value(0.9), Value(0.1)]))
    assert same(flat(1.5, 1.0), straight(1.5, 1.0))
    assert (flat.path, straight.path) == ("flat replay", "straight-line Python")
    assert flat.source == "" and "def replay" in straight.source


def test_inside_no_grad_a_call_gives_the_number_and_touches_no_grad() -> None:
    w = Value(3.0, "w")
    step = compile(lambda x: w * x)
    step(1.0)
    with no_grad():
        assert step(5.0) == 15.0
    assert w.grad == 1.0


# ---------------------------------------------------------------------- the source


def test_the_source_reads_like_the_walkthrough() -> None:
    step = compile(seed_fn([Value(0.5, "w"), Value(0.1, "b")]))
    step(1.5, 1.0)
    source = step.source
    assert "    x, y = inputs  # the numbers passed in: x, y\n" in source
    assert "    p1, p2 = parameters  # the .data of the Values fn reads from outside, as they are now: w, b\n" in source
    forward = ["t1 = p1 * x  # t1 = w · x", "t2 = t1 + p2  # z = t1 + b", "t3 = sigmoid(t2)  # a = σ(z)"]
    backward = ["grad_t2 = dt3_dt2 * grad_t4  # from a = σ(z)", "grad_p1 += x * grad_t2  # from t1 = w · x"]
    assert all(f"    {line}\n" in source for line in forward + backward)
    assert source.index("# forward pass") < source.index("# backward pass")


# ---------------------------------------------------------------------- clear refusals


def test_fn_must_return_a_value_and_take_numbers() -> None:
    with pytest.raises(TypeError, match="fn must return a Value"):
        compile(lambda x: 3.0)(1.0)
    with pytest.raises(TypeError, match=r"argument 0\[1\] is str"):
        compile(lambda xs: xs[0])([1.0, "2"])
    with pytest.raises(TypeError, match="pass numbers"):
        compile(lambda x: x)(Value(1.0))


def test_a_micrograd_style_node_is_refused_clearly() -> None:
    def fn(x: Value) -> Value:
        out = Value(2.0, (x,), "double")
        out._backward = lambda: None  # type: ignore[attr-defined]
        return out

    with pytest.raises(TypeError, match="made micrograd's way"):
        compile(fn)(1.0)


def test_the_first_call_inside_no_grad_traces_with_gradients_on_and_adds_no_gradient() -> None:
    w = Value(3.0, "w")
    step = compile(lambda x: w * x)
    with no_grad():
        assert step(2.0) == 6.0
    assert w.grad == 0.0
    assert (step(1.0), w.grad) == (3.0, 1.0)  # the program traced inside no_grad has its backward pass


@pytest.mark.parametrize("seed", range(30))
def test_skipping_what_a_relu_zeroes_changes_no_gradient(seed: int) -> None:
    ops = [OPS[name] for name in ("+", "-", "*", "neg", "relu", "relu", "relu")]

    def make_fn(params: list[Value]) -> Callable[..., Value]:
        def fn(xs: list[Value]) -> Value:
            rng = random.Random(seed)
            pool: list[Value] = [*params, *xs]
            for _ in range(rng.randrange(5, 80) if seed % 10 else 600):
                op = rng.choice(ops)
                operands = [rng.choice(pool[-6:] if rng.random() < 0.8 else pool) for _ in range(op.arity)]
                pool.append(op(*operands))
                if rng.random() < 0.1:
                    pool.append(pool[-1] / 3.0)  # a division by a number keeps the skipping, as in a mean
            made = pool[len(params) + len(xs) :]
            return sum(made[1:], made[0]).relu() * 0.5

        return fn

    rng = random.Random(seed)
    data = [rng.uniform(-2, 2) for _ in range(4)]
    calls = [([rng.uniform(-2, 2) for _ in range(3)],) for _ in range(4)]
    calls += [([1e300, -1e300, 1.0],), ([math.inf, 1.0, 1.0],), ([-math.inf, 0.0, 2.0],), ([math.nan, 1.0, 0.0],)]
    eager, compiled = eager_then_compiled(make_fn, data, calls, several_may_fail=True)
    assert agree_to_rounding(eager, compiled), (eager, compiled)


def test_a_relu_that_is_off_skips_the_backward_of_what_only_it_reaches() -> None:
    w = Value(2.0, "w")
    step = compile(lambda x: (w * x).relu() + w * 0.5)
    assert (step(-1.0), w.grad) == (1.0, 0.5)
    assert "    if grad_t1:  # else ∂L/∂t1 = 0, and so is all it passes on: skip it\n" in step.source


def test_a_negative_zero_gradient_ends_as_visiting_every_node_leaves_it() -> None:
    w = Value(-2.0, "w")
    step = compile(lambda x: (w * x).relu())
    step(1.0)
    # backward() visits every node: w.grad = −0.0 + x · (ReLU'(w·x) · 1). Where the ReLU is off (x = 1), that adds
    # 1 · 0.0 = 0.0, and −0.0 + 0.0 = 0.0; the skipping replay, which would add nothing, must give the same.
    for x, expected in ((1.0, "0.0"), (-1.0, "-1.0"), (-0.5, "-0.5")):
        w.grad = -0.0
        step(x)
        assert repr(w.grad) == expected


# ---------------------------------------------------------------------- labels, formulas and depth never break the code


def compiled_and_eager(make_fn: Callable[[], tuple[Callable[..., Value], list[Value]]], *args: float) -> None:
    """fn compiled and fn eagerly, each with its own parameters: the same output and gradients, bitwise."""
    fn, params = make_fn()
    eager = fn(*[Constant(x) for x in args])
    eager.backward()
    expected = (repr(eager.data), [repr(p.grad) for p in params])
    fn, params = make_fn()
    step = compile(fn)
    assert (repr(step(*args)), [repr(p.grad) for p in params]) == expected
    assert step.path == "straight-line Python"


@pytest.mark.parametrize(
    ("label", "look_alike"),
    [("w", "ｗ"), ("h", "ℎ"), ("fi", "ﬁ"), ("w", "𝐰"), ("t1", "ｔ1"), ("L", "Ｌ"), ("x", "ｘ"), ("p1", "ｐ1")],
)
def test_labels_that_python_reads_as_one_name_stay_two_numbers(label: str, look_alike: str) -> None:
    def make_fn() -> tuple[Callable[..., Value], list[Value]]:
        first, second = Value(0.5, label), Value(2.0, look_alike)
        return (lambda x: first * x * x + second * x * 3.0), [first, second]

    compiled_and_eager(make_fn, 3.0)  # eagerly 0.5·9 + 2·3·3 = 22.5


def test_the_issues_look_alike_labels_give_the_eager_numbers() -> None:
    w, look_alike = Value(0.5, "w"), Value(2.0, "ｗ")
    step = compile(lambda x: w * x + look_alike * x * x)
    assert (step(3.0), w.grad, look_alike.grad) == (19.5, 3.0, 9.0)


def test_labels_that_are_python_keywords_or_dunders_compile() -> None:
    def make_fn() -> tuple[Callable[..., Value], list[Value]]:
        params = [Value(float(k + 1), label) for k, label in enumerate(["__debug__", "None", "lambda", "inputs", "1x"])]
        return (lambda x: sum((p * x for p in params), Constant(0.0)).tanh()), params

    compiled_and_eager(make_fn, 0.1)


def test_a_line_break_in_a_label_a_formula_or_a_name_never_runs_as_code(tmp_path: Any) -> None:
    marker = tmp_path / "marker"
    payload = f"\nimport pathlib; pathlib.Path({str(marker)!r}).write_text('ran')\n"
    try:
        double = Op("double_it", forward=lambda a: 2 * a, local_grads=lambda out, a: 2.0, formula="2{a}" + payload)
    except ValueError:  # an engine that refuses a line break in a formula when the op is made: put it there after
        double = Op("double_it", forward=lambda a: 2 * a, local_grads=lambda out, a: 2.0, formula="2{a}")
        double.formula = "2{a}" + payload
    w = Value(0.5, "w" + payload)
    others = ["\r", "\u2028", "\u0085", "\x0b", "\x0c", "\x00", "\u202e"]  # other line ends, NUL, a bidi override

    def fn(x: Value) -> Value:
        z = double(w * x)
        z.label = "z" + "".join(f"{c}import pathlib; pathlib.Path({str(marker)!r}).write_text('ran')" for c in others)
        return z.tanh()

    fn.__name__ = "fn" + payload
    step = compile(fn)
    assert step(1.0) == math.tanh(1.0)
    assert not marker.exists()
    lines = step.source.split("\n")
    assert all(line.index("#") < line.index("pathlib") for line in lines if "pathlib" in line)  # in comments only
    assert "\\nimport pathlib" in step.source  # the line break is shown, escaped, inside the comment


def test_a_formula_with_format_fields_is_shown_as_written() -> None:
    peek = Op("peek", forward=lambda a: a, local_grads=lambda out, a: 1.0, formula="peek({a})")
    peek.formula = "{a.__class__}{a!r}{0}"  # str.format would look these up; the comment shows them as written
    w = Value(1.0, "w")
    step = compile(lambda x: peek(w * x))
    assert step(2.0) == 2.0
    assert "# L = {a.__class__}{a!r}{0}\n" in step.source


def relu_chain(depth: int) -> Callable[[], tuple[Callable[..., Value], list[Value]]]:
    def make_fn() -> tuple[Callable[..., Value], list[Value]]:
        w = Value(0.9999, "w")  # 0.9999 ** 8000 ≈ 0.45: no underflow

        def fn(x: Value) -> Value:
            h = x
            for _ in range(depth):
                h = (w * h).relu()
            return h

        return fn, [w]

    return make_fn


@pytest.mark.parametrize("x", [1.0, -1.0])
def test_a_relu_chain_deeper_than_pythons_indentation_limit_compiles_flat(x: float) -> None:
    compiled_and_eager(relu_chain(101), x)
    fn, _ = relu_chain(101)()
    step = compile(fn)
    step(x)
    assert max(len(line) - len(line.lstrip()) for line in step.source.splitlines()) <= 8  # two levels at most


def test_an_mlp_of_120_relu_layers_compiles_and_matches_eager() -> None:
    eager_model, model = MLP(1, [1] * 120, activation="relu", seed=3), MLP(1, [1] * 120, activation="relu", seed=3)
    for point in (0.7, -0.4):
        loss = eager_model([point]) * 2.0
        loss.backward()
        step = compile(lambda x: model([x]) * 2.0)
        assert same(step(point), loss.data)
        assert [repr(p.grad) for p in model.parameters()] == [repr(p.grad) for p in eager_model.parameters()]
        assert step.path == "straight-line Python"


def test_8000_relus_compile_and_the_code_grows_linearly_with_depth() -> None:
    sizes = {}
    for depth in (1000, 8000):
        fn, (w,) = relu_chain(depth)()
        step = compile(fn)
        assert step(1.0) == pytest.approx(0.9999**depth, rel=1e-9, abs=0.0)
        assert w.grad == pytest.approx(depth * 0.9999 ** (depth - 1), rel=1e-9, abs=0.0)
        assert step.path == "straight-line Python"
        sizes[depth] = len(step.source)
    assert sizes[8000] < 8.5 * sizes[1000]


# ---------------------------------------------------------------------- threads


def test_compiled_calls_from_two_threads_lose_no_gradient() -> None:
    import sys
    import threading

    w = Value(0.5, "w")
    step = compile(lambda x: (w * x).tanh() * x + w * 2.0)
    step(1.0)
    w.grad = 0.0
    calls = 3000
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as Python allows
    try:
        threads = [threading.Thread(target=lambda: [step(1.0) for _ in range(calls)]) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switching)
    per_call = (1 - math.tanh(0.5) ** 2) + 2.0  # ∂/∂w [tanh(w·1)·1 + 2w] at w = 0.5
    assert w.grad == pytest.approx(2 * calls * per_call, rel=1e-12)


def test_a_negative_zero_gradient_ends_as_visiting_every_node_leaves_it_without_relus_too() -> None:
    w = Value(1.0, "w")
    step = compile(lambda x: (w * x) * -0.0 + w * 0.5)
    step(1.0)
    # backward(): ∂L/∂(w·x) = 0.0 + (−0.0 · 1) = 0.0, so w.grad = −0.0 + 1 · 0.0 + 0.5 = 0.5; and without the 0.5:
    w.grad = -0.0
    step(1.0)
    assert w.grad == 0.5
    zero_only = compile(lambda x: (w * x) * -0.0)
    zero_only(1.0)
    w.grad = -0.0
    zero_only(1.0)
    assert repr(w.grad) == "0.0"  # −0.0 + 1 · (0.0 + −0.0 · 1) = −0.0 + 0.0 = 0.0


def test_a_relu_that_is_off_gives_the_gradient_backward_gives() -> None:
    w, eager_w = Value(-2.0, "w"), Value(-2.0, "w")
    step = compile(lambda x: (w * x).relu())
    step(-1.0)
    for x in (1.0, -1.0):  # where the ReLU is off, w's gradient gets 0 added (the sign of a zero is not promised)
        w.grad = eager_w.grad = 0.25
        step(x)
        (eager_w * Constant(x)).relu().backward()
        assert w.grad == eager_w.grad == (0.25 if x > 0 else 0.25 + x)  # ∂(w·x)/∂w = x where the ReLU is on
