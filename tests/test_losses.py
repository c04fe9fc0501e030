"""Losses: values by hand, gradients against finite differences, batches, extreme inputs, errors."""

import math

import pytest

from autograd import Value, gradcheck, topological_order
from autograd.nn import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    half_mse_loss,
    hinge_loss,
    mse_loss,
)


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


# ---------------------------------------------------------------------- squared errors


def test_mse_of_one_sample_is_the_squared_error():
    assert mse_loss(Value(3.0), 1.0).data == 4.0


def test_mse_of_a_batch_is_the_mean_squared_error():
    assert mse_loss([1.0, 2.0, 3.0], [1.0, 0.0, 0.0]).data == pytest.approx((0 + 4 + 9) / 3)


def test_mse_averages_over_every_output_of_every_sample():
    assert mse_loss([[1.0, 2.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 2.0]]).data == pytest.approx((1 + 4 + 0 + 4) / 4)


def test_mse_gradient_is_two_times_error_over_batch_size():
    a, b = Value(1.0), Value(4.0)
    mse_loss([a, b], [0.0, 1.0]).backward()
    assert (a.grad, b.grad) == (pytest.approx(2 * 1 / 2), pytest.approx(2 * 3 / 2))


def test_mse_gradients_match_finite_differences():
    assert gradcheck(lambda a, b, y: mse_loss([a, b], [y, 0.5]), [0.3, -1.2, 2.0])


def test_half_mse_is_the_seeds_loss_and_its_gradient_is_a_minus_y():
    w, b = Value(0.5, "w"), Value(0.1, "b")
    a = (w * 1.5 + b).sigmoid()
    loss = half_mse_loss(a, 1.0)
    loss.backward()
    assert loss.data == pytest.approx(0.5 * (sigmoid(0.85) - 1.0) ** 2)
    assert a.grad == pytest.approx(sigmoid(0.85) - 1.0)
    assert [node.op for node in topological_order(loss) if node.op][-3:] == ["-", "**", "*"]  # ½ · (a − y)²


def test_half_mse_of_a_batch_is_the_mean_of_halves():
    assert half_mse_loss([3.0, 1.0], [1.0, 0.0]).data == pytest.approx((0.5 * 4 + 0.5 * 1) / 2)


# ---------------------------------------------------------------------- hinge


def test_hinge_is_zero_beyond_the_margin_and_linear_inside():
    assert hinge_loss(Value(2.0), 1).data == 0.0
    assert hinge_loss(Value(0.25), 1).data == 0.75
    assert hinge_loss(Value(0.25), -1).data == 1.25


def test_hinge_gradient_is_minus_label_inside_the_margin_and_zero_outside():
    inside, outside = Value(0.25), Value(3.0)
    hinge_loss([inside, outside], [-1, 1]).backward()
    assert (inside.grad, outside.grad) == (0.5, 0.0)  # ∂/∂s of (1 + s)/2, then nothing


def test_hinge_refuses_zero_one_labels():
    with pytest.raises(ValueError, match=r"labels \+1 or −1, but one label is 0 \(map 0/1 labels by 2y − 1\)"):
        hinge_loss([0.5, 0.5], [1, 0])


# ---------------------------------------------------------------------- binary cross-entropy


def test_bce_on_probabilities_by_hand():
    assert binary_cross_entropy([0.8, 0.3], [1, 0]).data == pytest.approx(-(math.log(0.8) + math.log(0.7)) / 2)


def test_bce_with_a_soft_target_mixes_both_terms():
    assert binary_cross_entropy(0.6, 0.25).data == pytest.approx(-(0.25 * math.log(0.6) + 0.75 * math.log(0.4)))


def test_bce_on_probabilities_gradients_match_finite_differences():
    assert gradcheck(lambda p, q: binary_cross_entropy([p, q], [1, 0.3]), [0.7, 0.2])


def test_bce_at_certain_wrong_probabilities_is_finite_and_still_has_a_gradient():
    for p, y, slope in [(0.0, 1, -1e12), (1.0, 0, 1e12)]:
        probability = Value(p)
        loss = binary_cross_entropy(probability, y)
        loss.backward()
        assert loss.data == pytest.approx(1 - math.log(1e-12))  # 28.63: ln continued by its tangent below 1e-12
        assert probability.grad == pytest.approx(slope)  # as PyTorch: ±1e12, pointing away from the wrong answer
    assert binary_cross_entropy(Value(1000.0).sigmoid(), 1).data == 0.0


@pytest.mark.parametrize("p", [0.0, 1e-300, 1e-13, 0.5e-12, 1e-12, 2e-12, 1e-11, 1e-6])
def test_bce_gradient_is_finite_continuous_and_points_the_right_way_near_zero(p):
    probability = Value(p)
    binary_cross_entropy(probability, 1).backward()
    assert -1e12 <= probability.grad < 0  # never 0, never −1e43
    assert probability.grad == pytest.approx(-1 / max(p, 1e-12))


