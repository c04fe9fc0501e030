"""Teaching: backprop stepped through by hand, built on the engine and the drawing package.

One module each, none importing another's privates, and no import cycles:

* `notation`  how the chain rule is written, in text, Markdown and LaTeX, from the engine's op table
* `steps`     steps at the level the learner wrote: `squared_error` (½(a − y)² as one op), `one_step` (a group)
* `replay`    ``backward()`` one step at a time, recorded (`Replay`, `Step`, `Contribution`)
* `handout`   the worked solution as text, Markdown, LaTeX
* `check`     a learner's hand-computed gradients marked (`check_gradients`)
* `update`    an optimiser's step written out (`explain_update`)
* `player`    the pictures: one layout per walkthrough, the notebook frame and the offline player
* `lesson`    `Walkthrough`, the replay with a cursor, pictures and handouts; `walkthrough` makes one
* `training`  forward → backward → update, repeated and recorded, and its player (`watch_training`)
* `landscape` the loss over two parameters with the optimisers' paths (`loss_landscape`)
* `initialisation`  each layer's activations at several initial scales (`compare_initialisations`)
"""

from .check import GradientCheck, GradientCheckRow, check_gradients
from .initialisation import compare_initialisations, initialise
from .landscape import loss_landscape
from .lesson import Frame, Walkthrough, walkthrough
from .replay import Contribution, Replay, Step
from .steps import SQUARED_ERROR, Group, one_step, squared_error
from .training import TrainingRun, watch_training
from .update import UpdateExplanation, UpdateRow, explain_update

__all__ = [
    "SQUARED_ERROR",
    "Contribution",
    "Frame",
    "GradientCheck",
    "GradientCheckRow",
    "Group",
    "Replay",
    "Step",
    "TrainingRun",
    "UpdateExplanation",
    "UpdateRow",
    "Walkthrough",
    "check_gradients",
    "compare_initialisations",
    "explain_update",
    "initialise",
    "loss_landscape",
    "one_step",
    "squared_error",
    "walkthrough",
    "watch_training",
]
