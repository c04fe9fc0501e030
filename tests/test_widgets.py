"""Notebook widgets, driven from Python as a learner would drive them: the stepper and the nudge widget."""

import builtins
import html

import pytest

from autograd import Value, walkthrough
from autograd.practice import widgets
from autograd.practice.exercises import FAMILIES
from autograd.practice.widgets import Nudge, Stepper

pytest.importorskip("ipywidgets")

SEED = {"w": 0.5, "x": 1.5, "b": 0.1, "y": 1.0}
TWO_LAYER = {"x": 1.0, "w1": 0.8, "b1": -0.2, "w2": 1.2, "b2": 0.1, "y": 0.5}


def seed_loss():
    return FAMILIES["neuron-sigmoid"].build(SEED)


def test_the_stepper_moves_with_next_prev_and_the_slider_and_updates_in_place():
    stepper = Stepper(walkthrough(seed_loss()))
    assert stepper.slider.value == 1 and stepper.prev_button.disabled
    assert "Step 1 of 6: L = 0.5 · s = 0.0448" in stepper.explanation_view.value
    stepper.next_button.click()
    stepper.next_button.click()
    stepper.next_button.click()
    assert stepper.slider.value == 4
    assert "∂L/∂z = ∂L/∂a · ∂a/∂z = −0.2994 · 0.2098 = −0.0628" in stepper.explanation_view.value
    frame = html.unescape(stepper.frame_view.value).replace("−", "-")
    assert "grad -0.06281" in frame  # ∂L/∂z filled in on the frame
    assert "grad -0.09422" not in frame  # ∂L/∂w: not reached yet
    stepper.slider.value = 6
    assert "∂L/∂w = ∂L/∂u · ∂u/∂w = −0.0628 · 1.5000 = −0.0942" in stepper.explanation_view.value
    assert stepper.next_button.disabled
    stepper.prev_button.click()
    assert stepper.slider.value == 5 and stepper.position == 4


def test_the_nudge_widget_shows_the_change_in_l_next_to_the_gradient_times_h():
    loss = FAMILIES["two-layer"].build(TWO_LAYER)
    nudge = Nudge(loss)
    assert list(nudge.sliders) == ["w2", "w1", "x", "b1", "b2", "y"]  # as the formula reads
    nudge.sliders["w2"].value = 0.01  # the slider, as a learner moves it
    reading = nudge.readings()["w2"]
    # ∂L/∂w2 = (out − y) · h with h = tanh(0.6) = 0.537050, out = 1.2 · h + 0.1 = 0.744460
    assert reading.gradient == pytest.approx(0.244460 * 0.537050, abs=1e-6)
    assert reading.predicted == pytest.approx(0.001313, abs=1e-6)
    assert reading.actual == pytest.approx(0.001313 + 0.5 * (0.01 * 0.537050) ** 2, abs=1e-6)
    assert "0.001313" in nudge.table.value
    assert all(r.actual == 0.0 for name, r in nudge.readings().items() if name != "w2")
    assert all(node.grad == 0.0 for node in nudge.inputs.values())  # the graph is left as it was
    assert loss.data == pytest.approx(0.5 * 0.244460**2, abs=1e-6)


def test_the_gap_between_the_change_and_its_prediction_shrinks_like_h_squared():
    nudge = Nudge(seed_loss())
    gaps = [abs(r.actual - r.predicted) for r in (nudge.readings({**nudge.h, "w": h})["w"] for h in (0.1, 0.01))]
    assert gaps[1] < gaps[0] / 50


def test_without_ipywidgets_both_show_a_static_view_and_a_one_line_hint(monkeypatch):
    real_import = builtins.__import__

    def no_ipywidgets(name, *args, **kwargs):
        if name == "ipywidgets":
            raise ImportError("hidden for this test")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ipywidgets)
    assert not widgets.widgets_available()
    stepper = Stepper(walkthrough(seed_loss()))
    bundle = stepper._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" not in bundle
    assert "<svg" in bundle["text/html"] and "Step 1 of 6" in bundle["text/html"]
    assert "static view" in bundle["text/html"] and bundle["text/html"].count("<p style") == 1
    nudge = Nudge(seed_loss())
    assert "−0.000942" in nudge._repr_mimebundle_()["text/html"]  # ∂L/∂w · 0.01


def test_with_ipywidgets_the_bundle_carries_the_widget_and_the_static_view():
    bundle = Stepper(walkthrough(seed_loss()))._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "static view" in bundle["text/html"]


def test_nudge_refuses_what_is_not_an_input():
    x = Value(2.0, "x")
    y = x * 3
    with pytest.raises(ValueError, match="is not an input"):
        Nudge(y * y, inputs=[y])
