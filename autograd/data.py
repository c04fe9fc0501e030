"""Small classic data sets in pure Python, and a train/test split.

Each generator returns ``(X, y)``: ``X`` a list of points ``[x₀, x₁, …]``
(lists of floats) and ``y`` a list of integer class labels. The same ``seed``
gives the same data on every run; they follow scikit-learn's generators of the
same names, without needing NumPy.

>>> X, y = make_moons(4, seed=0)
>>> len(X), len(X[0]), sorted(y)
(4, 2, [0, 0, 1, 1])
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from numbers import Real
from typing import TypeVar

from ._random import Seed, random_generator

__all__ = ["make_blobs", "make_circles", "make_moons", "train_test_split"]

Point = TypeVar("Point")
Label = TypeVar("Label")


def make_moons(
    n_samples: int = 100, noise: float = 0.0, *, shuffle: bool = True, seed: Seed = None
) -> tuple[list[list[float]], list[int]]:
    """Two interleaving half circles: class 0 on top, class 1 below and shifted right.

    ``noise`` is the standard deviation of Gaussian noise added to every coordinate.

    >>> X, y = make_moons(3, shuffle=False)
    >>> X[0], y[0]   # the first point of the upper moon
    ([1.0, 0.0], 0)
    """
    _check_count(n_samples, "make_moons")
    _check_noise(noise, "make_moons")
    rng = random_generator(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    points = [[math.cos(t), math.sin(t)] for t in _spaced(0.0, math.pi, n_upper, endpoint=True)]
    points += [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _spaced(0.0, math.pi, n_lower, endpoint=True)]
    labels = [0] * n_upper + [1] * n_lower
    return _finish(points, labels, noise, shuffle, rng)


def make_circles(
    n_samples: int = 100, noise: float = 0.0, factor: float = 0.8, *, shuffle: bool = True, seed: Seed = None
) -> tuple[list[list[float]], list[int]]:
    """A large circle (class 0) around a smaller one of radius ``factor`` (class 1).

    >>> X, y = make_circles(4, factor=0.5, shuffle=False)
    >>> X[0], X[2], y
    ([1.0, 0.0], [0.5, 0.0], [0, 0, 1, 1])
    """
    _check_count(n_samples, "make_circles")
    _check_noise(noise, "make_circles")
    if isinstance(factor, bool) or not isinstance(factor, Real) or not 0 < factor < 1:
        raise ValueError(
            f"make_circles needs factor, the inner circle's radius, strictly between 0 and 1; got {factor!r}"
        )
    rng = random_generator(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    points = [[math.cos(t), math.sin(t)] for t in _spaced(0.0, 2 * math.pi, n_outer, endpoint=False)]
    points += [[factor * math.cos(t), factor * math.sin(t)] for t in _spaced(0.0, 2 * math.pi, n_inner, endpoint=False)]
    labels = [0] * n_outer + [1] * n_inner
    return _finish(points, labels, noise, shuffle, rng)


def make_blobs(
    n_samples: int = 100,
    centers: int | Sequence[Sequence[float]] = 3,
    n_features: int = 2,
    cluster_std: float = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    *,
    shuffle: bool = True,
    seed: Seed = None,
) -> tuple[list[list[float]], list[int]]:
    """Gaussian clusters, one class per center; ``centers`` is a count (drawn in ``center_box``) or a list.

    The samples are shared out evenly (the first clusters get one more when it does not divide).

    >>> X, y = make_blobs(6, centers=[[0.0, 0.0], [5.0, 5.0]], cluster_std=0.0, shuffle=False)
    >>> X[0], X[5], y
    ([0.0, 0.0], [5.0, 5.0], [0, 0, 0, 1, 1, 1])
    """
    _check_count(n_samples, "make_blobs")
    _check_noise(cluster_std, "make_blobs (cluster_std)")
    rng = random_generator(seed)
    if isinstance(centers, int) and not isinstance(centers, bool):
        _check_count(centers, "make_blobs (centers)")
        _check_count(n_features, "make_blobs (n_features)")
        low, high = center_box
        center_points = [[rng.uniform(low, high) for _ in range(n_features)] for _ in range(centers)]
    elif isinstance(centers, Sequence) and centers and all(isinstance(c, Sequence) and c for c in centers):
        center_points = [[float(x) for x in c] for c in centers]
        if len({len(c) for c in center_points}) != 1:
            raise ValueError(f"make_blobs needs all centers to have the same number of coordinates, got {centers!r}")
    else:
        raise TypeError(f"make_blobs needs centers as a count or a list of points, but was given {centers!r}")
    points: list[list[float]] = []
    labels: list[int] = []
    for label, center in enumerate(center_points):
        size = n_samples // len(center_points) + (1 if label < n_samples % len(center_points) else 0)
        points += [list(center) for _ in range(size)]
        labels += [label] * size
    return _finish(points, labels, cluster_std, shuffle, rng)


def train_test_split(
    X: Sequence[Point], y: Sequence[Label], test_size: float = 0.25, *, shuffle: bool = True, seed: Seed = None
) -> tuple[list[Point], list[Point], list[Label], list[Label]]:
    """Split into ``X_train, X_test, y_train, y_test``, as scikit-learn does.

    ``test_size`` is a fraction of the samples (rounded up) or, as an int, a count.

    >>> X_train, X_test, y_train, y_test = train_test_split([[0], [1], [2], [3]], [0, 1, 2, 3], shuffle=False)
    >>> X_train, X_test, y_train, y_test
    ([[0], [1], [2]], [[3]], [0, 1, 2], [3])
    """
    if len(X) != len(y):
        raise ValueError(
            f"train_test_split needs as many labels as points, but got {len(X)} points and {len(y)} labels"
        )
    n = len(X)
    if isinstance(test_size, bool) or not isinstance(test_size, Real):
        raise TypeError(f"test_size must be a fraction such as 0.25 or a count such as 10, but is {test_size!r}")
    n_test = test_size if isinstance(test_size, int) else math.ceil(test_size * n)
    if not 0 < n_test < n:
        raise ValueError(
            f"test_size={test_size!r} of {n} samples leaves {n_test} for testing and {n - n_test} for training; "
            f"both must be at least 1"
        )
    order = list(range(n))
    if shuffle:
        random_generator(seed).shuffle(order)
    train, test = order[: n - n_test], order[n - n_test :]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]


def _spaced(start: float, stop: float, count: int, *, endpoint: bool) -> list[float]:
    """``count`` evenly spaced numbers from ``start`` (to ``stop`` included if ``endpoint``), like numpy.linspace."""
    intervals = count - 1 if endpoint else count
    if intervals <= 0:
        return [start] * count
    return [start + (stop - start) * i / intervals for i in range(count)]


def _finish(
    points: list[list[float]], labels: list[int], noise: float, shuffle: bool, rng: random.Random
) -> tuple[list[list[float]], list[int]]:
    """Add Gaussian noise to every coordinate, then shuffle points and labels together."""
    if noise:
        points = [[x + rng.gauss(0.0, noise) for x in point] for point in points]
    if shuffle:
        order = list(range(len(points)))
        rng.shuffle(order)
        points, labels = [points[i] for i in order], [labels[i] for i in order]
    return points, labels


def _check_count(n_samples: object, where: str) -> None:
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 1:
        raise ValueError(f"{where} needs a positive whole number, but was given {n_samples!r}")


def _check_noise(noise: object, where: str) -> None:
    if isinstance(noise, bool) or not isinstance(noise, Real) or not math.isfinite(noise) or noise < 0:
        raise ValueError(f"{where} needs a noise level (a standard deviation) ≥ 0, but was given {noise!r}")
