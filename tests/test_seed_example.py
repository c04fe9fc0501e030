"""The seed document's worked example, z = wx + b, a = σ(z), L = ½(a − y)², step by step."""

import math

import pytest

from autograd import Value

W, X, B, Y, LR = 0.5, 1.5, 0.1, 1.0, 0.1


def sigma(t: float) -> float:
    return 1.0 / (1.0 + math.exp(-t))


@pytest.fixture
def neuron():
    w, x, b, y = Value(W, "w"), Value(X, "x"), Value(B, "b"), Value(Y, "y")
    z = w * x + b
    a = z.sigmoid()
    loss = 0.5 * (a - y) ** 2
    loss.backward()
    return w, x, b, z, a, loss


def test_forward_pass_matches_the_formulas(neuron):
    *_, z, a, loss = neuron
    assert z.data == W * X + B
    assert a.data == pytest.approx(sigma(0.85), abs=1e-15)
    assert loss.data == pytest.approx(0.5 * (sigma(0.85) - Y) ** 2, abs=1e-15)


def test_step_1_gradient_of_the_loss_wrt_the_output_is_a_minus_y(neuron):
    *_, a, _ = neuron
    assert a.grad == pytest.approx(a.data - Y, abs=1e-15)


def test_step_2_and_3_dl_dz_is_dl_da_times_sigma_prime(neuron):
    _, _, _, z, a, _ = neuron
    sigma_prime = sigma(0.85) * (1 - sigma(0.85))
    assert z.grad == pytest.approx((a.data - Y) * sigma_prime, abs=1e-15)


def test_step_4_dl_dw_is_dl_dz_times_x(neuron):
    w, x, b, z, _, _ = neuron
    assert w.grad == pytest.approx(z.grad * X, abs=1e-15)
    assert x.grad == pytest.approx(z.grad * W, abs=1e-15)
    assert b.grad == pytest.approx(z.grad, abs=1e-15)


def test_step_5_weight_update(neuron):
    w, *_ = neuron
    expected = W - LR * (sigma(0.85) - Y) * sigma(0.85) * (1 - sigma(0.85)) * X
    w.data -= LR * w.grad
    assert w.data == pytest.approx(expected, abs=1e-15)
