"""The update step written out: w_new = w_old − η · …, for SGD (momentum, weight decay) and Adam.

The numbers are the optimiser's own: `explain_update` reads ``optimizer.updates()``, the very
list ``step()`` applies, so the explanation can never drift from the arithmetic.

>>> from autograd import Value
>>> from autograd.optim import Adam
>>> w = Value(0.5, "w"); w.grad = 0.025
>>> explained = explain_update(Adam([w], lr=0.1))
>>> explained.rule.startswith("Adam step 1: m ← β₁·m + (1 − β₁)·g, v ← β₂·v + (1 − β₂)·g², m̂ = m / (1 − β₁ᵗ)")
True
>>> print(explained.rows[0].text)
w: m = 0.9 · 0.0000 + 0.1 · 0.0250 = 0.0025
   v = 0.999 · 0.0000 + 0.001 · 0.0250² = 6.250e−07
   m̂ = 0.0025 / (1 − 0.9^1) = 0.0250
   v̂ = 6.250e−07 / (1 − 0.999^1) = 0.0006
   w = 0.5000 − 0.1 · 0.0250 / (√0.0006 + 1e-08) = 0.4000
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine import Value
from ..optim import Adam, AdamUpdate, SGDUpdate
from .notation import TEXT
from .replay import check_digits

__all__ = ["UpdateExplanation", "UpdateRow", "explain_update"]


@dataclass(frozen=True)
class UpdateRow:
    """One parameter's update: w_new = w_old − η · (its step), with the numbers the optimiser uses."""

    param: Value
    name: str
    old: float
    grad: float
    new: float
    text: str


@dataclass(frozen=True)
class UpdateExplanation:
    """The lines of one optimiser step, before it is taken; ``str()`` prints them."""

    rule: str
    rows: tuple[UpdateRow, ...]
    formula: str = ""  # the rule as the worked example writes it, w_new = w_old − η · ∂L/∂w, for plain SGD
    worked: tuple[str, ...] = ()  # each parameter's update written in that form

    def __str__(self) -> str:
        return "\n".join([self.rule, *(row.text for row in self.rows)])

    def worked_lines(self) -> list[str]:
        """Each parameter's update in the worked example's form, w_new = w_old − η · ∂L/∂w = … (plain SGD),
        or as ``str()`` writes it (momentum, weight decay, Adam)."""
        return list(self.worked) if self.worked else [line for row in self.rows for line in row.text.splitlines()]

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"


def explain_update(optimizer: Any, *, digits: int = 4) -> UpdateExplanation:
    """Write out the update the optimiser's next ``step()`` will make, from its own ``updates()``:
    each parameter as w_new = w_old − η · …. It changes nothing: call ``step()`` yourself.

    >>> from autograd.optim import SGD
    >>> w = Value(0.5, "w"); w.grad = 0.025
    >>> print(explain_update(SGD([w], lr=0.1)))
    SGD step: w ← w − η · ∂L/∂w with η = 0.1
    w: 0.5000 − 0.1 · 0.0250 = 0.4975
    """
    if not callable(getattr(optimizer, "updates", None)):
        raise TypeError(
            f"explain_update() writes out an optimiser's step from its updates() (autograd.optim's SGD and Adam "
            f"have it); {type(optimizer).__name__} has no updates()"
        )
    check_digits(digits)
    updates = optimizer.updates()  # checks the settings and the gradients, as step() does
    names = _param_names(update.param for update in updates)
    if isinstance(optimizer, Adam):
        return _adam(optimizer, updates, names, digits)
    return _sgd(optimizer, updates, names, digits)


