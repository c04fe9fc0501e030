"""Warnings at the moment of a training mistake: each said once, in plain words, with the fix.

Four mistakes make a network that does not learn while nothing fails:

* `GradientAccumulationWarning`: ``optimizer.step()`` uses gradients summed over several
  ``backward()`` calls, because nothing set them back to 0 in between (a forgotten ``zero_grad()``,
  the most reported bug of micrograd and its lecture). Deliberate accumulation is legitimate: silence it.
* `NoGradientWarning`: a parameter given to the optimiser never receives a gradient, because it is
  not in the graph of the loss (a ``.data`` leak, a layer not called).
* `NonFiniteLossWarning`: the loss is NaN or ±∞; the message names the first value that was not finite.
* `RisingLossWarning`: the loss rose at every one of several steps in a row (the learning rate is
  probably too large).

All are `TrainingWarning`\\ s, Python warnings: silence one kind with
``warnings.filterwarnings("ignore", category=GradientAccumulationWarning)``, or all of them with
``category=TrainingWarning``. They never change a number.

How backward() calls are seen without touching the engine: ``Value.backward`` is wrapped once (one
Python call per ``backward()``, never per node). Around each call the wrapper reads the gradients of the
parameters that live optimisers hold (a list comprehension per optimiser): a call that changes them is
counted, and the count starts again whenever they were all 0 before the call, whoever zeroed them
(``optimizer.zero_grad()``, ``model.zero_grad()`` or ``p.grad = 0.0`` by hand). For a loop with no
optimiser at all (micrograd's lecture updates ``p.data`` by hand), the leaves of a recent graph are
followed: a leaf whose data moved since the last ``backward()`` while its gradient is still exactly what
that call left is a training step that forgot to zero the gradients (see `_LectureLoopCheck` for the cost).

>>> import warnings
>>> from autograd import Value
>>> from autograd.optim import SGD
>>> w = Value(1.0, "w")
>>> optimizer = SGD([w], lr=0.1)
>>> for step in range(2):
...     loss = (w * 3.0 - 1.0) ** 2
...     loss.backward()                   # no optimizer.zero_grad() before it
...     with warnings.catch_warnings(record=True) as caught:
...         warnings.simplefilter("always")
...         optimizer.step()
>>> print(caught[0].message)               # doctest: +ELLIPSIS
SGD.step() is using gradients summed over 2 backward() calls: nothing set them back to 0 ...
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import os
import sys
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..engine import Constant, Value, topological_order, tracing

__all__ = [
    "GradientAccumulationWarning",
    "NoGradientWarning",
    "NonFiniteLossWarning",
    "RisingLossWarning",
    "TrainingWarning",
    "TrainingWatch",
]

# A parameter without a gradient at this many steps in a row is reported (one step can be a dead batch).
STEPS_WITHOUT_GRADIENT = 3
# The loss must rise at this many steps in a row, and grow by this factor over them, to be called rising:
# six values in increasing order happen by chance once in 6! = 720 noisy steps; the growth rules that out.
RISES_IN_A_ROW = 5
RISE_FACTOR = 1.5


class TrainingWarning(UserWarning):
    """A training loop that runs but will not learn as it should; every warning of the doctor is one."""


class GradientAccumulationWarning(TrainingWarning):
    """Gradients summed over several ``backward()`` calls reach an update (a forgotten ``zero_grad()``)."""


class NoGradientWarning(TrainingWarning):
    """A parameter given to the optimiser is not in the graph of the loss, so it never learns."""


class NonFiniteLossWarning(TrainingWarning):
    """The loss is NaN or ±∞."""


class RisingLossWarning(TrainingWarning):
    """The loss rose at every one of several steps in a row."""


def _package_directory() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


_PACKAGE = _package_directory()


def _warn(message: str, category: type[TrainingWarning], once: set[tuple[Any, ...]] | None = None) -> None:
    """Warn, pointing at the learner's own line (the first frame outside this package), not at ours;
    with `once`, only the first time for that line."""
    frame: Any = sys._getframe(1)
    level = 2  # stacklevel 1 is this function's own line; 2 is its caller's
    while frame is not None and _ours(frame.f_code.co_filename):
        frame = frame.f_back
        level += 1
    if once is not None:
        place = (category, frame.f_code.co_filename, frame.f_lineno) if frame is not None else (category,)
        if place in once:
            return
        once.add(place)
    warnings.warn(message, category, stacklevel=level)


def _ours(filename: str) -> bool:
    """A frame of this package, or of contextlib (``no_grad`` as a decorator), which the learner did not write."""
    path = os.path.abspath(filename)
    return path.startswith(_PACKAGE + os.sep) or os.path.basename(path) == "contextlib.py"


def _name(node: Value, index: int | None = None) -> str:
    """A parameter or node as a learner can find it: its place in the optimiser's list, its label."""
    if index is not None:
        return f"parameter {index} ({node.label!r})" if node.label else f"parameter {index}"
    return repr(node.label) if node.label else "an unlabelled value"


