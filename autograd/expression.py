"""Turn a formula typed by a user, such as ``"tanh(w*x + b)"``, into a graph of Values.

The text is parsed with Python's ``ast`` and walked against an allow-list:
numbers, names given a value, ``+ - * / **``, unary minus and the engine's
functions. Nothing is ever passed to ``eval``: anything else (attributes,
subscripts, lambdas, unknown names or functions) is an `ExpressionError`.

>>> out, leaves = build_expression("tanh(w*x + b)", {"w": 0.5, "x": 2.0, "b": 0.1})
>>> round(out.data, 4), sorted(leaves)
(0.8005, ['b', 'w', 'x'])
"""

from __future__ import annotations

import ast
import math
import unicodedata
from collections.abc import Callable, Mapping
from numbers import Real

from .engine import OPS, Constant, Op, Value

__all__ = ["ExpressionError", "build_expression", "functions"]


class ExpressionError(ValueError):
    """The formula can't be built: unknown name or function, or syntax outside the allow-list."""


def functions() -> dict[str, Op]:
    """The functions a formula may call: every op of the engine's table whose name reads as one
    (``sigmoid``, ``sin``, …), also under its drawn symbol where that is a name too (``σ``, ``ReLU``).

    >>> sorted(name for name in functions() if name.startswith("si"))
    ['sigmoid', 'sin']
    """
    found: dict[str, Op] = {}
    for op in OPS.values():
        for name in (op.name, op.symbol):
            if name.isidentifier() and name not in found and name != "neg":
                found[name] = op
    return dict(sorted(found.items()))


