"""Every ```python example in docs/ runs and prints what the page says, as the README's do (tests/test_readme.py).

The site itself is built in strict mode by CI (`mkdocs build --strict` in .ci/run), which fails on a broken link."""

import doctest
import re
from pathlib import Path

import pytest
from _shared import require_torch

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(path for path in DOCS.rglob("*.md") if "hooks" not in path.parts)


def python_blocks() -> list[tuple[Path, int, str]]:
    """(page, line number, code) of each ```python block of every page."""
    blocks = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"^```python\n(.*?)^```", text, flags=re.S | re.M):
            blocks.append((page, text.count("\n", 0, match.start()) + 1, match.group(1)))
    return blocks


BLOCKS = python_blocks()


def test_the_docs_have_examples():
    assert len(BLOCKS) >= 20


@pytest.mark.parametrize(
    ("page", "line", "code"), BLOCKS, ids=[f"{page.relative_to(DOCS)}:{line}" for page, line, _ in BLOCKS]
)
def test_docs_example(page, line, code, tmp_path, monkeypatch):
    """Each block is a doctest session (or a script, run whole) in a fresh namespace inside an empty folder."""
    if re.search(r"^>>> (import torch|from autograd\.pytorch)", code, flags=re.M):
        require_torch()  # skipped without PyTorch, failed in CI
    monkeypatch.chdir(tmp_path)
    where = f"{page.relative_to(DOCS.parent)}:{line}"
    if not re.search(r"^>>> ", code, flags=re.M):  # a script: it runs whole, and its asserts are the check
        namespace = {"__name__": "__docs__"}
        for earlier_page, earlier_line, earlier in BLOCKS:  # a page's scripts read on from one another
            if earlier_page == page and earlier_line < line and not re.search(r"^>>> ", earlier, flags=re.M):
                exec(compile(earlier, f"{where} (line {earlier_line})", "exec"), namespace)
        exec(compile(code, where, "exec"), namespace)
        return
    test = doctest.DocTestParser().get_doctest(code, globs={}, name=where, filename=str(page), lineno=line)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0, f"{where}: example(s) failed (see the output above)"


def test_every_page_is_in_the_sites_navigation():
    """A page left out of mkdocs.yml's nav is unreachable from the site (the strict build warns of it too)."""
    nav = (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:", 1)[1]
    missing = [str(page.relative_to(DOCS)) for page in PAGES if str(page.relative_to(DOCS)) not in nav]
    assert not missing, f"pages not in mkdocs.yml's nav: {missing}"


def test_the_docs_never_call_the_worked_example_the_seed():
    """Random seeds stay (seed=, --seed); the reference document is "the worked example" to a reader."""
    found = [
        f"{page.relative_to(DOCS)}:{number}: {line.strip()}"
        for page in PAGES
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\bthe seed\b|\bseed's\b|\bseed (document|example|neuron|loss)\b", line, flags=re.I)
    ]
    assert not found, "\n".join(found)


def test_ci_builds_the_site_in_strict_mode():
    """A broken link, a missing page or an unresolved reference fails CI, not only a reader."""
    run = (DOCS.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^[^#\n]*mkdocs build --strict", run, flags=re.M)
