"""The training doctor: why doesn't it train?

* **Warnings** at the moment of a mistake (`autograd.doctor.watch`): gradients summed over several
  ``backward()`` calls (a forgotten ``zero_grad()``), a parameter cut off the graph, a loss that is NaN
  or ∞, a loss that keeps rising. Python warnings of our own categories, each said once, silenceable.
* **A check-up** of the learner's own network on a batch (`checkup`): dead ReLUs, saturated tanh/σ,
  activation and gradient statistics per layer, the update-to-data ratio of the next step, the loss
  against its expected value at initialisation, and a report naming the likely cause and what to try.
* **A monitor** (`Monitor`) recording those statistics at every step of a training loop.
* **Pictures** (matplotlib): ``report.plot()``, ``monitor.plot()``, and dead or saturated neurons marked
  in ``draw_dot(loss, model=model, collapse="neuron", mark_neurons=report.marks)``.

>>> from autograd.nn import MLP, hinge_loss
>>> model = MLP(2, [8, 1], activation="relu", seed=0)
>>> for neuron in model.layers[0].neurons:
...     neuron.b.data = -5.0                      # a bad bias: every ReLU of layer 0 starts dead
>>> report = checkup(model, [[0.5, 1.0], [1.0, -0.5], [-1.0, 0.2]], [1, -1, 1], loss=hinge_loss, quiet=True)
>>> report.layers[0].dead_share
1.0
>>> print(report.findings[0].title)
Dead ReLUs in layers.0
"""

from .checkup import Checkup, Finding, LayerHealth, checkup
from .monitor import Monitor, StepRecord
from .watch import (
    GradientAccumulationWarning,
    NoGradientWarning,
    NonFiniteLossWarning,
    RisingLossWarning,
    TrainingWarning,
)

__all__ = [
    "Checkup",
    "Finding",
    "GradientAccumulationWarning",
    "LayerHealth",
    "Monitor",
    "NoGradientWarning",
    "NonFiniteLossWarning",
    "RisingLossWarning",
    "StepRecord",
    "TrainingWarning",
    "checkup",
]
