"""``python -m autograd``: the worked example of backprop (or any formula), step by step.

With no arguments it runs the worked example's single neuron,
z = w·x + b, a = σ(z), L = ½(a − y)², prints the forward pass, every backward
step with its chain-rule arithmetic and the SGD weight update, and writes the
graph (``graph.svg``) and a step-by-step player (``backprop.html``).
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from ._commandline import Parser, UsageError, closed_pipe, finite_number, parse_assignments, say
from ._installation import clash_message, find_clash, install_command
from .drawing import DEFAULT_MAX_NODES, RendererNotFoundError, draw_dot, save_svg
from .engine import Constant, Value, topological_order
from .expression import ExpressionError, build_expression, functions
from .optim import SGD
from .teaching import Walkthrough, explain_update, walkthrough
from .teaching.notation import TEXT
from .teaching.steps import Group, one_step, squared_error
from .teaching.update import UpdateExplanation

# Subcommands: do backprop by hand (autograd.practice.commands).
PRACTICE_COMMANDS = ("practice", "exercises", "grade")

EXAMPLES = """\
examples:
  python -m autograd                                  the worked example's neuron with w=0.5, x=1.5, b=0.1, y=1
  python -m autograd --w 2 --x -1 --y 0 --lr 0.5      the same neuron with your numbers
  python -m autograd --expr "tanh(w*x + b)" --set w=0.5 x=2 b=0.1
  python -m autograd --expr "0.5*(relu(w*x) - y)**2" --set w=0.3 x=2 y=1 --update w

practise backprop by hand (each has --help):
  python -m autograd practice [--seed N | --expr ... --set ...]   a quiz, one gradient at a time
  python -m autograd exercises --students 30 --seed 1 --out sheets  fresh worksheets and an answer key
  python -m autograd grade --key sheets/key.json s01.txt ...        mark hand-ins with partial credit
