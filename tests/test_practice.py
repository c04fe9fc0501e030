"""Practise backprop by hand: the quiz's questions, answers, hints and score, and `python -m autograd practice`."""

import io
import subprocess
import sys

import pytest

from autograd import Value
from autograd.practice import AnswerError, Quiz, parse_answer, practise
from autograd.practice.exercises import FAMILIES

SEED = {"w": 0.5, "x": 1.5, "b": 0.1, "y": 1.0}


def seed_loss():
    """The seed's neuron as the practice command builds it: u = w·x, z = u + b, a = σ(z), e = a − y, s = e², L = ½s."""
    return FAMILIES["neuron-sigmoid"].build(SEED)


def run_practice(*args: str, answers: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autograd", "practice", *args],
        input=answers,
        capture_output=True,
        text=True,
        timeout=120,
        encoding="utf-8",
    )


# ---------------------------------------------------------------------- answers as a person types them


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("-0.0628", -0.0628),
        ("−0.0628", -0.0628),  # the minus sign U+2212, as the walkthrough prints it
        ("-6.28e-2", -0.0628),
        ("-1/16", -0.0625),
        ("− 1 / 16", None),  # a space after the sign is not a number
        (" 3 / 4 ", 0.75),
        ("+.5", 0.5),
        ("1_000", 1000.0),
    ],
)
def test_answers_are_read_as_a_person_types_them(typed, number):
    if number is None:
        with pytest.raises(AnswerError):
            parse_answer(typed)
    else:
        assert parse_answer(typed) == number


@pytest.mark.parametrize("typed", ["abc", "", "nan", "inf", "1/0", "0.5.5", "1e999999", "½"])
def test_what_is_not_a_finite_number_is_refused_in_one_line(typed):
    with pytest.raises(AnswerError) as error:
        parse_answer(typed)
    assert "\n" not in str(error.value)


# ---------------------------------------------------------------------- the questions of the seed's neuron


def test_the_seed_neuron_asks_every_gradient_in_backwards_order_with_the_seeds_numbers():
    quiz = Quiz(seed_loss())
    asked = [(q.step + 1, q.gradient, round(q.answer, 4)) for q in quiz.questions]
    assert asked == [
        (1, "∂L/∂s", 0.5),
        (2, "∂L/∂e", -0.2994),  # ∂L/∂a = a − y, through e = a − y
        (3, "∂L/∂a", -0.2994),
        (3, "∂L/∂y", 0.2994),
        (4, "∂L/∂z", -0.0628),  # ∂L/∂a · σ'(z)
        (5, "∂L/∂u", -0.0628),
        (5, "∂L/∂b", -0.0628),
        (6, "∂L/∂w", -0.0942),  # ∂L/∂z · x
        (6, "∂L/∂x", -0.0314),
    ]


def test_hints_give_the_local_derivatives_formula_then_the_numbers_to_multiply():
    quiz = Quiz(seed_loss())
    z_question = next(q for q in quiz.questions if q.gradient == "∂L/∂z")
    formula, numbers = z_question.hints
    assert "σ'(z) = σ(z)(1 − σ(z))" in formula
    assert "0.7006 · (1 − 0.7006) = 0.2098" in numbers
    assert "−0.2994 · 0.2098" in numbers
    assert "−0.0628" not in formula + numbers  # a hint never gives the answer away


def test_a_node_used_twice_asks_for_the_running_sum():
    x = Value(3.0, "x")
    quiz = Quiz(x * x)
    first, second = quiz.questions
    assert (first.answer, second.answer, second.accumulates) == (3.0, 6.0, True)
    assert "it holds 3.0000" in second.prompt
    assert "then add the 3.0000 it already holds" in second.hints[1]


