"""The training doctor's warnings: each raised exactly when it should be, once, silent on a healthy loop,
silenceable, and never changing a number."""

import math
import warnings

import pytest

from autograd import Value
from autograd.doctor import (
    GradientAccumulationWarning,
    NoGradientWarning,
    NonFiniteLossWarning,
    RisingLossWarning,
    TrainingWarning,
    watch,
)
from autograd.nn import MLP, Neuron, Parameter, mse_loss
from autograd.optim import SGD, Adam

XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]  # micrograd's lecture's four samples


def caught_while(run):
    """The doctor's warnings raised while `run()` runs, each shown (no "once per line" filter of Python's)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run()
    return [w for w in caught if issubclass(w.category, TrainingWarning)]


def healthy_loop(optimizer_class, zeroing, steps=30, **options):
    model = MLP(3, [4, 4, 1], seed=0)
    optimizer = optimizer_class(model.parameters(), **options)
    losses = []
    for _ in range(steps):
        loss = mse_loss([model(x) for x in XS], YS)
        if zeroing == "optimizer":
            optimizer.zero_grad()
        elif zeroing == "model":
            model.zero_grad()
        else:
            for p in model.parameters():
                p.grad = 0.0
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    return losses


# ---------------------------------------------------------------- healthy loops stay silent


@pytest.mark.parametrize("zeroing", ["optimizer", "model", "by hand"])
@pytest.mark.parametrize(("optimizer_class", "options"), [(SGD, {"lr": 0.05}), (Adam, {"lr": 0.01})])
def test_a_healthy_loop_gets_no_warning_whoever_zeroes_the_gradients(zeroing, optimizer_class, options):
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        losses = healthy_loop(optimizer_class, zeroing, **options)
    assert losses[-1] < losses[0] / 2  # and it trained


def test_the_corrected_lecture_loop_with_no_optimiser_gets_no_warning():
    model = MLP(3, [4, 4, 1], output_activation="tanh", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        for _ in range(40):
            loss = sum((yout - ygt) ** 2 for ygt, yout in zip(YS, [model(x) for x in XS]))
            for p in model.parameters():
                p.grad = 0.0
            loss.backward()
            for p in model.parameters():
                p.data += -0.1 * p.grad
    assert loss.data < 0.05


# ---------------------------------------------------------------- gradients summed over several backward() calls


def test_a_forgotten_zero_grad_warns_once_at_the_second_step_saying_how_many_backward_calls():
    w = Value(1.0, "w")
    optimizer = SGD([w], lr=0.01)
    by_step = []
    for _ in range(5):
        loss = (w * 3.0 - 1.0) ** 2
        loss.backward()
        by_step.append(caught_while(optimizer.step))
    assert [len(caught) for caught in by_step] == [0, 1, 0, 0, 0]
    (warning,) = by_step[1]
    assert warning.category is GradientAccumulationWarning
    assert "summed over 2 backward() calls" in str(warning.message)
    assert "optimizer.zero_grad()" in str(warning.message)
    assert "filterwarnings('ignore'" in str(warning.message)  # how to silence deliberate accumulation


def test_the_warning_points_at_the_learners_own_line():
    w = Value(1.0, "w")
    optimizer = SGD([w], lr=0.01)
    for _ in range(2):
        (w * 2.0).backward()
        caught = caught_while(lambda: optimizer.step())
    assert caught[0].filename == __file__


@pytest.mark.parametrize("calls", [2, 3])
def test_several_backward_calls_between_zero_grad_and_step_are_counted(calls):
    a, b = Value(1.0, "a"), Value(2.0, "b")
    optimizer = Adam([a, b], lr=0.01)
    optimizer.zero_grad()

    def accumulate_then_step():
        for batch in range(calls):
            (a * b * (batch + 1)).backward()
        optimizer.step()

    (warning,) = caught_while(accumulate_then_step)
    assert f"summed over {calls} backward() calls" in str(warning.message)


def test_a_backward_pass_that_does_not_reach_the_parameters_is_not_counted():
    w, other = Value(1.0, "w"), Value(5.0, "other")
    optimizer = SGD([w], lr=0.01)

    def step():
        optimizer.zero_grad()
        (w * 2.0).backward()
        (other * 3.0).backward()  # another graph: w's gradient holds one backward()
        optimizer.step()

    assert caught_while(lambda: [step() for _ in range(3)]) == []


def test_deliberate_accumulation_is_silenced_by_its_category_and_by_the_base_category():
    for category in (GradientAccumulationWarning, TrainingWarning):
        w = Value(1.0, "w")
        optimizer = SGD([w], lr=0.01)
        with warnings.catch_warnings():
            warnings.simplefilter("error", TrainingWarning)
            warnings.filterwarnings("ignore", category=category)
            for _ in range(3):
                (w * 2.0).backward()
                (w * 2.0).backward()
                optimizer.step()


def test_the_warning_changes_no_number_the_buggy_loop_runs_as_plain_floats_say():
    # Without zero_grad the gradient after step k is the sum of the k gradients so far: the bug, reproduced exactly.
    def run(action):
        w = Value(0.3, "w")
        optimizer = SGD([w], lr=0.01)
        path = []
        with warnings.catch_warnings(record=True):
            warnings.simplefilter(action, TrainingWarning)
            for _ in range(6):
                (w * w * 2.0).backward()
                optimizer.step()
                path.append(w.data)
        return path

    by_hand, w, grad = [], 0.3, 0.0
    for _ in range(6):
        grad = grad + w * 2.0  # d(2w·w)/dw: 2w from each of the two edges, added to what was there
        grad = grad + w * 2.0
        w = w - 0.01 * grad
        by_hand.append(w)
    assert run("always") == run("ignore") == by_hand


@pytest.fixture
def fresh_session(monkeypatch):
    """As in a fresh notebook: the walks through the graph have not used up their share of the time yet."""
    monkeypatch.setattr(watch, "_lecture_loop", watch._LectureLoopCheck())


def test_the_lecture_loop_that_forgets_to_zero_the_gradients_warns_at_its_second_backward(fresh_session):
    # micrograd's lecture, as first written: no optimiser, p.data updated by hand, no p.grad = 0.0.
    model = MLP(3, [4, 4, 1], output_activation="tanh", seed=0)
    warned_at = []
    for k in range(20):
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(YS, [model(x) for x in XS]))
        caught = caught_while(loss.backward)
        if caught:
            warned_at.append(k)
            assert caught[0].category is GradientAccumulationWarning
            assert "41 parameters" in str(caught[0].message)  # (3 + 1)·4 + (4 + 1)·4 + (4 + 1)·1
        for p in model.parameters():
            p.data += -0.1 * p.grad
    assert warned_at == [1]


def test_calling_backward_twice_on_one_graph_before_any_update_is_not_the_lecture_bug():
    x = Value(2.0, "x")
    y = x * x
    assert caught_while(lambda: (y.backward(), y.backward())) == []
    assert x.grad == 8.0


# ---------------------------------------------------------------- a parameter that never gets a gradient


def leaky_model_loop(steps, leak=True):
    neuron = Neuron(2, activation="linear", seed=0)
    optimizer = SGD(neuron.parameters(), lr=0.05)
    by_step = []
    for _ in range(steps):
        optimizer.zero_grad()
        x = [1.0, -1.0]
        w0 = neuron.w[0].data if leak else neuron.w[0]  # the .data leak: a plain number, no edge back to w0
        z = neuron.b + w0 * x[0] + neuron.w[1] * x[1]
        ((z - 2.0) ** 2).backward()
        by_step.append(caught_while(optimizer.step))
    return by_step


def test_a_data_leak_warns_after_three_steps_naming_the_parameter_cut_off():
    by_step = leaky_model_loop(6)
    assert [len(caught) for caught in by_step] == [0, 0, 1, 0, 0, 0]
    (warning,) = by_step[2]
    assert warning.category is NoGradientWarning
    assert "parameter 0 ('w0')" in str(warning.message)
    assert ".data" in str(warning.message)


def test_the_same_network_without_the_leak_gets_no_warning():
    assert all(caught == [] for caught in leaky_model_loop(6, leak=False))


def test_a_layer_that_is_never_called_warns():
    model = MLP(2, [3, 1], seed=0)
    spare = Parameter(0.5, "spare")  # given to the optimiser, used nowhere
    optimizer = SGD([*model.parameters(), spare], lr=0.05)
    caught = []
    for _ in range(3):
        optimizer.zero_grad()
        mse_loss(model([1.0, 2.0]), 0.5).backward()
        caught += caught_while(optimizer.step)
    assert [w.category for w in caught] == [NoGradientWarning]
    assert "parameter 13 ('spare')" in str(caught[0].message)


def test_a_dead_relu_in_the_graph_is_not_reported_as_cut_off():
    neuron = Neuron(1, activation="relu", seed=0)
    neuron.w[0].data, neuron.b.data = 1.0, -10.0  # never active on these inputs: zero gradients, but in the graph
    optimizer = SGD(neuron.parameters(), lr=0.01)
    caught = []
    for _ in range(5):
        optimizer.zero_grad()
        ((neuron([1.0]) - 1.0) ** 2).backward()
        assert neuron.w[0].grad == 0.0
        caught += caught_while(optimizer.step)
    assert caught == []


# ---------------------------------------------------------------- a loss that is NaN or infinite


def test_an_infinite_loss_warns_at_backward_naming_the_first_value_that_overflowed():
    w = Value(800.0, "w")
    optimizer = SGD([w], lr=0.1)
    grown = w.exp()
    grown.label = "grown"
    loss = grown * 2.0 + 1.0
    (warning,) = caught_while(loss.backward)
    assert warning.category is NonFiniteLossWarning
    message = str(warning.message)
    assert message.startswith("the loss is inf")
    assert "'grown' = exp(800.0) = inf: the op 'exp' made it" in message
    with pytest.raises(ValueError, match="no parameter was changed"):  # and step() refuses, as before
        optimizer.step()


def test_a_nan_loss_names_the_leaf_it_came_from():
    w = Value(1.0, "w")
    optimizer = SGD([w], lr=0.1)
    x = Value(math.nan, "x")
    (warning,) = caught_while(((w * x - 1.0) ** 2).backward)
    assert optimizer.params == [w]
    assert "a leaf (an input or a parameter) 'x' whose data is nan" in str(warning.message)


def test_a_nan_value_outside_any_training_loop_is_not_called_a_loss():
    x = Value(math.nan, "x")
    assert caught_while((x * 2.0).backward) == []


# ---------------------------------------------------------------- a loss that keeps rising


def quadratic_run(lr, steps=12):
    w = Value(1.0, "w")
    optimizer = SGD([w], lr=lr)
    by_step = []
    for _ in range(steps):
        optimizer.zero_grad()
        (w * w).backward()  # minimum at 0; lr > 1 overshoots further at every step
        by_step.append(caught_while(optimizer.step))
    return by_step


def test_a_loss_rising_five_steps_in_a_row_warns_that_the_learning_rate_is_too_large():
    by_step = quadratic_run(lr=1.1)
    # losses 1, 1.44, 2.07, 2.99, 4.30, 6.19: the sixth step is the fifth rise
    assert [len(caught) for caught in by_step] == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    (warning,) = by_step[5]
    assert warning.category is RisingLossWarning
    assert "lr=1.1" in str(warning.message) and "from 1 to 6.192" in str(warning.message)


def test_the_loss_followed_is_each_steps_own_even_when_the_gradients_are_never_zeroed():
    w = Value(1.0, "w")
    optimizer = SGD([w], lr=0.01)
    caught = []
    for _ in range(8):
        (w * w).backward()  # no zero_grad: the gradients pile up, but each step's loss w² still falls
        caught += caught_while(optimizer.step)
    assert [warning.category for warning in caught] == [GradientAccumulationWarning]
    assert optimizer.watch.losses == sorted(optimizer.watch.losses, reverse=True)


def test_a_loss_that_falls_or_barely_rises_gets_no_warning():
    assert all(caught == [] for caught in quadratic_run(lr=0.1))
    assert all(caught == [] for caught in quadratic_run(lr=1.0 + 1e-3))  # rising, but by under 1.5× in 5 steps


# ---------------------------------------------------------------- once, and only for the right optimiser


def test_a_non_finite_loss_is_reported_once_per_optimiser():
    w = Value(800.0, "w")
    optimizer = SGD([w], lr=0.1)
    first = caught_while((w.exp() * 2.0).backward)
    optimizer.zero_grad()
    again = caught_while((w.exp() * 3.0).backward)
    assert [len(first), len(again)] == [1, 0]


def test_two_models_trained_side_by_side_are_counted_apart():
    a, b = Value(1.0, "a"), Value(2.0, "b")
    first, second = SGD([a], lr=0.01), SGD([b], lr=0.01)
    caught = []
    for _ in range(3):
        first.zero_grad()  # only the first optimiser's gradients are zeroed
        (a * 3.0).backward()
        (b * 3.0).backward()
        caught += caught_while(first.step) + caught_while(second.step)
    assert len(caught) == 1 and "SGD.step() is using gradients summed over 2" in str(caught[0].message)
    assert (first.watch.backward_calls, second.watch.backward_calls) == (1, 3)


def test_accumulating_by_hand_over_two_batches_per_update_is_not_the_lecture_bug(fresh_session):
    model = MLP(3, [4, 1], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        for _ in range(6):
            for p in model.parameters():
                p.grad = 0.0
            for half in (XS[:2], XS[2:]):  # two batches, one update: the gradients add up on purpose
                sum(model(x) ** 2 for x in half).backward()
            for p in model.parameters():
                p.data -= 0.01 * p.grad
