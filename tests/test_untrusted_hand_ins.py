"""Files and answers from students are untrusted: the grader and practice can't be fooled, hung or escaped."""

import json
import math
import os
import subprocess
import sys
import time

import pytest

from autograd import OPS, Op, Value, walkthrough
from autograd._files import write_text_atomically
from autograd.practice.exercises import (
    HAND_IN_LIMIT,
    HandInError,
    exercise,
    exercises,
    grade,
    read_hand_in,
    write_worksheets,
)
from autograd.practice.quiz import AnswerError, Quiz, parse_answer

WORKED_EXAMPLE = {"w": 0.5, "x": 1.5, "b": 0.1, "y": 1.0}


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "autograd", *args], capture_output=True, input=stdin, timeout=120)


def a_class(tmp_path, students=2):
    folder = tmp_path / "class"
    assert run("exercises", "--students", str(students), "--seed", "3", "--out", str(folder)).returncode == 0
    key = json.loads((folder / "key.json").read_text(encoding="utf-8"))
    return folder, key


def hand_in_text(gradients):
    return "".join(f"{name} = {g!r}\n" for name, g in gradients.items() if name != "L")


# ---------------------------------------------------------------------- marks that must be earned


def test_a_sheet_of_zeros_earns_nothing_where_zero_is_wrong():
    sheet = exercise("neuron-sigmoid", WORKED_EXAMPLE)
    names = [name for name in sheet.gradients() if name != "L"]
    result = grade(sheet, dict.fromkeys(names, "0"))
    assert result.score == 0.0
    assert all(row.verdict.startswith("wrong") for row in result.rows)


def test_an_error_carried_forward_still_earns_half_when_the_method_shows():
    sheet = exercise("neuron-sigmoid", WORKED_EXAMPLE)
    result = grade(sheet, {"a": "-0.2994", "z": "-0.07", "w": "-0.105", "b": "-0.0628"})
    marks = {row.name: row.mark for row in result.rows}
    assert (marks["a"], marks["z"], marks["w"], marks["b"]) == (1.0, 0.0, 0.5, 1.0)


def test_a_zero_that_is_right_earns_its_mark():
    # A ReLU that is off: everything behind it has gradient 0, and 0 is the right answer there.
    sheet = exercise("neuron-relu", {"w": -0.5, "x": 1.5, "b": 0.1, "y": 1.0})
    gradients = sheet.gradients()
    assert gradients["w"] == 0.0
    result = grade(sheet, {name: repr(g) for name, g in gradients.items() if name != "L"})
    assert result.score == result.total


@pytest.mark.parametrize("infinite", [math.inf, -math.inf, math.nan])
def test_answers_that_are_not_finite_earn_nothing(infinite):
    sheet = exercise("neuron-sigmoid", WORKED_EXAMPLE)
    names = [name for name in sheet.gradients() if name != "L"]
    result = grade(sheet, dict.fromkeys(names, infinite))
    assert result.score == 0.0
    assert all("not a finite number" in problem for problem in result.problems)


# ---------------------------------------------------------------------- reading hand-ins


def test_a_hand_in_saved_with_a_byte_order_mark_or_as_utf16_is_graded_as_plain_utf8(tmp_path):
    sheet = exercise("neuron-sigmoid", WORKED_EXAMPLE)
    text = hand_in_text(sheet.gradients()).replace("-", "−")  # a true minus: not ASCII, so the encoding matters
    for name, data in {
        "plain": text.encode("utf-8"),
        "bom": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "utf16": text.encode("utf-16"),  # with its byte-order mark, as Windows Notepad saves "Unicode"
        "utf16-no-mark": text.encode("utf-16-le"),
        "utf32": text.encode("utf-32"),
    }.items():
        path = tmp_path / f"{name}.txt"
        path.write_bytes(data)
        assert read_hand_in(path) == text, name


