"""The check-up, the monitor and their pictures, against numbers worked out by hand on a small network."""

import math
import sys
import warnings

import pytest

from autograd import draw_dot, to_svg
from autograd.doctor import Monitor, TrainingWarning, checkup
from autograd.nn import (
    MLP,
    Module,
    Parameter,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    mse_loss,
)
from autograd.optim import SGD, Adam

INPUTS, TARGETS = [[1.0], [-1.0]], [0.5, -0.5]


def hand_network(activation="relu"):
    """1 input → 2 hidden neurons → 1 linear output, with weights chosen so every number is easy by hand.

    Hidden neuron 0: z = x          (active on x = 1, off on x = −1)
    Hidden neuron 1: z = 0.5x − 2   (−1.5 and −2.5: a ReLU never active: dead)
    Output:          y = 0.1 + 2a₀ + 3a₁
    """
    model = MLP(1, [2, 1], activation=activation, seed=0)
    (n0, n1), (out,) = model.layers[0].neurons, model.layers[1].neurons
    n0.w[0].data, n0.b.data = 1.0, 0.0
    n1.w[0].data, n1.b.data = 0.5, -2.0
    out.w[0].data, out.w[1].data, out.b.data = 2.0, 3.0, 0.1
    return model


# By hand, for the ReLU network on x = 1 and x = −1 with targets 0.5 and −0.5:
#   a₀ = (1, 0), a₁ = (0, 0), y = (2.1, 0.1), L = ((2.1 − 0.5)² + (0.1 + 0.5)²) / 2 = (2.56 + 0.36) / 2 = 1.46
#   ∂L/∂y = (1.6, 0.6);  ∂L/∂a₀ = 2·∂L/∂y = (3.2, 1.2);  ∂L/∂a₁ = 3·∂L/∂y = (4.8, 1.8)
#   ∂L/∂w₀ = ∂L/∂b₀ = 3.2·1 (only x = 1 passes the ReLU);  neuron 1 gets 0
#   output: ∂L/∂w = (1.6·1 + 0.6·0, 0) = (1.6, 0), ∂L/∂b = 1.6 + 0.6 = 2.2


def test_the_relu_networks_statistics_are_the_numbers_worked_out_by_hand():
    report = checkup(hand_network(), INPUTS, TARGETS, loss=mse_loss, quiet=True)
    assert report.loss == pytest.approx(1.46)
    hidden, output = report.layers
    assert (hidden.name, hidden.activation, hidden.neurons) == ("layers.0", "relu", 2)
    assert sorted(hidden.activations) == [0.0, 0.0, 0.0, 1.0]
    assert hidden.activation_mean == pytest.approx(0.25)
    assert hidden.activation_std == pytest.approx(math.sqrt(0.1875))  # √(((0.75)² + 3·(0.25)²) / 4)
    assert sorted(hidden.gradients) == pytest.approx([1.2, 1.8, 3.2, 4.8])
    assert hidden.gradient_mean == pytest.approx(2.75)
    assert hidden.gradient_std == pytest.approx(math.sqrt((0.45**2 + 1.55**2 + 2.05**2 + 0.95**2) / 4))
    assert hidden.grad_norm == pytest.approx(math.hypot(3.2, 3.2))
    assert hidden.dead_share == 0.5 and hidden.dead_neurons == ["layers.0.neurons.1"]
    assert hidden.saturated_share is None  # a ReLU has no flat tails
    assert sorted(output.activations) == pytest.approx([0.1, 2.1])
    assert (output.activation_mean, output.activation_std) == pytest.approx((1.1, 1.0))
    assert (output.gradient_mean, output.gradient_std) == pytest.approx((1.1, 0.5))
    assert output.grad_norm == pytest.approx(math.hypot(1.6, 2.2))
    assert output.dead_share is None
    assert report.grad_norm == pytest.approx(math.sqrt(2 * 3.2**2 + 1.6**2 + 2.2**2))


