"""Loss landscapes: the grid is the loss, the paths are the optimisers' own steps, a large η overshoots."""

import itertools
import math

import pytest

from autograd import Value
from autograd.nn import MLP, Neuron, mse_loss
from autograd.optim import SGD, Adam
from autograd.teaching.landscape import filter_normalised_direction, loss_landscape


def worked_example(y=0.8):
    w, x, b, target = Value(0.5, "w"), Value(1.5, "x"), Value(0.1, "b"), Value(y, "y")

    def loss():
        return 0.5 * ((w * x + b).sigmoid() - target) ** 2

    return w, b, loss


def closed_form_loss(w, b, x=1.5, y=0.8):
    return 0.5 * (1 / (1 + math.exp(-(w * x + b))) - y) ** 2


def test_the_grid_is_the_loss_at_each_point_and_the_parameters_are_put_back():
    w, b, loss = worked_example()
    land = loss_landscape(loss, along=(w, b), span=(2.0, 1.0), resolution=11)
    assert land.us[0] == pytest.approx(-1.5) and land.us[-1] == pytest.approx(2.5)
    assert land.vs[0] == pytest.approx(-0.9) and land.vs[-1] == pytest.approx(1.1)
    for j in (0, 4, 10):
        for i in (0, 7, 10):
            assert land.losses[j][i] == pytest.approx(closed_form_loss(land.us[i], land.vs[j]), rel=1e-12)
    assert (w.data, b.data) == (0.5, 0.1)


@pytest.mark.filterwarnings("ignore:the loss rose")  # momentum at η = 0.7 climbs out and back, by design
@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("SGD", lambda params: SGD(params, lr=0.7)),
        ("momentum", lambda params: SGD(params, lr=0.7, momentum=0.9)),
        ("Adam", lambda params: Adam(params, lr=0.7)),
    ],
)
def test_each_path_is_that_optimisers_own_steps(name, make):
    w, b, loss = worked_example()
    land = loss_landscape(loss, along=(w, b), span=2.0, resolution=5)
    (path,) = [p for p in land.paths(lr=0.7, steps=25) if p.name == name]
    # The same optimiser run directly, by hand, on a fresh copy of the problem
    twin_w, twin_b, twin_loss = worked_example()
    optimizer = make([twin_w, twin_b])
    expected = [(0.5, 0.1)]
    for _ in range(25):
        optimizer.zero_grad()
        twin_loss().backward()
        optimizer.step()
        expected.append((twin_w.data, twin_b.data))
    assert list(path.points) == expected  # bit for bit
    assert path.losses[-1] == pytest.approx(closed_form_loss(*expected[-1]), rel=1e-12)
    assert not path.stopped and (w.data, b.data) == (0.5, 0.1)


def bowl():
    """L = (w − 1)² + 10(b + ½)²: curvature 2 along w and 20 along b, so SGD is stable along b for η < 2/20."""
    w, b = Value(-1.0, "w"), Value(1.0, "b")
    return w, b, lambda: (w - 1) ** 2 + 10 * (b + 0.5) ** 2


def test_a_too_large_learning_rate_visibly_overshoots():
    w, b, loss = bowl()
    land = loss_landscape(loss, along=(w, b), centre=(0.0, 0.0), span=2.0, resolution=9)
    (small,) = land.paths(lr=0.04, steps=12, optimisers={"SGD": lambda ps, lr: SGD(ps, lr=lr)})
    (large,) = land.paths(lr=0.11, steps=12, optimisers={"SGD": lambda ps, lr: SGD(ps, lr=lr)})
    small_offsets = [b + 0.5 for _, b in small.points]
    large_offsets = [b + 0.5 for _, b in large.points]
    assert all(offset > 0 for offset in small_offsets)  # creeps down one side of the valley
    assert all(x * y < 0 for x, y in itertools.pairwise(large_offsets))  # jumps across it at every step
    assert abs(large_offsets[-1]) > abs(large_offsets[0])  # ... further each time: b − b* = (1 − 20η)ᵗ · 1.5
    assert large_offsets[-1] == pytest.approx(1.5 * (1 - 20 * 0.11) ** 12, rel=1e-9)
    assert large.losses[-1] > large.losses[0] > small.losses[-1]


def test_a_path_that_blows_up_stops_and_says_why():
    w = Value(1.0, "w")
    b = Value(0.0, "b")
    land = loss_landscape(lambda: w**4 + b * b, along=(w, b), resolution=3)
    (path,) = land.paths(lr=1e3, steps=50, optimisers={"SGD": lambda ps, lr: SGD(ps, lr=lr)})
    assert path.stopped.startswith("stopped at step ")
    assert len(path.points) < 50 and (w.data, b.data) == (1.0, 0.0)


