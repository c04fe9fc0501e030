"""autograd.batch: one sample's loss, replayed over arrays of samples, gives eager's mean loss and gradients."""

import math
import random
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from autograd import OPS, Constant, Op, Value, batch, no_grad
from autograd.batching import (
    ARRAY_FORMS,
    BatchTraceError,
    NoArrayFormWarning,
    array_form,
    register_array_form,
)
from autograd.data import make_moons
from autograd.engine import BUILT_IN_OPS
from autograd.nn import MLP
from autograd.optim import SGD


def eager_mean(fn: Callable[..., Value], params: Sequence[Value], *columns: Sequence[Any]) -> tuple[float, list[float]]:
    """The oracle: fn built eagerly for every sample, the mean of the losses, backward(); each param's grad."""
    for p in params:
        p.grad = 0.0
    losses = [fn(*[_leaves(column[i]) for column in columns]) for i in range(len(columns[0]))]
    total = losses[0]
    for loss in losses[1:]:
        total = total + loss
    mean = total / len(losses)
    mean.backward()
    grads = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return mean.data, grads


def _leaves(sample: Any) -> Any:
    if isinstance(sample, (list, tuple, np.ndarray)):
        return [_leaves(part) for part in sample]
    return Value(float(sample))


def batched(fn: Callable[..., Value], params: Sequence[Value], *columns: Sequence[Any]) -> tuple[float, list[float]]:
    for p in params:
        p.grad = 0.0
    loss = batch(fn)(*columns)
    grads = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return loss, grads


def assert_close(ours: Sequence[float], theirs: Sequence[float], relative: float = 1e-12) -> None:
    """Within `relative` of the largest gradient (the issue's measure), NaN only where NaN."""
    assert len(ours) == len(theirs)
    scale = max((abs(t) for t in theirs if math.isfinite(t)), default=1.0) or 1.0
    for a, b in zip(ours, theirs):
        if math.isnan(b) or math.isinf(b):
            assert repr(a) == repr(b), (ours, theirs)
        else:
            assert abs(a - b) <= relative * scale, (ours, theirs)


# ---------------------------------------------------------------------- the same numbers as eager


def test_the_worked_example_gives_its_closed_form_gradient() -> None:
    """z = wx + b, a = σ(z), L = ½(a − y)²: ∂L/∂w = (a − y)·a(1 − a)·x, averaged over the samples."""
    w, b = Value(0.5, "w"), Value(0.1, "b")
    xs, ys = [1.5, -2.0, 0.25], [1.0, 0.0, 1.0]
    loss = batch(lambda x, y: 0.5 * ((w * x + b).sigmoid() - y) ** 2)(xs, ys)
    a = [1 / (1 + math.exp(-(0.5 * x + 0.1))) for x in xs]
    assert loss == pytest.approx(sum(0.5 * (ai - y) ** 2 for ai, y in zip(a, ys)) / 3, rel=1e-15)
    assert w.grad == pytest.approx(sum((ai - y) * ai * (1 - ai) * x for ai, y, x in zip(a, ys, xs)) / 3, rel=1e-13)
    assert b.grad == pytest.approx(sum((ai - y) * ai * (1 - ai) for ai, y in zip(a, ys)) / 3, rel=1e-13)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "softplus", "leaky_relu"])
def test_an_mlp_on_moons_gives_eager_gradients_to_1e_12(activation: str) -> None:
    model = MLP(2, [8, 8, 1], activation=activation, seed=3)
    xs, labels = make_moons(60, noise=0.2, seed=4)
    ys = [2.0 * label - 1.0 for label in labels]
    penalty = 1e-3

    def sample_loss(x: list[Value], y: Value) -> Value:
        score = model(x)
        l2 = sum((p * p for p in model.parameters()), Constant(0.0))
        return (1 - y * score).relu() + penalty * l2

    params = model.parameters()
    loss, grads = batched(sample_loss, params, xs, ys)
    eager_loss, eager_grads = eager_mean(sample_loss, params, xs, ys)
    assert loss == pytest.approx(eager_loss, rel=1e-12)
    assert_close(grads, eager_grads)