def test_the_update_to_data_ratio_is_the_spread_of_the_optimisers_next_changes_over_the_spread_of_the_weights():
    model = hand_network()
    report = checkup(model, INPUTS, TARGETS, loss=mse_loss, optimizer=SGD(model.parameters(), lr=0.1), quiet=True)
    hidden, output = report.layers
    # hidden weights (1, 0.5) change by −0.1·(3.2, 0): spreads 0.16 and 0.25
    assert hidden.update_ratio == pytest.approx(0.16 / 0.25)
    # output weights (2, 3) change by −0.1·(1.6, 0): spreads 0.08 and 0.5
    assert output.update_ratio == pytest.approx(0.08 / 0.5)
    assert [layer.update_ratio for layer in checkup(model, INPUTS, TARGETS, quiet=True).layers] == [None, None]


def test_adams_first_step_moves_every_weight_by_about_lr_so_its_ratio_is_lr_over_the_weights_spread():
    model = hand_network()
    optimizer = Adam(model.parameters(), lr=0.01)
    output = checkup(model, INPUTS, TARGETS, optimizer=optimizer, quiet=True).layers[1]
    # changes (−0.01, 0): the second weight has gradient 0, so Adam leaves it; spread 0.005 over 0.5
    assert output.update_ratio == pytest.approx(0.005 / 0.5, rel=1e-6)


def test_saturated_tanh_units_are_counted_in_the_flat_tails():
    model = hand_network("tanh")
    model.layers[0].neurons[0].w[0].data = 5.0  # tanh(±5) = ±0.99991: flat on both samples
    model.layers[0].neurons[1].b.data = 0.0  # tanh(±0.5) = ±0.46: not flat
    hidden = checkup(model, INPUTS, TARGETS, quiet=True).layers[0]
    expected = sorted([math.tanh(5.0), math.tanh(-5.0), math.tanh(0.5), math.tanh(-0.5)])
    assert sorted(hidden.activations) == pytest.approx(expected)
    assert hidden.saturated_share == 0.5
    assert hidden.dead_neurons == ["layers.0.neurons.0"]  # flat on every sample: passes back almost nothing
    assert hidden.dead_share is None


def test_saturated_sigmoid_units_are_those_below_003_or_above_097():
    model = hand_network("sigmoid")
    model.layers[0].neurons[0].w[0].data = 4.0  # σ(4) = 0.982, σ(−4) = 0.018: both flat
    hidden = checkup(model, INPUTS, TARGETS, quiet=True).layers[0]
    # neuron 1: σ(−1.5) = 0.18, σ(−2.5) = 0.076: not flat
    assert hidden.saturated_share == 0.5


@pytest.mark.parametrize(
    ("loss", "outputs", "targets", "expected"),
    [
        (mse_loss, 1, [0.5, -0.5], 0.25),  # mean of y²
        (hinge_loss, 1, [1, -1], 1.0),  # max(0, 1 − y·0)
        (binary_cross_entropy_with_logits, 1, [1, 0], math.log(2)),
        (cross_entropy, 3, [0, 2], math.log(3)),  # C = 3 classes
        (cross_entropy, 5, [4, 1], math.log(5)),
    ],
)
def test_the_expected_loss_at_initialisation_is_that_of_a_network_that_knows_nothing(loss, outputs, targets, expected):
    model = MLP(1, [3, outputs], seed=0)
    report = checkup(model, INPUTS, targets, loss=loss, quiet=True)
    assert report.expected_loss == pytest.approx(expected)


def test_a_network_confidently_wrong_at_the_start_is_told_to_shrink_its_last_layer():
    report = checkup(hand_network(), INPUTS, TARGETS, quiet=True)  # 1.46 against 0.25: 5.8 times
    titles = [finding.title for finding in report.findings]
    assert titles == ["Dead ReLUs in layers.0", "Confidently wrong at the start"]
    assert "5.8 times" in report.findings[1].detail


def test_a_healthy_network_gets_a_clean_bill_of_health(capsys):
    model = MLP(2, [8, 8, 1], seed=0)
    inputs = [[0.5 * i - 1.0, 1.0 - 0.3 * i] for i in range(8)]
    targets = [math.sin(x0) * 0.5 for x0, _ in inputs]
    report = checkup(model, inputs, targets, optimizer=SGD(model.parameters(), lr=0.05))
    assert report.healthy and report.findings == []
    printed = capsys.readouterr().out
    assert "clean bill of health" in printed and "layers.1" in printed
    assert str(report) == printed.rstrip("\n")


