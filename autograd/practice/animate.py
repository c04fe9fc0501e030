"""A walkthrough as pictures for slides: numbered PNG frames and an animated GIF, for course platforms that
strip HTML and scripts.

Frame k is the graph at step k (its node in red, the gradients known so far filled in) with the step's
chain rule written underneath, `width` pixels wide (1280 by default, readable on a projector). The graph is
laid out by Graphviz's ``dot`` program when there is one and otherwise by pygraphviz, whose wheels bundle
Graphviz: no system Graphviz is needed. Needs Pillow (``pip install "scalar-autograd[render]"``).

>>> from autograd import Value, walkthrough
>>> x = Value(3.0, "x")
>>> pictures = frames(walkthrough(x * x))
>>> len(pictures), pictures[0].width
(1, 1280)
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import draw_dot
from .._files import check_target, write_bytes_atomically
from ..engine import Value

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["frames", "save_frames", "save_gif"]

FONT_FILES = ("DejaVuSansMono.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
_DPI = 96  # Graphviz's default: a drawing of w inches is 96·w pixels


def _pillow() -> Any:
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        if sys.platform == "emscripten":  # in a browser (Pyodide), where Pillow cannot be installed
            raise ImportError(
                "frames and GIFs need Pillow, which has no build for the browser: run this cell on your own "
                'computer, after pip install "scalar-autograd[render]". In the browser, walkthrough(...) and '
                "its save_html(...) page show the same steps."
            ) from None
        from .._installation import install_command

        raise ImportError(f"frames and GIFs need Pillow: {install_command('render')} (or pip install Pillow)") from None
    return Image, ImageDraw, ImageFont


def _font(size: int) -> Any:
    _, _, fonts = _pillow()
    for name in FONT_FILES:  # DejaVu has ∂, σ and the minus sign
        try:
            return fonts.truetype(name, size)
        except OSError:
            continue
    return fonts.load_default(size=size)


def _graph_png(root: Value, dpi: float, options: dict[str, Any]) -> Image.Image:
    images, _, _ = _pillow()
    dot = draw_dot(root, **options)
    dot.graph_attr["dpi"] = f"{dpi:.1f}"
    drawn = dot.pipe(format="png")  # Graphviz's dot where it is on PATH, else pygraphviz
    assert isinstance(drawn, bytes)  # no encoding asked for
    picture: Image.Image = images.open(io.BytesIO(drawn)).convert("RGB")
    return picture


def frames(wt: Any, *, width: int = 1280, caption: bool = True, **draw_options: Any) -> list[Image.Image]:
    """One picture per step of walkthrough `wt`, all `width` pixels wide and of one height (Pillow images)."""
    if isinstance(width, bool) or not isinstance(width, int) or not 320 <= width <= 7680:
        raise ValueError(f"width is in pixels, a whole number from 320 to 7680, not {width!r}")
    if not len(wt):
        raise ValueError(f"{wt.names[wt.root]} is a leaf: backward() has no step to draw")
    images, drawing, _ = _pillow()
    root = wt.root
    options = {"names": wt.names, **draw_options}
    known: dict[Value, float] = {root: 1.0}
    steps = []
    for step in wt:
        for c in step.contributions:
            known[c.parent] = c.grad_after
        steps.append((step, dict(known)))
    # Lay out once at Graphviz's resolution to learn the drawing's size, then draw every frame sharp enough.
    natural = _graph_png(root, _DPI, {**options, "grads": wt.gradients}).width
    dpi = _DPI * max(1.0, width / natural)
    font = _font(max(14, width // 64))
    line_height = int(font.size * 1.35)
    pictures = []
    for step, grads in steps:
        graph = _graph_png(root, dpi, {**options, "highlight": step.node, "grads": grads})
        graph = graph.resize((width, max(1, round(graph.height * width / graph.width))), images.LANCZOS)
        lines = str(step).splitlines() if caption else []
        picture = images.new("RGB", (width, graph.height + line_height * (len(lines) + 1)), "white")
        picture.paste(graph, (0, 0))
        pen = drawing.Draw(picture)
        for k, line in enumerate(lines):
            pen.text((width // 40, graph.height + line_height * (k + 0.5)), line, fill="#111827", font=font)
        pictures.append(picture)
    height = max(p.height for p in pictures)
    padded = []
    for picture in pictures:  # one size for every frame: a GIF's frames share one canvas
        canvas = images.new("RGB", (width, height), "white")
        canvas.paste(picture, (0, 0))
        padded.append(canvas)
    return padded


def save_frames(wt: Any, folder: str | os.PathLike[str], **options: Any) -> list[Path]:
    """Write ``step-01.png``, ``step-02.png``, … into `folder` (made if needed); `options` as for `frames`."""
    pictures = frames(wt, **options)  # drawn before any file is touched
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    digits = max(2, len(str(len(pictures))))
    written = []
    for number, picture in enumerate(pictures, start=1):
        path = target / f"step-{number:0{digits}d}.png"
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG")
        write_bytes_atomically(path, buffer.getvalue())
        written.append(path)
    return written


def save_gif(wt: Any, path: str | os.PathLike[str], *, seconds_per_step: float = 2.5, **options: Any) -> Path:
    """Write the steps as one animated GIF that loops; `options` as for `frames`."""
    if not isinstance(seconds_per_step, (int, float)) or not 0.1 <= seconds_per_step <= 60:
        raise ValueError(f"seconds_per_step must be from 0.1 to 60, not {seconds_per_step!r}")
    check_target(path)
    return write_gif(frames(wt, **options), path, seconds_per_step)


def write_gif(pictures: Sequence[Any], path: str | os.PathLike[str], seconds_per_frame: float) -> Path:
    """Pillow images as one looping GIF, written whole or not at all (also for `autograd.teaching.landscape`)."""
    buffer = io.BytesIO()
    pictures[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=list(pictures[1:]),
        duration=round(seconds_per_frame * 1000),
        loop=0,
    )
    write_bytes_atomically(path, buffer.getvalue())
    return Path(path)
