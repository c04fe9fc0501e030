"""Fresh exercises for a class: worksheets with their own numbers, an answer key, grading with partial credit."""

import json
import os
import re
import subprocess
import sys

import pytest

from autograd.practice.exercises import FAMILIES, exercise, exercises, grade, read_answers, write_worksheets

SEED = {"w": 0.5, "x": 1.5, "b": 0.1, "y": 1.0}


def run(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autograd", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


def test_the_seed_sheet_has_the_seeds_gradients():
    sheet = exercise("neuron-sigmoid", SEED)
    key = {name: round(g, 4) for name, g in sheet.gradients().items()}
    assert key == {
        "L": 1.0, "s": 0.5, "e": -0.2994, "a": -0.2994, "y": 0.2994, "z": -0.0628, "u": -0.0628, "b": -0.0628,
        "w": -0.0942, "x": -0.0314,
    }  # fmt: skip


def test_every_family_builds_and_has_a_gradient_for_every_input():
    for sheet in exercises(len(FAMILIES), seed=3):
        gradients = sheet.gradients()
        assert set(sheet.values) <= set(gradients)
        assert all(abs(gradients[name]) >= 1e-3 for name in sheet.values), sheet


def test_a_node_used_twice_sums_its_two_contributions():
    sheet = exercise("used-twice", {"w": 0.4, "x": 0.7, "b": 0.9})
    # L = u·v with v = u + b: ∂L/∂u = v + u = 1.18 + 0.28
    assert sheet.gradients()["u"] == pytest.approx(1.46)
    assert sheet.gradients()["w"] == pytest.approx(1.46 * 0.7)


def test_thirty_sheets_are_all_different_cover_every_family_and_repeat_with_the_seed():
    sheets = exercises(30, seed=11)
    assert len({(s.family, tuple(s.values.items())) for s in sheets}) == 30
    assert {s.family for s in sheets} == set(FAMILIES)
    assert [s.student for s in sheets][:3] == ["s01", "s02", "s03"]
    again = exercises(30, seed=11)
    assert [(s.family, s.values) for s in again] == [(s.family, s.values) for s in sheets]
    other = exercises(30, seed=12)
    assert [s.values for s in other] != [s.values for s in sheets]


@pytest.mark.parametrize(("students", "seed"), [(0, 1), (-3, 1), (2, -1), (True, 1), (2, 1.5)])
def test_no_students_or_a_negative_seed_is_refused(students, seed):
    with pytest.raises(ValueError):
        exercises(students, seed=seed)


def test_grading_gives_full_half_and_no_marks_and_points_to_the_first_wrong_answer():
    sheet = exercise("neuron-sigmoid", SEED)
    answers = {"s": "1/2", "e": "−0.2994", "a": "-0.2994", "y": "0.2994", "z": "-0.07", "u": "-0.07",
               "b": "-0.0628", "w": "-0.105", "x": "9"}  # fmt: skip
    result = grade(sheet, answers)
    marks = {row.name: row.mark for row in result.rows}
    # z is wrong; u and w follow from that wrong z (half marks); b is right; x is wrong
    assert marks == {"s": 1, "e": 1, "a": 1, "y": 1, "z": 0, "u": 0.5, "b": 1, "w": 0.5, "x": 0}
    assert result.score == 6.0
    assert result.first_wrong == "z"
    assert "∂L/∂z = ∂L/∂a · ∂a/∂z = −0.2994 · 0.2098 = −0.0628" in result.explanation
    assert result.summary() == "s1: 6 of 9 (67%); first wrong: z"


def test_missing_and_unreadable_answers_are_marked_zero_and_said():
    sheet = exercise("neuron-sigmoid", SEED)
    result = grade(sheet, {"s": "half", "q": "1"})
    assert result.score == 0
    assert "s: 'half' is not a number" in result.problems[0]
    assert "'q' is not a node of this sheet" in result.problems[1]
    assert result.summary() == "s1: 0 of 9 (0%); 9 missing"


def test_a_hand_in_is_read_one_node_per_line():
    text = "# my answers\ns = 0.5\ne: −0.2994\n∂L/∂a = -0.2994\n| z | -0.0628 |\nw,-0.0942\n\n"
    assert read_answers(text) == {"s": "0.5", "e": "−0.2994", "a": "-0.2994", "z": "-0.0628", "w": "-0.0942"}


def test_worksheets_are_markdown_and_printable_html_with_the_graph_and_a_key(tmp_path):
    sheets = exercises(2, seed=1, families=["neuron-tanh"])
    written = write_worksheets(sheets, tmp_path / "class", seed=1)
    assert sorted(p.name for p in written) == ["key.json", "key.md", "s1.html", "s1.md", "s2.html", "s2.md"]
    markdown = (tmp_path / "class" / "s1.md").read_text(encoding="utf-8")
    assert "a = tanh(z)" in markdown and "| L | 1 (given) |" in markdown
    page = (tmp_path / "class" / "s1.html").read_text(encoding="utf-8")
    assert "<svg" in page and "@media print" in page
    assert not re.search(r"grad [−-]?\d", page)  # the graph, without the answers
    key = json.loads((tmp_path / "class" / "key.json").read_text(encoding="utf-8"))
    assert key["sheets"]["s2"]["gradients"]["L"] == 1.0
    assert key["sheets"]["s1"]["values"] == sheets[0].values


# ---------------------------------------------------------------------- the commands


def test_exercises_and_grade_commands_for_a_class(tmp_path):
    result = run("exercises", "--students", "30", "--seed", "4", "--out", str(tmp_path / "class"))
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "class"
    assert len(list(folder.glob("s*.md"))) == 30 and len(list(folder.glob("s*.html"))) == 30
    sheets = {p.read_text(encoding="utf-8").split("\n", 3)[2] for p in folder.glob("s*.md")}
    assert len(sheets) == 30  # thirty different exercises
    key = json.loads((folder / "key.json").read_text(encoding="utf-8"))
    right = key["sheets"]["s01"]["gradients"]
    (tmp_path / "s01.txt").write_text("".join(f"{n} = {g}\n" for n, g in right.items() if n != "L"))
    (tmp_path / "s02.txt").write_text("")
    result = run("grade", "--key", str(folder / "key.json"), str(tmp_path / "s01.txt"), str(tmp_path / "s02.txt"))
    assert result.returncode == 0, result.stderr
    total = len(right) - 1
    assert f"s01: {total} of {total} (100%); all right" in result.stdout
    assert "   s02: 0 of" in result.stdout


def test_the_same_seed_writes_the_same_sheets(tmp_path):
    for name in ("a", "b"):
        assert run("exercises", "--students", "3", "--seed", "9", "--out", str(tmp_path / name)).returncode == 0
    for file in ("s1.md", "key.json"):
        assert (tmp_path / "a" / file).read_text(encoding="utf-8") == (tmp_path / "b" / file).read_text(
            encoding="utf-8"
        )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--students", "0", "--seed", "1"], "number of students must be a whole number from 1"),
        (["--students", "2", "--seed", "-1"], "seed must be a whole number ≥ 0"),
        (["--students", "two", "--seed", "1"], "invalid int value"),
        (["--students", "2", "--seed", "1", "--families", "cube"], "no family of exercises is called 'cube'"),
    ],
)
def test_exercises_refuses_bad_numbers_before_writing_anything(args, words, tmp_path):
    result = run("exercises", *args, "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], lines
    assert not (tmp_path / "out").exists()


def test_a_folder_without_write_permission_is_refused_even_for_root(tmp_path, monkeypatch, capsys):
    from autograd.cli import main

    monkeypatch.setattr(os, "access", lambda path, mode: False)
    assert main(["exercises", "--students", "2", "--seed", "1", "--out", str(tmp_path / "class")]) == 2
    assert "can't write into" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_out_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "taken").write_text("")
    result = run("exercises", "--students", "2", "--seed", "1", "--out", str(tmp_path / "taken"))
    assert result.returncode == 2 and "is a file, not a folder" in result.stderr


def test_grade_refuses_an_unknown_student_or_a_missing_key(tmp_path):
    assert run("exercises", "--students", "2", "--seed", "1", "--out", str(tmp_path)).returncode == 0
    (tmp_path / "zoe.txt").write_text("s = 0.5\n")
    result = run("grade", "--key", str(tmp_path / "key.json"), str(tmp_path / "zoe.txt"))
    assert result.returncode == 2 and "the key has no student 'zoe'" in result.stderr
    result = run("grade", "--key", str(tmp_path / "nope.json"), str(tmp_path / "zoe.txt"))
    assert result.returncode == 2 and "can't read the key" in result.stderr