def test_a_parameter_cut_off_by_a_data_leak_is_named():
    class Leaky(Module):
        def __init__(self):
            self.w = Parameter(0.5, "w")
            self.b = Parameter(0.1, "b")

        def forward(self, x):
            return self.b + self.w.data * x[0]  # the leak: a plain number, no edge back to w

    report = checkup(Leaky(), INPUTS, TARGETS, quiet=True)
    assert report.cut_off == ["w"]
    assert report.findings[0].title == "Parameters cut off from the graph"


def test_a_loss_that_is_not_finite_names_the_first_node_that_overflowed():
    model = hand_network()
    model.layers[1].neurons[0].w[0].data = 1e200
    report = checkup(model, [[1e200]], [0.5], quiet=True)  # w·a = 1e200 · 1e200 overflows
    assert report.loss == math.inf
    assert report.findings[0].title == "The loss is inf"
    assert "*(1e+200, 1e+200) = inf: the op '*' made it from finite operands" in report.findings[0].detail


def test_the_check_up_leaves_every_gradient_as_it_was_and_counts_for_no_warning():
    model = hand_network()
    optimizer = SGD(model.parameters(), lr=0.01)
    for _ in range(2):
        optimizer.zero_grad()
        mse_loss([model(x) for x in INPUTS], TARGETS).backward()
        before = [p.grad for p in model.parameters()]
        checkup(model, INPUTS, TARGETS, optimizer=optimizer, quiet=True)
        assert [p.grad for p in model.parameters()] == before
        with warnings.catch_warnings():
            warnings.simplefilter("error", TrainingWarning)
            optimizer.step()


def test_gradients_summed_over_several_backward_calls_are_reported():
    model = hand_network()
    optimizer = SGD(model.parameters(), lr=0.01)
    for _ in range(2):
        mse_loss([model(x) for x in INPUTS], TARGETS).backward()
    report = checkup(model, INPUTS, TARGETS, optimizer=optimizer, quiet=True)
    assert report.findings[0].title == "Gradients summed over several backward() calls"
    assert "hold 2 backward() calls" in report.findings[0].detail


def test_the_marks_name_the_dead_neurons_for_drawing():
    assert checkup(hand_network(), INPUTS, TARGETS, quiet=True).marks == {"layers.0.neurons.1": "dead"}


def test_a_batch_without_targets_for_every_input_is_refused_clearly():
    with pytest.raises(ValueError, match="2 inputs and 1 targets"):
        checkup(hand_network(), INPUTS, [0.5])
    with pytest.raises(TypeError, match=r"parameters\(\)"):
        checkup(lambda x: x, INPUTS, TARGETS)


# ---------------------------------------------------------------- the monitor


def train(monitored, steps=15):
    model = MLP(2, [6, 6, 1], activation="relu", seed=3)
    optimizer = Adam(model.parameters(), lr=0.02)
    monitor = Monitor(model, optimizer) if monitored else None
    inputs = [[0.4 * i - 1.2, (-1.0) ** i] for i in range(7)]
    targets = [1 if i % 3 else -1 for i in range(7)]
    losses = []
    for _ in range(steps):
        loss = hinge_loss([model(x) for x in inputs], targets)
        optimizer.zero_grad()
        loss.backward()
        if monitor is not None:
            monitor.record(loss)
        optimizer.step()
        losses.append(loss.data)
    return losses, [p.data for p in model.parameters()], monitor


def test_the_monitor_changes_no_number_of_the_loop():
    losses, weights, _ = train(monitored=False)
    monitored_losses, monitored_weights, monitor = train(monitored=True)
    assert monitored_losses == losses  # bitwise
    assert monitored_weights == weights
    assert [record.loss for record in monitor.steps] == losses


