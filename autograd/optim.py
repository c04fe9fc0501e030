"""Optimisers: the worked example's weight update, w_new = w_old − η ∂L/∂w, and its refinements.

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

``step()`` warns, once, about the usual mistakes of a training loop (gradients
summed over several ``backward()`` calls, a parameter not in the graph, a loss
that keeps rising): see `autograd.doctor.watch`. The warnings change no number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from numbers import Real

from .doctor import watch
from .engine import Value, no_grad

watch.install()  # count backward() calls for the warnings: one call per backward(), never per node

__all__ = ["SGD", "Adam", "AdamUpdate", "Optimizer", "SGDUpdate"]


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
        self.lr = lr
        Optimizer._check_hyperparameters(self)
        # What the doctor's warnings remember between steps (`autograd.doctor.watch`); it changes no number.
        self.watch = watch.TrainingWatch(self.params)

    def _check_hyperparameters(self) -> None:
        """Refuse a setting that would make ``step()`` fail or diverge; ``step()`` checks again (``lr`` may change)."""
        _check_number(self.lr, "lr")

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0, before the next backward pass."""
        for param in self.params:
            param.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``grad``; subclasses define the rule."""
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    def _checked_gradients(self) -> list[float]:
        """Every parameter's gradient, after checking the settings and that each gradient is finite.

        A nan or infinite gradient (a loss that overflowed, a log of 0) would turn its weight into nan for
        good, so the step is refused before any parameter moves.
        """
        self._check_hyperparameters()
        grads = [float(param.grad) for param in self.params]
        for i, grad in enumerate(grads):
            if not math.isfinite(grad):
                raise ValueError(
                    f"{type(self).__name__}.step(): the gradient of {_describe(self.params[i], i)} is {grad!r}, "
                    "so no parameter was changed. Look for a loss that overflowed or a log of 0 in the forward pass."
                )
        return grads

    def _assign(self, new_data: list[float]) -> None:
        """Set every parameter's data at once, after checking that every new value is finite."""
        for i, (param, new) in enumerate(zip(self.params, new_data)):
            if not math.isfinite(new):
                raise ValueError(
                    f"{type(self).__name__}.step() would move {_describe(param, i)} from {param.data!r} to {new!r}, "
                    "so no parameter was changed. Is the learning rate too large?"
                )
        for param, new in zip(self.params, new_data):
            param.data = new


@dataclass(frozen=True)
class SGDUpdate:
    """The numbers of one parameter's SGD update, exactly as ``step()`` computes them.

    ``step = grad`` (+ ``weight_decay · old``); with momentum ``velocity = momentum · velocity_before + step``
    and the weight moves by the velocity; then ``new = old − lr · velocity`` (or ``− lr · step``).
    """

    param: Value
    old: float
    grad: float  # ∂L/∂w
    step: float  # the gradient with weight decay added: g + λw
    velocity_before: float
    velocity: float  # with momentum: μv + step; without, unchanged
    moved_by: float  # what lr multiplies: the velocity with momentum, else the step
    new: float


@dataclass(frozen=True)
class AdamUpdate:
    """The numbers of one parameter's Adam update, exactly as ``step()`` computes them."""

    param: Value
    old: float
    grad: float  # ∂L/∂w
    step: float  # the gradient with weight decay added: g + λw
    t: int  # the step number, from 1
    m_before: float
    m: float  # β₁m + (1 − β₁)g
    v_before: float
    v: float  # β₂v + (1 − β₂)g²
    m_hat: float  # m / (1 − β₁ᵗ)
    v_hat: float  # v / (1 − β₂ᵗ)
    new: float  # old − lr · m̂ / (√v̂ + eps)


