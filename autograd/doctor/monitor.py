"""A training monitor: the check-up's statistics recorded at every step of a loop, plotted afterwards.

Two lines added to a training loop, and not one of its numbers changes (the monitor only reads
``data`` and ``grad``, and asks the optimiser what its next step would be without taking it):

>>> from autograd.nn import MLP, mse_loss
>>> from autograd.optim import SGD
>>> model = MLP(2, [4, 1], seed=0)
>>> optimizer = SGD(model.parameters(), lr=0.1)
>>> monitor = Monitor(model, optimizer)                      # 1
>>> for step in range(3):
...     loss = mse_loss([model([1.0, 2.0]), model([-1.0, 0.5])], [1.0, -1.0])
...     optimizer.zero_grad()
...     loss.backward()
...     monitor.record(loss)                                 # 2: after backward(), before step()
...     optimizer.step()
>>> len(monitor.steps), monitor.steps[-1].loss < monitor.steps[0].loss
(3, True)
>>> sorted(monitor.steps[0].update_ratio)
['layers.0', 'layers.1']

``monitor.plot()`` draws the loss, each layer's update-to-data ratio and gradient norm over the
steps, and the share of dead or saturated units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..engine import Value, topological_order, tracing
from .checkup import _is_flat, _layers_of, _next_changes, _std, users_of

__all__ = ["Monitor", "StepRecord"]


@dataclass
class StepRecord:
    """What the monitor read at one step, layer by layer (by the layer's name, ``"layers.0"``)."""

    step: int
    loss: float
    grad_norm: dict[str, float]  # √(Σ ∂L/∂p²) over the layer's parameters
    update_ratio: dict[str, float]  # spread of the step's changes to the weights / spread of the weights
    dead_share: dict[str, float]  # ReLU layers: share of neurons never active on this step's batch
    saturated_share: dict[str, float]  # tanh/σ layers: share of activations in the flat tails


class Monitor:
    """Records, at each ``record(loss)`` call (after ``backward()``, before ``step()``), the loss and
    per layer the gradient norm, the update-to-data ratio of the optimiser's next step, and the share of
    dead ReLUs or saturated tanh/σ units (found in the graph of the loss; ``units=False`` skips that walk).
    """

    def __init__(self, model: Any, optimizer: Any = None, *, units: bool = True) -> None:
        if not hasattr(model, "parameters"):
            raise TypeError(f"Monitor needs a model with parameters(), but was given {type(model).__name__}")
        self.model = model
        self.optimizer = optimizer
        self.units = units
        self.layers = _layers_of(model)
        self.steps: list[StepRecord] = []

    def record(self, loss: Value) -> None:
        """Read this step's statistics; call it after ``loss.backward()`` and before ``optimizer.step()``."""
        if not isinstance(loss, Value):
            raise TypeError(f"Monitor.record needs the loss Value, but was given {type(loss).__name__}: {loss!r}")
        with tracing():  # reads only: nothing here is part of a traced program
            changes = _next_changes(self.optimizer)
            grad_norm, update_ratio, dead, saturated = {}, {}, {}, {}
            users = users_of(topological_order(loss)) if self.units and self.layers else {}
            for name, neurons in self.layers.items():
                parameters = [p for _, neuron in neurons for p in neuron.parameters()]
                grad_norm[name] = math.sqrt(sum(p.grad * p.grad for p in parameters))
                weights = [w for _, neuron in neurons for w in neuron.w]
                spread = _std([w.data for w in weights])
                steps = [changes[w] for w in weights if w in changes]
                if steps and spread > 0:
                    update_ratio[name] = _std(steps) / spread
                activation = neurons[0][1].activation
                if users and activation == "relu":
                    passes = [neuron.passes_in(users) for _, neuron in neurons]
                    never = [bool(found) and all(p.sums[-1].data <= 0.0 for p in found) for found in passes]
                    dead[name] = sum(never) / len(neurons)
                elif users and activation in ("tanh", "sigmoid"):
                    outs = [p.activation for _, neuron in neurons for p in neuron.passes_in(users)]
                    flat = [_is_flat(activation, out.data) for out in outs if out is not None]
                    if flat:
                        saturated[name] = sum(flat) / len(flat)
            record = StepRecord(len(self.steps), loss.data, grad_norm, update_ratio, dead, saturated)
        self.steps.append(record)

    def plot(self) -> Any:
        """The recorded statistics over the steps (a matplotlib Figure)."""
        from .pictures import plot_monitor

        return plot_monitor(self)

    def __repr__(self) -> str:
        return f"Monitor({len(self.steps)} steps recorded, {len(self.layers)} layers)"