def test_the_monitor_records_the_check_ups_numbers_at_each_step():
    model = hand_network()
    optimizer = SGD(model.parameters(), lr=0.1)
    monitor = Monitor(model, optimizer)
    loss = mse_loss([model(x) for x in INPUTS], TARGETS)
    loss.backward()
    monitor.record(loss)
    (record,) = monitor.steps
    assert record.loss == pytest.approx(1.46)
    assert record.grad_norm == pytest.approx({"layers.0": math.hypot(3.2, 3.2), "layers.1": math.hypot(1.6, 2.2)})
    assert record.update_ratio == pytest.approx({"layers.0": 0.64, "layers.1": 0.16})
    assert record.dead_share == {"layers.0": 0.5}


def test_the_monitor_refuses_a_number_for_the_loss():
    monitor = Monitor(hand_network())
    with pytest.raises(TypeError, match="needs the loss Value"):
        monitor.record(1.46)


# ---------------------------------------------------------------- pictures


def test_the_check_up_draws_one_histogram_per_hidden_layer_for_activations_and_for_gradients(tmp_path):
    model = MLP(1, [3, 3, 1], seed=0)
    figure = checkup(model, INPUTS, TARGETS, quiet=True).plot()
    activations, gradients = figure.axes
    legend = [text.get_text().split(" ")[0] for text in activations.get_legend().get_texts()]
    assert legend == ["layers.0", "layers.1"]  # not the linear output: its range would squeeze the others
    assert len(activations.patches) == len(gradients.patches) == 2  # one step histogram per layer
    figure.savefig(tmp_path / "checkup.png")
    assert (tmp_path / "checkup.png").stat().st_size > 10_000


def test_the_monitor_plots_the_update_ratio_of_every_layer_over_the_steps():
    _, _, monitor = train(monitored=True, steps=6)
    figure = monitor.plot()
    ratio_axis = figure.axes[1]
    lines = {line.get_label(): line for line in ratio_axis.get_lines()}
    assert list(lines["layers.0"].get_xdata()) == [0, 1, 2, 3, 4, 5]
    assert list(lines["layers.0"].get_ydata()) == [record.update_ratio["layers.0"] for record in monitor.steps]
    assert ratio_axis.get_yscale() == "log"


def test_without_matplotlib_the_pictures_say_how_to_install_it(monkeypatch):
    report = checkup(hand_network(), INPUTS, TARGETS, quiet=True)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        report.plot()


# ---------------------------------------------------------------- dead neurons marked in the drawing


def test_dead_neurons_are_marked_in_the_neuron_view_of_draw_dot():
    model = hand_network()
    report = checkup(model, INPUTS, TARGETS, quiet=True)
    loss = mse_loss([model(x) for x in INPUTS], TARGETS)
    loss.backward()
    svg = to_svg(loss, model=model, collapse="neuron", mark_neurons=report.marks)
    assert svg.count("⚠ dead") == 1
    dot = draw_dot(loss, model=model, collapse="neuron", mark_neurons=report.marks).source
    marked = [line for line in dot.splitlines() if "⚠ dead" in line]
    assert len(marked) == 1 and "neurons.1" in marked[0] and "#fee2e2" in marked[0]
    assert "#fee2e2" not in draw_dot(loss, model=model, collapse="neuron").source


def test_unfolded_neurons_are_marked_by_their_frame():
    model = hand_network()
    loss = mse_loss(model([1.0]), 0.5)
    dot = draw_dot(loss, model=model, mark_neurons=["layers.0.neurons.1"]).source
    assert dot.count("⚠") == 1 and "layers.0.neurons.1" in dot.split("⚠")[0].splitlines()[-1]


def test_marking_a_neuron_the_model_does_not_have_is_refused_clearly():
    model = hand_network()
    loss = mse_loss(model([1.0]), 0.5)
    with pytest.raises(ValueError, match=r"'layers\.5\.neurons\.0', which is no neuron of the model"):
        draw_dot(loss, model=model, mark_neurons={"layers.5.neurons.0": "dead"})
    with pytest.raises(ValueError, match="needs model="):
        draw_dot(loss, mark_neurons={"layers.0.neurons.1": "dead"})