def _few(names: Sequence[str], shown: int = 4) -> str:
    listed = ", ".join(names[:shown])
    return f"{listed} and {len(names) - shown} more" if len(names) > shown else listed


def first_not_finite(root: Value) -> Value | None:
    """The first value of the graph (in the order values were computed) that is NaN or ±∞, or None.

    >>> from autograd import Value
    >>> x = Value(800.0, "x")
    >>> bad = x.exp()
    >>> loss = bad * 0.5 + 1.0
    >>> first_not_finite(loss) is bad
    True
    """
    with tracing():  # reading numbers here is the doctor's business, not a traced program's decision
        for node in topological_order(root):
            if not math.isfinite(node.data):
                return node
    return None


def describe_first_not_finite(root: Value) -> str:
    """Where a NaN or ∞ first appeared in the graph of `root`, in a sentence."""
    node = first_not_finite(root)
    if node is None:
        return "every value in its graph is finite"
    with tracing():
        if not node.parents:
            kind = "a constant" if isinstance(node, Constant) else "a leaf (an input or a parameter)"
            return f"it comes from {kind} {_name(node)} whose data is {node.data!r}"
        operands = ", ".join(repr(parent.data) for parent in node.parents)
        named = f"{node.label!r} = " if node.label else ""
        return (
            f"the first value that is not finite is {named}{node.op}({operands}) = {node.data!r}: "
            f"the op {node.op!r} made it from finite operands"
        )


_grad = operator.attrgetter("grad")