def test_bce_loss_is_continuous_where_the_tangent_takes_over():
    below, above = binary_cross_entropy(1e-12 * (1 - 1e-9), 1).data, binary_cross_entropy(1e-12, 1).data
    assert below == pytest.approx(above, rel=1e-9)


def test_bce_refuses_probabilities_outside_zero_one():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\], but one is 2\.5; for raw scores use"):
        binary_cross_entropy(2.5, 1)


def test_bce_with_logits_equals_bce_of_the_sigmoid():
    for z, y in [(-3.0, 1), (0.0, 0), (2.0, 0.4), (5.0, 1)]:
        expected = -(y * math.log(sigmoid(z)) + (1 - y) * math.log(1 - sigmoid(z)))
        assert binary_cross_entropy_with_logits(z, y).data == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("z", [-4.0, -0.5, 0.0, 0.5, 4.0])
@pytest.mark.parametrize("y", [0, 1, 0.3])
def test_bce_with_logits_gradient_is_sigmoid_minus_target_even_at_zero(z, y):
    logit = Value(z)
    binary_cross_entropy_with_logits(logit, y).backward()
    assert logit.grad == pytest.approx(sigmoid(z) - y, abs=1e-12)


def test_bce_with_logits_is_finite_at_extreme_logits():
    assert binary_cross_entropy_with_logits([1000.0, -1000.0], [1, 0]).data == 0.0
    assert binary_cross_entropy_with_logits([1000.0, -1000.0], [0, 1]).data == 1000.0
    logit = Value(-1000.0)
    binary_cross_entropy_with_logits(logit, 1).backward()
    assert logit.grad == -1.0


def test_bce_with_logits_gradients_match_finite_differences():
    assert gradcheck(lambda a, b: binary_cross_entropy_with_logits([a, b], [1, 0]), [-0.7, 1.3])


# ---------------------------------------------------------------------- cross-entropy


def test_cross_entropy_is_minus_log_softmax_of_the_target():
    logits = [2.0, 1.0, 0.1]
    softmax = [math.exp(z) / sum(math.exp(t) for t in logits) for z in logits]
    assert cross_entropy(logits, 2).data == pytest.approx(-math.log(softmax[2]))


def test_cross_entropy_gradient_is_softmax_minus_one_hot():
    logits = [Value(2.0), Value(1.0), Value(0.1)]
    cross_entropy(logits, 0).backward()
    total = sum(math.exp(z.data) for z in logits)
    expected = [math.exp(z.data) / total - (1 if i == 0 else 0) for i, z in enumerate(logits)]
    assert [z.grad for z in logits] == pytest.approx(expected, abs=1e-12)


def test_cross_entropy_gradients_match_finite_differences_over_a_batch():
    assert gradcheck(lambda a, b, c, d: cross_entropy([[a, b], [c, d]], [1, 0]), [0.5, -0.2, 3.0, 1.0])


def test_cross_entropy_is_finite_at_extreme_logits():
    assert cross_entropy([1000.0, -1000.0, 0.0], 0).data == 0.0
    assert cross_entropy([1000.0, -1000.0, 0.0], 1).data == 2000.0
    logits = [Value(-1000.0), Value(1000.0)]
    cross_entropy(logits, 0).backward()
    assert [z.grad for z in logits] == [-1.0, 1.0]


def test_cross_entropy_of_a_batch_is_the_mean():
    single = [cross_entropy([1.0, 2.0], 0).data, cross_entropy([0.5, -1.0], 1).data]
    assert cross_entropy([[1.0, 2.0], [0.5, -1.0]], [0, 1]).data == pytest.approx(sum(single) / 2)


def test_cross_entropy_refuses_a_class_index_out_of_range():
    with pytest.raises(ValueError, match="class index from 0 to 2 for 3 logits, but was given 3"):
        cross_entropy([1.0, 2.0, 3.0], 3)


def test_cross_entropy_refuses_a_single_number():
    with pytest.raises(TypeError, match="one per class"):
        cross_entropy(Value(1.0), 0)


# ---------------------------------------------------------------------- shapes


def test_a_prediction_and_target_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="mse_loss was given 2 predictions but 3 target"):
        mse_loss([1.0, 2.0], [1.0, 2.0, 3.0])


def test_an_empty_batch_is_refused():
    with pytest.raises(ValueError, match="empty batch"):
        hinge_loss([], [])


def test_every_loss_returns_a_value_even_for_plain_numbers():
    losses = [mse_loss(1.0, 0.0), half_mse_loss(1.0, 0.0), hinge_loss(0.0, 1), binary_cross_entropy(0.5, 1)]
    assert all(isinstance(loss, Value) for loss in losses)
