"""Toy data sets: sizes, labels, geometry, reproducibility, and the train/test split."""

import math
import random

import pytest

from autograd.data import make_blobs, make_circles, make_moons, train_test_split


def test_moons_have_the_requested_size_and_two_balanced_classes():
    X, y = make_moons(101, noise=0.1, seed=0)
    assert (len(X), len(y), {len(point) for point in X}) == (101, 101, {2})
    assert (y.count(0), y.count(1)) == (50, 51)


def test_noiseless_moons_lie_on_two_unit_half_circles():
    X, y = make_moons(20, seed=0)
    for (a, b), label in zip(X, y):
        center = (0.0, 0.0) if label == 0 else (1.0, 0.5)
        assert math.hypot(a - center[0], b - center[1]) == pytest.approx(1.0)
        assert (b >= -1e-12) if label == 0 else (b <= 0.5 + 1e-12)


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    assert make_moons(30, noise=0.2, seed=7) == make_moons(30, noise=0.2, seed=7)
    assert make_moons(30, noise=0.2, seed=7) != make_moons(30, noise=0.2, seed=8)


def test_a_random_generator_can_be_the_seed():
    assert make_circles(10, noise=0.1, seed=random.Random(3)) == make_circles(10, noise=0.1, seed=random.Random(3))


def test_noise_moves_points_off_the_circles():
    X, _ = make_circles(50, noise=0.1, seed=0, shuffle=False)
    assert any(abs(math.hypot(*point) - 1.0) > 0.01 for point in X[:25])


def test_noiseless_circles_have_radius_one_and_factor():
    X, y = make_circles(40, factor=0.3, seed=1)
    assert sorted({round(math.hypot(*point), 12) for point in X}) == [0.3, 1.0]
    assert all((math.hypot(*point) < 0.5) == (label == 1) for point, label in zip(X, y))


def test_blobs_cluster_around_given_centers():
    centers = [[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]]
    X, y = make_blobs(300, centers=centers, cluster_std=0.5, seed=0)
    assert [y.count(label) for label in range(3)] == [100, 100, 100]
    for label, center in enumerate(centers):
        members = [point for point, t in zip(X, y) if t == label]
        mean = [sum(point[i] for point in members) / len(members) for i in range(2)]
        assert math.dist(mean, center) < 0.2


def test_blobs_with_a_count_of_centers_draw_them_in_the_box():
    X, y = make_blobs(10, centers=4, n_features=3, cluster_std=0.0, center_box=(-1.0, 1.0), seed=0)
    assert sorted(set(y)) == [0, 1, 2, 3] and [y.count(k) for k in range(4)] == [3, 3, 2, 2]
    assert all(len(point) == 3 and all(-1.0 <= x <= 1.0 for x in point) for point in X)


def test_train_test_split_keeps_pairs_together_and_splits_a_quarter_by_default():
    X = [[float(i)] for i in range(10)]
    y = list(range(10))
    X_train, X_test, y_train, y_test = train_test_split(X, y, seed=0)
    assert (len(X_train), len(X_test)) == (7, 3)  # ceil(0.25 · 10) = 3 for testing
    assert all(point == [float(label)] for point, label in zip(X_train + X_test, y_train + y_test))
    assert sorted(y_train + y_test) == y


def test_train_test_split_is_reproducible_and_takes_a_count():
    X, y = list(range(20)), list(range(20))
    assert train_test_split(X, y, test_size=5, seed=1) == train_test_split(X, y, test_size=5, seed=1)
    assert len(train_test_split(X, y, test_size=5, seed=1)[1]) == 5


def test_train_test_split_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="3 points and 2 labels"):
        train_test_split([1, 2, 3], [0, 1])


def test_train_test_split_refuses_an_empty_side():
    with pytest.raises(ValueError, match="leaves 0 for testing"):
        train_test_split([1, 2, 3], [0, 1, 0], test_size=0)


def test_a_bad_sample_count_is_refused():
    with pytest.raises(ValueError, match="make_moons needs a positive whole number, but was given 0"):
        make_moons(0)


def test_negative_noise_is_refused():
    with pytest.raises(ValueError, match="noise level"):
        make_circles(10, noise=-0.1)