class TrainingWatch:
    """What one optimiser's warnings need to remember between steps; `Optimizer` keeps one in ``watch``.

    ``backward_calls`` counts the ``backward()`` calls that changed the parameters' gradients since they
    were last all 0; ``losses`` holds the loss of each step (the sum of the losses of the calls since the
    step before: one per step, or one per batch when gradients are accumulated).
    """

    def __init__(self, params: Sequence[Value]) -> None:
        self.params = list(params)
        self.param_set = set(self.params)
        self.backward_calls = 0
        self.losses_since_step: list[float] = []
        self.last_root: Value | None = None  # the loss of the last backward(): its graph says what is reachable
        self.losses: list[float] = []
        self.steps_without_gradient = [0] * len(self.params)
        self.warned: set[type[TrainingWarning]] = set()
        _watches.add(self)

    def before_backward(self) -> list[float]:
        return list(map(_grad, self.params))

    def after_backward(self, root: Value, before: list[float], loss: float) -> bool:
        """Count this backward() if it changed these parameters' gradients; say whether it did."""
        after = list(map(_grad, self.params))
        if after == before:
            return False  # this backward() did not reach these parameters
        if not any(before):  # all 0: someone zeroed them, whoever it was
            self.backward_calls = 0
        self.backward_calls += 1
        self.losses_since_step.append(loss)
        self.last_root = root
        return True

    def check_step(self, optimizer_name: str, lr: object) -> None:
        """Called by ``step()`` before it moves anything: warn about what this step is about to do."""
        self._check_accumulation(optimizer_name)
        self._check_missing_gradients(optimizer_name)
        self._check_rising_loss(optimizer_name, lr)
        self.last_root = None  # the graph of this step can be freed
        self.losses_since_step = []

    def warn_once(self, message: str, category: type[TrainingWarning]) -> None:
        """Each kind of warning once per optimiser: the first time says it all."""
        if category not in self.warned:
            self.warned.add(category)
            _warn(message, category)

    def _check_accumulation(self, optimizer_name: str) -> None:
        if self.backward_calls > 1:
            self.warn_once(
                f"{optimizer_name}.step() is using gradients summed over {self.backward_calls} backward() calls: "
                "nothing set them back to 0 in between, so each step also repeats the steps before it. "
                f"Call optimizer.zero_grad() before each loss.backward(). (If you meant to add up gradients "
                "over several batches, silence this with warnings.filterwarnings('ignore', "
                "category=autograd.doctor.GradientAccumulationWarning).)",
                GradientAccumulationWarning,
            )

    def _check_missing_gradients(self, optimizer_name: str) -> None:
        for i, param in enumerate(self.params):
            self.steps_without_gradient[i] = self.steps_without_gradient[i] + 1 if param.grad == 0.0 else 0
        # Each parameter is looked at once, the step it reaches the count: a dead ReLU's weights stay at 0 for
        # good, and walking the graph again at every step would cost as much as backward() itself.
        suspects = [i for i, steps in enumerate(self.steps_without_gradient) if steps == STEPS_WITHOUT_GRADIENT]
        if not suspects or self.last_root is None or NoGradientWarning in self.warned:
            return
        in_graph = set(topological_order(self.last_root))  # only now, once: a graph walk as long as backward()
        cut_off = [i for i in suspects if self.params[i] not in in_graph]
        if cut_off:
            names = [_name(self.params[i], i) for i in cut_off]
            self.warn_once(
                f"{_few(names)} of the {len(self.params)} given to {optimizer_name} "
                f"{'has' if len(cut_off) == 1 else 'have'} had no gradient for {STEPS_WITHOUT_GRADIENT} steps: "
                f"{'it is' if len(cut_off) == 1 else 'they are'} not in the graph of the loss, so "
                f"{'it' if len(cut_off) == 1 else 'they'} will never learn. Look for a .data in the forward pass "
                "(w.data * x makes a plain number: use w * x) or a layer that is never called.",
                NoGradientWarning,
            )

    def _check_rising_loss(self, optimizer_name: str, lr: object) -> None:
        if not self.losses_since_step:
            return  # no backward() seen since the last step: no loss to follow
        self.losses.append(sum(self.losses_since_step))
        recent = self.losses[-RISES_IN_A_ROW - 1 :]
        if len(recent) <= RISES_IN_A_ROW or not all(a < b for a, b in itertools.pairwise(recent)):
            return
        if recent[0] > 0 and recent[-1] >= RISE_FACTOR * recent[0]:
            self.warn_once(
                f"the loss rose at each of the last {RISES_IN_A_ROW} steps, from {recent[0]:.4g} to "
                f"{recent[-1]:.4g}: the learning rate (lr={lr}) is probably too large, so each step overshoots "
                "the minimum. Try a learning rate 3 to 10 times smaller.",
                RisingLossWarning,
            )


# ---------------------------------------------------------------------- watching backward()

_watches: weakref.WeakSet[TrainingWatch] = weakref.WeakSet()
_paused = threading.local()


@contextmanager
def unwatched() -> Iterator[None]:
    """``backward()`` calls inside this block are not counted (the check-up's own backward pass)."""
    before = getattr(_paused, "on", False)
    _paused.on = True
    try:
        yield
    finally:
        _paused.on = before