def _operands(op: Op, rng: random.Random) -> tuple[float, ...]:
    """Numbers inside the op's domain (log and sqrt of positives, a positive base for ** with a Value exponent)."""
    positive = {"log", "sqrt", "**", "/"}
    a = rng.uniform(0.2, 3.0) if op.name in positive else rng.uniform(-3.0, 3.0)
    return (a, rng.uniform(0.5, 2.0)) if op.arity == 2 else (a,)


@pytest.mark.parametrize("op", BUILT_IN_OPS, ids=lambda op: op.name)
def test_every_op_of_the_table_gives_eager_gradients_towards_samples_and_parameters(op: Op) -> None:
    rng = random.Random(op.name)
    w, v = Value(0.7, "w"), Value(1.3, "v")
    samples = [_operands(op, rng) for _ in range(25)]
    columns = [[s[k] for s in samples] for k in range(op.arity)]

    def with_the_op(*xs: Value) -> Value:  # each input a sample's number scaled by a parameter (both need grads)
        scaled = [xs[0] * w] + ([xs[1] * v] if op.arity == 2 else [])
        return op(*scaled) * v

    loss, grads = batched(with_the_op, [w, v], *columns)
    eager_loss, eager_grads = eager_mean(with_the_op, [w, v], *columns)
    assert loss == pytest.approx(eager_loss, rel=1e-13)
    assert_close(grads, eager_grads)


def test_every_op_of_the_engine_has_an_array_form() -> None:
    missing = [op.name for op in BUILT_IN_OPS if array_form(op) is None]
    assert missing == [], f"ops with no array form in autograd.batching: {missing}"


def test_relu_and_abs_at_zero_have_slope_zero_as_eagerly() -> None:
    w = Value(1.0, "w")
    batch(lambda x: (w * x).relu() + (w * x).abs())([0.0, 0.0])
    assert w.grad == 0.0


def test_nan_in_gives_nan_out_and_overflow_gives_infinity_as_eagerly() -> None:
    w = Value(2.0, "w")
    step = batch(lambda x: (w * x).exp())
    assert math.isnan(step([1.0, math.nan]))
    assert math.isnan(w.grad)
    assert step.values([1000.0, 1.0])[0] == math.inf
    assert step.values([-1000.0])[0] == 0.0


def test_a_loss_that_does_not_depend_on_the_sample_is_its_own_mean() -> None:
    w = Value(3.0, "w")
    assert batch(lambda x: w * w)([1.0, 2.0, 5.0]) == 9.0
    assert w.grad == 6.0


def test_values_gives_each_samples_output_as_eager() -> None:
    model = MLP(2, [4, 1], activation="tanh", seed=1)
    points = [[0.5, -1.0], [2.0, 0.25], [-1.5, 3.0]]
    outputs = batch(lambda x: model(x)).values(points)
    with no_grad():
        assert outputs.tolist() == pytest.approx([model(p).data for p in points], rel=1e-14)
    assert all(p.grad == 0.0 for p in model.parameters())


def test_gradients_add_up_across_calls_as_backward_does() -> None:
    w = Value(1.0, "w")
    step = batch(lambda x: w * x)
    step([1.0, 3.0])
    step([1.0, 3.0])
    assert w.grad == 4.0


def test_inside_no_grad_a_call_gives_the_loss_and_touches_no_grad() -> None:
    w = Value(1.0, "w")
    with no_grad():
        assert batch(lambda x: w * x)([1.0, 3.0]) == 2.0
    assert w.grad == 0.0


