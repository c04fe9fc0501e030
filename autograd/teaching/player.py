"""The pictures of a walkthrough: one layout of the graph, and each step shown by changing what it shows.

The graph is laid out once (`Picture`). A step changes only what that one drawing shows: the
step's node, op and edges highlighted, the gradients known so far filled in (each box is drawn
wide enough for every number it will hold, so nothing moves between steps). The offline player
(`player_html`) does this with a short script and the steps as data; a notebook frame
(`Picture.frame_svg`) does it in Python on the same SVG. So the cost is one layout plus a few
numbers per step, whatever the graph's size.

The player is one HTML file that needs nothing else. No user text ever reaches the script as
code: the steps travel in a ``<script type="application/json">`` block (data, never run, with
``<`` escaped) and are shown with ``textContent``. A Content-Security-Policy allows no network
at all and runs only the player's own script, by its hash.

The quiz (``save_html(path, quiz=True)``) is this same page with a panel that asks for each step's
gradients before the drawing, the table or the explanation show them; its questions, hints and
answers (from `autograd.practice.quiz`) travel in the same data block.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .._files import check_target, write_text_atomically
from ..drawing import ComputationGraph, draw_dot, render_svg
from ..drawing.graph import HIGHLIGHT, picture_html
from ..drawing.text import format_number, printable
from ..engine import Constant, Value
from .handout import summary_table
from .notation import TEXT
from .replay import Replay, Step
from .update import UpdateExplanation

__all__ = ["Picture", "notebook_html", "player_html", "progress", "write_player"]

NOT_REACHED = "—"
PROGRESS_AFTER_SECONDS = 1.0  # work that takes longer says what it is doing, on stderr
SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ElementTree.register_namespace("", SVG)
ElementTree.register_namespace("xlink", XLINK)


def _text(text: str) -> str:
    """User text (labels, in names and explanations) for the page: escaped, and anything unshowable made visible."""
    return html.escape(printable(text))


@contextmanager
def progress(what: str) -> Iterator[None]:
    """Say on stderr what is being done, once it has taken more than a second, and then how long it took."""
    started = time.perf_counter()
    if sys.platform == "emscripten":  # a browser (Pyodide) has no threads: only say how long it took
        yield
        if time.perf_counter() - started > PROGRESS_AFTER_SECONDS:
            print(f"{what}: done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        return
    said = threading.Event()

    def say() -> None:
        said.set()
        print(f"{what}…", file=sys.stderr, flush=True)

    timer = threading.Timer(PROGRESS_AFTER_SECONDS, say)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        if said.is_set():
            print(f"{what}: done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


class _View:
    """One drawing of the graph: its SVG as it reads before the first step, and where each part of it is."""

    def __init__(self, dot: ComputationGraph, before: dict[Value, str]) -> None:
        self.parts = dot.parts
        # Where each Value's gradient is shown: its box, and which of the box's "grad" rows.
        self.slots: dict[Value, tuple[str, int]] = {
            node: (box, row) for box, nodes in dot.grad_rows.items() for row, node in enumerate(nodes)
        }
        self.grad_rows = dot.grad_rows
        with progress(f"laying out the graph ({len(dot.grad_rows)} boxes)"):
            svg = _svg_for_inline(render_svg(dot))
        # As it reads before the first step: each box was drawn holding its widest number, which is no one's to see yet.
        self.svg = _with_grads(svg, self.grad_rows, before)

    def step_parts(self, step: Step) -> list[str]:
        """What a step highlights: its node's box, op and edges; for a group, those of every node inside."""
        return [part for member in step.members for part in self.parts.get(member, [])]

    def focus(self, step: Step) -> list[str]:
        """What the view must show whole at a step: the step's parts and the boxes of its inputs."""
        return self.step_parts(step) + [self.slots[p][0] for p in step.parents if p in self.slots]