def test_pipes_devices_huge_and_binary_files_are_refused_without_waiting(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    device = tmp_path / "zero.txt"
    device.symlink_to("/dev/zero")
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"w = 1\n" * (HAND_IN_LIMIT // 6 + 10))
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"w = 1\n\x00\x01\x02 junk \x00")
    for path, words in [(fifo, "not a regular file"), (device, "not a regular file"), (huge, "larger than 64 KB"),
                        (binary, "not text"), (tmp_path / "folder", "not a regular file")]:  # fmt: skip
        if path.name == "folder":
            path.mkdir()
        with pytest.raises(HandInError, match=words):
            read_hand_in(path)


def test_one_bad_hand_in_is_reported_and_the_rest_of_the_class_is_graded(tmp_path):
    folder, key = a_class(tmp_path, students=3)
    first = key["sheets"]["s1"]["gradients"]
    (tmp_path / "s1.txt").write_bytes(b"\xef\xbb\xbf" + hand_in_text(first).encode("utf-8"))
    os.mkfifo(tmp_path / "s2.txt")  # would block a reader forever
    third = key["sheets"]["s3"]["gradients"]
    (tmp_path / "s3.txt").write_bytes(hand_in_text(third).replace("-", "\u2212").encode("cp1252", errors="replace"))
    result = run("grade", "--key", str(folder / "key.json"), *(str(tmp_path / f"s{i}.txt") for i in (1, 2, 3)))
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 1
    total = len(first) - 1
    assert f"s1: {total} of {total} (100%); all right" in out
    assert "s2.txt' was not graded: it is not a regular file" in err
    # cp1252 has no true minus: those lines read "?0.06" and are answers that are not numbers, not a crash
    assert "   s3: " in out and "is not a number" in out
    assert "Traceback" not in err


def test_a_cp1252_hand_in_with_ascii_numbers_is_graded(tmp_path):
    folder, key = a_class(tmp_path)
    right = key["sheets"]["s1"]["gradients"]
    (tmp_path / "s1.txt").write_bytes(("# r\xe9ponses\n" + hand_in_text(right)).encode("cp1252"))
    result = run("grade", "--key", str(folder / "key.json"), str(tmp_path / "s1.txt"))
    total = len(right) - 1
    assert result.returncode == 0 and f"{total} of {total} (100%)" in result.stdout.decode()


# ---------------------------------------------------------------------- answers read at bounded cost


def test_huge_exponents_and_long_answers_are_read_at_once():
    started = time.process_time()
    with pytest.raises(AnswerError, match="too large for a float"):
        parse_answer("1e99999999")
    assert parse_answer("5e-99999999") == 0.0
    assert parse_answer("-0e99999999") == 0.0
    with pytest.raises(AnswerError, match="characters long"):
        parse_answer("1/" + "9" * 10_000)
    assert parse_answer("−6.28e-2") == -0.0628
    assert time.process_time() - started < 5  # minutes before; a bound, not a benchmark


def test_terminal_practice_takes_bytes_that_are_not_utf8_as_a_wrong_kind_of_answer():
    result = run("practice", stdin=b"\xff\xfe\x80\n-0.2994\n")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "is not a number" in out
    assert "Traceback" not in result.stderr.decode()


# ---------------------------------------------------------------------- worksheet files


def test_a_student_name_that_is_a_path_is_refused_and_nothing_is_written(tmp_path):
    sheet = exercise("neuron-sigmoid", WORKED_EXAMPLE, student="../escaped")
    with pytest.raises(ValueError, match="can't be a file name"):
        write_worksheets([sheet], tmp_path / "class")
    assert not (tmp_path / "escaped.md").exists() and not (tmp_path / "class").exists()


def test_another_classs_key_is_never_replaced_without_asking(tmp_path):
    folder, key = a_class(tmp_path)
    again = run("exercises", "--students", "2", "--seed", "99", "--out", str(folder))
    assert again.returncode == 2 and "already holds an answer key" in again.stderr.decode()
    assert json.loads((folder / "key.json").read_text(encoding="utf-8")) == key
    assert run("exercises", "--students", "2", "--seed", "99", "--out", str(folder), "--overwrite").returncode == 0
    assert json.loads((folder / "key.json").read_text(encoding="utf-8"))["seed"] == 99
    with pytest.raises(FileExistsError):
        write_worksheets(exercises(1, seed=5), folder)


def test_a_file_name_as_long_as_the_file_system_allows_can_be_saved(tmp_path):
    target = tmp_path / ("g" * 250 + ".svg")
    write_text_atomically(target, "<svg/>")
    assert target.read_text(encoding="utf-8") == "<svg/>"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


# ---------------------------------------------------------------------- pages and quizzes


def test_the_player_page_allows_no_base_url_or_form_target(tmp_path):
    from autograd.teaching.player import write_player

    x = Value(2.0, "x")
    wt = walkthrough(x * x)
    write_player(wt, wt.picture(), tmp_path / "p.html")
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "default-src 'none'" in page and "base-uri 'none'" in page and "form-action 'none'" in page


def test_the_quiz_explains_a_node_with_the_op_that_made_it_even_after_the_name_is_redefined():
    Op("twice_q", forward=lambda a: 2 * a, local_grads=lambda out, a: 2.0, formula="2·{a}", derivatives=["2"])
    x = Value(3.0, "x")
    y = OPS["twice_q"](x)
    y.label = "y"
    Op("twice_q", forward=lambda a: 3 * a, local_grads=lambda out, a: 3.0, formula="3·{a}", derivatives=["3"])
    quiz = Quiz(y)
    hints = " ".join(" ".join(question.hints) for question in quiz.questions)
    assert "2·x" in hints and "3·x" not in hints