def test_training_with_sgd_follows_the_eager_loss_curve_to_1e_9_over_20_steps() -> None:
    xs, labels = make_moons(120, noise=0.1, seed=1)
    ys = [2.0 * label - 1.0 for label in labels]
    curves = []
    for replayed in (True, False):
        model = MLP(2, [16, 16, 1], activation="relu", seed=0)
        optimizer = SGD(model.parameters(), lr=0.1)

        def sample_loss(x: list[Value], y: Value, model: MLP = model) -> Value:
            return (1 - y * model(x)).relu()

        step = batch(sample_loss)
        curve = []
        for _ in range(20):
            optimizer.zero_grad()
            if replayed:
                curve.append(step(xs, ys))
            else:
                loss, grads = eager_mean(sample_loss, model.parameters(), xs, ys)
                for p, g in zip(model.parameters(), grads):
                    p.grad = g
                curve.append(loss)
            optimizer.step()
        curves.append(curve)
    assert curves[0][-1] < curves[0][0]  # it learns
    assert max(abs(a - b) for a, b in zip(*curves)) < 1e-9


def test_calls_from_two_threads_lose_no_gradient() -> None:
    w = Value(1.0, "w")
    step = batch(lambda x: w * x)
    step([1.0])  # traced once, before the threads

    def calls() -> None:
        for _ in range(200):
            step([2.0, 2.0])

    threads = [threading.Thread(target=calls) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert w.grad == 1.0 + 2 * 200 * 2.0


# ---------------------------------------------------------------------- failures are clear, never silently wrong


def test_a_python_branch_on_a_samples_number_is_refused_when_traced() -> None:
    w = Value(0.5, "w")

    def branching(x: Value) -> Value:
        z = w * x
        if z.data > 0:  # a decision on one sample's number: the others may need the other branch
            return z
        return z * 0.1

    with pytest.raises(BatchTraceError, match=r"depends on the sample.*test_batch\.py.*if z\.data > 0"):
        batch(branching)([1.0, -2.0])


def test_reading_a_parameters_number_is_refused_when_traced() -> None:
    w = Value(0.5, "w")
    with pytest.raises(BatchTraceError, match=r"parameter.*'w'.*stale"):
        batch(lambda x: x * w.data)([1.0, 2.0])


def test_a_node_made_before_the_call_is_refused() -> None:
    w = Value(0.5, "w")
    twice = w * 2
    with pytest.raises(BatchTraceError, match="before it was called"):
        batch(lambda x: x * twice)([1.0, 2.0])


@pytest.mark.parametrize(
    ("fn", "xs", "error", "words"),
    [
        (lambda w, x: (w * x).log(), [1.0, 2.0, 0.5, -1.0, -2.0], ValueError, r"sample 3 .*log"),
        (lambda w, x: w / x, [1.0, 2.0, 4.0, 8.0, 0.0, 0.0], ZeroDivisionError, r"sample 4 .*/"),
        (lambda w, x: (w * x).sqrt(), [4.0, -4.0], ValueError, r"sample 1 .*square root"),
        (lambda w, x: w * x - w * x * math.inf, [1.0, 0.0], ValueError, r"sample 1 "),
    ],
)
def test_an_op_undefined_for_one_sample_names_the_op_and_the_first_such_sample(
    fn: Callable[[Value, Value], Value], xs: list[float], error: type[Exception], words: str
) -> None:
    w = Value(1.0, "w")
    with pytest.raises(error, match=words):
        batch(lambda x: fn(w, x))(xs)
    assert w.grad == 0.0  # nothing half-written


def test_an_op_undefined_for_the_traced_sample_names_sample_0() -> None:
    w = Value(1.0, "w")
    with pytest.raises(ValueError, match=r"sample 0 .*log"):
        batch(lambda x: (w * x).log())([-1.0, 2.0])


def test_a_users_op_without_an_array_form_works_one_sample_at_a_time_with_a_warning() -> None:
    cube = Op("cube_for_batch", forward=lambda a: a**3, local_grads=lambda out, a: 3 * a**2)
    w = Value(0.5, "w")
    xs = [1.0, -2.0, 3.0]
    with pytest.warns(NoArrayFormWarning, match=r"'cube_for_batch'.*register_array_form"):
        loss, grads = batched(lambda x: cube(w * x), [w], xs)
    assert loss == pytest.approx(sum((0.5 * x) ** 3 for x in xs) / 3, rel=1e-15)
    assert grads[0] == pytest.approx(sum(3 * (0.5 * x) ** 2 * x for x in xs) / 3, rel=1e-15)


def test_a_users_op_with_a_registered_array_form_gives_the_same_numbers_without_warning() -> None:
    cube = Op("cube_with_form", forward=lambda a: a**3, local_grads=lambda out, a: 3 * a**2)
    register_array_form(cube, forward=lambda a: a**3, local_grads=lambda out, a: (3 * a**2,))
    try:
        w = Value(0.5, "w")
        xs = [1.0, -2.0, 3.0]

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loss, grads = batched(lambda x: cube(w * x), [w], xs)
        eager_loss, eager_grads = eager_mean(lambda x: cube(w * x), [w], xs)
        assert loss == pytest.approx(eager_loss, rel=1e-15)
        assert grads == pytest.approx(eager_grads, rel=1e-15)
    finally:
        del ARRAY_FORMS[cube]


def test_an_error_in_a_users_op_names_the_sample() -> None:
    def forward(a: float) -> float:
        if a > 2.0:
            raise ValueError("defined up to 2 only")
        return a

    capped = Op("capped_for_batch", forward=forward, local_grads=lambda out, a: 1.0)
    w = Value(1.0, "w")
    with pytest.warns(NoArrayFormWarning), pytest.raises(ValueError, match=r"sample 2 .*defined up to 2 only"):
        batch(lambda x: capped(w * x))([1.0, 2.0, 3.0])


def test_a_value_exponent_with_a_negative_base_is_refused_as_eagerly() -> None:
    p = Value(2.0, "p")
    with pytest.raises(ValueError, match=r"sample 1 .*slope"):
        batch(lambda x: x**p)([2.0, -2.0])


def test_labels_and_op_names_stay_in_comments_of_the_generated_code() -> None:
    w = Value(2.0, "w\nimport os; os.sep = 'hacked'  #")
    step = batch(lambda x: w * x)
    assert step([1.0, 2.0]) == 3.0
    assert all(not line.lstrip().startswith("import") for line in step.source.splitlines())
    assert "hacked" not in "".join(line.split("#")[0] for line in step.source.splitlines())


def test_the_source_replays_a_layers_weighted_sums_as_one_matrix_product() -> None:
    model = MLP(3, [4, 1], activation="relu", seed=0)
    step = batch(lambda x: model(x))
    step([[1.0, 2.0, 3.0]])
    assert "np.stack((x0, x1, x2,))" in step.source
    assert "4 weighted sums of 3" in step.source  # the hidden layer: z = W @ X, W a 4 × 3 matrix
    assert "1 weighted sums of 4" in step.source  # the output neuron


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        (([1.0, 2.0], [1.0]), ValueError, "x has 2 and y has 1"),
        (([], []), ValueError, "no samples"),
        ((["a", "b"], [1.0, 2.0]), TypeError, "x must be numbers"),
        ((1.0, [1.0]), ValueError, "single number"),
    ],
)
def test_bad_batches_are_refused_clearly(args: tuple[Any, ...], error: type[Exception], words: str) -> None:
    w = Value(1.0, "w")
    with pytest.raises(error, match=words):
        batch(lambda x, y: w * x - y)(*args)


