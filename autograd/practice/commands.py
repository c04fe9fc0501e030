"""The practice commands of ``python -m autograd``: ``practice``, ``exercises`` and ``grade``.

Every argument is checked before anything is asked or written; a mistake is one line on stderr
and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import sys
from collections.abc import Sequence
from pathlib import Path

from .._commandline import Parser, UsageError, closed_pipe, finite_number, parse_assignments, say
from ..engine import Constant, Value
from ..expression import ExpressionError, build_expression, functions
from ..optim import SGD
from ..teaching import walkthrough
from .exercises import (
    FAMILIES,
    HandInError,
    _one_decimal,
    check_count_and_seed,
    check_output_folder,
    exercises,
    grade,
    load_key,
    read_answers,
    read_hand_in,
    write_worksheets,
)
from .quiz import Quiz
from .terminal import practise

__all__ = ["COMMANDS", "main"]

_ACTIVATIONS = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU"}


def _practice_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="python -m autograd practice",
        description=(
            "Do the backward pass yourself: one gradient at a time, in backward()'s order, marked at once. "
            "Answer a number per line (−0.0628, -6.28e-2, -1/16), or hint, or show; an empty line ends. "
            "Works typed or piped: python -m autograd practice < answers.txt"
        ),
    )
    neuron = parser.add_argument_group("the worked example's neuron z = w·x + b, a = σ(z), L = ½(a − y)² (default)")
    for name, default in (("w", "0.5"), ("x", "1.5"), ("b", "0.1"), ("y", "1")):
        neuron.add_argument(f"--{name}", help=f"{name} (default {default}, or fresh with --seed)")
    neuron.add_argument("--activation", choices=list(_ACTIVATIONS), default="sigmoid", help="the neuron's σ")
    formula = parser.add_argument_group("any formula")
    formula.add_argument("--expr", metavar="FORMULA", help='a formula such as "tanh(w*x + b)"')
    formula.add_argument("--set", nargs="+", default=[], metavar="NAME=NUMBER", help="values for its names")
    parser.add_argument("--seed", type=int, help="fresh numbers, the same for the same seed (a whole number ≥ 0)")
    parser.add_argument("--digits", type=int, default=4, help="decimals shown (default 4)")
    parser.add_argument(
        "--lr",
        metavar="η",
        help="then ask the update too, w_new = w_old − η·∂L/∂w, with this learning rate "
        "(for w and b of the neuron, every name of --expr)",
    )
    return parser


def _formula_names(text: str) -> list[str]:
    """The names a formula uses (not its functions), in reading order; [] if it does not parse (reported later)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return []
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    names = [node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in called]
    return [name for i, name in enumerate(names) if name not in names[:i] and name not in functions()]


def _practice_graph(args: argparse.Namespace) -> tuple[Value, str]:
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed must be a whole number ≥ 0, not {args.seed}")
    if not 0 <= args.digits <= 15:
        raise UsageError(f"--digits must be from 0 to 15, not {args.digits}")
    rng = random.Random(args.seed)
    if args.expr is not None:
        values = parse_assignments(args.set)
        if args.seed is not None:
            for name in _formula_names(args.expr):
                values.setdefault(name, _one_decimal(rng, -2, 2, away_from_zero=0.2))
        loss, leaves = build_expression(args.expr, values)
        unused = [name for name in values if name not in leaves]
        if unused:
            raise UsageError(f"--set gives {', '.join(unused)}, but the formula has no such name")
        loss.label = loss.label or "L"
        shown = ", ".join(f"{k}={v:g}" for k, v in values.items())
        return loss, f"L = {args.expr}  with {shown}"
    if args.set:
        raise UsageError("--set gives values to the names of an --expr formula; for the neuron use --w, --x, --b, --y")
    family = f"neuron-{args.activation}"
    fresh = FAMILIES[family].draw(rng) if args.seed is not None else {"w": 0.5, "x": 1.5, "b": 0.1, "y": 1.0}
    values = {
        name: finite_number(getattr(args, name), f"--{name}") if getattr(args, name) is not None else fresh[name]
        for name in ("w", "x", "b", "y")
    }
    shown = ", ".join(f"{k}={v:g}" for k, v in values.items())
    act = _ACTIVATIONS[args.activation]
    title = f"the worked example's neuron z = w·x + b, a = {act}(z), L = ½(a − y)²  with {shown}"
    return FAMILIES[family].build(values), title


