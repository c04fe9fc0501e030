"""docs/how-to/folded-steps.md: its Python examples run, in order, and print what the page shows."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

PAGE = Path(__file__).resolve().parent.parent / "docs" / "how-to" / "folded-steps.md"


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)


def test_the_pages_python_runs_and_prints_what_the_page_shows():
    printed = io.StringIO()
    namespace: dict[str, object] = {}
    with contextlib.redirect_stdout(printed):
        for code in blocks("python"):
            exec(compile(code, str(PAGE), "exec"), namespace)  # the page's own examples
    assert printed.getvalue() == "".join(blocks("text"))
