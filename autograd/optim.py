"""Optimisers: the seed document's weight update, w_new = w_old − η ∂L/∂w, and its refinements.

An optimiser holds the parameters; after ``loss.backward()`` has filled in
their ``grad``, ``step()`` moves every parameter against its gradient and
``zero_grad()`` clears the gradients for the next pass.

>>> from autograd import Value
>>> w = Value(0.5, "w")
>>> optimizer = SGD([w], lr=0.1)
>>> loss = (w * 1.5 - 1.0) ** 2
>>> loss.backward()                 # ∂L/∂w = 2(1.5w − 1)·1.5 = −0.75
>>> optimizer.step()                # w ← 0.5 − 0.1 · (−0.75)
>>> w.data
0.575

``step()`` changes only ``data`` and runs under `no_grad`: an update is not
part of any graph. ``lr`` is a plain attribute, so a schedule may change it
between steps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Real

from .engine import Value, no_grad

__all__ = ["SGD", "Adam", "Optimizer"]


class Optimizer:
    """What every optimiser shares: the parameter list, the learning rate, ``zero_grad``."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        if isinstance(params, Value) or not isinstance(params, Iterable):
            hint = " (did you mean model.parameters()?)" if hasattr(params, "parameters") else ""
            raise TypeError(
                f"{type(self).__name__} needs a list of Values to train, "
                f"but was given {type(params).__name__}: {params!r}{hint}"
            )
        self.params: list[Value] = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} was given an empty list of parameters: there is nothing to train")
        for i, param in enumerate(self.params):
            if not isinstance(param, Value):
                raise TypeError(f"parameter {i} is {type(param).__name__} ({param!r}); an optimiser trains Values")
        if len(set(self.params)) != len(self.params):
            raise ValueError("a parameter appears twice in the list: it would be updated twice per step")
        _check_rate(lr, "lr")
        self.lr = lr

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0, before the next backward pass."""
        for param in self.params:
            param.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``grad``; subclasses define the rule."""
        raise NotImplementedError(f"{type(self).__name__} must define step()")


class SGD(Optimizer):
    """Stochastic gradient descent, the seed's update with two optional refinements.

    For each parameter w with gradient g = ∂L/∂w:

    * weight decay adds the gradient of an L2 penalty ½λw²:  g ← g + λw
    * momentum μ keeps a running velocity (PyTorch's convention):  v ← μv + g,  g ← v
    * the update:  w ← w − lr · g

    With ``momentum=0`` and ``weight_decay=0`` this is exactly w ← w − η ∂L/∂w.
    The velocities are readable in ``velocities`` (one per parameter).

    >>> w = Value(1.0)
    >>> w.grad = 0.5
    >>> optimizer = SGD([w], lr=0.1, weight_decay=0.2)
    >>> optimizer.step()                # 1 − 0.1 · (0.5 + 0.2 · 1)
    >>> round(w.data, 10)
    0.93
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        _check_rate(momentum, "momentum")
        _check_rate(weight_decay, "weight_decay")
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.velocities: list[float] = [0.0] * len(self.params)

    @no_grad()
    def step(self) -> None:
        """w ← w − lr · (g + λw), or with momentum v ← μv + g + λw, w ← w − lr · v."""
        _check_rate(self.lr, "lr")
        lr, momentum, weight_decay = self.lr, self.momentum, self.weight_decay
        for i, param in enumerate(self.params):
            grad = param.grad + weight_decay * param.data if weight_decay else param.grad
            if momentum:
                self.velocities[i] = momentum * self.velocities[i] + grad
                grad = self.velocities[i]
            param.data -= lr * grad

    def __repr__(self) -> str:
        return (
            f"SGD({len(self.params)} parameters, lr={self.lr}, "
            f"momentum={self.momentum}, weight_decay={self.weight_decay})"
        )


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running averages of the gradient and its square.

    For each parameter w with gradient g, at step t = 1, 2, …:

    * m ← β₁m + (1 − β₁)g          (``first_moments``: the average gradient)
    * v ← β₂v + (1 − β₂)g²         (``second_moments``: the average squared gradient)
    * m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)     (undo the bias of starting at 0)
    * w ← w − lr · m̂ / (√v̂ + eps)

    ``weight_decay`` λ adds λw to g first, as in ``torch.optim.Adam``.
    The first step moves every parameter by about ``lr``, whatever its gradient's size:

    >>> w = Value(1.0)
    >>> w.grad = 40.0
    >>> optimizer = Adam([w], lr=0.1)
    >>> optimizer.step()
    >>> round(w.data, 6)
    0.9
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam needs betas as a pair (β₁, β₂) such as (0.9, 0.999), but was given {betas!r}")
        for name, beta in zip(("betas[0]", "betas[1]"), betas):
            _check_rate(beta, name)
            if beta >= 1.0:
                raise ValueError(f"Adam needs {name} in [0, 1), but was given {beta!r}")
        _check_rate(eps, "eps")
        _check_rate(weight_decay, "weight_decay")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = eps
        self.weight_decay = weight_decay
        self.step_count = 0
        self.first_moments: list[float] = [0.0] * len(self.params)
        self.second_moments: list[float] = [0.0] * len(self.params)

    @no_grad()
    def step(self) -> None:
        """One Adam update of every parameter (see the class docstring for the formulas)."""
        _check_rate(self.lr, "lr")
        beta1, beta2 = self.betas
        self.step_count += 1
        first_correction = 1.0 - beta1**self.step_count
        second_correction = 1.0 - beta2**self.step_count
        for i, param in enumerate(self.params):
            grad = param.grad + self.weight_decay * param.data if self.weight_decay else param.grad
            m = self.first_moments[i] = beta1 * self.first_moments[i] + (1.0 - beta1) * grad
            v = self.second_moments[i] = beta2 * self.second_moments[i] + (1.0 - beta2) * grad * grad
            param.data -= self.lr * (m / first_correction) / (math.sqrt(v / second_correction) + self.eps)

    def __repr__(self) -> str:
        return f"Adam({len(self.params)} parameters, lr={self.lr}, betas={self.betas}, eps={self.eps})"


def _check_rate(rate: object, name: str) -> None:
    """Learning rates, momenta, decays: a finite number ≥ 0."""
    if isinstance(rate, bool) or not isinstance(rate, Real) or not math.isfinite(rate) or rate < 0:
        raise ValueError(f"{name} must be a finite number ≥ 0, but is {rate!r}")