def _sgd(optimizer: Any, updates: Sequence[SGDUpdate], names: list[str], digits: int) -> UpdateExplanation:
    lr, mu, decay = float(optimizer.lr), float(optimizer.momentum), float(optimizer.weight_decay)
    t = TEXT

    def num(x: float) -> str:
        return t.number(x, digits)

    rule = f"SGD step: w ← w − η · ∂L/∂w with η = {lr:g}"
    if decay:
        rule = f"SGD step: w ← w − η · (∂L/∂w + λ · w) with η = {lr:g}, λ = {decay:g}"
    if mu:
        step_term = "(∂L/∂w + λ · w)" if decay else "∂L/∂w"
        rule = f"SGD step with momentum: v ← μ · v + {step_term}, w ← w − η · v with η = {lr:g}, μ = {mu:g}"
        rule += f", λ = {decay:g}" if decay else ""
    rows, worked = [], []
    for u, name in zip(updates, names):
        old, grad = t.checked([u.old, u.grad], u.new, digits, lambda w, g: w - lr * g)
        worked.append(f"{name}_new = {name}_old − η · ∂L/∂{name} = {old} − {lr:g} · {_bracketed(grad)} = {num(u.new)}")
        step_text = f"({num(u.grad)} + {decay:g} · {t.operand(u.old, digits)})" if decay else t.operand(u.grad, digits)
        if mu:
            velocity_step = step_text if decay else num(u.grad)
            text = (
                f"{name}: v = {mu:g} · {t.operand(u.velocity_before, digits)} + {velocity_step} = {num(u.velocity)}, "
                f"{name} = {num(u.old)} − {lr:g} · {t.operand(u.moved_by, digits)} = {num(u.new)}"
            )
        else:
            text = f"{name}: {num(u.old)} − {lr:g} · {step_text} = {num(u.new)}"
            if not decay:
                text = f"{name}: {old} − {lr:g} · {_bracketed(grad)} = {num(u.new)}"
        rows.append(UpdateRow(u.param, name, u.old, u.grad, u.new, text))
    if mu or decay:
        return UpdateExplanation(rule, tuple(rows), rule)
    return UpdateExplanation(rule, tuple(rows), f"w_new = w_old − η · ∂L/∂w with η = {lr:g}", tuple(worked))


def _adam(optimizer: Adam, updates: Sequence[AdamUpdate], names: list[str], digits: int) -> UpdateExplanation:
    lr, eps, decay = float(optimizer.lr), float(optimizer.eps), float(optimizer.weight_decay)
    beta1, beta2 = optimizer.betas
    t = TEXT

    def num(x: float) -> str:
        return t.number(x, digits)

    def op(x: float) -> str:
        return t.operand(x, digits)

    gradient = "(g + λ·w)" if decay else "g"
    rule = (
        f"Adam step {optimizer.step_count + 1}: m ← β₁·m + (1 − β₁)·{gradient}, v ← β₂·v + (1 − β₂)·{gradient}², "
        f"m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), w ← w − η · m̂ / (√v̂ + ε) "
        f"with η = {lr:g}, β₁ = {beta1:g}, β₂ = {beta2:g}, ε = {eps:g}" + (f", λ = {decay:g}" if decay else "")
    )
    rows = []
    for u, name in zip(updates, names):
        pad = " " * (len(name) + 2)
        step = f"({num(u.grad)} + {decay:g} · {op(u.old)})" if decay else op(u.grad)
        squared = f"{step}²" if decay or u.grad >= 0 else f"{op(u.grad)}²"
        lines = [
            f"{name}: m = {beta1:g} · {op(u.m_before)} + {1 - beta1:g} · {step} = {num(u.m)}",
            f"{pad}v = {beta2:g} · {op(u.v_before)} + {1 - beta2:g} · {squared} = {num(u.v)}",
            f"{pad}m̂ = {num(u.m)} / (1 − {beta1:g}^{u.t}) = {num(u.m_hat)}",
            f"{pad}v̂ = {num(u.v)} / (1 − {beta2:g}^{u.t}) = {num(u.v_hat)}",
            f"{pad}{name} = {num(u.old)} − {lr:g} · {op(u.m_hat)} / (√{num(u.v_hat)} + {eps:g}) = {num(u.new)}",
        ]
        rows.append(UpdateRow(u.param, name, u.old, u.grad, u.new, "\n".join(lines)))
    return UpdateExplanation(rule, tuple(rows), rule)


def _bracketed(number: str) -> str:
    return f"({number})" if number.startswith(TEXT.minus) else number


def _param_names(params: Iterable[Value]) -> list[str]:
    """Each parameter's label, or params[i] when it has none or shares it with another parameter."""
    params = list(params)
    labels = [p.label for p in params]
    return [
        label if label and labels.count(label) == 1 else (f"params[{i}] ({label})" if label else f"params[{i}]")
        for i, label in enumerate(labels)
    ]
