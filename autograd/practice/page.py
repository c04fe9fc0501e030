"""The quiz as one offline HTML page: ``walkthrough(loss).save_html(path, quiz=True)``.

Each step shows the graph with the gradients known *before* it, the node it works on in red,
and asks for every gradient it produces. An answer is read as a person types it (−0.0628,
-6.28e-2, -1/16) and marked within the stated tolerance; a wrong answer offers a hint in two
levels, then the answer. Once a step's questions are done its worked explanation appears, and
Next moves on. At the end: the score (answers right first time, before any hint) and the steps
that went wrong.

The page needs nothing else: the frames are inline SVG, the questions travel as data in a
``<script type="application/json">`` block (never run; ``<`` escaped) and are shown with
``textContent``; a Content-Security-Policy allows no network and runs only the page's own script,
by its hash, as the walkthrough's player does. It is built on the walkthrough's public API only.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
from pathlib import Path
from typing import Any

from .. import draw_dot, render_svg
from .._files import check_target, write_text_atomically
from ..engine import Value
from .quiz import ABS_TOL, REL_TOL, questions, tolerance_text

__all__ = ["quiz_html", "write_quiz"]

_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("quiz-data").textContent);
  var steps = document.querySelectorAll("section.step");
  var result = document.getElementById("result");
  var prev = document.getElementById("prev"), next = document.getElementById("next");
  var counter = document.getElementById("counter");
  var state = data.questions.map(function () { return {tries: 0, hints: 0, outcome: ""}; });
  var current = 0;
  var MINUS = /[\\u2212\\u2013\\u2014\\ufe63\\uff0d]/g;
  function parse(text) {
    var t = text.trim().replace(MINUS, "-").replace(/\\uff0b/g, "+").replace(/(\\d)_(?=\\d)/g, "$1");
    var decimal = /^[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?$/i;
    var fraction = /^([+-]?\\d+)\\s*\\/\\s*(\\d+)$/.exec(t);
    var value = NaN;
    if (fraction) { value = Number(fraction[1]) / Number(fraction[2]); }
    else if (decimal.test(t)) { value = Number(t); }
    return isFinite(value) ? value : null;
  }
  function close(given, answer) {
    var size = Math.max(Math.abs(given), Math.abs(answer));
    return Math.abs(given - answer) <= Math.max(data.rel_tol * size, data.abs_tol);
  }
  function number(x) {
    var text = x === 0 ? "0.0000" : (Math.abs(x) >= 0.00005 ? x.toFixed(4) : x.toExponential(3));
    return text.replace("-", "\\u2212");
  }
  function stepDone(k) {
    return data.questions.every(function (q, i) { return q.step !== k || state[i].outcome !== ""; });
  }
  function finish(box, i, outcome, message, kind) {
    state[i].outcome = outcome;
    box.querySelector(".feedback").textContent = message;
    box.className = "question " + kind;
    box.querySelectorAll("input, button").forEach(function (el) { el.disabled = true; });
    refresh();
  }
  function answer(box) {
    var i = Number(box.dataset.q), q = data.questions[i], s = state[i];
    if (s.outcome) return;
    var feedback = box.querySelector(".feedback");
    var typed = box.querySelector("input").value;
    var given = parse(typed);
    if (given === null) {
      feedback.textContent = "\\u201c" + typed.trim() + "\\u201d is not a number: type one such as " +
        "\\u22120.0628, -6.28e-2 or -1/16.";
      box.className = "question invalid";
      return;
    }
    s.tries += 1;
    if (close(given, q.answer)) {
      var first = s.tries === 1 && s.hints === 0;
      finish(box, i, first ? "first" : "later", "\\u2713 right: " + q.gradient + " = " + number(q.answer), "right");
    } else {
      feedback.textContent = "\\u2717 not " + number(given) + ". Try again, " +
        (s.hints < 2 ? "ask for a hint, " : "") + "or show the answer.";
      box.className = "question wrong";
      box.querySelector("input").select();
    }
  }
  function hint(box) {
    var i = Number(box.dataset.q), s = state[i];
    var hints = box.querySelector(".hints");
    if (s.hints >= data.questions[i].hints.length) return;
    var line = document.createElement("p");
    line.textContent = data.questions[i].hints[s.hints];
    hints.appendChild(line);
    s.hints += 1;
    if (s.hints >= data.questions[i].hints.length) box.querySelector("button.hint").disabled = true;
  }
  function show(box) {
    var i = Number(box.dataset.q);
    finish(box, i, "shown", "The answer: " + data.questions[i].shown, "shown");
  }
  function score() {
    var right = state.filter(function (s) { return s.outcome === "first"; }).length;
    var wrong = [];
    state.forEach(function (s, i) {
      if (s.outcome === "later" || s.outcome === "shown") wrong.push(data.questions[i].label);
    });
    document.getElementById("score").textContent = "Score: " + right + " of " + state.length +
      " right first time (" + data.tolerance + ").";
    var list = document.getElementById("wrong");
    list.textContent = "";
    wrong.forEach(function (label) {
      var item = document.createElement("li");
      item.textContent = label;
      list.appendChild(item);
    });
    document.getElementById("wrong-heading").hidden = wrong.length === 0;
  }
  function refresh() {
    var atEnd = current === steps.length;
    steps.forEach(function (step, k) { step.hidden = k !== current; });
    result.hidden = !atEnd;
    if (!atEnd) {
      var done = stepDone(current);
      steps[current].querySelector(".explanation").hidden = !done;
      next.disabled = !done;
      next.textContent = current === steps.length - 1 ? "Finish \\u25b6" : "Next \\u25b6";
      counter.textContent = "Step " + (current + 1) + " of " + steps.length;
    } else {
      score();
      next.disabled = true;
      counter.textContent = "Done";
    }
    prev.disabled = current === 0;
  }
  function go(k) {
    current = Math.max(0, Math.min(steps.length, k));
    refresh();
    var open = steps[current] && steps[current].querySelector(".question:not(.right):not(.shown) input");
    if (open) open.focus();
  }
  document.querySelectorAll(".question").forEach(function (box) {
    box.querySelector("button.check").addEventListener("click", function () { answer(box); });
    box.querySelector("button.hint").addEventListener("click", function () { hint(box); });
    box.querySelector("button.show").addEventListener("click", function () { show(box); });
    box.querySelector("input").addEventListener("keydown", function (event) {
      if (event.key === "Enter") { answer(box); event.preventDefault(); }
    });
  });
  prev.addEventListener("click", function () { go(current - 1); });
  next.addEventListener("click", function () { go(current + 1); });
  go(0);
})();
"""