class Picture:
    """One layout of a replay's graph, and what each step changes on it.

    ``draw_options`` go to `autograd.drawing.draw_dot` (``model=``, ``collapse=``, ``params=``, …). The replay's
    groups (`one_step`) are drawn folded, each one box; the player can also switch to a second drawing with
    their ops unfolded (``views``). ``fold=False`` or ``fold=True`` asks for that one drawing only.
    """

    def __init__(self, replay: Replay, draw_options: dict[str, Any] | None = None) -> None:
        self.replay = replay
        options: dict[str, Any] = {"names": replay.names, **(draw_options or {})}
        self.precision = precision = options.get("precision", 4)
        # Every number a box will show, to draw it wide enough for the widest.
        shown: dict[Value, list[str]] = {replay.root: [format_number(1.0, precision)]}
        self.changes: list[list[tuple[Value, float, bool]]] = []  # per step: (node, its gradient now, complete?)
        for step in replay:
            changed = []
            for c in step.contributions:
                shown.setdefault(c.parent, []).append(format_number(c.grad_after, precision))
                changed.append((c.parent, c.grad_after, c.complete))
            for member in step.members[:-1]:  # inside a group: backward()'s numbers, reached at the group's step
                shown.setdefault(member, []).append(format_number(replay.gradients[member], precision))
                changed.append((member, replay.gradients[member], True))
            self.changes.append(changed)
        widest = {node: max([NOT_REACHED, *texts], key=len) for node, texts in shown.items()}
        options["grads"] = widest
        # The steps the learner wrote (one_step groups) are drawn folded, one box each; a second drawing with
        # their ops unfolded lets the player switch between the two (unless fold= asks for one of them).
        options.setdefault("groups", replay.groups)
        folds = [options.pop("fold", True)] if "fold" in options or not options["groups"] else [True, False]
        self.views = [_View(draw_dot(replay.root, fold=fold, **options), self.known_after(-1)) for fold in folds]
        self.folded = folds
        first = self.views[0]
        self.svg, self.parts, self.slots, self.grad_rows = first.svg, first.parts, first.slots, first.grad_rows

    def known_after(self, index: int) -> dict[Value, str]:
        """The gradient text of every Value reached once step `index` is done (-1: before the first step)."""
        known = {self.replay.root: format_number(1.0, self.precision)}
        for changed in self.changes[: index + 1]:
            for node, grad, _ in changed:
                known[node] = format_number(grad, self.precision)
        return known

    def frame_svg(self, index: int) -> str:
        """The drawing at step `index`, as SVG text: its parts highlighted, the gradients known so far filled in."""
        step = self.replay[index]
        return self._showing(set(self.step_parts(step)), self.known_after(step.index))

    def step_parts(self, step: Step) -> list[str]:
        """What a step highlights: its node's box, op and edges; for a group, those of every node inside."""
        return self.views[0].step_parts(step)

    def _showing(self, highlighted: set[str], known: dict[Value, str]) -> str:
        """The drawing with these parts highlighted and these gradients filled in, the others "grad —"."""
        root = ElementTree.fromstring(self.svg)
        for group in root.iter(f"{{{SVG}}}g"):
            title = group.find(f"{{{SVG}}}title")
            if title is None or title.text is None:
                continue
            name = title.text
            if name in highlighted:
                for shape in group.iter():
                    if shape.tag in (f"{{{SVG}}}path", f"{{{SVG}}}polygon", f"{{{SVG}}}ellipse"):
                        if shape.get("stroke") not in (None, "transparent"):
                            shape.set("stroke", HIGHLIGHT)
                            shape.set("stroke-width", "2.5")
                        if shape.tag == f"{{{SVG}}}polygon" and shape.get("fill") == "#6b7280":
                            shape.set("fill", HIGHLIGHT)  # an arrowhead
            if name in self.grad_rows:
                for node, text in zip(self.grad_rows[name], _grad_texts(group)):
                    value = known.get(node)
                    gap = (text.text or "")[: len(text.text or "") - len((text.text or "").lstrip())]
                    text.text = f"{gap}grad {value if value is not None else NOT_REACHED}"
                    text.set("fill", "#111827" if value is not None else "#9ca3af")
        return ElementTree.tostring(root, encoding="unicode")

    def data(self, update: UpdateExplanation | None = None) -> dict[str, Any]:
        """What the player's script needs, as JSON-ready data: the slots, and per step its changes and text.
        With `update` (`explain_update`), a last step shows the optimiser's update of each parameter."""
        replay, digits = self.replay, self.replay.digits
        table = replay.shown_nodes()
        # The table's rows, then the nodes drawn but not listed (inside a group): their gradients show in the drawing.
        listed = set(table)
        rows = table + [n for n in reversed(replay.nodes) if n not in listed and not isinstance(n, Constant)]
        row_of = {node: i for i, node in enumerate(rows)}
        slots = [list(self.slots.get(node, ("", -1))) for node in rows]
        # With a second drawing (unfolded): every drawing's slots, and what each step lights and brings into view.
        views: list[dict[str, Any]] = [
            {
                "folded": folded,
                "slots": [list(view.slots.get(node, ("", -1))) for node in rows],
                "parts": [view.step_parts(step) for step in replay],
                "focus": [view.focus(step) for step in replay],
            }
            for view, folded in zip(self.views, self.folded)
            if len(self.views) > 1
        ]
        steps = []
        count = len(replay) + (update is not None)
        for step, changed in zip(replay, self.changes):
            _, *lines = step.lines()
            header = f"Step {step.index + 1} of {count}: {step.forward()}"
            steps.append(
                {
                    "row": row_of[step.node],
                    "parts": self.step_parts(step),
                    # what the view must show whole: the step's parts and the boxes of its inputs
                    "focus": self.views[0].focus(step),
                    # per gradient reached: its row, as the picture shows it, as the table shows it, complete?
                    "grads": [
                        [row_of[node], format_number(grad, self.precision), TEXT.number(grad, digits), int(complete)]
                        for node, grad, complete in changed
                        if node in row_of
                    ],
                    "header": printable(header),
                    "lines": printable("\n".join(line.strip() for line in lines)),
                }
            )
        if update is not None:
            for view, drawn in zip(views, self.views):
                view["parts"].append(_update_parts(drawn, update))
                view["focus"].append(_update_focus(drawn, update))
            steps.append(
                {
                    "row": -1,
                    "parts": _update_parts(self.views[0], update),
                    "focus": _update_focus(self.views[0], update),
                    "grads": [],
                    "header": printable(f"Step {count} of {count}: the update, {update.formula}"),
                    "lines": printable("\n".join(update.worked_lines())),
                }
            )
        final = [TEXT.number(replay.gradients[node], digits) for node in rows[: len(table)]]
        start = [format_number(1.0, self.precision), TEXT.number(1.0, digits)]
        found = {"root": row_of[replay.root], "start": start, "slots": slots, "steps": steps, "final": final}
        if views:
            found["views"] = views
        return found


def _update_parts(view: _View, update: UpdateExplanation) -> list[str]:
    """What the update step lights: each updated parameter's box."""
    return [part for row in update.rows for part in view.parts.get(row.param, [])]


