"""Checking a learner's hand-computed gradients, and writing out an SGD update."""

import math
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest
from _shared import seed_neuron

from autograd import Value
from autograd.optim import SGD, Adam
from autograd.teaching import check_gradients, explain_update, walkthrough

# ---------------------------------------------------------------------- the hand-check


def test_the_hand_check_marks_each_guess_against_the_engine():
    *_, z, _, loss = seed_neuron()
    result = check_gradients(loss, {"a": -0.2994, z: 0.1, "w": -0.0942})
    assert [(row.name, row.correct) for row in result.rows] == [("a", True), ("z", False), ("w", True)]
    assert result.rows[1].actual == walkthrough(loss).gradients[z]
    assert not result.all_correct
    assert [row.name for row in result.wrong] == ["z"]


def test_the_hand_check_table_shows_both_numbers_and_the_chain_rule_for_each_wrong_one():
    *_, loss = seed_neuron()
    text = str(check_gradients(loss, {"a": -0.2994, "z": 0.1}))
    assert text.splitlines()[:3] == [
        "node  your ∂L/∂node  engine's",
        "a           −0.2994   −0.2994  ✓ right",
        "z            0.1000   −0.0628  ✗ wrong",
    ]
    assert "1 of 2 right" in text
    assert "How ∂L/∂z is computed:\n  ∂a/∂z = σ'(z) = σ(z)(1 − σ(z)) = 0.7006 · (1 − 0.7006) = 0.2098" in text
    assert "How ∂L/∂a" not in text


def test_a_guess_within_the_tolerance_is_right_and_outside_it_wrong():
    w, *_, loss = seed_neuron()
    actual = walkthrough(loss).gradients[w]  # −0.0942…
    assert check_gradients(loss, {w: round(actual, 3)}).all_correct  # within 1 %
    assert not check_gradients(loss, {w: actual * 1.05}).all_correct
    assert check_gradients(loss, {w: actual * 1.05}, rel_tol=0.1).all_correct


def test_the_loss_itself_can_be_checked_and_its_gradient_is_one():
    *_, loss = seed_neuron()
    result = check_gradients(loss, {"L": 0.0})
    assert result.rows[0].explanation == ("∂L/∂L = 1 (the backward pass starts here)",)


def test_a_node_fed_into_two_others_explains_both_contributions():
    x = Value(2.0, "x")
    y = x * x
    y.label = "y"
    (row,) = check_gradients(y, {"x": 1.0}).rows
    assert row.actual == 4.0
    assert any(line.startswith("∂y/∂x += ") for line in row.explanation)


def test_the_hand_check_leaves_the_guesses_and_every_grad_untouched():
    w, x, b, _, z, a, loss = seed_neuron()
    guesses = {"w": -0.1, z: 0.2}
    before = dict(guesses)
    check_gradients(loss, guesses)
    assert guesses == before
    assert [node.grad for node in (w, x, b, z, a, loss)] == [0.0] * 6


def test_an_unknown_label_names_the_labels_there_are():
    *_, loss = seed_neuron()
    with pytest.raises(KeyError, match="no node is named 'q'; the nodes are: L, t3, t2, a, z, t1, w, x, b, y"):
        check_gradients(loss, {"q": 1.0})


def test_a_label_two_nodes_share_is_ambiguous_and_their_names_are_offered():
    x1, x2 = Value(1.0, "x"), Value(2.0, "x")
    root = x1 * x2
    with pytest.raises(KeyError, match=r"2 nodes have the label 'x'.* x, x#2"):
        check_gradients(root, {"x": 1.0})
    (row,) = check_gradients(root, {"x#2": 1.0}).rows
    assert row.name == "x#2" and walkthrough(root).names[row.node] == "x#2"


def test_a_node_from_another_graph_is_refused():
    *_, loss = seed_neuron()
    with pytest.raises(KeyError, match="not part of the graph of L"):
        check_gradients(loss, {Value(1.0, "stranger"): 1.0})


def test_one_node_given_twice_is_refused():
    w, *_, loss = seed_neuron()
    with pytest.raises(KeyError, match="both name w"):
        check_gradients(loss, {"w": 1.0, w: 1.0})


def test_a_guess_that_is_not_a_number_is_refused():
    *_, loss = seed_neuron()
    with pytest.raises(TypeError, match="the guess for w must be a number, not str"):
        check_gradients(loss, {"w": "-0.09"})  # type: ignore[dict-item]


