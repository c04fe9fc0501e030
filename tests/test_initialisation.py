"""Initial scales: the weights drawn, each layer's activations, saturation and dead units, training after."""

import math
import statistics

import pytest

from autograd.nn import MLP, mse_loss
from autograd.optim import SGD
from autograd.teaching.initialisation import (
    Activations,
    compare_initialisations,
    initialise,
    layer_activations,
)

INPUTS = [[1.0, 0.5], [-0.5, 1.0], [0.2, -1.0], [0.9, 0.9], [-1.0, -0.3], [0.0, 0.4]]
TARGETS = [1.0, -1.0, 0.5, 0.0, -0.5, 0.3]


@pytest.mark.parametrize(("scheme", "sigma"), [("xavier", math.sqrt(2 / 160)), ("he", math.sqrt(2 / 80)), (0.3, 0.3)])
def test_initialise_draws_weights_of_the_schemes_spread_and_zero_biases(scheme, sigma):
    model = MLP(80, [80], seed=0)
    model.layers[0].neurons[0].b.data = 1.0
    initialise(model, scheme, seed=4)
    weights = [w.data for neuron in model.layers[0].neurons for w in neuron.w]  # 6400 draws
    assert statistics.pstdev(weights) == pytest.approx(sigma, rel=0.05)
    assert abs(statistics.fmean(weights)) < 0.05 * sigma
    assert all(neuron.b.data == 0.0 for neuron in model.layers[0].neurons)


def test_an_unknown_scheme_is_named():
    with pytest.raises(ValueError, match="one of xavier, he, not 'glorot'"):
        initialise(MLP(2, [2]), "glorot")


def test_layer_activations_are_each_layers_outputs():
    model = MLP(2, [3, 1], seed=0)
    seen = layer_activations(model, INPUTS)
    assert seen.kinds == ("tanh", "linear")
    for s, x in enumerate(INPUTS):
        hidden = [math.tanh(n.b.data + sum(w.data * xi for w, xi in zip(n.w, x))) for n in model.layers[0].neurons]
        assert [unit[s] for unit in seen.layers[0]] == pytest.approx(hidden, rel=1e-12)
        out = model.layers[1].neurons[0]
        assert seen.layers[1][0][s] == pytest.approx(out.b.data + sum(w.data * h for w, h in zip(out.w, hidden)))


def test_saturated_and_dead_shares_count_what_they_say():
    seen = Activations(
        layers=(
            ((0.99, -0.98, 0.5), (0.1, 0.2, -0.999)),  # tanh: 3 of 6 beyond ±0.97
            ((0.0, 0.0, 0.0), (0.0, 2.0, 0.0), (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)),  # relu: units 0 and 2 never fire
            ((0.01, 0.5, 0.995),),  # sigmoid: 2 of 3 within 0.03 of 0 or 1
        ),
        kinds=("tanh", "relu", "sigmoid"),
    )
    assert seen.saturated() == [0.5, 0.0, pytest.approx(2 / 3)]
    assert seen.dead() == [0.0, 0.5, 0.0]
    assert seen.spreads()[2] == pytest.approx(statistics.pstdev([0.01, 0.5, 0.995]))


def test_small_weights_shrink_the_signal_large_ones_saturate_and_xavier_keeps_it():
    study = compare_initialisations(
        lambda: MLP(2, [16, 16, 16, 1], seed=0),
        {"small": 0.05, "large": 2.0, "Xavier": "xavier"},
        inputs=INPUTS,
        steps=0,
    )
    small, large, xavier = (study[name].before for name in ("small", "large", "Xavier"))
    assert small.spreads()[2] < 0.1 * small.spreads()[0] < 0.01  # each layer shrinks it ~5-fold
    assert min(large.saturated()[:3]) > 0.3  # a third or more of the tanh units sit at ±1
    assert max(xavier.saturated()[:3]) < 0.05
    assert min(xavier.spreads()[:3]) > 0.1 and max(xavier.spreads()[:3]) < 0.8
    assert study["small"].after is study["small"].before  # no training asked for


def test_the_training_is_plain_sgd_on_the_model_so_initialised():
    study = compare_initialisations(
        lambda: MLP(2, [4, 1], seed=0), {"Xavier": "xavier"}, inputs=INPUTS, targets=TARGETS, steps=5, lr=0.1, seed=3
    )
    twin = MLP(2, [4, 1], seed=0)
    initialise(twin, "xavier", seed=3)
    optimizer = SGD(twin.parameters(), lr=0.1)
    losses = []
    for _ in range(5):
        optimizer.zero_grad()
        loss = mse_loss([twin(x) for x in INPUTS], TARGETS)
        losses.append(loss.data)
        loss.backward()
        optimizer.step()
    assert study["Xavier"].losses == losses
    assert study["Xavier"].after == layer_activations(twin, INPUTS)
    assert study["Xavier"].after != study["Xavier"].before
    before, after = study["Xavier"].before.spreads()[0], study["Xavier"].after.spreads()[0]
    table = str(study).splitlines()
    assert table[1].startswith("Xavier           0  tanh") and f"{before:.2g} → {after:.2g}" in table[1]
    assert table[-1] == f"             loss {losses[0]:.4g} → {losses[-1]:.4g} in 5 steps"


def test_an_exploding_network_stops_training_and_says_why():
    study = compare_initialisations(
        lambda: MLP(2, [12, 12, 12, 1], activation="relu", seed=0),
        {"huge": 5.0},
        inputs=INPUTS,
        targets=TARGETS,
        steps=10,
        lr=0.05,
    )
    assert study["huge"].stopped.startswith("stopped at step ")
    assert "stopped at step" in str(study)


def test_the_histograms_have_a_row_per_scale_and_a_column_per_layer():
    study = compare_initialisations(
        lambda: MLP(2, [5, 5, 1], seed=0), {"a": 0.1, "b": "xavier"}, inputs=INPUTS, targets=TARGETS, steps=2
    )
    figure = study.plot()
    assert len(figure.axes) == 2 * 3
    assert figure.axes[0].get_ylabel() == "a" and figure.axes[3].get_ylabel() == "b"
    heights = sum(patch.get_height() for patch in figure.axes[0].patches if patch.get_fill())
    assert heights == 5 * len(INPUTS)  # the "before" histogram counts every unit on every sample