def _update_focus(view: _View, update: UpdateExplanation) -> list[str]:
    return [view.slots[row.param][0] for row in update.rows if row.param in view.slots]


_BLOCK = re.compile(r'<g id="[^"]*" class="node">\s*<title>([^<]*)</title>')
_GRAD_TEXT = re.compile(r"<text\b([^>]*)>(\s*)grad [^<]*</text>")


def _with_grads(svg: str, grad_rows: dict[str, list[Value]], known: dict[Value, str]) -> str:
    """The drawing with these gradients filled in and the others "grad —", highlighting nothing: what
    `Picture._showing` does with no parts highlighted, as plain text substitution (a drawing of 10,000 boxes
    is parsed as XML in seconds; this takes a fraction of one)."""
    pieces, last = [], 0
    for block in _BLOCK.finditer(svg):
        nodes = grad_rows.get(html.unescape(block[1]))
        if not nodes:
            continue
        end = svg.find("</g>", block.end())
        rows = iter(nodes)

        def fill(text: re.Match[str], rows: Iterator[Value] = rows) -> str:
            if 'font-weight="bold"' in text[1]:
                return text[0]
            node = next(rows, None)
            value = known.get(node) if node is not None else None
            colour = "#111827" if value is not None else "#9ca3af"
            attributes = re.sub(r'\s*fill="[^"]*"', "", text[1])
            return (
                f'<text{attributes} fill="{colour}">{text[2]}grad {value if value is not None else NOT_REACHED}</text>'
            )

        pieces += [svg[last : block.end()], _GRAD_TEXT.sub(fill, svg[block.end() : end])]
        last = end
    return "".join([*pieces, svg[last:]])


def _grad_texts(group: ElementTree.Element) -> list[ElementTree.Element]:
    """The "grad" rows of a box, in order: the texts that start with "grad " and are not its bold title."""
    return [
        text
        for text in group.iter(f"{{{SVG}}}text")
        if (text.text or "").strip().startswith("grad ") and text.get("font-weight") != "bold"
    ]


def _svg_for_inline(svg: str) -> str:
    """Graphviz's SVG without the XML prolog, doctype and comments, which belong to a file of its own."""
    start = svg.find("<svg")
    return re.sub(r"<!--.*?-->\n?", "", svg[start:] if start >= 0 else svg, flags=re.DOTALL)


# ---------------------------------------------------------------------- the notebook


def _explanation(step: Step) -> str:
    header, *equations = step.lines()
    return f"<h4>{_text(header)}</h4><pre>{_text(chr(10).join(line.strip() for line in equations))}</pre>"


def _leaf_note(replay: Replay) -> str:
    loss = _text(replay.names[replay.root])
    return f"{loss} is a leaf: backward() has no step to take, and ∂{loss}/∂{loss} = 1."


def notebook_html(replay: Replay, picture: Picture | None, position: int, problem: str = "") -> str:
    """The step at `position` as a notebook shows it: the frame, the explanation, how to move on."""
    if not len(replay):
        return f"<p>{_leaf_note(replay)}</p>"
    step = replay[position]
    # Without a picture a notebook still shows the steps, never a traceback.
    drawn = (
        picture_html(picture.frame_svg(position), alt=f"the graph at step {step.index + 1}")
        if picture is not None
        else f"<p><i>No picture: {_text(problem)}</i></p>"
    )
    moves = "wt.next(), wt.prev(), wt.goto(i) move through the steps; print(wt) shows them all."
    return (
        f'<div class="autograd-walkthrough"><div>{drawn}</div>{_explanation(step)}'
        f'<p style="color:#6b7280">Step {step.index + 1} of {len(replay)}. {_text(moves)}</p></div>'
    )


# ---------------------------------------------------------------------- the offline player

