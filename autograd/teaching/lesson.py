"""The walkthrough: the replay, with a cursor for the notebook, its pictures and its handouts.

`walkthrough(root)` is the front door (``autograd.walkthrough``). It replays what
``root.backward()`` does, one step per node that has parents, in exactly the order
``backward()`` visits them, and writes each step in the notation of the worked example
(see `autograd.teaching.notation`):

>>> from autograd import Value
>>> w, x, b = Value(0.5, "w"), Value(1.5, "x"), Value(0.1, "b")
>>> z = w * x + b; z.label = "z"
>>> a = z.sigmoid(); a.label = "a"
>>> wt = walkthrough(a)
>>> len(wt)
3
>>> print(wt[0])
Step 1 of 3: a = σ(z) = 0.7006
  upstream ∂a/∂a = 1
  ∂σ(z)/∂z = σ'(z) = σ(z)(1 − σ(z)) = 0.7006 · (1 − 0.7006) = 0.2098
  ∂a/∂z = ∂a/∂a · ∂σ(z)/∂z = 1.0000 · 0.2098 = 0.2098

It never touches a node's ``grad``: it keeps its own record, starting from 0 for
every node (as after ``zero_grad()``) and 1 for the root, and adds each
contribution in the same order as ``backward()``, so its gradients are exactly
``backward()``'s. A `Constant` operand (the ½ in ½(a − y)²) receives its
contribution in that record too, as in ``backward()``, but the explanation
leaves it out: a constant is not trained, so its gradient is of no interest.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .._files import check_target
from ..drawing import RendererNotFoundError, RenderError
from ..drawing.graph import picture_html
from ..engine import Value
from .check import GradientCheck, check
from .handout import as_latex, as_markdown, as_text
from .player import Picture, notebook_html, write_player
from .replay import Replay, Step
from .steps import Group
from .update import UpdateExplanation, explain_update

__all__ = ["Frame", "Walkthrough", "walkthrough"]


class Frame:
    """The walkthrough's one drawing at one step, as SVG (``svg``); a notebook shows it as a picture."""

    def __init__(self, svg: str) -> None:
        self.svg = svg

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> dict[str, str]:
        # As draw_dot's pictures: an image of the SVG, fitted to the output, shown in an untrusted notebook too.
        wanted = (set(include) if include is not None else {"text/html", "text/plain"}) - set(exclude or ())
        bundle = {"text/html": picture_html(self.svg, alt="the graph at this step"), "text/plain": repr(self)}
        bundle["image/svg+xml"] = self.svg
        return {mime: data for mime, data in bundle.items() if mime in wanted}

    def __repr__(self) -> str:
        return f"<Frame: {len(self.svg)} characters of SVG>"