_STYLE = """
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 1.5em auto; max-width: 70em; padding: 0 1em;
       color: #111827; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
.intro { color: #4b5563; margin: 0.3em 0; }
nav { display: flex; align-items: center; gap: 0.8em; margin: 1em 0; position: sticky; top: 0; background: #fff;
      padding: 0.4em 0; flex-wrap: wrap; }
button { font: inherit; padding: 0.3em 0.9em; }
#counter { min-width: 8em; font-variant-numeric: tabular-nums; }
.frame svg { max-width: 100%; height: auto; }
h2 { font-size: 1.1em; margin: 0.6em 0 0.3em; }
.question { margin: 0.6em 0; padding: 0.5em 0.8em; border-left: 4px solid #9ca3af; background: #f9fafb; }
.question label { font-weight: bold; margin-right: 0.5em; }
.question input { font: inherit; width: 9em; padding: 0.2em 0.4em; }
.question.right { border-color: #16a34a; } .question.wrong, .question.invalid { border-color: #dc2626; }
.question.shown { border-color: #d97706; }
.feedback, .hints p { margin: 0.3em 0; }
pre { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 0.95em; line-height: 1.5;
      background: #f9fafb; border-left: 3px solid #dc2626; padding: 0.6em 1em; white-space: pre-wrap; }
#score { font-size: 1.2em; font-weight: bold; }
"""


def _svg(root: Value, draw_options: dict[str, Any], **frame: Any) -> str:
    svg = render_svg(draw_dot(root, **{**draw_options, **frame}))
    return svg[svg.find("<svg") :]