"""


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="python -m autograd",
        description=(
            "Backpropagation, step by step. Runs the worked example's single neuron "
            "z = w·x + b, a = σ(z), L = ½(a − y)² (or your --expr), prints the forward pass, every "
            "chain-rule step of the backward pass and the SGD update w ← w − η·∂L/∂w, and writes "
            "graph.svg and backprop.html (a step-by-step player for any browser, works offline)."
        ),
        epilog=EXAMPLES
        + (
            "\nRendering needs Graphviz: the `dot` program (apt-get install graphviz, brew install graphviz)"
            f"\nor pygraphviz, whose wheels bundle it: {install_command('render')}."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    neuron = parser.add_argument_group("the worked example's neuron (ignored with --expr)")
    neuron.add_argument("--x", default="1.5", help="the input x (default 1.5)")
    neuron.add_argument("--w", default="0.5", help="the weight w (default 0.5)")
    neuron.add_argument("--b", default="0.1", help="the bias b (default 0.1)")
    neuron.add_argument("--y", default="1", help="the true output y (default 1)")
    formula = parser.add_argument_group("any formula")
    formula.add_argument(
        "--expr",
        metavar="FORMULA",
        help=f"a formula over names, numbers, + - * / ** and {', '.join(functions())}, "
        'e.g. "tanh(w*x + b)"; parsed safely, never evaluated as Python',
    )
    formula.add_argument("--set", nargs="+", default=[], metavar="NAME=NUMBER", help="values for the formula's names")
    parser.add_argument("--lr", default="0.1", help="the learning rate η of the SGD update (default 0.1)")
    parser.add_argument(
        "--update",
        metavar="NAMES",
        help="comma-separated names to update with SGD (default: w,b for the neuron, every name for --expr)",
    )
    parser.add_argument("--digits", type=int, default=4, help="decimals shown (default 4)")
    parser.add_argument(
        "--primitive",
        action="store_true",
        help="step through every node the engine made (t1 = w · x, z = t1 + b, the loss in three ops) "
        "instead of the worked example's five steps",
    )
    parser.add_argument("--out", type=Path, default=Path("autograd-out"), help="folder for graph.svg and backprop.html")
    parser.add_argument("--no-files", action="store_true", help="print only; write no files")
    return parser


def worked_example(
    w: float, x: float, b: float, y: float, *, primitive: bool = True
) -> tuple[Value, dict[str, Value], list[str], list[Group]]:
    """The worked example's neuron: its loss, its leaves by name, the forward pass written out, and the steps
    to show as one (none when `primitive`).

    As the worked example writes it (``primitive=False``): the loss ½(a − y)² is one op whose derivative
    reads a − y, z = w·x + b is one step, and x and y are data (constants: no gradient asked for). With
    ``primitive=True`` every op is a node of its own and every leaf a Value, as the engine sees them."""
    groups: list[Group] = []
    if primitive:  # the very graph terminal practice and the worksheets use, with their names (u, e, s)
        from .practice.exercises import FAMILIES

        loss = FAMILIES["neuron-sigmoid"].build({"w": w, "x": x, "b": b, "y": y})
        nodes = {node.label: node for node in topological_order(loss)}
        leaves = {name: nodes[name] for name in ("w", "x", "b", "y")}
        z, a = nodes["z"], nodes["a"]
    else:
        leaves = {"w": Value(w, "w"), "x": Constant(x, "x"), "b": Value(b, "b"), "y": Constant(y, "y")}
        with one_step() as neuron:
            z = leaves["w"] * leaves["x"] + leaves["b"]
        groups.append(neuron)
        z.label = "z"
        a = z.sigmoid()
        a.label = "a"
        loss = squared_error(a, leaves["y"])
        loss.label = "L"
    short, operand = _short, _short_operand  # negative numbers with a true minus, in parentheses as operands
    forward = [
        f"z = w·x + b = {operand(w)} · {operand(x)} + {operand(b)} = {short(z.data)}",
        f"a = σ(z) = 1 / (1 + e^(−z)) = 1 / (1 + e^(−{operand(z.data)})) = {short(a.data)}",
        f"L = ½(a − y)² = ½({operand(a.data)} − {operand(y)})² = {short(loss.data)}",
    ]
    return loss, leaves, forward, groups


def _short(number: float) -> str:
    """A number to 6 significant digits, with the same minus sign as every other view: −1.9."""
    return f"{number:.6g}".replace("-", TEXT.minus)


def _short_operand(number: float) -> str:
    """`_short`, in parentheses when negative, as an operand: 2 · (−1)."""
    return f"({_short(number)})" if number < 0 else _short(number)


def _lesson(args: argparse.Namespace) -> tuple[Value, dict[str, Value], list[str], str, list[str], list[Group]]:
    """Check every argument and build the graph: (loss, leaves, forward lines, title, names to update, the
    steps to show as one)."""
    for option in ("lr", "w", "x", "b", "y"):
        setattr(args, option, finite_number(getattr(args, option), f"--{option}"))
    if args.lr < 0:
        raise UsageError(f"--lr is the learning rate η, a number ≥ 0, not {args.lr:g}")
    if not 0 <= args.digits <= 15:
        raise UsageError(f"--digits must be from 0 to 15, not {args.digits}")
    if args.expr is not None:
        values = parse_assignments(args.set)
        loss, leaves = build_expression(args.expr, values)
        unused = [name for name in values if name not in leaves]
        if unused:
            raise UsageError(
                f"--set gives {', '.join(unused)}, but the formula has no such name (its names: {', '.join(leaves)})"
            )
        loss.label = loss.label or "L"
        forward = [f"{loss.label} = {args.expr} = {_short(loss.data)}"]
        title = f"{loss.label} = {args.expr}  with " + ", ".join(f"{k}={_short(v)}" for k, v in values.items())
        default_update = list(leaves)
        groups: list[Group] = []
    else:
        if args.set:
            raise UsageError(
                "--set gives values to the names of an --expr formula; for the neuron use --w, --x, --b, --y"
            )
        loss, leaves, forward, groups = worked_example(args.w, args.x, args.b, args.y, primitive=args.primitive)
        numbers = ", ".join(f"{name}={_short(getattr(args, name))}" for name in "wxby")
        title = f"the worked example's neuron z = w·x + b, a = σ(z), L = ½(a − y)²  with {numbers}"
        default_update = ["w", "b"]
    if args.update is None:
        names = default_update
    else:
        names = [unicodedata.normalize("NFKC", n.strip()) for n in args.update.split(",") if n.strip()]
        if not names:
            raise UsageError(f"--update takes comma-separated names to update, such as {','.join(leaves)}")
    unknown = [n for n in names if n not in leaves]
    if unknown:
        raise UsageError(f"--update names {', '.join(unknown)}, but the names are {', '.join(leaves)}")
    if not args.no_files:
        try:
            draw_dot(loss)  # the pictures have a size limit: find out now, not after printing the lesson
        except ValueError:
            raise UsageError(
                f"this formula's graph has more than {DEFAULT_MAX_NODES} values, too many to draw in graph.svg "
                "and backprop.html: add --no-files to print the lesson without them"
            ) from None
    constants = [n for n in names if isinstance(leaves[n], Constant)]
    if constants:
        raise UsageError(
            f"--update names {', '.join(constants)}: the worked example's data x and y are not trained; "
            "add --primitive to treat them as values to update"
        )
    return loss, leaves, forward, title, names, groups


def run(args: argparse.Namespace) -> int:
    loss, leaves, forward, title, names, groups = _lesson(args)  # every check before any output

    print(f"scalar-autograd: {title}\n")
    print("1. Forward pass")
    for line in forward:
        print(f"   {line}")
    print()
    wt = walkthrough(loss, digits=args.digits, groups=groups)
    loss.backward()  # the engine's own pass: the walkthrough recorded exactly these numbers
    trained = [leaves[name] for name in names]
    optimizer = SGD(trained, lr=args.lr)
    update = explain_update(optimizer, digits=args.digits)
    if groups:  # the worked example's five steps, numbered as it numbers them
        print("2. Backward pass: the worked example's steps 1 to 4, as backward() takes them")
        print(_indent(worked_steps(wt)))
        print()
        print("3. Weight update")
        print(f"   learning rate η = {args.lr:g}")
        for i, line in enumerate(update.worked_lines()):
            print(f"     {'5.' if i == 0 else '':<5}{line}")
    else:
        print("2. Backward pass: the chain rule, one node at a time")
        print(_indent(str(wt)))
        print()
        print("3. Weight update")
        print(_indent(str(update)))
    written, problem = ([], None) if args.no_files else _write_files(loss, wt, args.out, trained, update)
    optimizer.step()  # after the files: they show w before the update
    if written:
        print("\n4. Files")
        for path in written:
            print(f"   {path}   {FILE_ROLES[path.name]}")
    if problem is None:
        return 0
    if written:
        not_written = [name for name in FILE_ROLES if name not in {path.name for path in written}]
        print(f"\nNot written: {', '.join(not_written)}: {problem}", file=sys.stderr)
    else:
        print(f"\nNo files written: {problem}", file=sys.stderr)
    return 1


# The files written into --out, in the order they are written, and what each one is.
FILE_ROLES = {
    "graph.svg": "the computation graph with every gradient",
    "backprop.html": "step through the backward pass in any browser (works offline)",
}


def worked_steps(wt: Walkthrough) -> str:
    """The walkthrough's lines numbered as the worked example numbers its steps: each node's step (L = ½(a − y)²,
    a = σ(z), z = w · x + b), and under it its lines, 1. ∂L/∂a = a − y, 2. ∂a/∂z = σ'(z), 3. ∂L/∂z, 4. ∂L/∂w.
    A line for another parameter of the same node (∂L/∂b) shares its number."""
    lines, number = [], 0
    for step in wt:
        lines.append(f"{step.forward()}")
        first_parent = None
        for equation in step.equations():
            parent = equation.lhs.split("/∂")[-1].split(" ")[0]
            if first_parent is None and equation.lhs.startswith(f"∂{wt.names[wt.root]}/"):
                first_parent = parent
            if first_parent is None or parent == first_parent:
                number += 1
                lines.append(f"  {str(number) + '.':<5}{equation.text()}")
            else:
                lines.append(f"  {'':<5}{equation.text()}")
    return "\n".join(lines)


def _write_files(
    loss: Value, wt: Walkthrough, out: Path, trained: list[Value], update: UpdateExplanation | None = None
) -> tuple[list[Path], str | None]:
    """Write graph.svg, then backprop.html, into ``out``: the files written, and why the rest were not (or None).

    Both draw the names the console prints, and the values being trained as parameters."""
    written: list[Path] = []
    writers: dict[str, Callable[[Path], Path]] = {
        "graph.svg": lambda path: save_svg(loss, path, names=wt.names, params=trained, groups=wt.groups),
        "backprop.html": lambda path: wt.save_html(path, params=trained, update=update),
    }
    try:
        out.mkdir(parents=True, exist_ok=True)
        out = out.resolve()
        for name in FILE_ROLES:
            written.append(writers[name](out / name))
    except RendererNotFoundError as error:
        return written, str(error)
    except OSError as error:
        where = error.filename if error.filename is not None else out
        return written, f"can't write {where}: {error.strerror or error}"
    return written, None


def _indent(text: str) -> str:
    return "\n".join(f"   {line}" if line else "" for line in text.splitlines())


def _report_a_clash() -> None:
    """HIPS autograd installed over this package: `import autograd` runs its __init__.py, not ours, so the
    warning of ours never came. Say it here, where the command still runs (see autograd._installation)."""
    package = sys.modules.get(__package__ or "autograd")
    if getattr(package, "_SCALAR_AUTOGRAD", False):
        return  # our __init__.py ran, and has warned already if HIPS autograd shares its folder
    other = find_clash()
    if other is not None:
        say(f"warning: {clash_message(other, ours_overwritten=True)}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m autograd`` and the ``scalar-autograd`` command."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    _report_a_clash()
    if arguments and arguments[0] in PRACTICE_COMMANDS:  # practice, exercises, grade: autograd.practice
        from .practice.commands import main as practice_main

        return practice_main(arguments[0], arguments[1:])
    parser = build_parser()
    try:
        return run(parser.parse_args(argv))
    except (UsageError, ExpressionError) as error:
        say(f"{parser.prog}: error: {error}")
        return 2
    except (ValueError, ZeroDivisionError, OverflowError) as error:  # e.g. a loss that can't be computed
        say(f"{parser.prog}: error: {error}")
        return 2
    except KeyboardInterrupt:
        say(f"{parser.prog}: interrupted")
        return 130
    except BrokenPipeError:  # `python -m autograd | head -1`: the reader has all it wanted
        return closed_pipe()
    except Exception as error:  # never a traceback at the command line: one line, and where to report it
        say(f"{parser.prog}: internal error: {type(error).__name__}: {error} (please report this as a bug)")
        return 1


if __name__ == "__main__":
    sys.exit(main())