class Walkthrough(Replay):
    """The backward pass of one graph, one `Step` per node with parents, in ``backward()``'s order.

    A sequence (``len``, ``wt[i]``, iteration) with a current position for the notebook
    (`next`, `prev`, `goto`); displaying it shows the current step's frame and explanation.
    Build it with `walkthrough`.
    """

    def __init__(self, root: Value, *, digits: int = 4, groups: Iterable[Group] = (), primitive: bool = False) -> None:
        super().__init__(root, digits=digits, groups=groups, primitive=primitive)
        self.position = 0
        self._pictures: dict[str, Picture] = {}

    # ------------------------------------------------------------------ the notebook's cursor

    @property
    def current(self) -> Step:
        """The step the notebook shows."""
        return self[self.position]

    def goto(self, index: int) -> Walkthrough:
        """Show step `index` (from 0; negative counts from the end). Returns the walkthrough, so it displays."""
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"goto() takes a step number (an int), not {type(index).__name__}: {index!r}")
        if not -len(self) <= index < len(self):
            raise IndexError(self.out_of_range(index))
        self.position = index % len(self)
        return self

    def next(self) -> Walkthrough:
        """Move to the next step (stays on the last one). Returns the walkthrough, so it displays."""
        self.position = min(self.position + 1, max(len(self) - 1, 0))
        return self

    def prev(self) -> Walkthrough:
        """Move to the previous step (stays on the first one). Returns the walkthrough, so it displays."""
        self.position = max(self.position - 1, 0)
        return self

    # ------------------------------------------------------------------ pictures

    def picture(self, **draw_options: Any) -> Picture:
        """The graph laid out once (with these `autograd.drawing.draw_dot` options), for every frame."""
        key = repr(sorted((name, id(value)) for name, value in draw_options.items()))
        if key not in self._pictures:
            self._pictures[key] = Picture(self, draw_options)
        return self._pictures[key]

    def frame(self, index: int, **draw_options: Any) -> Frame:
        """The graph at step `index`: its node, op and edges in red, the gradients known so far filled in,
        the others blank ("grad —"). The graph is laid out once; each frame only changes what it shows.

        >>> x = Value(3.0, "x")
        >>> wt = walkthrough(x * x)
        >>> "grad 6" in wt.frame(0).svg
        True
        """
        step = self[index]
        return Frame(self.picture(**draw_options).frame_svg(step.index))

    def _repr_html_(self) -> str:
        if not len(self):
            return notebook_html(self, None, 0)
        try:
            picture: Picture | None = self.picture()
            problem = ""
        except (RendererNotFoundError, RenderError) as error:  # the steps still show, never a traceback
            picture, problem = None, str(error).splitlines()[0]
        return notebook_html(self, picture, self.position, problem)

    def save_html(
        self, path: str | os.PathLike[str], *, quiz: bool = False, update: Any = None, **draw_options: Any
    ) -> Path:
        """Write one self-contained HTML file that plays the walkthrough: the graph laid out once, the steps
        as data, Prev/Next buttons, a slider, the arrow keys, pan and zoom, and a table of the gradients
        that fills in as the steps go. Nothing is loaded from the network. Extra keyword arguments go to
        `autograd.drawing.draw_dot` (``model=``, ``collapse="neuron"``, ``params=``…). Returns the path written.
        With ``quiz=True`` the same page asks for each step's gradients before showing them, with two hints,
        the answer on request, and the score at the end (`autograd.practice.page`). With ``update=optimizer``
        (after ``loss.backward()``, before ``optimizer.step()``) the player ends with the update step, each
        parameter's w_new = w_old − η · ∂L/∂w from the optimiser's own arithmetic (`explain_update`)."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"save_html() needs a file path (str or Path), not {type(path).__name__}: {path!r}")
        check_target(path)  # a missing folder fails now, not after the layout
        explained = None
        if update is not None:
            explained = update if isinstance(update, UpdateExplanation) else explain_update(update, digits=self.digits)
        if quiz:
            from ..practice.page import write_quiz  # practice sits on top of teaching: imported only when asked

            return write_quiz(self, path, draw_options, update=explained)
        picture = self.picture(**draw_options) if len(self) else None
        return write_player(self, picture, path, update=explained)

    # ------------------------------------------------------------------ the worked solution

    def __str__(self) -> str:
        return as_text(self)

    def __repr__(self) -> str:
        return f"<Walkthrough of {self.names[self.root]}: {len(self)} steps, at step {self.position}>"

    def to_markdown(self) -> str:
        """The worked solution as Markdown: a heading and the chain-rule lines per step, then a table."""
        return as_markdown(self)

    def to_latex(self) -> str:
        """The worked solution as a LaTeX fragment (needs ``\\usepackage{amsmath}``): an ``align*`` per step
        and a table of all gradients. Labels are escaped, so ``_``, ``&``, ``%``, ``#`` or braces are safe."""
        return as_latex(self)

    # ------------------------------------------------------------------ checking a learner's work

    def check(
        self, guesses: Mapping[Value | str, float], *, rel_tol: float = 1e-2, abs_tol: float = 1e-4
    ) -> GradientCheck:
        """Mark hand-computed gradients right or wrong; see `autograd.check_gradients`."""
        return check(self, guesses, rel_tol=rel_tol, abs_tol=abs_tol)


def walkthrough(root: Value, *, digits: int = 4, groups: Iterable[Group] = (), primitive: bool = False) -> Walkthrough:
    """The backward pass of `root`, one step per node with parents, written out in numbers.

    `digits` is the number of decimals shown; the recorded numbers keep full precision. `groups`
    (made by `autograd.teaching.one_step`) are shown as one step each, written as the worked example
    writes its steps; ``primitive=True`` ignores them and steps through every node.

    >>> x = Value(2.0, "x")
    >>> y = x.tanh(); y.label = "y"
    >>> print(walkthrough(y * 3)[1])
    Step 2 of 2: y = tanh(x) = 0.9640
      upstream ∂L/∂y = 3.0000
      ∂y/∂x = tanh'(x) = 1 − tanh²(x) = 1 − 0.9640² = 0.0707
      ∂L/∂x = ∂L/∂y · ∂y/∂x = 3.00000 · 0.07065 = 0.2120
    """
    return Walkthrough(root, digits=digits, groups=groups, primitive=primitive)
