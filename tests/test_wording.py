"""What a user reads calls the reference document "the worked example" (of backprop: z = wx + b, a = σ(z),
L = ½(a − y)²), never "the seed": that word means random seeds here (seed=, --seed)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograd.practice.exercises import FAMILIES

ROOT = Path(__file__).resolve().parent.parent
THE_SEED = re.compile(r"\bthe seed\b(?! must)|\bseed's\b|\bseed (document|example|neuron|loss)\b", flags=re.I)


def run(*arguments: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "autograd", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
    )
    return result.stdout + result.stderr


@pytest.mark.parametrize(
    "arguments", [["--no-files"], ["--help"], ["practice", "--help"], ["exercises", "--help"]], ids=" ".join
)
def test_the_command_line_speaks_of_the_worked_example(arguments):
    text = run(*arguments)
    assert not THE_SEED.search(text), THE_SEED.search(text)


def test_the_main_jobs_first_line_names_the_worked_example():
    assert run("--no-files").splitlines()[0].startswith("scalar-autograd: the worked example's neuron z = w·x + b")


def test_worksheets_name_their_graph_without_the_seed():
    titles = [family.title for family in FAMILIES.values()]
    assert "the worked example's neuron with tanh" in titles
    assert not [title for title in titles if THE_SEED.search(title)]


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda path: path.name)
def test_the_notebooks_speak_of_the_worked_example(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(cell["source"]) for cell in cells)
    assert not THE_SEED.search(text), THE_SEED.search(text)


def test_the_readme_speaks_of_the_worked_example():
    assert not THE_SEED.search((ROOT / "README.md").read_text(encoding="utf-8"))