def test_score_counts_answers_right_first_time_and_lists_what_went_wrong():
    quiz = Quiz(seed_loss())
    replies = [quiz.respond(line).kind for line in ["1/2", "-0.35", "hint", "-0.2994", "show", "what?", "0.2994"]]
    assert replies == ["right", "wrong", "hint", "right", "shown", "invalid", "right"]
    assert quiz.score == 2
    assert quiz.position == 4
    assert quiz.report() == (
        "Score: 2 of 9 right first time (within 1% or 0.0001).\n"
        "Went wrong: step 2 ∂L/∂e, step 3 ∂L/∂a.\n"
        "Not reached: 5 of 9 questions."
    )


def test_the_tolerance_is_the_one_stated():
    quiz = Quiz(seed_loss(), rel_tol=0.001, abs_tol=0.0)
    assert quiz.respond("0.5006").kind == "wrong"
    assert quiz.respond("0.5004").kind == "right"
    assert "within 0.1% or 0" in quiz.report()


def test_a_quiz_changes_no_gradient():
    loss = seed_loss()
    Quiz(loss).respond("0.5")
    assert all(node.grad == 0.0 for node in [loss, *loss.parents])


# ---------------------------------------------------------------------- in the terminal


SEED_RIGHT_ANSWERS = "0.5\n-0.2994\n-0.2994\n0.2994\n-0.0628\n-0.0628\n-0.0628\n-0.0942\n-0.0314\n"


def test_practise_reads_one_answer_per_line_and_prints_the_score():
    out = io.StringIO()
    quiz = practise(seed_loss(), io.StringIO(SEED_RIGHT_ANSWERS), out)
    assert quiz.score == 9
    assert out.getvalue().rstrip().endswith("Score: 9 of 9 right first time (within 1% or 0.0001).")


def test_practice_command_piped_right_answers_scores_them_all():
    result = run_practice(answers=SEED_RIGHT_ANSWERS)
    assert result.returncode == 0, result.stderr
    assert "Step 4 of 6: a = σ(z) = 0.7006" in result.stdout
    assert "∂L/∂z = ? ✓ right: ∂L/∂z = −0.0628" in result.stdout
    assert result.stdout.splitlines()[-1] == "Score: 9 of 9 right first time (within 1% or 0.0001)."
    assert result.stderr == ""


def test_practice_command_with_hints_wrong_answers_and_show():
    answers = "0.5\n-0.35\nhint\nhint\nhint\n-0.2994\nshow\n0.2994\n1/2\nnot a number\n-6.28e-2\n"
    result = run_practice(answers=answers)
    assert result.returncode == 0
    out = result.stdout
    assert "✗ not −0.3500. Try again, or type hint (or show for the answer)." in out
    assert "Hint 1: the local derivative of s = e^2 with respect to e is 2 · e^(2 − 1)" in out
    assert "Hint 2: multiply ∂L/∂s = 0.5000 by the local derivative 2 · (−0.2994)^(2 − 1) = −0.5989" in out
    assert "No more hints: type show for the answer, or try again." in out
    assert "The answer: ∂L/∂a = ∂L/∂e · local derivative = −0.2994 · 1.0000 = −0.2994" in out
    assert "'not a number' is not a number" in out
    assert out.splitlines()[-4:] == [
        "Stopped at question 6 of 9.",
        "Score: 2 of 9 right first time (within 1% or 0.0001).",
        "Went wrong: step 2 ∂L/∂e, step 3 ∂L/∂a, step 4 ∂L/∂z.",
        "Not reached: 4 of 9 questions.",
    ]


@pytest.mark.parametrize("ending", ["", "\n", "\n0.5\n"])
def test_practice_ends_cleanly_at_the_end_of_input_or_an_empty_line(ending):
    result = run_practice(answers="0.5\n-0.2994" + ("\n" if ending else "") + ending)
    assert result.returncode == 0
    assert "Traceback" not in result.stdout + result.stderr
    assert "Score: 2 of 9 right first time" in result.stdout
    assert "Stopped at question 3 of 9." in result.stdout