def test_the_hand_check_table_comes_as_markdown_and_as_escaped_html():
    x = Value(2.0, "<script>alert(1)</script>")
    y = x * 3
    result = check_gradients(y, {x: 1.0})
    assert "| \\<script\\>alert\\(1\\)\\</script\\> | 1.0000 | 3.0000 | ✗ wrong |" in result.to_markdown()
    page = result._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ---------------------------------------------------------------------- the update step


def test_an_sgd_step_is_written_as_the_seeds_update_rule():
    w = Value(0.5, "w")
    w.grad = 0.025
    explained = explain_update(SGD([w], lr=0.1))
    assert str(explained) == "SGD step: w ← w − η · ∂L/∂w with η = 0.1\nw: 0.5000 − 0.1 · 0.0250 = 0.4975"


def test_the_explained_update_is_exactly_the_step_sgd_then_takes_and_changes_nothing_itself():
    w, _, b, *_, loss = seed_neuron()
    loss.backward()
    optimizer = SGD([w, b], lr=0.1)
    explained = explain_update(optimizer)
    assert (w.data, b.data) == (0.5, 0.1)  # nothing moved yet
    optimizer.step()
    assert [row.new for row in explained.rows] == [w.data, b.data]
    assert explained.rows[0].text == "w: 0.5000 − 0.1 · (−0.0942) = 0.5094"


@pytest.mark.parametrize(("momentum", "weight_decay"), [(0.9, 0.0), (0.0, 0.01), (0.9, 0.01)])
def test_momentum_and_weight_decay_are_written_out_and_match_two_real_steps(momentum, weight_decay):
    w = Value(0.5, "w")
    optimizer = SGD([w], lr=0.1, momentum=momentum, weight_decay=weight_decay)
    for grad in (0.025, -0.5):
        w.grad = grad
        old, velocities = w.data, list(optimizer.velocities)
        (row,) = explain_update(optimizer).rows
        assert (w.data, optimizer.velocities) == (old, velocities)  # explaining is not stepping
        optimizer.step()
        assert row.new == w.data


def test_a_momentum_line_shows_the_velocity_then_the_weight():
    w = Value(0.5, "w")
    w.grad = 0.025
    optimizer = SGD([w], lr=0.1, momentum=0.9)
    optimizer.velocities[0] = 0.1
    assert explain_update(optimizer).rows[0].text == (
        "w: v = 0.9 · 0.1000 + 0.0250 = 0.1150, w = 0.5000 − 0.1 · 0.1150 = 0.4885"
    )
    assert math.isclose(0.5 - 0.1 * (0.9 * 0.1 + 0.025), 0.4885)


def test_unlabeled_or_shared_labels_name_parameters_by_their_position():
    params = [Value(1.0), Value(2.0, "w"), Value(3.0, "w")]
    names = [row.name for row in explain_update(SGD(params, lr=0.1)).rows]
    assert names == ["params[0]", "params[1] (w)", "params[2] (w)"]


def test_an_object_without_updates_is_refused_with_what_is_missing():
    fake = SimpleNamespace(params=[Value(0.5, "w")], lr=0.1, momentum=0.0, weight_decay=0.0)
    with pytest.raises(TypeError, match=r"from its updates\(\).*SimpleNamespace has no updates\(\)"):
        explain_update(fake)


def test_an_adam_step_is_written_out_with_both_moments_and_the_bias_correction():
    w = Value(0.5, "w")
    w.grad = 0.025
    optimizer = Adam([w], lr=0.1)
    explained = explain_update(optimizer)
    assert explained.rule.startswith("Adam step 1: m ← β₁·m + (1 − β₁)·g, v ← β₂·v + (1 − β₂)·g²")
    assert explained.rows[0].text.splitlines() == [
        "w: m = 0.9 · 0.0000 + 0.1 · 0.0250 = 0.0025",
        "   v = 0.999 · 0.0000 + 0.001 · 0.0250² = 6.250e−07",
        "   m̂ = 0.0025 / (1 − 0.9^1) = 0.0250",
        "   v̂ = 6.250e−07 / (1 − 0.999^1) = 0.0006",
        "   w = 0.5000 − 0.1 · 0.0250 / (√0.0006 + 1e-08) = 0.4000",
    ]


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_the_explained_adam_update_is_exactly_each_of_three_real_steps(weight_decay):
    w, b = Value(0.5, "w"), Value(-0.2, "b")
    optimizer = Adam([w, b], lr=0.05, weight_decay=weight_decay)
    for grads in ((0.025, -0.3), (-0.5, 0.1), (0.2, 0.2)):
        w.grad, b.grad = grads
        before = (w.data, b.data, list(optimizer.first_moments), list(optimizer.second_moments), optimizer.step_count)
        explained = explain_update(optimizer)
        after_explaining = (w.data, b.data, optimizer.first_moments, optimizer.second_moments, optimizer.step_count)
        assert after_explaining == before  # explaining is not stepping
        optimizer.step()
        assert [row.new for row in explained.rows] == [w.data, b.data]
        assert f"Adam step {optimizer.step_count}:" in explained.rule