# With at least one Value among the operands, Python's operators build the node (a
# plain-number operand becomes a Constant node, as it does in code).
_BINARY: dict[type[ast.operator], Callable[[Value | float, Value | float], Value | float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


def build_expression(text: str, values: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """Build ``text`` as a graph: returns its output and the labelled leaf made for each name used.

    Plain numbers in the formula become constants, as they do in code. Names are
    read as Python reads identifiers (NFKC: a full-width ｘ is x), in the formula
    and in ``values`` alike. Every number must be finite.

    >>> build_expression("x * 1e400", {"x": 1.0})
    Traceback (most recent call last):
    ...
    autograd.expression.ExpressionError: the number 1e400 in 'x * 1e400' is too large: it would be infinity
    """
    if not isinstance(text, str):
        raise ExpressionError(f"a formula is text, such as 'tanh(w*x + b)', but was given {type(text).__name__}")
    shown = repr(text) if len(text) <= 60 else repr(text[:57] + "...")  # for error messages
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate: bytes that were not UTF-8, e.g. from a command line
        raise ExpressionError(
            f"{shown} is not valid text: character {error.start + 1} is not a letter, digit or symbol "
            "(bytes that are not UTF-8?)"
        ) from None
    numbers = _checked_values(values)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"{shown} is not a formula I can read: {error.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(
            f"{shown} is too long for Python's parser, which reads a + b + c + … as pairs nested in pairs: "
            "it gives up at about 3000 terms, or fewer levels of nesting"
        ) from None
    leaves: dict[str, Value] = {}
    callable_ops = functions()

    def operands(node: ast.AST) -> list[ast.expr]:
        """The sub-formulas `node` needs first; raises at once for anything outside the allow-list."""
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return []
        if isinstance(node, ast.Name):
            if node.id not in numbers:
                known = ", ".join(sorted(numbers)) or "none"
                raise ExpressionError(
                    f"unknown name {node.id!r} in {shown}: give it a value with --set {node.id}=... "
                    f"(names with values: {known})"
                )
            return []
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return [node.operand]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            if node.func.id not in callable_ops:
                raise ExpressionError(
                    f"unknown function {node.func.id!r} in {shown}; the functions are {', '.join(callable_ops)}"
                )
            arity = callable_ops[node.func.id].arity
            if len(node.args) != arity:
                wanted = "exactly one argument" if arity == 1 else f"exactly {arity} arguments"
                raise ExpressionError(f"{node.func.id}() takes {wanted}, but was given {len(node.args)}")
            return list(node.args)
        raise ExpressionError(
            f"{_source(text, node)!r} is not allowed in a formula: use numbers, names, + - * / **, "
            f"and the functions {', '.join(callable_ops)}"
        )

    def combine(node: ast.AST, args: list[Value | float]) -> Value | float:
        """`node` computed from its operands' results (`operands` has already checked it)."""
        if isinstance(node, ast.Constant):
            return _finite_literal(node.value, text, node, shown)
        if isinstance(node, ast.Name):
            if node.id not in leaves:
                leaves[node.id] = Value(numbers[node.id], label=node.id)
            return leaves[node.id]
        if isinstance(node, ast.BinOp):
            left, right = args
            if not isinstance(left, Value) and not isinstance(right, Value):  # fold 2 * 3 into 6.0
                folded = _BINARY[type(node.op)](Constant(left), Constant(right))  # through the engine's checks
                return folded.data if isinstance(folded, Value) else folded
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp):
            return args[0] if isinstance(node.op, ast.UAdd) else -args[0]
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        return callable_ops[node.func.id](*args)

    def build(root: ast.AST) -> Value | float:
        """Post-order with a stack of its own, not recursion: a + b + c + … is nested as deep as it is long."""
        results: dict[int, Value | float] = {}  # by id() of the ast node: each node is in the tree once
        stack: list[tuple[ast.AST, list[ast.expr] | None]] = [(root, None)]
        while stack:
            node, children = stack.pop()
            if children is None:  # first visit: check it, then compute its operands, left to right
                children = operands(node)
                stack.append((node, children))
                stack.extend((child, None) for child in reversed(children))
                continue
            results[id(node)] = combine(node, [results.pop(id(child)) for child in children])
        return results[id(root)]

    try:
        out = build(tree.body)
    except ExpressionError:
        raise
    except (ValueError, ZeroDivisionError, OverflowError) as error:  # the engine's own checks, e.g. log(0)
        raise ExpressionError(f"{shown} can't be computed: {error}") from None
    if not isinstance(out, Value):
        raise ExpressionError(f"{shown} has no names in it, so there is nothing to differentiate")
    if not math.isfinite(out.data):
        raise ExpressionError(f"{shown} can't be computed: its value is {out.data} (too large for a float)")
    return out, leaves


def _checked_values(values: Mapping[str, float]) -> dict[str, float]:
    """The names' values as floats, each name read as Python reads it (NFKC), each number finite."""
    numbers: dict[str, float] = {}
    for name, number in values.items():
        key = unicodedata.normalize("NFKC", name)
        if key in numbers:
            raise ExpressionError(
                f"two values are given for the name {key!r} (as Python reads names, {name!r} is {key!r})"
            )
        if isinstance(number, bool) or not isinstance(number, Real):
            raise ExpressionError(f"the value of {name!r} must be a number, but is {type(number).__name__}: {number!r}")
        try:
            numbers[key] = float(number)
        except OverflowError:
            numbers[key] = math.inf
        if not math.isfinite(numbers[key]):
            raise ExpressionError(f"the value of {name!r} must be a finite number, but is {numbers[key]}")
    return numbers


def _finite_literal(number: object, text: str, node: ast.AST, shown: str) -> float:
    assert isinstance(number, (int, float))  # `operands` let only numbers through
    try:
        value = float(number)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise ExpressionError(f"the number {_source(text, node)} in {shown} is too large: it would be infinity")
    return value


def _source(text: str, node: ast.AST) -> str:
    """The text of `node` as it was typed (ast.unparse would recurse as deep as the formula is nested)."""
    segment = ast.get_source_segment(text.strip(), node)
    shown = segment if segment is not None else type(node).__name__
    return shown if len(shown) <= 60 else shown[:57] + "..."