def test_a_function_that_does_not_return_a_value_is_refused() -> None:
    with pytest.raises(TypeError, match="must return one Value"):
        batch(lambda x: [x, x])([1.0])


def test_without_numpy_the_message_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(ImportError, match=r"scalar-autograd\[batch\]"):
        batch(lambda x: x * 2)([1.0])


def test_the_built_in_array_forms_are_ops_of_the_table() -> None:
    array_form(OPS["+"])
    assert set(BUILT_IN_OPS) <= set(ARRAY_FORMS)


def test_weighted_sums_with_computed_weights_shared_outputs_and_no_bias_give_eager_gradients() -> None:
    """The paths beside a plain MLP: a weight computed from parameters, a neuron read twice, a sum with no bias."""
    rng = random.Random(7)
    w = [Value(rng.uniform(-1, 1), f"w{k}") for k in range(6)]
    b = Value(0.3, "b")

    def sample_loss(x: list[Value], y: Value) -> Value:
        first = b + (w[0] * 2) * x[0] + w[1] * x[1] + w[2] * x[2]  # a computed weight: gathered one by one
        second = w[3] * x[0] + w[4] * x[1] + w[5] * x[2]  # starts from a product, not a bias
        a, c = first.tanh(), second.sigmoid()
        return (a * c + a - y) ** 2 + first * 0.1  # `first` read twice, `a` twice

    xs = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(40)]
    ys = [rng.uniform(-1, 1) for _ in range(40)]
    loss, grads = batched(sample_loss, [*w, b], xs, ys)
    eager_loss, eager_grads = eager_mean(sample_loss, [*w, b], xs, ys)
    assert loss == pytest.approx(eager_loss, rel=1e-13)
    assert_close(grads, eager_grads)