def test_a_negative_gradient_is_written_in_parentheses_with_a_true_minus():
    w = Value(0.5, "w")
    w.grad = -0.5
    (row,) = explain_update(SGD([w], lr=0.1, weight_decay=0.01)).rows
    assert row.text == "w: 0.5000 − 0.1 · (−0.5000 + 0.01 · 0.5000) = 0.5495"


def test_a_graph_changed_after_its_forward_pass_is_refused_with_the_stale_node_named():
    w, x, b, *_, loss = seed_neuron()
    loss.backward()
    SGD([w, b], lr=0.1).step()  # w and b now hold new numbers; the graph still holds the old products
    with pytest.raises(ValueError, match=r"out of date: t1 was computed as 0\.75.*w = 0\.509422, x = 1\.5") as info:
        walkthrough(loss)
    assert "run the forward pass again" in str(info.value)
    with pytest.raises(ValueError, match="out of date"):
        check_gradients(loss, {"w": -0.0942})
    walkthrough(0.5 * ((w * x + b).sigmoid() - 1.0) ** 2)  # a fresh forward pass is fine


# ---------------------------------------------------------------------- numbers of every kind, settings checked


@pytest.mark.parametrize("guess", [np.float32(1.5), np.int64(1), np.float64(1.5), Fraction(3, 2), 1, 1.5])
def test_a_guess_may_be_any_real_number_value_accepts(guess):
    w, x = Value(0.5, "w"), Value(1.5, "x")
    z = w * x
    row = check_gradients(z, {"w": guess}).rows[0]
    assert row.guess == float(guess)
    assert row.correct is (float(guess) == 1.5)


@pytest.mark.parametrize("guess", [True, "1.5", None, 1j])
def test_a_guess_that_is_not_a_real_number_is_refused(guess):
    w, x = Value(0.5, "w"), Value(1.5, "x")
    with pytest.raises(TypeError, match="the guess for w must be a number"):
        check_gradients(w * x, {"w": guess})


def test_a_guess_too_large_for_a_float_is_wrong_not_an_error():
    w, x = Value(0.5, "w"), Value(1.5, "x")
    assert check_gradients(w * x, {"w": 10**400}).all_correct is False


@pytest.mark.parametrize("digits", [-5, 10**6, 16, 2.0, True])
def test_explain_update_refuses_digits_outside_0_to_15(digits):
    w = Value(0.5, "w")
    with pytest.raises(ValueError, match=r"digits is the number of decimals to show, a whole number from 0 to 15"):
        explain_update(SGD([w], lr=0.1), digits=digits)


@pytest.mark.parametrize("digits", [-5, 10**6])
def test_walkthrough_refuses_digits_outside_0_to_15(digits):
    with pytest.raises(ValueError, match=r"a whole number from 0 to 15"):
        walkthrough(Value(2.0, "x") * 3, digits=digits)


@pytest.mark.parametrize(
    ("setting", "bad"), [("lr", "0.1"), ("lr", math.nan), ("momentum", -1.0), ("weight_decay", [])]
)
def test_explain_update_refuses_an_optimiser_setting_that_is_not_a_number(setting, bad):
    optimizer = SGD([Value(0.5, "w")], lr=0.1)
    setattr(optimizer, setting, bad)  # changed after the optimiser was made: updates() checks again, as step() does
    with pytest.raises(ValueError, match=f"{setting} must be a finite number ≥ 0"):
        explain_update(optimizer)
