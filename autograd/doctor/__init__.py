"""The training doctor: why doesn't it train?

* Warnings at the moment of a mistake (`autograd.doctor.watch`): a forgotten ``zero_grad()``, a
  parameter cut off the graph, a loss that is NaN or ∞, a loss that keeps rising.
"""

from .watch import (
    GradientAccumulationWarning,
    NoGradientWarning,
    NonFiniteLossWarning,
    RisingLossWarning,
    TrainingWarning,
)

__all__ = [
    "GradientAccumulationWarning",
    "NoGradientWarning",
    "NonFiniteLossWarning",
    "RisingLossWarning",
    "TrainingWarning",
]