def _json_for_html(data: object) -> str:
    """JSON that cannot end its <script> block early: every < is written as \\u003c."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def quiz_html(
    wt: Any, draw_options: dict[str, Any] | None = None, *, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL
) -> str:
    """The quiz page for walkthrough `wt` as HTML text; `draw_options` go to `autograd.viz.draw_dot`."""
    esc = html.escape
    options = {"names": wt.names, **(draw_options or {})}
    root = wt.root
    loss = wt.names[root]
    asked = questions(wt)
    tolerance = tolerance_text(rel_tol, abs_tol)
    known: dict[Value, float] = {root: 1.0}  # the gradients a learner has by the start of each step
    sections = []
    for index, step in enumerate(wt):
        boxes = []
        for number, q in enumerate(asked):
            if q.step != index:
                continue
            boxes.append(
                f'<div class="question" data-q="{number}"><label for="answer-{number}">{esc(q.prompt)}</label>'
                f'<input id="answer-{number}" type="text" inputmode="decimal" autocomplete="off" spellcheck="false">'
                '<button type="button" class="check">Check</button><button type="button" class="hint">Hint</button>'
                '<button type="button" class="show">Show answer</button>'
                '<div class="hints"></div><p class="feedback" aria-live="polite"></p></div>'
            )
        if not boxes:
            boxes.append("<p>Only constants feed this node: nothing to work out here.</p>")
        header, *equations = str(step).splitlines()
        frame = _svg(root, options, highlight=step.node, grads=dict(known))
        sections.append(
            f'<section class="step" hidden><div class="frame">{frame}</div><h2>{esc(header)}</h2>{"".join(boxes)}'
            f'<pre class="explanation" hidden>{esc(chr(10).join(line.strip() for line in equations))}</pre></section>'
        )
        for c in step.contributions:
            known[c.parent] = c.grad_after
    final = _svg(root, options, grads=dict(wt.gradients))
    data = {
        "rel_tol": rel_tol,
        "abs_tol": abs_tol,
        "tolerance": tolerance,
        "questions": [
            {
                "step": q.step,
                "answer": q.answer,
                "gradient": q.gradient,
                "hints": list(q.hints),
                "shown": q.shown(),
                "label": q.label,
            }
            for q in asked
        ],
    }
    script_hash = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
    policy = f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{script_hash}'"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quiz: the backward pass through {esc(loss)}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>Quiz: the backward pass through {esc(loss)}, by hand</h1>
<p class="intro">At each step, work out the gradients it produces before they are shown:
∂{esc(loss)}/∂parent = ∂{esc(loss)}/∂node · (the local derivative), added up when a node feeds several others.
Type a number such as −0.0628, -6.28e-2 or -1/16; it is right {esc(tolerance)}.
A point for each answer right first time, before any hint. The graph shows the gradients known so far.</p>
<nav>
<button id="prev" type="button" disabled>◀ Prev</button>
<span id="counter">Step 1 of {len(wt)}</span>
<button id="next" type="button" disabled>Next ▶</button>
</nav>
<main>
{chr(10).join(sections)}
<section id="result" hidden>
<h2>All gradients</h2>
<div class="frame">{final}</div>
<p id="score"></p>
<p id="wrong-heading" hidden>These went wrong; step back with Prev to read their explanations:</p>
<ul id="wrong"></ul>
</section>
</main>
<script type="application/json" id="quiz-data">{_json_for_html(data)}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def write_quiz(wt: Any, path: str | os.PathLike[str], draw_options: dict[str, Any] | None = None) -> Path:
    """Draw the quiz page, then write it to `path` all at once."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"save_html() needs a file path (str or Path), not {type(path).__name__}: {path!r}")
    if not len(wt):
        raise ValueError(f"{wt.names[wt.root]} is a leaf: backward() has no step, so there is nothing to ask")
    check_target(path)  # a missing folder fails now, not after drawing every frame
    page = quiz_html(wt, draw_options)
    write_text_atomically(path, page)
    return Path(path)