@pytest.mark.parametrize("page", ["how-to/batch.md", "explanation/batch-speed.md"])
def test_the_docs_pages_examples_run(page: str) -> None:
    """The pages' Python blocks, run in order as one script."""
    import re
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "docs" / page
    namespace: dict[str, Any] = {}
    for block in re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
        exec(compile(block, str(path), "exec"), namespace)


def test_importing_autograd_does_not_import_numpy() -> None:
    import subprocess

    code = "import sys, autograd; from autograd import batch; print('numpy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_no_grad_inside_the_function_is_replayed_with_no_gradient_through_it_as_eagerly() -> None:
    w = Value(1.5, "w")

    def sample_loss(x: Value) -> Value:
        with no_grad():
            frozen = w * x  # a number of the sample, but no gradient flows back through it
        return frozen * w + x

    xs = [1.0, -2.0, 0.5]
    loss, grads = batched(sample_loss, [w], xs)
    assert loss == pytest.approx(eager_mean(sample_loss, [w], xs)[0], rel=1e-15)
    assert grads == pytest.approx([sum(1.5 * x for x in xs) / 3], rel=1e-15)  # ∂/∂w of (w·x)·w, w·x frozen


def test_a_leaf_output_and_samples_that_are_matrices_replay_too() -> None:
    w = Value(2.0, "w")
    assert batch(lambda x: x).values([1.0, 3.0]).tolist() == [1.0, 3.0]
    assert batch(lambda x: w)([1.0, 3.0]) == 2.0 and w.grad == 1.0
    w.grad = 0.0
    samples = np.arange(8.0).reshape(2, 2, 2)  # each sample a 2 × 2 matrix, reaching fn as a list of lists
    assert batch(lambda m: m[0][0] * w + m[1][1])(samples) == (0 * 2 + 3 + 4 * 2 + 7) / 2
    assert w.grad == (0 + 4) / 2


def test_zero_times_infinity_inside_a_weighted_sum_names_the_sample_as_eagerly() -> None:
    w1, w2, b = Value(0.0, "w1"), Value(1.0, "w2"), Value(0.5, "b")
    weighted_sum = batch(lambda x1, x2: b + w1 * x1 + w2 * x2)  # replayed as a matrix product
    with pytest.raises(ValueError, match=r"sample 2 .*a · b with a = 0.0, b = inf"):
        weighted_sum([1.0, 2.0, math.inf], [1.0, 1.0, 1.0])
