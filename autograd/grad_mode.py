"""Whether ops record the graph (`no_grad`, `enable_grad`), and the one hook for tools that trace (`tracing`).

Settings are per thread, as in PyTorch: one thread's ``no_grad`` leaves the others recording.

>>> from autograd import Value
>>> x = Value(2.0)
>>> with no_grad():
...     y = x * 3            # a plain leaf: nothing to backpropagate through
>>> y.parents, is_grad_enabled()
((), True)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ContextDecorator, contextmanager
from typing import Any

__all__ = ["enable_grad", "is_grad_enabled", "no_grad", "tracing"]


class _Mode(threading.local):
    """This thread's settings: whether ops record the graph, and the tracing hooks."""

    enabled = True
    on_op: Callable[[Any, Any, tuple[Any, ...]], None] | None = None
    on_read: Callable[[Any], None] | None = None


class _OpenBlocks:
    """How many no_grad, enable_grad and tracing blocks are open in all threads together. While 0 (nearly
    always), an op need not read its own thread's settings at all, which would cost it a sixth of its time."""

    count = 0
    lock = threading.Lock()


mode = _Mode()
open_blocks = _OpenBlocks()


@contextmanager
def _setting(**settings: Any) -> Iterator[None]:
    """Change this thread's settings for the block, and put them back after it, also when it raises."""
    saved = {name: getattr(mode, name) for name in settings}
    with open_blocks.lock:
        open_blocks.count += 1
    for name, setting in settings.items():
        setattr(mode, name, setting)
    try:
        yield
    finally:
        for name, setting in saved.items():
            setattr(mode, name, setting)
        with open_blocks.lock:
            open_blocks.count -= 1


def tracing(
    on_op: Callable[[Any, Any, tuple[Any, ...]], None] | None = None,
    on_read: Callable[[Any], None] | None = None,
) -> AbstractContextManager[None]:
    """The one hook for tools that trace (``compile``, the batch replay): in this thread, while the block runs,
    ``on_op(node, op, inputs)`` is called with every node an op makes (inside ``no_grad`` too, where the node
    records no parents), and ``on_read(node)`` whenever code reads a node's ``.data``. Blocks nest.

    >>> from autograd import Value
    >>> made = []
    >>> with tracing(on_op=lambda node, op, inputs: made.append(op.name)):
    ...     y = Value(2.0) * 3 + 1
    >>> made
    ['*', '+']
    """
    return _setting(on_op=on_op, on_read=on_read)


def enable_grad() -> AbstractContextManager[None]:
    """Record the graph again inside a ``no_grad()`` block, as PyTorch's ``enable_grad``.

    >>> from autograd import Value
    >>> with no_grad(), enable_grad():
    ...     y = Value(2.0) * 3
    >>> len(y.parents)
    2
    """
    return _setting(enabled=True)


def is_grad_enabled() -> bool:
    """True unless this thread is inside a ``no_grad()`` block."""
    return mode.enabled


class no_grad(ContextDecorator):
    """Ops inside this block record no graph: their results are plain leaves.

    For work that needs no gradients, such as an optimiser's update. Blocks nest, recording
    resumes afterwards (also when the block raises), and only this thread is affected.
    Works as a decorator too.
    """

    def __init__(self) -> None:
        self._blocks: list[Any] = []

    def __enter__(self) -> no_grad:
        block = _setting(enabled=False)
        block.__enter__()
        self._blocks.append(block)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._blocks.pop().__exit__(*exc_info)
