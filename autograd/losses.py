"""Loss functions: one number L that says how wrong the predictions are, built from Values.

Every loss takes one sample or a batch. A *sample* is a number or a Value
(for `cross_entropy`: a list of logits, one per class); a *batch* is a list of
samples, and the loss is the mean over it. Predictions may be nested lists
(several outputs per sample); targets must have the same shape.

>>> from autograd import Value
>>> a = Value(0.7, "a")
>>> loss = half_mse_loss(a, 1.0)      # the worked example's L = ½(a − y)²
>>> loss.backward()
>>> round(loss.data, 6), round(a.grad, 6)   # ∂L/∂a = a − y
(0.045, -0.3)

All of them stay finite at extreme inputs: `binary_cross_entropy_with_logits`
and `cross_entropy` are written so that ``exp`` only ever sees numbers ≤ 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

from .engine import Constant, Value

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "half_mse_loss",
    "hinge_loss",
    "mse_loss",
]

# Below this probability ln p is continued by its tangent line at ε, ln ε + (p − ε)/ε: the loss stays finite,
# and its gradient stays 1/ε = 1e12 (PyTorch's largest BCE gradient), continuous and pointing the right way.
_SMALLEST_LOGGED = 1e-12


def mse_loss(prediction: Any, target: Any) -> Value:
    """Mean squared error: the mean of (prediction − target)².

    >>> mse_loss([1.0, 2.0], [0.0, 4.0]).data   # ((1 − 0)² + (2 − 4)²) / 2
    2.5
    """
    return _mean([(p - t) ** 2 for p, t in _pairs(prediction, target, "mse_loss")])


def half_mse_loss(prediction: Any, target: Any) -> Value:
    """The worked example's L = ½(a − y)², averaged over a batch; its gradient is simply a − y.

    >>> half_mse_loss(3.0, 1.0).data
    2.0
    """
    return _mean([0.5 * (p - t) ** 2 for p, t in _pairs(prediction, target, "half_mse_loss")])


def hinge_loss(score: Any, label: Any) -> Value:
    """The SVM max-margin loss max(0, 1 − y·s), for labels y = ±1 and real-valued scores s.

    >>> hinge_loss([2.0, 0.5, -1.0], [1, 1, 1]).data   # (0 + 0.5 + 2) / 3
    0.8333333333333334
    """
    terms = []
    for s, y in _pairs(score, label, "hinge_loss"):
        if y not in (1, -1):
            raise ValueError(f"hinge_loss needs labels +1 or −1, but one label is {y!r} (map 0/1 labels by 2y − 1)")
        terms.append((1 - y * s).relu())
    return _mean(terms)


def binary_cross_entropy(probability: Any, target: Any) -> Value:
    """−[y·ln p + (1 − y)·ln(1 − p)] for probabilities p in [0, 1] and targets y in [0, 1].

    Near p = 0 or 1 the logarithm would be infinite: below ε = 1e-12, ln p is
    continued by its tangent line at ε, so a certain wrong answer costs about
    28.6, not infinity, and its gradient ±1e12 still says which way to move (as
    PyTorch's does). On raw scores, `binary_cross_entropy_with_logits` is more exact.

    >>> round(binary_cross_entropy(0.8, 1).data, 6)   # −ln 0.8
    0.223144
    """
    terms = []
    for p, y in _pairs(probability, target, "binary_cross_entropy"):
        _check_probability_target(y, "binary_cross_entropy")
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(
                f"binary_cross_entropy needs probabilities in [0, 1], but one is {p.data!r}; "
                f"for raw scores use binary_cross_entropy_with_logits"
            )
        parts = []  # a term whose coefficient is 0 is left out: hard labels give just −ln p or −ln(1 − p)
        if y > 0:
            parts.append(_scaled(y, _capped_log(p)))
        if y < 1:
            parts.append(_scaled(1 - y, _capped_log(1 - p)))
        terms.append(-_total(parts))
    return _mean(terms)


def binary_cross_entropy_with_logits(logit: Any, target: Any) -> Value:
    """Binary cross-entropy of σ(z) against y, computed from the logit z without overflow.

    Uses softplus(z) − y·z, where softplus(z) = ln(1 + eᶻ) is computed as max(z, 0) + ln(1 + e^(−|z|)),
    so nothing overflows, and no Python branch depends on z (so `compile` and the batch replay can trace it).
    Its gradient is σ(z) − y.

    >>> round(binary_cross_entropy_with_logits(0.0, 1).data, 6)   # ln 2
    0.693147
    >>> binary_cross_entropy_with_logits(-1000.0, 1).data        # no overflow
    1000.0
    """
    terms = []
    for z, y in _pairs(logit, target, "binary_cross_entropy_with_logits"):
        _check_probability_target(y, "binary_cross_entropy_with_logits")
        terms.append(z.softplus() if y == 0 else z.softplus() - _scaled(y, z))
    return _mean(terms)


def cross_entropy(logits: Any, target: Any) -> Value:
    """Softmax cross-entropy −ln softmax(z)[target] for a list of logits z and a class index.

    Computed as ln Σⱼ e^(zⱼ − m) − (z_target − m) with m = max z (log-sum-exp):
    m is a plain number, so it changes no gradient, and no ``exp`` overflows.
    A batch is a list of logit lists with a list of class indices.

    >>> round(cross_entropy([2.0, 1.0, 0.1], 0).data, 6)
    0.41703
    >>> cross_entropy([[1000.0, 0.0], [0.0, 1000.0]], [1, 1]).data   # (1000 + 0) / 2
    500.0
    """
    if _is_sample(logits):
        raise TypeError(f"cross_entropy needs a list of logits (one per class), but was given one number: {logits!r}")
    if not _is_sequence(logits) or not logits:
        raise TypeError(f"cross_entropy needs a list of logits or a batch of them, but was given {logits!r}")
    if all(_is_sample(z) for z in logits):  # one sample
        return _cross_entropy_of_one(logits, target)
    if not _is_sequence(target) or len(target) != len(logits):
        raise ValueError(
            f"cross_entropy was given a batch of {len(logits)} logit lists, "
            f"so it needs a list of {len(logits)} class indices, but got {target!r}"
        )
    return _mean([_cross_entropy_of_one(z, t) for z, t in zip(logits, target)])


def _cross_entropy_of_one(logits: Any, target: Any) -> Value:
    if not _is_sequence(logits) or not all(_is_sample(z) for z in logits):
        raise TypeError(f"cross_entropy needs each sample's logits as a list of numbers, but got {logits!r}")
    if isinstance(target, bool) or not isinstance(target, Integral) or not 0 <= int(target) < len(logits):
        raise ValueError(
            f"cross_entropy needs a class index from 0 to {len(logits) - 1} for {len(logits)} logits, "
            f"but was given {target!r}"
        )
    values = [_as_value(z) for z in logits]
    largest = max(z.data for z in values)
    shifted = [z - largest for z in values]  # every exponent ≤ 0: no overflow
    return _total([s.exp() for s in shifted]).log() - shifted[int(target)]


# ---------------------------------------------------------------------- shared pieces


def _is_sample(x: object) -> bool:
    """A single prediction or target: a Value or a real number (not a bool)."""
    return isinstance(x, Value) or (isinstance(x, Real) and not isinstance(x, bool))


def _is_sequence(x: object) -> bool:
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes))


def _as_value(x: Value | float) -> Value:
    return x if isinstance(x, Value) else Constant(x)


def _pairs(prediction: Any, target: Any, loss: str) -> list[tuple[Value, Any]]:
    """(prediction as a Value, target) for every entry, after checking that the shapes match."""
    if _is_sample(prediction):
        if not _is_sample(target):
            raise ValueError(f"{loss} was given one prediction ({prediction!r}) but target {target!r}; give one number")
        return [(_as_value(prediction), target)]
    if not _is_sequence(prediction):
        raise TypeError(
            f"{loss} needs a number, a Value or a list of them as prediction, "
            f"but was given {type(prediction).__name__}: {prediction!r}"
        )
    if not _is_sequence(target) or len(target) != len(prediction):
        size = len(target) if _is_sequence(target) else "a single"
        raise ValueError(f"{loss} was given {len(prediction)} predictions but {size} target(s): {target!r}")
    if not prediction:
        raise ValueError(f"{loss} was given an empty batch: there is nothing to average")
    pairs: list[tuple[Value, Any]] = []
    for p, t in zip(prediction, target):
        pairs.extend(_pairs(p, t, loss))
    return pairs


def _check_probability_target(y: object, loss: str) -> None:
    if isinstance(y, bool) or not isinstance(y, Real) or not 0.0 <= float(y) <= 1.0:
        raise ValueError(f"{loss} needs targets that are numbers in [0, 1], but one is {y!r}")


def _capped_log(p: Value) -> Value:
    """ln p, or below ε its tangent line ln ε + (p − ε)/ε, whose gradient 1/ε still flows back to p."""
    if p.data >= _SMALLEST_LOGGED:
        return p.log()
    return p * (1.0 / _SMALLEST_LOGGED) + (math.log(_SMALLEST_LOGGED) - 1.0)


def _scaled(coefficient: float, value: Value) -> Value:
    """coefficient · value, with no extra node when the coefficient is ±1."""
    if coefficient == 1:
        return value
    if coefficient == -1:
        return -value
    return coefficient * value


def _total(values: list[Value]) -> Value:
    """The sum, starting from the first term: Python's sum() would add a node for its starting 0."""
    total = values[0]
    for value in values[1:]:
        total = total + value
    return total


def _mean(values: list[Value]) -> Value:
    return _total(values) / len(values) if len(values) > 1 else values[0]
