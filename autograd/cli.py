"""``python -m autograd``: the seed's worked example (or any formula), backpropagated step by step.

With no arguments it runs the single neuron of the seed document,
z = w·x + b, a = σ(z), L = ½(a − y)², prints the forward pass, every backward
step with its chain-rule arithmetic and the SGD weight update, and writes the
graph (``graph.svg``) and a step-by-step player (``backprop.html``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .engine import Value
from .expression import FUNCTIONS, ExpressionError, build_expression
from .optim import SGD
from .viz import RendererNotFoundError, save_svg
from .walkthrough import Walkthrough, explain_update, walkthrough

EXAMPLES = """\
examples:
  python -m autograd                                  the seed's neuron with w=0.5, x=1.5, b=0.1, y=1
  python -m autograd --w 2 --x -1 --y 0 --lr 0.5      the same neuron with your numbers
  python -m autograd --expr "tanh(w*x + b)" --set w=0.5 x=2 b=0.1
  python -m autograd --expr "0.5*(relu(w*x) - y)**2" --set w=0.3 x=2 y=1 --update w
"""


class UsageError(Exception):
    """A mistake on the command line: reported in one line, with exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograd",
        description=(
            "Backpropagation, step by step. Runs the seed's single neuron "
            "z = w·x + b, a = σ(z), L = ½(a − y)² (or your --expr), prints the forward pass, every "
            "chain-rule step of the backward pass and the SGD update w ← w − η·∂L/∂w, and writes "
            "graph.svg and backprop.html (a step-by-step player for any browser, works offline)."
        ),
        epilog=EXAMPLES
        + (
            "\nRendering needs Graphviz: the `dot` program (apt-get install graphviz, brew install graphviz)"
            '\nor pygraphviz, whose wheels bundle it: pip install "scalar-autograd[render]".'
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    seed = parser.add_argument_group("the seed's neuron (ignored with --expr)")
    seed.add_argument("--x", type=float, default=1.5, help="the input x (default 1.5)")
    seed.add_argument("--w", type=float, default=0.5, help="the weight w (default 0.5)")
    seed.add_argument("--b", type=float, default=0.1, help="the bias b (default 0.1)")
    seed.add_argument("--y", type=float, default=1.0, help="the true output y (default 1)")
    formula = parser.add_argument_group("any formula")
    formula.add_argument(
        "--expr",
        metavar="FORMULA",
        help=f"a formula over names, numbers, + - * / ** and {', '.join(sorted(set(FUNCTIONS) - {'σ'}))}, "
        'e.g. "tanh(w*x + b)"; parsed safely, never evaluated as Python',
    )
    formula.add_argument("--set", nargs="+", default=[], metavar="NAME=NUMBER", help="values for the formula's names")
    parser.add_argument("--lr", type=float, default=0.1, help="the learning rate η of the SGD update (default 0.1)")
    parser.add_argument(
        "--update",
        metavar="NAMES",
        help="comma-separated names to update with SGD (default: w,b for the neuron, every name for --expr)",
    )
    parser.add_argument("--digits", type=int, default=4, help="decimals shown (default 4)")
    parser.add_argument("--out", type=Path, default=Path("autograd-out"), help="folder for graph.svg and backprop.html")
    parser.add_argument("--no-files", action="store_true", help="print only; write no files")
    return parser


def seed_example(w: float, x: float, b: float, y: float) -> tuple[Value, dict[str, Value], list[str]]:
    """The seed document's neuron: its loss, its leaves by name, and the forward pass written out."""
    leaves = {"w": Value(w, "w"), "x": Value(x, "x"), "b": Value(b, "b"), "y": Value(y, "y")}
    z = leaves["w"] * leaves["x"] + leaves["b"]
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    loss = 0.5 * (a - leaves["y"]) ** 2
    loss.label = "L"
    forward = [
        f"z = w·x + b = {w:g} · {x:g} + {b:g} = {z.data:.6g}",
        f"a = σ(z) = 1 / (1 + e^(−{z.data:.6g})) = {a.data:.6g}",
        f"L = ½(a − y)² = ½({a.data:.6g} − {y:g})² = {loss.data:.6g}",
    ]
    return loss, leaves, forward


def parse_assignments(pairs: Sequence[str]) -> dict[str, float]:
    values: dict[str, float] = {}
    for pair in pairs:
        name, sep, number = pair.partition("=")
        if not sep or not name.strip().isidentifier():
            raise UsageError(f"--set takes NAME=NUMBER pairs such as w=0.5, but was given {pair!r}")
        try:
            values[name.strip()] = float(number)
        except ValueError:
            raise UsageError(f"--set {name.strip()}=...: {number!r} is not a number") from None
    return values


def run(args: argparse.Namespace) -> int:
    if args.expr is not None:
        values = parse_assignments(args.set)
        loss, leaves = build_expression(args.expr, values)
        loss.label = loss.label or "L"
        forward = [f"{loss.label} = {args.expr} = {loss.data:.6g}"]
        title = f"{loss.label} = {args.expr}  with " + ", ".join(f"{k}={v:g}" for k, v in values.items())
        default_update = list(leaves)
    else:
        if args.set:
            raise UsageError(
                "--set gives values to the names of an --expr formula; for the neuron use --w, --x, --b, --y"
            )
        loss, leaves, forward = seed_example(args.w, args.x, args.b, args.y)
        numbers = f"w={args.w:g}, x={args.x:g}, b={args.b:g}, y={args.y:g}"
        title = f"the seed's neuron z = w·x + b, a = σ(z), L = ½(a − y)²  with {numbers}"
        default_update = ["w", "b"]
    names = default_update if args.update is None else [n.strip() for n in args.update.split(",") if n.strip()]
    unknown = [n for n in names if n not in leaves]
    if unknown:
        raise UsageError(f"--update names {', '.join(unknown)}, but the names are {', '.join(leaves)}")
    if not 0 <= args.digits <= 15:
        raise UsageError(f"--digits must be from 0 to 15, not {args.digits}")

    print(f"scalar-autograd: {title}\n")
    print("1. Forward pass")
    for line in forward:
        print(f"   {line}")
    print()
    print("2. Backward pass: the chain rule, one node at a time")
    wt = walkthrough(loss, digits=args.digits)
    print(_indent(str(wt)))
    print()
    loss.backward()  # the engine's own pass: the walkthrough above recorded exactly these numbers
    files = None if args.no_files else _write_files(loss, wt, args.out)  # drawn before the update changes w
    optimizer = SGD([leaves[name] for name in names], lr=args.lr)
    print("3. Weight update")
    print(_indent(str(explain_update(optimizer, digits=args.digits))))
    optimizer.step()
    if files is None:
        return 0
    if isinstance(files, str):
        print(f"\nNo files written: {files}", file=sys.stderr)
        return 1
    print("\n4. Files")
    print(f"   {files[0]}   the computation graph with every gradient")
    print(f"   {files[1]}   step through the backward pass in any browser (works offline)")
    return 0


def _write_files(loss: Value, wt: Walkthrough, out: Path) -> tuple[Path, Path] | str:
    """graph.svg and backprop.html in ``out``; or, when they can't be written, why."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        out = out.resolve()
        return save_svg(loss, out / "graph.svg"), wt.save_html(out / "backprop.html")
    except RendererNotFoundError as error:
        return str(error)
    except OSError as error:
        return f"can't write to {out}: {error.strerror or error}"


def _indent(text: str) -> str:
    return "\n".join(f"   {line}" if line else "" for line in text.splitlines())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m autograd`` and the ``scalar-autograd`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run(args)
    except (UsageError, ExpressionError) as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
    except (ValueError, ZeroDivisionError, OverflowError) as error:  # e.g. a loss that can't be computed
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
