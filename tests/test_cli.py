"""`python -m autograd`: the seed's example by default, any formula with --expr, clear errors."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from autograd.cli import main


def run_cli(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autograd", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_main_job_runs_the_seed_example_and_writes_its_files(tmp_path):
    result = run_cli(cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # the forward pass, with the default numbers w=0.5, x=1.5, b=0.1, y=1
    assert "z = w·x + b = 0.5 · 1.5 + 0.1 = 0.85" in out
    assert "a = σ(z) = 1 / (1 + e^(−z)) = 1 / (1 + e^(−0.85)) = 0.700567" in out
    # every backward step, in the seed's notation
    assert "∂a/∂z = σ'(z) = σ(z)(1 − σ(z)) = 0.7006 · (1 − 0.7006) = 0.2098" in out
    assert "∂L/∂z = ∂L/∂a · ∂a/∂z = −0.2994 · 0.2098 = −0.0628" in out
    # the update w ← w − η ∂L/∂w
    assert "w_new = w_old − η · ∂L/∂w = 0.5000 − 0.1 · (−0.0942) = 0.5094" in out
    assert "b_new = b_old − η · ∂L/∂b = 0.1000 − 0.1 · (−0.0628) = 0.1063" in out
    folder = tmp_path / "autograd-out"
    assert str(folder / "graph.svg") in out
    assert str(folder / "backprop.html") in out
    svg = ET.parse(folder / "graph.svg").getroot()
    texts = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "0.04483" in texts  # L's value, as drawn
    assert "grad −0.09422" in texts  # ∂L/∂w, drawn before the update
    html = (folder / "backprop.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 2  # one layout for every step: the steps folded, and unfolded (a toggle)


def test_the_main_job_names_and_colours_nodes_alike_in_the_console_graph_svg_and_the_player(tmp_path):
    result = run_cli("--primitive", cwd=tmp_path)
    assert "Step 6 of 6: u = w · x = 0.7500" in result.stdout
    folder = tmp_path / "autograd-out"
    svg = ET.parse(folder / "graph.svg").getroot()
    boxes = {}
    for group in svg.iter("{http://www.w3.org/2000/svg}g"):
        texts = [t.text for t in group.iter("{http://www.w3.org/2000/svg}text")]
        fills = [p.get("fill") for p in group.iter("{http://www.w3.org/2000/svg}path")]
        if group.get("class") == "node" and texts:
            boxes[texts[0]] = fills
    assert {"u", "e", "s", "L"} <= set(boxes)  # the console's names, and terminal practice's
    assert boxes["w"] == boxes["b"] == ["#fde68a"]  # w and b are trained: drawn as parameters (amber)
    assert boxes["x"] == boxes["y"] == ["#dbeafe"]  # x and y are inputs (blue)
    html = (folder / "backprop.html").read_text(encoding="utf-8")
    assert "<title>u</title>" not in html  # boxes are titled by their DOT name; their text is the console's
    assert ">u</text>" in html and 'fill="#fde68a"' in html


def test_negative_numbers_print_in_parentheses_with_a_true_minus(capsys):
    assert main(["--w", "2", "--x", "-1", "--y", "0", "--no-files"]) == 0
    out = capsys.readouterr().out
    assert "z = w·x + b = 2 · (−1) + 0.1 = −1.9" in out
    assert "a = σ(z) = 1 / (1 + e^(−z)) = 1 / (1 + e^(−(−1.9))) = 0.130108" in out
    assert "-" not in out.split("2. Backward pass")[0].split("\n", 1)[1]  # only true minus signs


def test_options_set_the_numbers(tmp_path):
    assert main(["--w", "2", "--x", "-1", "--b", "0", "--y", "0", "--lr", "0.5", "--out", str(tmp_path)]) == 0


def test_expr_differentiates_any_formula(capsys, tmp_path):
    code = main(["--expr", "tanh(w*x + b)", "--set", "w=0.5", "x=2", "b=0.1", "--out", str(tmp_path / "o")])
    assert code == 0
    out = capsys.readouterr().out
    assert "L = tanh(w*x + b) = 0.800499" in out
    # ∂L/∂w = (1 − tanh²(1.1)) · x = 0.71840 to 5 places
    assert "∂L/∂w" in out
    assert "w: 0.5000 − 0.1 · 0.7184 = 0.4282" in out
    assert (tmp_path / "o" / "graph.svg").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--expr", "tanh(q*x)", "--set", "x=1"], "unknown name 'q'"),
        (["--expr", "system(x)", "--set", "x=1"], "unknown function 'system'"),
        (["--expr", "__import__('os').system('touch HACKED')", "--set", "x=1"], "not allowed"),
        (["--expr", "x +", "--set", "x=1"], "not a formula I can read"),
        (["--expr", "x * 2", "--set", "x"], "NAME=NUMBER"),
        (["--expr", "x * 2", "--set", "x=abc"], "not a number"),
        (["--expr", "log(x)", "--set", "x=0"], "log"),
        (["--expr", "x * 2", "--set", "x=1", "--update", "w"], "--update names w"),
        (["--set", "w=1"], "--expr"),
    ],
)
def test_mistakes_give_one_line_and_exit_status_2(args, words, tmp_path):
    result = run_cli(*args, "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert words in lines[0]
    assert not (tmp_path / "HACKED").exists()
    assert not (tmp_path / "out").exists()


def test_help_explains_everything():
    result = run_cli("--help")
    assert result.returncode == 0
    for word in ["--expr", "--set", "--lr", "--out", "graph.svg", "backprop.html", '[render]"']:
        assert word in result.stdout


def test_without_any_renderer_it_prints_the_lesson_and_says_what_to_install(tmp_path):
    """No `dot` on PATH and pygraphviz hidden: the text still comes, then how to get a renderer."""
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "pygraphviz.py").write_text("raise ImportError('hidden for this test')\n")
    env = {**os.environ, "PATH": str(tmp_path / "empty"), "PYTHONPATH": str(blocker)}
    result = subprocess.run(
        [sys.executable, "-m", "autograd", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    assert "w_new = w_old − η · ∂L/∂w = 0.5000 − 0.1 · (−0.0942) = 0.5094" in result.stdout
    assert "apt-get install graphviz" in result.stderr
    assert '[render]"' in result.stderr  # pip install of the render extra, as it works from where it runs
    assert not (tmp_path / "out" / "graph.svg").exists()


# ---------------------------------------------------------------------- every argument checked before any work


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--expr", "x*2", "--set", "x=nan"], "--set x: 'nan' is not a finite number"),
        (["--expr", "x*2", "--set", "x=inf"], "--set x: 'inf' is not a finite number"),
        (["--expr", "x*2", "--set", "x=1e400"], "--set x: '1e400' (too large) is not a finite number"),
        (["--w", "nan"], "--w: 'nan' is not a finite number"),
        (["--x=-inf"], "--x: '-inf' is not a finite number"),
        (["--expr", "x*1e400", "--set", "x=1"], "the number 1e400 in 'x*1e400' is too large"),
        (["--lr", "nan"], "--lr: 'nan' is not a finite number"),
        (["--lr", "-1"], "--lr is the learning rate η, a number ≥ 0, not -1"),
        (["--lr", "fast"], "--lr=...: 'fast' is not a number"),
        (["--expr", "x*2", "--set", "x=1", "z=3"], "--set gives z, but the formula has no such name (its names: x)"),
        (["--expr", "x*2", "--set", "x=1", "x=2"], "--set gives x twice (x=1 and x=2)"),
        (["--expr", "x*2", "--set", "x=1", "--update", ""], "--update takes comma-separated names"),
        (["--update", " , "], "--update takes comma-separated names to update, such as w,x,b,y"),
        (["--digits", "many"], "invalid int value: 'many'"),
        (["--expr", "x*2", "--set", "x=1", "--unknown"], "unrecognized arguments: --unknown"),
    ],
)
def test_every_argument_is_checked_before_anything_is_printed_or_written(args, words, tmp_path, capsys):
    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no lesson printed before the refusal
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, lines
    assert words in lines[0]
    assert not (tmp_path / "out").exists()


def test_set_reads_names_as_the_formula_does_so_full_width_letters_work(capsys):
    assert main(["--expr", "ｘ*2", "--set", "ｘ=1", "--no-files"]) == 0
    assert "x: 1.0000 − 0.1 · 2.0000 = 0.8000" in capsys.readouterr().out


def test_when_one_file_is_written_and_the_other_is_not_it_says_exactly_which(tmp_path, capsys):
    (tmp_path / "backprop.html").mkdir()  # a folder in the way of the player
    assert main(["--out", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert f"{tmp_path / 'graph.svg'}   the computation graph" in captured.out
    assert "backprop.html   step through" not in captured.out
    assert "No files written" not in captured.err
    assert f"Not written: backprop.html: can't write {tmp_path / 'backprop.html'}" in captured.err
    assert (tmp_path / "graph.svg").is_file()


def test_a_flat_sum_of_1000_terms_is_not_called_nested_and_the_advice_fits_the_command_line(capsys):
    formula = " + ".join(f"x{i}" for i in range(1000))
    values = [f"x{i}=1" for i in range(1000)]
    assert main(["--expr", formula, "--set", *values, "--out", "unused"]) == 2
    err = capsys.readouterr().err
    assert "nested" not in err and "model=" not in err and "max_nodes" not in err
    assert "more than 500 values, too many to draw in graph.svg and backprop.html: add --no-files" in err
    assert main(["--expr", formula, "--set", *values, "--no-files"]) == 0
    assert "L = x0 + x1 + x2" in capsys.readouterr().out


def test_a_formula_too_long_for_pythons_parser_says_so(capsys):
    formula = "+".join(["x"] * 5000)
    assert main(["--expr", formula, "--set", "x=1", "--no-files"]) == 2
    assert "is too long for Python's parser" in capsys.readouterr().err


def test_invalid_utf8_in_a_formula_is_one_line_not_a_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "autograd", "--expr", b"x\xff", "--set", "x=1", "--no-files"],
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 2
    stderr = result.stderr.decode("utf-8")
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
    assert "is not valid text: character 2" in stderr
