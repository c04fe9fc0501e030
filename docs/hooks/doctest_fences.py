"""Griffe extension for the API reference: a docstring's doctest examples shown as Python sessions.

The docstrings hold their examples as bare ``>>>`` sessions (doctest runs them in the test suite); in
Markdown those lines would read as prose, and a printed list such as ``['a', 'b']`` as a link. Each
session (from its first ``>>>`` to the next blank line) is fenced as a ``pycon`` code block.
"""

from __future__ import annotations

from typing import Any

import griffe


def fenced(text: str) -> str:
    lines, out, in_session = text.splitlines(), [], False
    for line in lines:
        starts = line.lstrip().startswith(">>>")
        if starts and not in_session:
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            in_session = True
        elif in_session and not line.strip():
            out.append(f"{indent}```")
            in_session = False
        out.append(line)
    if in_session:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fenced(obj.docstring.value)