_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("steps").textContent);
  var steps = data.steps;
  if (!steps.length) return;
  var svg = document.querySelector("#viewport svg");
  var slider = document.getElementById("slider");
  var counter = document.getElementById("counter");
  var prev = document.getElementById("prev");
  var next = document.getElementById("next");
  var header = document.getElementById("step-header");
  var lines = document.getElementById("step-lines");
  var showAll = document.getElementById("show-all");  // none in a quiz: it would give the answers away
  var rows = document.querySelectorAll("#summary tbody tr");
  var quiz = data.quiz || null;
  var byTitle = {}, slotText = [], gaps = [];
  function index() {  // the drawing shown: its boxes and edges by title, and the text where each gradient goes
    byTitle = {};
    svg.querySelectorAll("g.node, g.edge").forEach(function (g) {
      var title = g.querySelector("title");
      if (title) byTitle[title.textContent] = g;
    });
    slotText = data.slots.map(function (slot) {
      var g = byTitle[slot[0]];
      return g ? gradTexts(g)[slot[1]] || null : null;
    });
    gaps = slotText.map(function (text) {  // a folded neuron's number columns start with a gap
      return text ? /^\\s*/.exec(text.textContent)[0] : "";
    });
  }
  function gradTexts(g) {
    return Array.prototype.filter.call(g.querySelectorAll("text"), function (t) {
      return t.textContent.trim().indexOf("grad ") === 0 && t.getAttribute("font-weight") !== "bold";
    });
  }
  index();
  var current = 0, lit = [];
  function gradCell(k) { return rows[k].cells[2]; }
  // Only what changes is written, remembered here rather than read back from the page: a big graph has
  // thousands of numbers, and few of them change in a step.
  var said = new Map(), inked = new Map(), marked = new Map();
  function write(element, text) {
    if (said.get(element) !== text) { element.textContent = text; said.set(element, text); }
  }
  function ink(text, colour) {
    if (inked.get(text) !== colour) { text.setAttribute("fill", colour); inked.set(text, colour); }
  }
  function show(i) {
    current = Math.max(0, Math.min(furthest(), i));
    var drawn = {}, written = {}, complete = {};
    drawn[data.root] = data.start[0]; written[data.root] = data.start[1]; complete[data.root] = 1;
    for (var s = 0; s <= current; s++) {
      steps[s].grads.forEach(function (change, j) {
        if (!revealed(s, j)) return;
        drawn[change[0]] = change[1]; written[change[0]] = change[2]; complete[change[0]] = change[3];
      });
    }
    slotText.forEach(function (text, k) {
      if (!text) return;
      var reached = k in drawn;
      write(text, gaps[k] + "grad " + (reached ? drawn[k] : "\\u2014"));
      ink(text, reached ? "#111827" : "#9ca3af");
    });
    rows.forEach(function (row, k) {
      var cell = gradCell(k), partial = false;
      if (showAll && showAll.checked) write(cell, data.final[k]);
      else if (k in written) { write(cell, written[k] + (complete[k] ? "" : " (so far)")); partial = !complete[k]; }
      else write(cell, "\\u2014");
      var state = (partial ? "partial " : "") + (k === steps[current].row ? "current" : "");
      if (marked.get(row) !== state) {
        row.classList.toggle("partial", partial);
        row.classList.toggle("current", k === steps[current].row);
        marked.set(row, state);
      }
    });
    lit.forEach(function (g) { g.classList.remove("lit"); });
    lit = steps[current].parts.map(function (t) { return byTitle[t]; }).filter(Boolean);
    lit.forEach(function (g) { g.classList.add("lit"); });
    header.textContent = steps[current].header;
    lines.textContent = stepDone(current) ? steps[current].lines : UNANSWERED;
    slider.value = String(current + 1);
    counter.textContent = "Step " + (current + 1) + " of " + steps.length;
    prev.disabled = current === 0;
    next.disabled = current >= furthest();
    follow((steps[current].focus || steps[current].parts).map(function (t) { return byTitle[t]; }).filter(Boolean));
    if (quiz) ask();
  }
  // The quiz: each step's gradients are asked for before the drawing, the table or the explanation show them.
  var UNANSWERED = "Answer this step's questions to see it worked out.";
  var asked = steps.map(function () { return []; });  // per step, the numbers of its questions
  var state = [];
  if (quiz) quiz.questions.forEach(function (q, n) {
    asked[q.step].push(n);
    state.push({tries: 0, hints: 0, outcome: "", typed: "", feedback: "", kind: ""});
  });
  function stepDone(s) { return asked[s].every(function (n) { return state[n].outcome !== ""; }); }
  function revealed(s, j) { return !quiz || state[asked[s][j]].outcome !== ""; }
  function furthest() {  // a quiz goes no further than its first step with a question still open
    for (var s = 0; quiz && s < steps.length; s++) if (!stepDone(s)) return s;
    return steps.length - 1;
  }
  var MINUS = /[\\u2212\\u2013\\u2014\\ufe63\\uff0d]/g;
  function parse(text) {  // a number as a person types it: -0.0628, \\u22120.0628, -6.28e-2, -1/16; else null
    var t = text.trim().replace(MINUS, "-").replace(/\\uff0b/g, "+").replace(/(\\d)_(?=\\d)/g, "$1");
    var fraction = /^([+-]?\\d+)\\s*\\/\\s*(\\d+)$/.exec(t);
    var value = NaN;
    if (fraction) value = Number(fraction[1]) / Number(fraction[2]);
    else if (/^[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?$/i.test(t)) value = Number(t);
    return isFinite(value) ? value : null;
  }
  function close(given, answer) {  // as math.isclose(given, answer, rel_tol=..., abs_tol=...)
    var size = Math.max(Math.abs(given), Math.abs(answer));
    return Math.abs(given - answer) <= Math.max(quiz.rel_tol * size, quiz.abs_tol);
  }
  function number(x) {
    var text = x === 0 ? "0.0000" : (Math.abs(x) >= 0.00005 ? x.toFixed(4) : x.toExponential(3));
    return text.replace("-", "\\u2212");
  }
  var boxes = Array.prototype.slice.call(document.querySelectorAll("#quiz .question"));
  function ask() {  // the quiz panel as the current step's questions stand
    boxes.forEach(function (box, k) {
      var n = asked[current][k];
      box.hidden = n === undefined;
      if (n === undefined) { box.removeAttribute("data-q"); return; }
      var q = quiz.questions[n], s = state[n];
      box.dataset.q = String(n);
      box.className = "question " + s.kind;
      box.querySelector("label").textContent = q.prompt;
      var input = box.querySelector("input");
      input.value = s.typed;
      box.querySelectorAll("input, button").forEach(function (e) { e.disabled = s.outcome !== ""; });
      box.querySelector("button.hint").disabled = s.outcome !== "" || s.hints >= q.hints.length;
      var hints = box.querySelector(".hints");
      hints.textContent = "";
      q.hints.slice(0, s.hints).forEach(function (text) {
        var line = document.createElement("p");
        line.textContent = text;
        hints.appendChild(line);
      });
      box.querySelector(".feedback").textContent = s.feedback;
    });
    document.getElementById("quiz-none").hidden = asked[current].length > 0;
    score();
  }
  function score() {
    var right = 0, answered = 0, wrong = [];
    state.forEach(function (s, n) {
      if (s.outcome) answered += 1;
      if (s.outcome === "first") right += 1;
      if (s.outcome === "later" || s.outcome === "shown") wrong.push(quiz.questions[n].label);
    });
    var over = answered === state.length;
    document.getElementById("score").textContent = over ?
      "Score: " + right + " of " + state.length + " right first time (" + quiz.tolerance + ")." :
      "Score so far: " + right + " of " + answered + " answered right first time; " + state.length + " in all.";
    var list = document.getElementById("wrong");
    list.textContent = "";
    wrong.forEach(function (label) {
      var item = document.createElement("li");
      item.textContent = label;
      list.appendChild(item);
    });
    document.getElementById("result").hidden = !over || wrong.length === 0;
  }
  function answer(box) {
    var n = Number(box.dataset.q), q = quiz.questions[n], s = state[n];
    if (s.outcome) return;
    s.typed = box.querySelector("input").value;
    var given = parse(s.typed);
    if (given === null) {
      s.feedback = "\\u201c" + s.typed.trim() + "\\u201d is not a number: type one such as " +
        "\\u22120.0628, -6.28e-2 or -1/16.";
      s.kind = "invalid";
    } else {
      s.tries += 1;
      if (close(given, q.answer)) {
        var first = s.tries === 1 && s.hints === 0;
        settle(n, first ? "first" : "later", "\\u2713 right: " + q.gradient + " = " + q.answer_text, "right");
        return;
      }
      s.feedback = "\\u2717 not " + number(given) + ". Try again, " +
        (s.hints < q.hints.length ? "ask for a hint, " : "") + "or show the answer.";
      s.kind = "wrong";
    }
    ask();
    box.querySelector("input").select();
  }
  function settle(n, outcome, feedback, kind) {  // a question is done: its gradient shows, and the quiz moves on
    var s = state[n];
    s.outcome = outcome; s.feedback = feedback; s.kind = kind;
    show(current);
    if (!focusOpen() && !next.disabled) next.focus();
  }
  function focusOpen() {  // the first question of this step still open, if any
    var open = boxes.filter(function (box) { return box.dataset.q && !box.querySelector("input").disabled; })[0];
    if (open) open.querySelector("input").focus();
    return Boolean(open);
  }
  boxes.forEach(function (box) {
    box.querySelector("button.check").addEventListener("click", function () { answer(box); });
    box.querySelector("input").addEventListener("keydown", function (event) {
      if (event.key === "Enter") { answer(box); event.preventDefault(); }
    });
    box.querySelector("button.hint").addEventListener("click", function () {
      state[Number(box.dataset.q)].hints += 1;
      ask();
    });
    box.querySelector("button.show").addEventListener("click", function () {
      var n = Number(box.dataset.q);
      settle(n, "shown", "The answer: " + quiz.questions[n].shown, "shown");
    });
  });
  // Pan and zoom: the drawing's viewBox is the window onto it.
  var viewport = document.getElementById("viewport");
  var wholes = new Map(), whole, view, shift, tiles = [];
  function frame() {  // the drawing shown: its whole extent (as drawn, before any zoom) and its offset
    if (!wholes.has(svg)) {
      var full = svg.viewBox.baseVal;
      wholes.set(svg, {x: full.x, y: full.y, w: full.width, h: full.height});
    }
    whole = wholes.get(svg);
    view = {x: whole.x, y: whole.y, w: whole.w, h: whole.h};
    svg.removeAttribute("width"); svg.removeAttribute("height");
    shift = svg.querySelector("g.graph").transform.baseVal.consolidate();
    tileIndex();
  }
  frame();
  function apply() {
    svg.setAttribute("viewBox", view.x + " " + view.y + " " + view.w + " " + view.h);
    cull();
  }
  // A big drawing comes in tiles (our own layered layout): only those near the view are drawn (the page's
  // style hides the others from the start, so they are never laid out), and a big page steps as a small one.
  function tileIndex() {
    tiles = Array.prototype.map.call(svg.querySelectorAll("g.tile"), function (g) {
      var e = g.getAttribute("data-extent").split(" ").map(Number);
      return {g: g, left: e[0], top: e[1], right: e[2], bottom: e[3], shown: g.classList.contains("near")};
    });
  }
  function cull() {
    var dx = shift ? shift.matrix.e : 0, dy = shift ? shift.matrix.f : 0;
    var left = view.x - view.w / 2 - dx, right = view.x + 1.5 * view.w - dx;  // half a view around it, ready
    var top = view.y - view.h / 2 - dy, bottom = view.y + 1.5 * view.h - dy;
    tiles.forEach(function (t) {
      var near = t.right >= left && t.left <= right && t.bottom >= top && t.top <= bottom;
      if (near !== t.shown) { t.g.classList.toggle("near", near); t.shown = near; }
    });
  }
  function reveal(g) {  // a part about to be measured: its tile drawn
    var tile = g.parentNode;
    if (tile && tile.classList && tile.classList.contains("tile")) tile.classList.add("near");
    tiles.forEach(function (t) { if (t.g === tile) t.shown = true; });
  }
  function aspect() { return viewport.clientHeight / Math.max(1, viewport.clientWidth); }
  function fit() {
    var a = aspect();
    if (whole.h / whole.w > a) { view.h = whole.h; view.w = whole.h / a; }
    else { view.w = whole.w; view.h = whole.w * a; }
    view.x = whole.x + (whole.w - view.w) / 2; view.y = whole.y + (whole.h - view.h) / 2;
    apply();
  }
  function readable() {  // no smaller than about 0.75 screen pixels per point, so text stays legible
    var most = viewport.clientWidth / 0.75;
    if (view.w > most) { zoom(view.w / most, view.x + view.w / 2, view.y + view.h / 2); }
  }
  function zoom(factor, cx, cy) {
    var w = Math.min(Math.max(view.w / factor, 20), Math.max(whole.w, whole.h) * 4);
    var f = view.w / w;
    view.x = cx - (cx - view.x) / f; view.y = cy - (cy - view.y) / f;
    view.w = w; view.h = w * aspect();
    apply();
  }
  function follow(shown) {  // bring the step's node, edges and inputs wholly into view when any of them is outside
    if (!shown.length) return;
    var left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
    if (tiles.length) shown.forEach(reveal);
    shown.forEach(function (g) {
      var box = g.getBBox();
      var x = box.x + (shift ? shift.matrix.e : 0), y = box.y + (shift ? shift.matrix.f : 0);
      left = Math.min(left, x); top = Math.min(top, y);
      right = Math.max(right, x + box.width); bottom = Math.max(bottom, y + box.height);
    });
    var margin = 8, w = right - left + 2 * margin, h = bottom - top + 2 * margin;
    if (w > view.w || h > view.h) {  // too big for the view at this zoom: zoom out until it fits
      view.w = Math.max(w, h / aspect()); view.h = view.w * aspect();
    } else if (left - margin >= view.x && right + margin <= view.x + view.w &&
               top - margin >= view.y && bottom + margin <= view.y + view.h) {
      return;
    }
    view.x = (left + right) / 2 - view.w / 2; view.y = (top + bottom) / 2 - view.h / 2; apply();
  }
  function toSvg(clientX, clientY) {
    var r = svg.getBoundingClientRect();
    return {x: view.x + (clientX - r.left) / r.width * view.w, y: view.y + (clientY - r.top) / r.height * view.h};
  }
  viewport.addEventListener("wheel", function (event) {
    event.preventDefault();
    var p = toSvg(event.clientX, event.clientY);
    zoom(event.deltaY < 0 ? 1.2 : 1 / 1.2, p.x, p.y);
  }, {passive: false});
  var pointers = {}, pinch = 0;
  viewport.addEventListener("pointerdown", function (event) {
    if (event.target.closest("button")) return;  // the zoom buttons click as buttons
    pointers[event.pointerId] = {x: event.clientX, y: event.clientY};
    viewport.setPointerCapture(event.pointerId);
  });
  viewport.addEventListener("pointermove", function (event) {
    var last = pointers[event.pointerId];
    if (!last) return;
    var ids = Object.keys(pointers);
    var r = svg.getBoundingClientRect();
    if (ids.length === 1) {
      view.x -= (event.clientX - last.x) / r.width * view.w;
      view.y -= (event.clientY - last.y) / r.height * view.h;
      apply();
    } else if (ids.length === 2) {
      var other = pointers[ids[0] == event.pointerId ? ids[1] : ids[0]];
      var d = Math.hypot(event.clientX - other.x, event.clientY - other.y);
      if (pinch) {
        var p = toSvg((event.clientX + other.x) / 2, (event.clientY + other.y) / 2);
        zoom(d / pinch, p.x, p.y);
      }
      pinch = d;
    }
    pointers[event.pointerId] = {x: event.clientX, y: event.clientY};
  });
  function lift(event) { delete pointers[event.pointerId]; pinch = 0; }
  viewport.addEventListener("pointerup", lift);
  viewport.addEventListener("pointercancel", lift);
  document.getElementById("zoom-in").addEventListener("click", function () {
    zoom(1.25, view.x + view.w / 2, view.y + view.h / 2);
  });
  document.getElementById("zoom-out").addEventListener("click", function () {
    zoom(0.8, view.x + view.w / 2, view.y + view.h / 2);
  });
  document.getElementById("zoom-fit").addEventListener("click", fit);
  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); if (quiz) focusOpen(); });
  slider.addEventListener("input", function () { show(Number(slider.value) - 1); });
  if (showAll) showAll.addEventListener("change", function () { show(current); });
  // Folded or unfolded: each drawing waits in a <template> while the other is shown.
  var views = data.views || null, drawn = 0, unfold = document.getElementById("unfold");
  function useView(k) {
    if (k === drawn || k < 0) return;
    lit.forEach(function (g) { g.classList.remove("lit"); });
    lit = [];
    var coming = document.getElementById("view-" + k).content.querySelector("svg");
    document.getElementById("view-" + drawn).content.appendChild(svg);
    viewport.insertBefore(document.adoptNode(coming), viewport.firstChild);
    svg = coming; drawn = k;
    data.slots = views[k].slots;
    steps.forEach(function (step, i) { step.parts = views[k].parts[i]; step.focus = views[k].focus[i]; });
    index(); frame(); fit(); readable(); show(current);
  }
  if (views && unfold) unfold.addEventListener("change", function () {
    useView(views.findIndex(function (v) { return v.folded === !unfold.checked; }));
  });
  document.addEventListener("keydown", function (event) {
    if (event.target === slider || event.target.type === "text") return;  // they use the arrow keys themselves
    var moves = {ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: steps.length - 1};
    if (event.key in moves) { show(moves[event.key]); event.preventDefault(); }
  });
  // The explanation is as tall as the tallest step at this width, so nothing below it moves between steps.
  function fitText(element, texts) {
    var probe = element.cloneNode(false);
    probe.removeAttribute("id");
    probe.style.cssText = "position:absolute;visibility:hidden;height:auto;min-height:0;width:" +
      element.getBoundingClientRect().width + "px";
    element.parentNode.appendChild(probe);
    var most = 0;
    if (texts.length > 200) {  // a big graph's steps: the longest 200 texts, not one reflow per step
      texts = texts.slice().sort(function (a, b) { return b.length - a.length; }).slice(0, 200);
    }
    texts.forEach(function (text) {
      probe.textContent = text;
      most = Math.max(most, probe.getBoundingClientRect().height);
    });
    probe.remove();
    element.style.minHeight = Math.ceil(most) + "px";
  }
  function fitExplanation() {
    fitText(header, steps.map(function (s) { return s.header; }));
    fitText(lines, steps.map(function (s) { return s.lines; }).concat(quiz ? [UNANSWERED] : []));
  }
  window.addEventListener("resize", fitExplanation);
  fitExplanation();
  fit();
  readable();
  show(0);
})();
"""

PAGE_STYLE = """
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 0 auto; max-width: 70em; padding: 0.5em 1em 2em;
       color: #111827; overflow-wrap: anywhere; }
