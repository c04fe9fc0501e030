"""Every code example in the README runs, and prints what the README says it prints."""

import doctest
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = README.read_text(encoding="utf-8")


def python_blocks() -> list[tuple[int, str]]:
    """(line number, code) of each ```python block."""
    return [
        (TEXT.count("\n", 0, match.start()) + 1, match.group(1))
        for match in re.finditer(r"^```python\n(.*?)^```", TEXT, flags=re.S | re.M)
    ]


def test_the_readme_has_examples():
    assert len(python_blocks()) >= 2


@pytest.mark.parametrize(("line", "code"), python_blocks(), ids=[f"line {line}" for line, _ in python_blocks()])
def test_readme_example(line, code, tmp_path, monkeypatch):
    """Each block is a doctest session run in a fresh namespace inside an empty folder."""
    monkeypatch.chdir(tmp_path)
    parser = doctest.DocTestParser()
    test = parser.get_doctest(code, globs={}, name=f"README.md:{line}", filename=str(README), lineno=line)
    assert test.examples, f"README.md line {line}: a python block with no >>> examples is never checked"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"README.md line {line}: {result.failed} example(s) failed (see the output above)"


def quick_start_commands() -> list[str]:
    section = TEXT.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.S)
    assert block, "the quick start has a bash block"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_the_quick_start_is_exactly_two_commands_and_ci_runs_the_test_one():
    commands = quick_start_commands()
    assert len(commands) == 2
    main_job, test_suite = (command.split("  #")[0].strip() for command in commands)
    assert "python -m autograd" in main_job
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert test_suite in ci.splitlines(), f"{test_suite!r} must be a line of .ci/run, exactly as in the README"


def main_job_lines() -> list[str]:
    """Every `python -m autograd ...` line of the README's bash blocks."""
    lines = []
    for block in re.findall(r"^```bash\n(.*?)^```", TEXT, flags=re.S | re.M):
        for line in block.splitlines():
            command = line.split("  #")[0].strip()
            if command.startswith("python -m autograd"):
                lines.append(command)
    return lines


def test_the_readme_shows_main_job_examples():
    assert len(main_job_lines()) >= 3


@pytest.mark.parametrize("command", main_job_lines())
def test_readme_main_job_example(command, tmp_path):
    """Each example command runs as written (with this interpreter) and succeeds."""
    args = shlex.split(command)[3:]  # after "python -m autograd"
    result = subprocess.run(
        [sys.executable, "-m", "autograd", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,  # `practice` reads answers: none here, so it ends at once with its score
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_the_notebooks_extra_installs_a_way_to_open_and_run_a_notebook():
    """`pip install -e ".[notebooks]"` must give `jupyter lab`, `jupyter notebook` and `jupyter nbconvert`."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((README.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    required = {re.split(r"[<>=\[ ]", requirement)[0] for requirement in project["optional-dependencies"]["notebooks"]}
    assert {"jupyterlab", "notebook", "nbconvert", "ipykernel"} <= required
    assert 'pip install -e ".[notebooks]"' in TEXT
