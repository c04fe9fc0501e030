"""The HTML views of a walkthrough: the notebook's current step, and the offline player file.

The player is one HTML file that needs nothing else: every frame is inline SVG,
every explanation inline text, and a few lines of script only show and hide them.
No user text ever reaches the script: labels appear only as HTML-escaped text
(and inside the SVG, which draw_dot escapes). A Content-Security-Policy allows
no network at all and runs only the player's own script, by its hash.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._files import check_target, write_text_atomically
from .viz import RendererNotFoundError, RenderError, _printable, render_svg

if TYPE_CHECKING:
    from .walkthrough import Step, Walkthrough

_SCRIPT = """
(function () {
  "use strict";
  var steps = document.querySelectorAll("section.step");
  if (!steps.length) return;
  var rows = document.querySelectorAll("#summary tbody tr");
  var slider = document.getElementById("slider");
  var counter = document.getElementById("counter");
  var prev = document.getElementById("prev");
  var next = document.getElementById("next");
  var current = 0;
  function show(i) {
    current = Math.max(0, Math.min(steps.length - 1, i));
    steps.forEach(function (step, k) { step.hidden = k !== current; });
    rows.forEach(function (row) { row.classList.toggle("current", row.dataset.row === steps[current].dataset.row); });
    slider.value = String(current + 1);
    counter.textContent = "Step " + (current + 1) + " of " + steps.length;
    prev.disabled = current === 0;
    next.disabled = current === steps.length - 1;
  }
  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  slider.addEventListener("input", function () { show(Number(slider.value) - 1); });
  document.addEventListener("keydown", function (event) {
    if (event.target === slider) return;  // the slider moves itself with the arrow keys
    var moves = {ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: steps.length - 1};
    if (event.key in moves) { show(moves[event.key]); event.preventDefault(); }
  });
  show(0);
})();
"""

_STYLE = """
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 1.5em auto; max-width: 70em; padding: 0 1em;
       color: #111827; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
.intro, .legend { color: #4b5563; margin: 0.3em 0; }
nav { display: flex; align-items: center; gap: 0.8em; margin: 1em 0; position: sticky; top: 0;
      background: #fff; padding: 0.4em 0; }
nav input { flex: 1; }
button { font: inherit; padding: 0.3em 0.9em; }
#counter { min-width: 8em; text-align: right; font-variant-numeric: tabular-nums; }
.frame svg { max-width: 100%; height: auto; }
.explanation h2 { font-size: 1.1em; margin: 0.6em 0 0.3em; }
pre { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 0.95em; line-height: 1.5;
      background: #f9fafb; border-left: 3px solid #dc2626; padding: 0.6em 1em; white-space: pre-wrap; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 0.2em 0.9em; border-bottom: 1px solid #e5e7eb; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.current { background: #fee2e2; font-weight: bold; }
"""


def _text(text: str) -> str:
    """User text (labels, in names and explanations) for the page: escaped, and anything unshowable made visible."""
    return html.escape(_printable(text))


def _svg_for_inline(svg: str) -> str:
    """Graphviz's SVG without the XML prolog and doctype, which belong to a file of its own."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _explanation(step: Step) -> str:
    header, *equations = step.lines()
    return f"<h2>{_text(header)}</h2><pre>{_text(chr(10).join(line.strip() for line in equations))}</pre>"


def _leaf_note(wt: Walkthrough) -> str:
    loss = _text(wt.names[wt.root])
    return f"{loss} is a leaf: backward() has no step to take, and ∂{loss}/∂{loss} = 1."


def notebook_html(wt: Walkthrough) -> str:
    """The current step as the notebook shows it: its frame, its explanation, how to move on."""
    if not len(wt):
        return f"<p>{_leaf_note(wt)}</p>"
    step = wt.current
    try:
        picture = _svg_for_inline(render_svg(wt.frame(step.index)))
    except (RendererNotFoundError, RenderError) as error:  # a notebook shows the steps anyway, never a traceback
        picture = f"<p><i>No picture: {_text(str(error).splitlines()[0])}</i></p>"
    moves = "wt.next(), wt.prev(), wt.goto(i) move through the steps; print(wt) shows them all."
    return (
        f'<div class="autograd-walkthrough"><div>{picture}</div>{_explanation(step)}'
        f'<p style="color:#6b7280">Step {step.index + 1} of {len(wt)}. {_text(moves)}</p></div>'
    )


def player_html(wt: Walkthrough, draw_options: dict[str, Any]) -> str:
    """The whole player page as HTML text."""
    esc = _text
    loss = wt.names[wt.root]
    summary = wt.summary_rows()
    row_of = {name: str(i) for i, (name, _, _) in enumerate(summary)}
    sections = []
    for step in wt:
        svg = _svg_for_inline(render_svg(wt.frame(step.index, **draw_options)))
        sections.append(
            f'<section class="step" data-row="{row_of[step.name]}" {"" if step.index == 0 else "hidden"}>'
            f'<div class="frame">{svg}</div><div class="explanation">{_explanation(step)}</div></section>'
        )
    if not sections:
        sections.append(f"<p>{_leaf_note(wt)}</p>")
    count = max(len(wt), 1)
    disabled = "" if len(wt) > 1 else " disabled"
    rows = "".join(
        f'<tr data-row="{i}">' + "".join(f"<td>{esc(cell)}</td>" for cell in cells) + "</tr>"
        for i, cells in enumerate(wt.summary_table())
    )
    script_hash = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
    policy = f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{script_hash}'"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backward pass through {esc(loss)}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>Backward pass through {esc(loss)}, step by step</h1>
<p class="intro">Each step applies the chain rule at one node, in the order backward() does:
∂{esc(loss)}/∂parent += ∂node/∂parent · ∂{esc(loss)}/∂node.</p>
<p class="legend">Red: this step's node, its op and its edges. "grad —": not reached yet.
Keys: ← → move, Home / End jump.</p>
<nav>
<button id="prev" type="button" disabled>◀ Prev</button>
<input id="slider" type="range" min="1" max="{count}" value="1" step="1" aria-label="step">
<button id="next" type="button"{disabled}>Next ▶</button>
<span id="counter">Step 1 of {count}</span>
</nav>
<main>
{chr(10).join(sections)}
</main>
<h2>All gradients, after the last step</h2>
<table id="summary">
<thead><tr><th>node</th><th>value</th><th>∂{esc(loss)}/∂node</th></tr></thead>
<tbody>{rows}</tbody>
</table>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def write_player(wt: Walkthrough, path: str | os.PathLike[str], draw_options: dict[str, Any]) -> Path:
    """Render the player and write it to `path` all at once: a reader never sees half a file."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"save_html() needs a file path (str or Path), not {type(path).__name__}: {path!r}")
    check_target(path)  # a missing folder fails now, not after drawing every frame
    page = player_html(wt, draw_options)  # render first: a failure leaves no file behind
    write_text_atomically(path, page)
    return Path(path)