h1 { font-size: 1.3em; margin: 0.4em 0 0.2em; }
.intro, .legend { color: #4b5563; margin: 0.3em 0; }
nav { display: grid; grid-template-columns: auto 1fr auto; gap: 0.4em 0.8em; align-items: center;
      position: sticky; top: 0; z-index: 1; background: #fff; padding: 0.4em 0; }
nav input[type=range] { grid-column: 1 / -1; width: 100%; margin: 0; }
button { font: inherit; padding: 0.35em 0.9em; white-space: nowrap; }
"""
"""What every stepping page shares: the text, the sticky Prev/Next bar and its slider (the training player too)."""

_STYLE = (
    PAGE_STYLE
    + """
h2 { font-size: 1.1em; }
#counter { text-align: center; font-variant-numeric: tabular-nums; white-space: nowrap; }
#viewport { position: relative; height: min(55vh, 32em); border: 1px solid #e5e7eb; border-radius: 6px;
            overflow: hidden; touch-action: none; cursor: grab; background: #fff; }
#viewport svg { width: 100%; height: 100%; display: block; user-select: none; }
@media (max-width: 600px) { #viewport { height: 42vh; } }
.zoom { position: absolute; right: 0.4em; top: 0.4em; display: flex; gap: 0.3em; }
.zoom button { padding: 0.1em 0.6em; background: #f9fafb; border: 1px solid #d1d5db; border-radius: 4px; }
#viewport g.tile { display: none; } #viewport g.tile.near { display: inline; }
g.lit path, g.lit polygon, g.lit ellipse { stroke: #dc2626; stroke-width: 2.5px; }
g.edge.lit polygon { fill: #dc2626; }
#step-header { font-size: 1.05em; margin: 0.7em 0 0.3em; }
pre { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 0.9em; line-height: 1.5; margin: 0;
      background: #f9fafb; border-left: 3px solid #dc2626; padding: 0.6em 1em; white-space: pre-wrap;
      overflow-wrap: anywhere; }
.table { content-visibility: auto; contain-intrinsic-size: auto 30em; }  /* laid out only when scrolled to */
table { border-collapse: collapse; font-variant-numeric: tabular-nums; table-layout: fixed; width: 100%;
        max-width: 36em; }
th, td { padding: 0.2em 0.6em; border-bottom: 1px solid #e5e7eb; text-align: right; white-space: nowrap;
         overflow: hidden; text-overflow: ellipsis; }
th:first-child, td:first-child { text-align: left; width: 34%; }
th:last-child, td:last-child { width: 40%; }
tr.current { background: #fee2e2; font-weight: bold; }
tr.partial td:last-child { color: #6b7280; }
label { white-space: nowrap; }
label.toggle { white-space: normal; }
#quiz { margin: 0.6em 0; }
.question { margin: 0.5em 0; padding: 0.5em 0.8em; border-left: 4px solid #9ca3af; background: #f9fafb; }
.question label { display: block; font-weight: bold; margin-bottom: 0.3em; white-space: normal; }
.answer { display: flex; flex-wrap: wrap; gap: 0.4em; }
.answer input { font: inherit; flex: 1 1 7em; min-width: 0; max-width: 12em; padding: 0.2em 0.4em; }
.question.right { border-color: #16a34a; } .question.wrong, .question.invalid { border-color: #dc2626; }
.question.shown { border-color: #d97706; }
.feedback { min-height: 1.3em; } .feedback, .hints p { margin: 0.3em 0; }
#score { font-weight: bold; }
"""
)

_QUIZ_INTRO = """At each step, work out the gradients it produces before they are shown:
∂{loss}/∂parent = ∂{loss}/∂node · (the local derivative), added up when a node feeds several others.
Type a number such as −0.0628, -6.28e-2 or -1/16; it is right {tolerance}. A point for each answer right first
time, before any hint. The drawing and the table show only the gradients answered so far."""


def _quiz_panel(quiz: dict[str, Any]) -> str:
    """The quiz's boxes, as many as the step that asks most; the script fills them in for each step."""
    most = max(Counter(q["step"] for q in quiz["questions"]).values(), default=0)
    boxes = "".join(
        f'<div class="question"><label for="answer-{k}"></label><div class="answer">'
        f'<input id="answer-{k}" type="text" inputmode="decimal" autocomplete="off" spellcheck="false">'
        '<button type="button" class="check">Check</button><button type="button" class="hint">Hint</button>'
        '<button type="button" class="show">Show answer</button></div>'
        '<div class="hints"></div><p class="feedback" aria-live="polite"></p></div>'
        for k in range(most)
    )
    return (
        f'<section id="quiz" aria-label="quiz">{boxes}'
        '<p id="quiz-none" hidden>Only constants feed this node: nothing to work out here.</p>'
        '<p id="score" aria-live="polite"></p>'
        '<div id="result" hidden><p>These went wrong; step back with Prev to read their explanations:</p>'
        '<ul id="wrong"></ul></div></section>'
    )


def player_html(
    replay: Replay,
    picture: Picture | None,
    quiz: dict[str, Any] | None = None,
    update: UpdateExplanation | None = None,
) -> str:
    """The whole player page as HTML text.

    With `quiz` (``questions``, each with its ``step``, ``answer`` and texts, and ``rel_tol``, ``abs_tol``,
    ``tolerance``: see `autograd.practice.page`) the page asks for each step's gradients before showing them.
    """
    esc = _text
    loss = esc(replay.names[replay.root])
    count = max(len(replay) + (update is not None and picture is not None), 1)
    disabled = "" if count > 1 else " disabled"
    rows = "".join(
        f"<tr><td>{esc(name)}</td><td>{esc(value)}</td><td>—</td></tr>" for name, value, _ in summary_table(replay)
    )
    waiting, toggle = "", ""
    if picture is None:
        drawing, data = f"<p>{_leaf_note(replay)}</p>", dict[str, Any](steps=[])
    else:
        drawing, data = picture.svg, picture.data(update)
        if len(picture.views) > 1:  # the other drawings wait in templates: inert, never laid out until shown
            waiting = "".join(
                f'\n<template id="view-{k}">{view.svg if k else ""}</template>' for k, view in enumerate(picture.views)
            )
            checked = "" if picture.folded[0] else " checked"
            toggle = (
                f'\n<p class="legend"><label class="toggle"><input id="unfold" type="checkbox"{checked}> '
                "unfold each step you wrote into the ops it is made of</label></p>"
            )
    if quiz is not None:
        asked = Counter(q["step"] for q in quiz["questions"])
        # The script reveals a step's k-th gradient when its k-th question is answered: they must pair up.
        if any(asked[i] != len(step["grads"]) for i, step in enumerate(data["steps"]) if step["row"] >= 0):
            raise ValueError("the quiz's questions do not match the walkthrough's steps: build them from it")
        data["quiz"] = quiz
    title = f"Quiz: the backward pass through {loss}" if quiz else f"Backward pass through {loss}"
    if quiz:
        intro = _QUIZ_INTRO.format(loss=loss, tolerance=esc(quiz["tolerance"]))
        show_all, panel = "", _quiz_panel(quiz)
    else:
        intro = f"""Each step applies the chain rule at one node, in the order backward() does:
∂{loss}/∂input += ∂{loss}/∂node · ∂node/∂input, a gradient times a local derivative."""
        show_all, panel = '\n<label><input id="show-all" type="checkbox"> show all (for teachers)</label>', ""
    # Data, not code: the browser never runs it, and "<" is escaped so it can't close its element.
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    blob = blob.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    script_hash = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
    policy = (
        f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{script_hash}'; "
        "base-uri 'none'; form-action 'none'"
    )  # frame-ancestors would be ignored here: browsers take it from an HTTP header only, never from <meta>
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{title}, step by step</h1>
<p class="intro">{intro}</p>
<p class="legend">Red: this step's node, its op and its edges. "grad —": not reached yet. Drag or pinch to pan and zoom.
Keys: ← → move, Home / End jump.</p>{toggle}
<nav>
<button id="prev" type="button" disabled>◀ Prev</button>
<span id="counter">Step 1 of {count}</span>
<button id="next" type="button"{disabled}>Next ▶</button>
<input id="slider" type="range" min="1" max="{count}" value="1" step="1" aria-label="step">
</nav>
<div id="viewport">{drawing}
<div class="zoom"><button id="zoom-in" type="button" aria-label="zoom in">+</button>
<button id="zoom-out" type="button" aria-label="zoom out">−</button>
<button id="zoom-fit" type="button">fit</button></div>
</div>{waiting}{panel}
<section id="explanation"><h2 id="step-header"></h2><pre id="step-lines"></pre></section>
<h2>Gradients known so far</h2>
<p class="legend">They fill in as the steps go; "(so far)": more contributions are still to come.{show_all}</p>
<div class="table"><table id="summary">
<thead><tr><th>node</th><th>value</th><th>∂{loss}/∂node</th></tr></thead>
<tbody>{rows}</tbody>
</table></div>
<script type="application/json" id="steps">{blob}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def write_player(
    replay: Replay,
    picture: Picture | None,
    path: str | os.PathLike[str],
    quiz: dict[str, Any] | None = None,
    update: UpdateExplanation | None = None,
) -> Path:
    """Write the player (with `quiz`, the quiz; with `update`, the update as a last step: see `player_html`)
    to `path` all at once, never half a file."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"save_html() needs a file path (str or Path), not {type(path).__name__}: {path!r}")
    check_target(path)
    with progress(f"writing the player ({len(replay)} steps)"):
        page = player_html(replay, picture, quiz, update)
        write_text_atomically(path, page)
    return Path(path)
