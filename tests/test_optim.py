"""Optimisers: every update against numbers computed by hand."""

import math

import pytest

from autograd import Value
from autograd.nn import MLP, half_mse_loss
from autograd.optim import SGD, Adam


def with_grad(data: float, grad: float, label: str = "") -> Value:
    value = Value(data, label)
    value.grad = grad
    return value


# ---------------------------------------------------------------------- SGD


def test_sgd_does_the_seeds_single_weight_update():
    # The seed: z = wx + b, a = σ(z), L = ½(a − y)², with w = 0.5, x = 1.5, b = 0.1, y = 1, η = 0.1.
    w, b = Value(0.5, "w"), Value(0.1, "b")
    loss = half_mse_loss((w * 1.5 + b).sigmoid(), 1.0)
    loss.backward()
    SGD([w, b], lr=0.1).step()
    a = 1 / (1 + math.exp(-0.85))  # σ(0.85) = 0.70057
    dl_dw = (a - 1.0) * a * (1 - a) * 1.5  # (a − y) · σ'(z) · x = −0.094219
    assert dl_dw == pytest.approx(-0.0942193130, abs=1e-10)
    assert w.data == pytest.approx(0.5 - 0.1 * dl_dw) == pytest.approx(0.5094219313, abs=1e-10)
    assert b.data == pytest.approx(0.1 - 0.1 * dl_dw / 1.5)


def test_sgd_step_is_w_minus_lr_times_grad():
    w = with_grad(0.5, 0.025)
    SGD([w], lr=0.1).step()
    assert w.data == pytest.approx(0.4975)


def test_sgd_weight_decay_adds_lambda_w_to_the_gradient():
    w = with_grad(2.0, 0.5)
    SGD([w], lr=0.1, weight_decay=0.01).step()
    assert w.data == pytest.approx(2.0 - 0.1 * (0.5 + 0.01 * 2.0))  # 1.948


def test_sgd_momentum_accumulates_velocity_the_pytorch_way():
    w = with_grad(1.0, 1.0)
    optimizer = SGD([w], lr=0.1, momentum=0.9)
    optimizer.step()  # v = 1,                w = 1 − 0.1 · 1 = 0.9
    assert (optimizer.velocities, w.data) == ([1.0], pytest.approx(0.9))
    w.grad = 0.5
    optimizer.step()  # v = 0.9 · 1 + 0.5 = 1.4, w = 0.9 − 0.1 · 1.4 = 0.76
    assert optimizer.velocities == [pytest.approx(1.4)]
    assert w.data == pytest.approx(0.76)


def test_sgd_with_momentum_and_weight_decay_decays_before_the_velocity():
    w = with_grad(2.0, 0.5)
    optimizer = SGD([w], lr=0.1, momentum=0.5, weight_decay=0.1)
    optimizer.step()  # g = 0.5 + 0.2 = 0.7, v = 0.7, w = 2 − 0.07 = 1.93
    optimizer.step()  # g = 0.5 + 0.193 = 0.693, v = 0.35 + 0.693 = 1.043, w = 1.93 − 0.1043
    assert w.data == pytest.approx(1.93 - 0.1043)


def test_lr_may_change_between_steps():
    w = with_grad(1.0, 1.0)
    optimizer = SGD([w], lr=0.5)
    optimizer.step()
    optimizer.lr = 0.25
    optimizer.step()
    assert w.data == pytest.approx(1.0 - 0.5 - 0.25)


def test_step_changes_only_data_and_records_no_graph():
    w = with_grad(1.0, 2.0)
    SGD([w], lr=0.1).step()
    assert (w.grad, w.parents, w.op) == (2.0, (), "")


