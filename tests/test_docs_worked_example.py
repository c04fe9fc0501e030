"""docs/explanation/worked-example.md: its Python examples run, in order, and the outputs it shows are real."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parent.parent / "docs" / "explanation" / "worked-example.md"


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)


def test_the_pages_python_runs_and_prints_what_the_page_shows():
    printed = io.StringIO()
    namespace: dict[str, object] = {}
    with contextlib.redirect_stdout(printed):
        for code in blocks("python"):
            exec(compile(code, str(PAGE), "exec"), namespace)  # the page's own examples
    out = printed.getvalue()
    shown = blocks("text")
    walkthrough_text = next(block for block in shown if block.startswith("Backward pass through L: 3 steps"))
    assert walkthrough_text.replace("...\n", "") in out
    update_text = next(block for block in shown if block.startswith("w_new"))
    assert update_text in out


def test_the_main_jobs_output_is_as_the_page_shows_it():
    out = subprocess.run(
        [sys.executable, "-m", "autograd", "--no-files"], capture_output=True, text=True, timeout=120
    ).stdout
    assert blocks("text")[0] in out
    primitive = subprocess.run(
        [sys.executable, "-m", "autograd", "--no-files", "--primitive"], capture_output=True, text=True, timeout=120
    ).stdout
    assert blocks("text")[3] in primitive