def test_ctrl_c_ends_with_the_score_so_far():
    class Interrupted(io.StringIO):
        def readline(self, *args):
            line = super().readline(*args)
            if not line:
                raise KeyboardInterrupt
            return line

    out = io.StringIO()
    quiz = practise(seed_loss(), Interrupted("0.5\n"), out)
    assert quiz.score == 1
    assert "Score: 1 of 9 right first time" in out.getvalue()


def test_practice_on_a_formula_of_your_own():
    # L = tanh(w·x) at w = 0.5, x = 2: ∂L/∂t = 1 − tanh²(1) = 0.4200, ∂L/∂w = 0.8399, ∂L/∂x = 0.2100
    result = run_practice("--expr", "tanh(w*x)", "--set", "w=0.5", "x=2", answers="0.42\n0.8399\n0.21\n")
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == "Score: 3 of 3 right first time (within 1% or 0.0001)."


def test_seed_picks_fresh_numbers_reproducibly():
    first = run_practice("--seed", "5", answers="")
    again = run_practice("--seed", "5", answers="")
    other = run_practice("--seed", "6", answers="")
    title = first.stdout.splitlines()[0]
    assert title == again.stdout.splitlines()[0]
    assert title != other.stdout.splitlines()[0]
    assert "with w=0.5, x=1.5, b=0.1, y=1" not in title


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--seed", "-1"], "--seed must be a whole number ≥ 0"),
        (["--w", "nan"], "--w: 'nan' is not a finite number"),
        (["--expr", "q(x)", "--set", "x=1"], "unknown function 'q'"),
        (["--set", "x=1"], "--expr"),
        (["--activation", "cube"], "invalid choice"),
    ],
)
def test_practice_mistakes_are_one_line_and_exit_status_2(args, words):
    result = run_practice(*args, answers="0.5\n")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], lines


class _WrongThenCtrlC(io.StringIO):
    """Typed answers, then Ctrl-C while the next one is awaited."""

    def readline(self, size: int = -1) -> str:
        line = super().readline(size)
        if not line:
            raise KeyboardInterrupt
        return line


@pytest.mark.parametrize("answers", [io.StringIO("0.5\n-0.35\n"), _WrongThenCtrlC("0.5\n-0.35\n")])
def test_a_question_left_after_a_wrong_answer_went_wrong_and_was_not_unreached(answers):
    out = io.StringIO()
    quiz = practise(seed_loss(), answers, out)  # Ctrl-D (end of input) or Ctrl-C after a wrong answer
    assert quiz.position == 1
    assert out.getvalue().splitlines()[-3:] == [
        "Score: 1 of 9 right first time (within 1% or 0.0001).",
        "Went wrong: step 2 ∂L/∂e.",
        "Not reached: 7 of 9 questions.",
    ]


def test_practice_with_a_learning_rate_asks_the_update_last():
    answers = SEED_RIGHT_ANSWERS + "0.5\nshow\n0.1063\n"
    result = subprocess.run(
        [sys.executable, "-m", "autograd", "practice", "--lr", "0.1"],
        input=answers,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "The last step: the update, w_new = w_old − η · ∂L/∂w with η = 0.1" in out
    assert "The answer: w_new = w_old − η · ∂L/∂w = 0.5000 − 0.1 · (−0.0942) = 0.5094" in out
    assert "b_new = ? ✓ right: b_new = 0.1063" in out
    assert out.splitlines()[-2:] == [
        "Score: 10 of 11 right first time (within 1% or 0.0001).",
        "Went wrong: step 7 w_new.",
    ]


def test_the_quiz_refuses_to_ask_an_update_it_cannot_write_in_one_line():
    from autograd.optim import Adam

    loss = seed_loss()
    loss.backward()
    with pytest.raises(ValueError, match="plain SGD"):
        Quiz(loss, update=Adam([loss.parents[1]], lr=0.1))