class _LectureLoopCheck:
    """A training loop with no optimiser that forgets to zero the gradients (micrograd's lecture).

    It follows the leaves of a recent graph that hold a gradient: a leaf whose data moved since the last
    ``backward()`` while its gradient is exactly what that call left, and which this call adds to, is a
    training step that forgot to set the gradients to 0. Finding the leaves is a walk through the graph,
    done at the first call and then only while the walks have cost under 5 % of the time spent in
    ``backward()`` lately (both times fade by 1 % a call, so that the share follows the graph in use);
    following them is a comparison per leaf.
    """

    BUDGET = 0.05
    FADE = 0.99

    def __init__(self) -> None:
        self.seen: dict[Value, tuple[float, float]] = {}  # leaf → (data, grad) after the last backward()
        self.backward_seconds = 0.0
        self.walk_seconds = 0.0

    def before(self) -> list[Value]:
        """The leaves followed whose data moved while their gradient stayed as the last backward() left it."""
        return [
            leaf for leaf, (data, grad) in self.seen.items() if grad != 0.0 and leaf.grad == grad and leaf.data != data
        ]

    def after(self, root: Value, stale: list[Value], seconds: float) -> None:
        self.backward_seconds = self.FADE * self.backward_seconds + seconds
        self.walk_seconds *= self.FADE
        added_to = [leaf for leaf in stale if leaf.grad != self.seen[leaf][1]]
        if added_to:
            names = [repr(leaf.label) for leaf in added_to if leaf.label] or [f"{len(added_to)} values"]
            _warn(
                f"this backward() adds to gradients that the previous backward() left in {len(added_to)} "
                f"parameters ({_few(names)}), though their data has changed since: a training step that "
                "forgot to set the gradients back to 0. Each update then repeats all the updates before it. "
                "Before loss.backward(), set them to 0: model.zero_grad(), or for p in model.parameters(): "
                "p.grad = 0.0.",
                GradientAccumulationWarning,
                once=_warned_places,
            )
        if self.walk_seconds <= self.BUDGET * self.backward_seconds:
            start = time.perf_counter()
            watched: set[Value] = set().union(*(watch.param_set for watch in list(_watches)))
            leaves = [
                node
                for node in topological_order(root)
                if not node.parents and not isinstance(node, Constant) and node not in watched
            ]
            self.walk_seconds += time.perf_counter() - start
        else:
            leaves = list(self.seen)
        self.seen = {leaf: (leaf.data, leaf.grad) for leaf in leaves if leaf.grad != 0.0}


_lecture_loop = _LectureLoopCheck()
_warned_places: set[tuple[Any, ...]] = set()  # the lines already warned about: each warning once per line


def _watched_backward(backward: Callable[[Value], None]) -> Callable[[Value], None]:
    @functools.wraps(backward)
    def watched(root: Value) -> None:
        if getattr(_paused, "on", False):
            backward(root)
            return
        watches = list(_watches)
        with tracing():  # the doctor's reads are not a traced program's decisions on numbers
            befores = [watch.before_backward() for watch in watches]
            stale = _lecture_loop.before()
        start = time.perf_counter()
        backward(root)
        seconds = time.perf_counter() - start
        with tracing():
            loss = root.data
            trained = [watch.after_backward(root, before, loss) for watch, before in zip(watches, befores)]
            _lecture_loop.after(root, stale, seconds)
        trainers = [watch for watch, reached in zip(watches, trained) if reached]
        if not math.isfinite(loss) and trainers:  # a loss of a training loop, not any NaN value
            trainers[0].warn_once(
                f"the loss is {loss!r}, so every gradient it gives is meaningless: {describe_first_not_finite(root)}. "
                "A learning rate too large makes weights, then values, overflow; so do inputs far from 0 "
                "(scale them) and NaN in the data.",
                NonFiniteLossWarning,
            )

    watched.__autograd_doctor__ = True  # type: ignore[attr-defined]
    return watched


def install() -> None:
    """Wrap ``Value.backward`` once (importing `autograd.optim` does it)."""
    if not getattr(Value.backward, "__autograd_doctor__", False):
        Value.backward = _watched_backward(Value.backward)  # type: ignore[method-assign,assignment]