class SGD(Optimizer):
    """Stochastic gradient descent, the worked example's update with two optional refinements.

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
        self.momentum = momentum
        self.weight_decay = weight_decay
        self._check_hyperparameters()
        self.velocities: list[float] = [0.0] * len(self.params)

    def _check_hyperparameters(self) -> None:
        super()._check_hyperparameters()
        _check_number(self.momentum, "momentum", below_one=True)
        _check_number(self.weight_decay, "weight_decay")

    def updates(self) -> list[SGDUpdate]:
        """The update the next ``step()`` makes, parameter by parameter, without making it.

        ``step()`` applies exactly these numbers; `autograd.explain_update` writes them out.
        """
        grads = self._checked_gradients()
        lr, momentum, weight_decay = float(self.lr), float(self.momentum), float(self.weight_decay)
        updates = []
        for param, grad, velocity in zip(self.params, grads, self.velocities):
            step = grad + weight_decay * param.data if weight_decay else grad
            new_velocity = momentum * velocity + step if momentum else velocity
            moved_by = new_velocity if momentum else step
            updates.append(
                SGDUpdate(param, param.data, grad, step, velocity, new_velocity, moved_by, param.data - lr * moved_by)
            )
        return updates

    @no_grad()
    def step(self) -> None:
        """w ← w − lr · (g + λw), or with momentum v ← μv + g + λw, w ← w − lr · v."""
        self.watch.check_step(type(self).__name__, self.lr)
        updates = self.updates()
        self._assign([update.new for update in updates])
        self.velocities = [update.velocity for update in updates]

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
        self.betas = (
            _check_number(betas[0], "betas[0]", below_one=True),
            _check_number(betas[1], "betas[1]", below_one=True),
        )
        self.eps = eps
        self.weight_decay = weight_decay
        self._check_hyperparameters()
        self.step_count = 0
        self.first_moments: list[float] = [0.0] * len(self.params)
        self.second_moments: list[float] = [0.0] * len(self.params)

    def _check_hyperparameters(self) -> None:
        super()._check_hyperparameters()
        for name, beta in zip(("betas[0]", "betas[1]"), self.betas):
            _check_number(beta, name, below_one=True)
        _check_number(self.eps, "eps", positive=True)  # √v̂ + eps is a divisor, and v̂ can be 0
        _check_number(self.weight_decay, "weight_decay")

    def updates(self) -> list[AdamUpdate]:
        """The update the next ``step()`` makes, parameter by parameter, without making it.

        ``step()`` applies exactly these numbers; `autograd.explain_update` writes them out.
        """
        grads = self._checked_gradients()
        lr, eps, weight_decay = float(self.lr), float(self.eps), float(self.weight_decay)
        beta1, beta2 = self.betas
        t = self.step_count + 1
        first_correction = 1.0 - beta1**t
        second_correction = 1.0 - beta2**t
        updates = []
        for param, grad, m_before, v_before in zip(self.params, grads, self.first_moments, self.second_moments):
            step = grad + weight_decay * param.data if weight_decay else grad
            m = beta1 * m_before + (1.0 - beta1) * step
            v = beta2 * v_before + (1.0 - beta2) * step * step
            m_hat, v_hat = m / first_correction, v / second_correction
            new = param.data - lr * m_hat / (math.sqrt(v_hat) + eps)
            updates.append(AdamUpdate(param, param.data, grad, step, t, m_before, m, v_before, v, m_hat, v_hat, new))
        return updates

    @no_grad()
    def step(self) -> None:
        """One Adam update of every parameter (see the class docstring for the formulas)."""
        self.watch.check_step(type(self).__name__, self.lr)
        updates = self.updates()
        self._assign([update.new for update in updates])
        self.step_count = self.step_count + 1
        self.first_moments = [update.m for update in updates]
        self.second_moments = [update.v for update in updates]

    def __repr__(self) -> str:
        return f"Adam({len(self.params)} parameters, lr={self.lr}, betas={self.betas}, eps={self.eps})"


def _check_number(number: object, name: str, *, below_one: bool = False, positive: bool = False) -> float:
    """A hyperparameter as a float: a real number, finite, ≥ 0 (or > 0), and below 1 for a decay rate.

    >>> _check_number(0.9, "momentum", below_one=True)
    0.9
    >>> _check_number(10**400, "lr")
    Traceback (most recent call last):
    ...
    ValueError: lr must be a finite number, but was given one too large to be a float
    """
    if isinstance(number, bool) or not isinstance(number, Real):
        raise ValueError(f"{name} must be a finite number ≥ 0, but is {type(number).__name__} {number!r}")
    try:
        value = float(number)
    except OverflowError:
        raise ValueError(f"{name} must be a finite number, but was given one too large to be a float") from None
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be a finite number {'> 0' if positive else '≥ 0'}, but is {number!r}")
    if below_one and value >= 1:
        raise ValueError(f"need {name} in [0, 1), but {name} is {number!r} (1 or more makes steps grow without end)")
    return value


def _describe(param: Value, index: int) -> str:
    return f"parameter {index} ({param.label!r})" if param.label else f"parameter {index}"
