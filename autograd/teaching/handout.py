"""The worked solution as a document: plain text (``print(wt)``), Markdown and LaTeX.

>>> from autograd import Value
>>> x = Value(3.0, "x")
>>> y = x * x; y.label = "y"
>>> print(as_text(Replay(y)))
Backward pass through y: 1 steps, in the order backward() applies them. It starts from ∂y/∂y = 1.
<BLANKLINE>
Step 1 of 1: y = x · x = 9.0000
  upstream ∂y/∂y = 1
  ∂(x · x)/∂x (1st) = x = 3.0000
  ∂y/∂x (so far) = ∂y/∂y · ∂(x · x)/∂x (1st) = 1.0000 · 3.0000 = 3.0000
  ∂(x · x)/∂x (2nd) = x = 3.0000
  ∂y/∂x += ∂y/∂y · ∂(x · x)/∂x (2nd) = 1.0000 · 3.0000 = 3.0000, so ∂y/∂x = 3.0000 + 3.0000 = 6.0000 (complete)
<BLANKLINE>
Gradients:
  node   value  ∂y/∂node
  y     9.0000    1.0000
  x     3.0000    6.0000
"""

from __future__ import annotations

from .notation import LATEX, MARKDOWN, TEXT, latex_text, markdown_escape
from .replay import Replay

__all__ = ["as_latex", "as_markdown", "as_text", "intro", "summary_table"]


def intro(replay: Replay) -> str:
    loss = replay.names[replay.root]
    return (
        f"Backward pass through {loss}: {len(replay)} steps, in the order backward() applies them. "
        f"It starts from ∂{loss}/∂{loss} = 1."
    )


def summary_table(replay: Replay) -> list[tuple[str, str, str]]:
    """(name, value, ∂L/∂node) for every node but Constants, written as the steps write numbers."""
    digits = replay.digits
    return [(name, TEXT.number(v, digits), TEXT.number(g, digits)) for name, v, g in replay.summary_rows()]


def as_text(replay: Replay) -> str:
    """Every step, then a table of all gradients."""
    rows = summary_table(replay)
    loss = replay.names[replay.root]
    header = ("node", "value", f"∂{loss}/∂node")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    table = [
        f"  {row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}".rstrip() for row in [header, *rows]
    ]
    return "\n\n".join([intro(replay), *(str(step) for step in replay), "Gradients:\n" + "\n".join(table)])


def as_markdown(replay: Replay) -> str:
    """A heading and the chain-rule lines per step, then a table."""
    n = MARKDOWN
    loss = n.escape_name(replay.names[replay.root])
    parts = [f"## Backward pass through {loss}", markdown_escape(intro(replay))]
    for step in replay:
        parts.append(f"### {step.header(n)}")
        parts.append("\n".join(f"- {equation.text()}" for equation in step.equations(n)))
    table = [f"| node | value | ∂{loss}/∂node |", "|---|---:|---:|"]
    for node in replay.shown_nodes():
        value, grad = n.number(node.data, replay.digits), n.number(replay.gradients[node], replay.digits)
        table.append(f"| {n.escape_name(replay.names[node])} | {value} | {grad} |")
    parts.append("### Gradients\n\n" + "\n".join(table))
    return "\n\n".join(parts) + "\n"


def as_latex(replay: Replay) -> str:
    """A LaTeX fragment (needs ``\\usepackage{amsmath}``): an ``align*`` per step and a table of all gradients.
    Labels are escaped, so ``_``, ``&``, ``%``, ``#`` or braces are safe."""
    n = LATEX
    loss = n.escape_name(replay.names[replay.root])
    parts = [
        "% The backward pass, step by step. Needs \\usepackage{amsmath}.",
        f"Backward pass through ${loss}$: {len(replay)} steps, in the order backward() applies them. "
        f"It starts from ${n.partial(loss, loss)} = 1$.",
    ]
    for step in replay:
        title = f"Step {step.index + 1} of {step.count}"
        body = " \\\\\n".join(
            rf"{e.lhs} &{e.relation} {e.rhs}" if e.relation else rf"&\text{{{latex_text(e.note)}}}"
            for e in step.equations(n)
        )
        parts.append(f"\\paragraph{{{title}: ${step.forward(n)}$}}\n\\begin{{align*}}\n{body}\n\\end{{align*}}")
    rows = [
        f"${n.escape_name(replay.names[node])}$ & ${n.number(node.data, replay.digits)}$ & "
        f"${n.number(replay.gradients[node], replay.digits)}$ \\\\"
        for node in replay.shown_nodes()
    ]
    parts.append(
        "\\begin{tabular}{lrr}\n"
        f"node & value & $\\partial {loss}/\\partial\\,\\text{{node}}$ \\\\\n\\hline\n"
        + "\n".join(rows)
        + "\n\\end{tabular}"
    )
    return "\n\n".join(parts) + "\n"
