"""One rule for every ``seed`` argument in the package (models and data sets alike)."""

from __future__ import annotations

import random

__all__ = ["Seed", "random_generator"]

Seed = int | random.Random | None


def random_generator(seed: Seed) -> random.Random:
    """A ``random.Random`` for ``seed``: an int gives the same numbers on every run.

    A ``random.Random`` is used as it is (so one generator can feed several calls);
    ``None`` draws a fresh seed from Python's global generator, so ``random.seed(0)``
    makes even unseeded calls reproducible.

    >>> random_generator(7).random() == random_generator(7).random()
    True
    """
    if isinstance(seed, random.Random):
        return seed
    if seed is None:
        return random.Random(random.getrandbits(64))
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, a random.Random or None, but was given {type(seed).__name__}: {seed!r}")
    return random.Random(seed)