def practice(argv: Sequence[str]) -> int:
    args = _practice_parser().parse_args(argv)
    loss, title = _practice_graph(args)  # every check before the first question
    if hasattr(sys.stdin, "reconfigure"):  # bytes that are not UTF-8 are an answer that is not a number, not the end
        sys.stdin.reconfigure(errors="replace")
    source: Value | Quiz = loss
    if args.lr is not None:
        lr = finite_number(args.lr, "--lr")
        if lr < 0:
            raise UsageError(f"--lr is the learning rate η, a number ≥ 0, not {lr:g}")
        wt = walkthrough(loss, digits=args.digits)
        leaves = [node for node in reversed(wt.nodes) if not node.parents and not isinstance(node, Constant)]
        trained = [node for node in leaves if node.label in ("w", "b")] if args.expr is None else leaves
        loss.backward()  # the update reads each gradient from backward(), as training does
        source = Quiz(wt, digits=args.digits, update=SGD(trained, lr=lr))
    practise(source, sys.stdin, sys.stdout, title=title, digits=args.digits)
    return 0


def _exercises_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="python -m autograd exercises",
        description=(
            "One worksheet per student with fresh numbers (Markdown and a printable HTML page with the graph), "
            f"and an answer key (key.json, key.md). Families: {', '.join(FAMILIES)}."
        ),
    )
    parser.add_argument("--students", type=int, required=True, help="how many worksheets (1 to 1000)")
    parser.add_argument("--seed", type=int, required=True, help="the same seed gives the same sheets (≥ 0)")
    parser.add_argument("--out", type=Path, required=True, help="the folder to write into")
    parser.add_argument("--families", help="comma-separated families to use (default: all, taking turns)")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace the worksheets and answer key already in --out"
    )
    return parser


def make_exercises(argv: Sequence[str]) -> int:
    args = _exercises_parser().parse_args(argv)
    try:
        check_count_and_seed(args.students, args.seed)
        check_output_folder(args.out)
    except (ValueError, OSError) as error:
        raise UsageError(str(error)) from None
    families = None if args.families is None else [f.strip() for f in args.families.split(",") if f.strip()]
    sheets = exercises(args.students, seed=args.seed, families=families)
    try:
        written = write_worksheets(sheets, args.out, seed=args.seed, overwrite=args.overwrite)
    except FileExistsError as error:
        raise UsageError(str(error)) from None
    folder = Path(args.out).resolve()
    print(f"Wrote {len(sheets)} worksheets (Markdown and HTML) and the answer key into {folder}:")
    print(f"   {sheets[0].student}.md … {sheets[-1].student}.md, the same as .html   one sheet per student")
    print(f"   key.json, key.md   the answers and worked solutions ({len(written)} files in all)")
    print(f"Grade hand-ins (one 'node = number' per line, in <student>.txt) with:\n"
          f"   python -m autograd grade --key {folder / 'key.json'} <student>.txt ...")  # fmt: skip
    return 0


def _grade_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="python -m autograd grade",
        description=(
            "Mark hand-ins against an answer key, node by node: 1 right, ½ when a wrong number follows from the "
            "student's own earlier wrong one, 0 otherwise; the first wrong answer comes with its worked steps."
        ),
    )
    parser.add_argument("--key", type=Path, required=True, help="key.json, as written by `exercises`")
    parser.add_argument("answers", nargs="+", type=Path, help="<student>.txt files: one 'node = number' per line")
    return parser


def grade_files(argv: Sequence[str]) -> int:
    args = _grade_parser().parse_args(argv)
    try:
        sheets = load_key(args.key)
    except OSError as error:
        raise UsageError(f"can't read the key {os.fspath(args.key)!r}: {error.strerror or error}") from None
    except ValueError as error:
        raise UsageError(str(error)) from None
    hand_ins = []
    for path in args.answers:
        student = path.stem
        if student not in sheets:
            raise UsageError(f"{os.fspath(path)!r}: the key has no student {student!r} (name files <student>.txt)")
    unread = []
    for path in args.answers:  # one unreadable hand-in is reported and the rest of the class is graded
        try:
            hand_ins.append((sheets[path.stem], read_answers(read_hand_in(path))))
        except HandInError as error:
            unread.append(f"{os.fspath(path)!r} was not graded: {error}")
    grades = [grade(sheet, answers) for sheet, answers in hand_ins]
    for result in grades:
        print(result)
        print()
    if len(grades) > 1:
        print("Summary:")
        for result in grades:
            print(f"   {result.summary()}")
    for line in unread:
        say(f"python -m autograd grade: {line}")
    return 1 if unread else 0


COMMANDS = {"practice": practice, "exercises": make_exercises, "grade": grade_files}


def main(command: str, argv: Sequence[str]) -> int:
    """Run one of `COMMANDS`; mistakes are one line and exit status 2."""
    prog = f"python -m autograd {command}"
    try:
        return COMMANDS[command](argv)
    except (UsageError, ExpressionError, ValueError, ZeroDivisionError, OverflowError) as error:
        say(f"{prog}: error: {error}")
        return 2
    except KeyboardInterrupt:
        say(f"{prog}: interrupted")
        return 130
    except BrokenPipeError:  # `... | head -1`: the reader has all it wanted
        return closed_pipe()
    except Exception as error:  # never a traceback at the command line
        say(f"{prog}: internal error: {type(error).__name__}: {error} (please report this as a bug)")
        return 1