def test_zero_grad_clears_the_gradients():
    a, b = with_grad(1.0, 3.0), with_grad(2.0, -1.0)
    SGD([a, b], lr=0.1).zero_grad()
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_sgd_trains_a_models_parameters():
    model = MLP(1, [1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    for _ in range(200):
        loss = half_mse_loss([model([x]) for x in [0.0, 1.0, 2.0]], [1.0, 3.0, 5.0])  # y = 2x + 1
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    neuron = model.layers[0].neurons[0]
    assert (neuron.w[0].data, neuron.b.data) == (pytest.approx(2.0, abs=1e-3), pytest.approx(1.0, abs=1e-3))


# ---------------------------------------------------------------------- Adam


def test_adam_first_step_moves_each_parameter_by_lr_against_its_gradient():
    big, small = with_grad(1.0, 40.0), with_grad(1.0, -0.001)
    Adam([big, small], lr=0.1).step()
    # m̂ = g and v̂ = g², so the step is lr · g / (|g| + eps)
    assert big.data == pytest.approx(1.0 - 0.1 * 40.0 / (40.0 + 1e-8), abs=1e-12)
    assert small.data == pytest.approx(1.0 + 0.1 * 0.001 / (0.001 + 1e-8), abs=1e-12)


def test_adam_second_step_by_hand():
    w = with_grad(1.0, 2.0)
    optimizer = Adam([w], lr=0.1, betas=(0.9, 0.999), eps=1e-8)
    optimizer.step()
    w.grad = -1.0
    optimizer.step()
    m = 0.9 * (0.1 * 2.0) + 0.1 * -1.0  # 0.08
    v = 0.999 * (0.001 * 4.0) + 0.001 * 1.0  # 0.004996
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    assert optimizer.first_moments == [pytest.approx(m)]
    assert optimizer.second_moments == [pytest.approx(v)]
    assert optimizer.step_count == 2
    after_first_step = 1.0 - 0.1 * 2.0 / (2.0 + 1e-8)
    assert w.data == pytest.approx(after_first_step - 0.1 * m_hat / (math.sqrt(v_hat) + 1e-8), abs=1e-12)


def test_adam_weight_decay_adds_lambda_w_to_the_gradient():
    w = with_grad(2.0, 0.0)
    Adam([w], lr=0.1, weight_decay=0.5).step()  # g = 1, so the first step is −lr
    assert w.data == pytest.approx(1.9)


def test_adam_defaults_are_pytorchs():
    optimizer = Adam([Value(1.0)])
    assert (optimizer.lr, optimizer.betas, optimizer.eps, optimizer.weight_decay) == (1e-3, (0.9, 0.999), 1e-8, 0.0)


# ---------------------------------------------------------------------- errors


def test_passing_a_model_instead_of_its_parameters_gives_a_hint():
    with pytest.raises(TypeError, match=r"did you mean model.parameters\(\)"):
        SGD(MLP(2, [1]), lr=0.1)


def test_an_empty_parameter_list_is_refused():
    with pytest.raises(ValueError, match="empty list of parameters"):
        Adam([])


def test_a_parameter_listed_twice_is_refused():
    w = Value(1.0)
    with pytest.raises(ValueError, match="appears twice"):
        SGD([w, w], lr=0.1)


@pytest.mark.parametrize("lr", [-0.1, math.nan, "0.1"])
def test_a_bad_learning_rate_is_refused(lr):
    with pytest.raises(ValueError, match="lr must be a finite number ≥ 0"):
        SGD([Value(1.0)], lr=lr)


def test_a_bad_learning_rate_set_between_steps_is_refused_at_the_step():
    optimizer = SGD([with_grad(1.0, 1.0)], lr=0.1)
    optimizer.lr = -1.0
    with pytest.raises(ValueError, match=r"lr must be a finite number ≥ 0, but is -1\.0"):
        optimizer.step()


def test_adam_refuses_a_beta_of_one():
    with pytest.raises(ValueError, match=r"betas\[1\] in \[0, 1\)"):
        Adam([Value(1.0)], betas=(0.9, 1.0))


# ---------------------------------------------------------------------- settings checked first, steps never half-taken


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: Adam(p, eps=0), r"eps must be a finite number > 0, but is 0"),
        (lambda p: Adam(p, eps=math.inf), r"eps must be a finite number > 0"),
        (lambda p: Adam(p, betas=(-0.1, 0.999)), r"betas\[0\] must be a finite number ≥ 0"),
        (lambda p: Adam(p, betas=(0.9, math.nan)), r"betas\[1\] must be a finite number ≥ 0"),
        (lambda p: Adam(p, weight_decay=-1), r"weight_decay must be a finite number ≥ 0"),
        (lambda p: SGD(p, lr=0.1, momentum=1.0), r"need momentum in \[0, 1\)"),
        (lambda p: SGD(p, lr=0.1, momentum=math.nan), r"momentum must be a finite number ≥ 0"),
        (lambda p: SGD(p, lr=0.1, weight_decay=math.inf), r"weight_decay must be a finite number ≥ 0"),
        (lambda p: SGD(p, lr=10**400), r"lr must be a finite number, but was given one too large to be a float"),
        (lambda p: SGD(p, lr=1j), r"lr must be a finite number ≥ 0, but is complex"),
    ],
)
def test_every_setting_is_checked_when_the_optimiser_is_made(make, message):
    with pytest.raises(ValueError, match=message):
        make([Value(1.0)])


def test_settings_that_are_numbers_of_other_kinds_are_accepted():
    from fractions import Fraction

    import numpy as np

    w = with_grad(1.0, 2.0)
    SGD([w], lr=Fraction(1, 10), momentum=np.float32(0.5)).step()
    assert w.data == pytest.approx(0.8)


def test_adam_with_a_zero_gradient_does_not_move_and_does_not_divide_by_zero():
    w, b = with_grad(1.0, 0.0), with_grad(2.0, 0.0)
    Adam([w, b], lr=0.1).step()
    assert (w.data, b.data) == (1.0, 2.0)


@pytest.mark.parametrize("optimizer_class", [SGD, Adam])
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_non_finite_gradient_is_refused_naming_the_parameter_and_nothing_moves(optimizer_class, bad):
    w, b = with_grad(1.0, 0.5), with_grad(2.0, bad)
    w.label, b.label = "w", "b"
    optimizer = optimizer_class([w, b], lr=0.1, momentum=0.9) if optimizer_class is SGD else Adam([w, b], lr=0.1)
    before = dict(vars(optimizer))
    with pytest.raises(ValueError, match=r"gradient of parameter 1 \('b'\) is (nan|inf), so no parameter was changed"):
        optimizer.step()
    assert (w.data, b.data) == (1.0, 2.0)  # w, first in the list, did not move either
    assert vars(optimizer) == before  # nor did the velocities, moments or step count


def test_a_step_that_would_overflow_is_refused_and_nothing_moves():
    w, b = with_grad(1.0, 1.0), with_grad(2.0, 1e308)
    with pytest.raises(ValueError, match=r"would move parameter 1 from 2\.0 to -inf"):
        SGD([w, b], lr=1e10).step()
    assert (w.data, b.data) == (1.0, 2.0)


def test_a_setting_changed_between_steps_is_checked_at_the_step():
    w = with_grad(1.0, 0.0)
    optimizer = Adam([w])
    optimizer.eps = 0
    with pytest.raises(ValueError, match="eps must be a finite number > 0"):
        optimizer.step()
    assert w.data == 1.0 and optimizer.step_count == 0