def test_filter_normalised_directions_match_each_neurons_weights_and_leave_biases():
    model = MLP(3, [4, 2], seed=0)
    params = model.parameters()
    direction = filter_normalised_direction(params, model, seed=5)
    index = {p: i for i, p in enumerate(params)}
    for _, neuron in model.named_neurons():
        size = math.sqrt(sum(direction[index[w]] ** 2 for w in neuron.w))
        assert size == pytest.approx(math.sqrt(sum(w.data**2 for w in neuron.w)), rel=1e-12)
        assert direction[index[neuron.b]] == 0.0
    assert filter_normalised_direction(params, model, seed=5) == direction  # a seed gives the same direction
    plain = filter_normalised_direction([Value(3.0), Value(4.0)], seed=1)  # no neurons: the whole vector's length
    assert math.hypot(*plain) == pytest.approx(5.0)


def test_random_directions_paths_are_the_training_run_projected_onto_the_plane():
    model = Neuron(2, activation="tanh", seed=3)
    samples = [([1.0, -0.5], 0.5), ([-0.2, 0.9], -0.4)]

    def loss():
        return mse_loss([model(x) for x, _ in samples], [t for _, t in samples])

    land = loss_landscape(loss, model=model, span=1.0, resolution=7, seed=2)
    d1, d2 = land.directions
    moved = [s + 0.3 * a - 0.2 * c for s, a, c in zip(land.start, d1, d2)]
    assert land.point_of(moved) == pytest.approx((0.3, -0.2), abs=1e-12)
    # the grid's middle is the model as it is; a corner is θ + α·d₁ + β·d₂
    assert land.losses[3][3] == pytest.approx(loss().data, rel=1e-12)
    weights = [p.data for p in model.parameters()]
    for p, s, a, c in zip(model.parameters(), land.start, d1, d2):
        p.data = s - 1.0 * a + 1.0 * c
    corner = loss().data
    for p, s in zip(model.parameters(), weights):
        p.data = s
    assert land.losses[6][0] == pytest.approx(corner, rel=1e-12)
    (path,) = land.paths(lr=0.2, steps=5, optimisers={"SGD": lambda ps, lr: SGD(ps, lr=lr)})
    twin = SGD(model.parameters(), lr=0.2)
    for values in path.values[1:]:
        twin.zero_grad()
        loss().backward()
        twin.step()
        assert values == tuple(p.data for p in model.parameters())
    for p, s in zip(model.parameters(), weights):
        p.data = s


def test_the_still_picture_draws_the_paths_points_and_the_gif_has_a_frame_per_step(tmp_path):
    from PIL import Image

    w, b, loss = worked_example()
    land = loss_landscape(loss, along=(w, b), span=2.0, resolution=9)
    paths = land.paths(lr=1.0, steps=6)
    figure = land.plot(paths)
    drawn = {line.get_label(): list(zip(*line.get_data())) for line in figure.axes[0].get_lines()}
    for path in paths:
        assert drawn[f"{path.name} (η = 1)"] == [pytest.approx(p) for p in path.points]
    gif = land.save_gif(tmp_path / "paths.gif", paths, seconds_per_frame=0.1)
    with Image.open(gif) as image:
        assert image.n_frames == 7  # the start, then one frame per step
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paths.gif"]  # no temporary file left


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"along": (Value(1.0),)}, "along must be two different parameters"),
        ({"resolution": 1}, "resolution is the number of grid points per side"),
        ({"span": -1.0}, "span must be a positive number"),
        ({}, "give along=\\(p, q\\), two parameters, or the parameters"),
    ],
)
def test_bad_input_is_named(options, message):
    with pytest.raises((TypeError, ValueError), match=message):
        loss_landscape(lambda: Value(1.0), **options)


def test_the_learning_rate_slider_redraws_the_paths_at_the_new_rate(monkeypatch):
    w, b, loss = worked_example()
    land = loss_landscape(loss, along=(w, b), span=2.0, resolution=5)
    asked = []
    real_paths = land.paths
    monkeypatch.setattr(land, "paths", lambda lr, steps: asked.append((lr, steps)) or real_paths(lr=lr, steps=steps))
    slider, _ = land.widget(steps=7, lr=0.5).children
    slider.value = 2.0
    assert asked == [(0.5, 7), (2.0, 7)]
    assert (slider.base, 10**slider.min, 10**slider.max) == (10, pytest.approx(1e-3), pytest.approx(10.0))
