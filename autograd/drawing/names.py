"""One name per node, used by every view: the console, ``graph.svg``, the player and the notebooks.

A node's own label wins; the root is L; other unlabeled nodes are numbered by kind
in backward()'s (topological) order: t1, t2, … for results of ops and v1, v2, … for
leaves. A plain number in an expression (a `Constant`) is named by its number.

>>> from autograd import Value
>>> w, x = Value(0.5, "w"), Value(1.5)
>>> names = display_names(w * x + 0.1)
>>> [names[node] for node in names]
['0.1', 'v1', 'w', 't1', 'L']
"""

from __future__ import annotations

from collections.abc import Sequence

from ..engine import Constant, Value, topological_order

__all__ = ["constant_text", "display_names"]


def constant_text(number: float) -> str:
    """A plain number from the user's expression, as short as it reads: 0.5, 2, (−1.5) (a true minus sign,
    and a negative number in parentheses, as an operand reads)."""
    text = f"{number:g}".replace("-", "−")
    return f"({text})" if number < 0 else text


def _reading_order(root: Value) -> list[Value]:
    """Every node once, in the order a reader meets it in the formula: the output, then each operand, left first."""
    seen: set[Value] = set()
    order: list[Value] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        stack.extend(reversed(node.parents))  # the first operand on top: read first
    return order


def display_names(root: Value, order: Sequence[Value] | None = None) -> dict[Value, str]:
    """One unique, stable name per node of `root`'s graph, in topological order (`order`, if you have it).

    A label used by several nodes is kept by the node met first when reading the formula
    left to right, and becomes label#2, label#3… for the others (w · w#2, not w#2 · w).
    """
    order = topological_order(root) if order is None else order
    names: dict[Value, str] = {}
    taken = {node.label for node in order if node.label and not isinstance(node, Constant)}
    used: set[str] = set()
    counters = {"t": 0, "v": 0}

    def fresh(prefix: str) -> str:
        while True:
            counters[prefix] += 1
            candidate = f"{prefix}{counters[prefix]}"
            if candidate not in taken:
                return candidate

    def unique(wanted: str) -> str:
        name, copy = wanted, 1
        while name in used:
            copy += 1
            name = f"{wanted}#{copy}"
        used.add(name)
        return name

    for node in _reading_order(root):
        if node.label and not isinstance(node, Constant):
            names[node] = unique(node.label)
    for node in order:
        if isinstance(node, Constant):
            names[node] = node.label or constant_text(node.data)
        elif not node.label:
            wanted = ("L" if "L" not in taken else fresh("t")) if node is root else fresh("t" if node.parents else "v")
            names[node] = unique(wanted)
    return {node: names[node] for node in order}
