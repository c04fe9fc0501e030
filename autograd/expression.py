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
from collections.abc import Callable, Mapping

from .engine import Constant, Value

__all__ = ["FUNCTIONS", "ExpressionError", "build_expression"]


class ExpressionError(ValueError):
    """The formula can't be built: unknown name or function, or syntax outside the allow-list."""


# The functions a formula may call, each one of the engine's ops.
FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "σ": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "exp": Value.exp,
    "log": Value.log,
}

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

    Plain numbers in the formula become constants, as they do in code.
    """
    shown = repr(text) if len(text) <= 60 else repr(text[:57] + "...")  # for error messages
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"{shown} is not a formula I can read: {error.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the formula is nested too deeply to read") from None
    leaves: dict[str, Value] = {}

    def build(node: ast.AST) -> Value | float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in values:
                known = ", ".join(sorted(values)) or "none"
                raise ExpressionError(
                    f"unknown name {node.id!r} in {shown}: give it a value with --set {node.id}=... "
                    f"(names with values: {known})"
                )
            if node.id not in leaves:
                leaves[node.id] = Value(values[node.id], label=node.id)
            return leaves[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = build(node.left), build(node.right)
            if not isinstance(left, Value) and not isinstance(right, Value):  # fold 2 * 3 into 6.0
                folded = _BINARY[type(node.op)](Constant(left), Constant(right))  # through the engine's checks
                return folded.data if isinstance(folded, Value) else folded
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = build(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            return -operand
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            name = node.func.id
            if name not in FUNCTIONS:
                raise ExpressionError(
                    f"unknown function {name!r} in {shown}; the functions are {', '.join(sorted(FUNCTIONS))}"
                )
            if len(node.args) != 1:
                raise ExpressionError(f"{name}() takes exactly one argument, but was given {len(node.args)}")
            argument = build(node.args[0])
            return FUNCTIONS[name](argument if isinstance(argument, Value) else Constant(argument))
        raise ExpressionError(
            f"{ast.unparse(node)!r} is not allowed in a formula: use numbers, names, + - * / **, "
            f"and the functions {', '.join(sorted(FUNCTIONS))}"
        )

    try:
        out = build(tree.body)
    except ExpressionError:
        raise
    except (ValueError, ZeroDivisionError, OverflowError) as error:  # the engine's own checks, e.g. log(0)
        raise ExpressionError(f"{shown} can't be computed: {error}") from None
    except RecursionError:
        raise ExpressionError("the formula is nested too deeply to build") from None
    if not isinstance(out, Value):
        raise ExpressionError(f"{shown} has no names in it, so there is nothing to differentiate")
    return out, leaves
