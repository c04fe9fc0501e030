"""The engine's documentation pages: every ```python example runs, in a fresh namespace per block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograd import OPS

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = ["explanation/design.md", "explanation/speed.md", "how-to/from-micrograd.md"]


@pytest.mark.parametrize("page", PAGES)
def test_every_python_example_on_the_page_runs(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(encoding="utf-8"), re.S)
    assert blocks, f"{page} has no example"
    ops_before = dict(OPS)
    try:
        for block in blocks:
            exec(compile(block, f"docs/{page}", "exec"), {"__name__": "docs_example"})  # the page's own code
    finally:
        OPS.clear()
        OPS.update(ops_before)  # an op a page makes does not outlive it
