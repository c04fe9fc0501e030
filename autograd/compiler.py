"""`compile`: record a function's graph once, then replay it as straight-line Python.

Building the graph is most of what a scalar engine costs: every number becomes an object.
But a training step builds the same graph every time, with new numbers in it. So trace it once,
and write the graph down as a program: one line per node for the forward pass, then one line per
edge for the backward pass, each number in a local variable. That program is the *Wengert list*,
and its second half is the *adjoint program*: reverse mode, with nothing left but arithmetic.

>>> from autograd import Value, compile
>>> w, b = Value(0.5, "w"), Value(0.1, "b")
>>> def neuron_loss(x, y):
...     z = w * x + b; z.label = "z"
...     a = z.sigmoid(); a.label = "a"
...     return 0.5 * (a - y) ** 2
>>> step = compile(neuron_loss)
>>> round(step(1.5, 1.0), 6)           # traced on this first call, then replayed
0.04483
>>> round(w.grad, 6)                   # the same ∂L/∂w as neuron_loss(1.5, 1.0).backward()
-0.094219
>>> print(step.source.splitlines()[5])  # the forward pass: one line per node, labels in the comments
    t1 = p1 * x  # t1 = w · x

What `compile(fn)` records, and what it does not:

* ``fn`` takes numbers, or (nested) lists of numbers. They reach ``fn`` as `Constant` leaves, and
  each call of the compiled function puts its own numbers in their place.
* Leaves that ``fn`` reads from outside (a model's parameters) are read afresh on every call
  (``.data``), and their ``.grad`` is added to as ``backward()`` would, so ``optimizer.step()``
  works unchanged. Plain numbers (``x * 2``) and `Constant` nodes are frozen into the program.
* ``fn`` is traced once, so a Python decision on a number that depends on its inputs (``if x.data > 0``)
  cannot be replayed: reading such a ``.data`` while tracing raises a TypeError that says so, as JAX
  does. A number read from outside Values (``x * w.data``) is a guard: when those Values' numbers have
  changed, the next call traces ``fn`` again (``.retraces`` counts these).
  ``compile(fn, check=True)`` replays and also runs ``fn`` eagerly on every call, and names the first
  node where the two differ.
* Ops inside ``no_grad()`` are replayed too (their numbers stay current), with no gradient
  flowing through them, as eagerly. Ops whose result does not reach the output are not recorded.
  The first call may come inside ``no_grad()``: tracing records with gradients on all the same.
* A call with numbers of another shape (a longer list) traces ``fn`` again; each shape keeps its program.
* A domain error, or a NaN made from numbers that are not NaN, raises the eager engine's error. The
  straight-line program does not check every node: at a NaN or an error it stops, and the call is
  replayed again node by node, as the engine computes, to find where.
* Where a ReLU is off, the gradient of its input is 0, and so is all that gradient passes on: the
  straight-line backward pass skips that part (``if grad_s:``), as hand-written code skips the backward
  of a point past the margin. It does so only where that changes no gradient at all (see
  `_zero_gradient_gates`), and each such ``if`` stands alone, so the code stays flat whatever the depth.
* The generated code names every number itself (``x``, ``p1``, ``t1``, ``L``); labels and formulas are
  display text and appear only in its comments, with line breaks and other control characters escaped.
* Compiled calls run one at a time (a lock shared by all of them), so two threads calling them on the
  same parameters lose no gradient.

Two ways to replay (``.path`` says which one was taken): **straight-line Python**, generated and
compiled by Python once, about as fast as the same step written by hand in floats; and for
graphs above ``max_nodes`` nodes, where Python's compiler would take longer and more memory than
the replay saves, a **flat replay**: one loop over the recorded steps, no compiling at all.
Both give the very numbers and errors of the eager engine, which visits every node.

The compiler reads the graph through the engine's public surface only: the nodes' ``parents``, ``operation``
and ``label``, `topological_order`, and the tracing hook `autograd.engine.tracing`. Where a node fails, the
replay applies the node's op eagerly to leaves holding the same numbers, so the error is the engine's own.
"""

from __future__ import annotations

import builtins
import functools
import inspect
import keyword
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any, NamedTuple, cast

from .engine import (
    BUILT_IN_OPS,
    OPS,
    Constant,
    Op,
    Value,
    enable_grad,
    is_grad_enabled,
    no_grad,
    topological_order,
    tracing,
)

__all__ = ["Compiled", "ReplayMismatch", "compile"]

DEFAULT_MAX_NODES = 200_000
"""Above this many nodes, `compile` replays the flat way (see `Compiled.path`). Generating and compiling
straight-line Python costs about 30 µs and, at the peak, 8 KB per node (1.6 GB here); it saves about 0.25 µs per
node and step over the flat replay (benchmarks/bench_compile.py)."""

# The compiler's own lowering table (as JAX keeps lowerings in a registry keyed by the primitive): ops written
# inline in the generated source, as Python arithmetic that gives bitwise the numbers of the op's own forward
# function (tests/test_compile.py checks every entry against it). The engine's ops are plain callables, which
# compiled code cannot see into; spelling these few out saves a call per node. Every other op is called through
# its forward function from the table, so any op of the table, and yours, compiles.
INLINE_FORWARD: dict[Op, str] = {
    OPS["+"]: "{a} + {b}",
    OPS["-"]: "{a} - {b}",
    OPS["*"]: "{a} * {b}",
    OPS["/"]: "{a} / {b}",  # raises ZeroDivisionError at b = 0, as the op does
    OPS["neg"]: "-{a}",
    OPS["relu"]: "0.0 if {a} <= 0.0 else {a}",
}
# The one non-constant local-gradient rule written inline: ∂(a·b)/∂a = b, ∂(a·b)/∂b = a. Constant
# rules (those of + − neg) are read from the table as numbers; every other rule is called.
INLINE_LOCAL_GRADS: dict[Op, tuple[str, str]] = {OPS["*"]: ("{b}", "{a}")}
# Ops whose result is NaN whenever an input is, and whose slope for a second input is NaN only then
# (checked by a test). The straight-line replay needs no per-node check for them: a NaN they make
# reaches the output, and then the replay is run again step by step, as eagerly, to raise the error
# at the node that made it. Other ops (`**`: 1 ** nan = 1; leaky_relu; yours) are checked where they are.
NAN_PROPAGATING: frozenset[Op] = frozenset(
    OPS[name] for name in ("+", "-", "*", "/", "neg", "exp", "log", "sigmoid", "tanh", "relu", "softplus",
                           "sin", "cos", "sqrt", "abs")
)  # fmt: skip
_FUNCTION_NAMES = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow"}


class ReplayMismatch(AssertionError):
    """Raised by ``compile(fn, check=True)`` when the replay and an eager run of ``fn`` differ."""


# ====================================================================== 1. the recorded program


class _Step(NamedTuple):
    """One node of the recorded graph. The program lists them so that each comes after its inputs."""

    kind: str  # "input", "constant", "outside" (a leaf fn reads from outside) or "op"
    op: Op | None
    inputs: tuple[int, ...]  # an op's inputs, as positions in the program
    with_grad: bool  # False for a node made inside no_grad(): no gradient flows through it
    number: float  # a constant's number
    argument: int  # an input's place among the numbers passed in, flattened
    label: str
    is_constant: bool  # made as a Constant: eagerly, a NaN slope towards it is set to 0


class _Program:
    """The graph `fn` built, written down as steps: what both ways of replaying read."""

    def __init__(
        self, steps: list[_Step], outside: dict[int, Value], backward_order: list[int], arguments: int
    ) -> None:
        self.steps = steps
        self.root = len(steps) - 1
        first_use: dict[int, tuple[int, int]] = {}  # (the first node that uses it, as which input)
        for i, step in enumerate(steps):
            for k, j in enumerate(step.inputs):
                first_use.setdefault(j, (i, k))
        # the Values fn reads from outside (by position in the program), in the order the forward pass uses them
        self.outside_positions = sorted(outside, key=lambda i: first_use.get(i, (i, 0)))
        self.outside = [outside[i] for i in self.outside_positions]
        self.input_positions = sorted((i for i, step in enumerate(steps) if step.kind == "input"),
                                      key=lambda i: steps[i].argument)  # fmt: skip
        self.arguments = [steps[i].argument for i in self.input_positions]  # which numbers the program reads
        self.uses_all_inputs = self.arguments == list(range(arguments))
        self.backward_order = backward_order  # positions of the nodes backward() visits, in its order
        # Values from outside whose number fn read while tracing (w.data), with that number: when one has
        # changed, the program may be out of date, and the next call traces fn again
        self.guards: list[tuple[Value, float]] = []
        # Which nodes need a gradient: those an outside Value can be reached from. No other is read.
        needs = [False] * len(steps)
        for i, step in enumerate(steps):
            needs[i] = step.kind == "outside" or (step.with_grad and any(needs[j] for j in step.inputs))
        self.needs_grad = needs
        # What the flat replay reads: each op node as a row of plain values, in forward and in backward order
        self.constants = [step.number for step in steps]
        self.forward_plan: list[tuple[Any, ...]] = [
            (
                i, op.forward, op.local_grads if callable(op.local_grads) else None, op.local_grads,
                step.inputs[0], step.inputs[1] if len(step.inputs) == 2 else -1, step.with_grad,
                len(step.inputs) == 2 and steps[step.inputs[1]].is_constant,
            )
            for i, step in enumerate(steps)
            if step.kind == "op" and (op := cast(Op, step.op))
        ]  # fmt: skip
        inputs_needing_grad = [tuple(j if needs[j] else -1 for j in step.inputs) for step in steps]
        self.backward_plan: list[tuple[int, ...]] = [
            (i, *inputs_needing_grad[i], -1)[:3] for i in backward_order if needs[i]
        ]  # (node, first input, second input), -1 for none or one that needs no gradient


def _trace(fn: Callable[..., Any], args: tuple[Any, ...], names: Sequence[str]) -> tuple[_Program, list[Value]]:
    """Run `fn` once, on Constant leaves in place of the numbers; return its graph as a program,
    and the nodes in the program's order.

    It records with gradients on (as `hessian` does, so a first call inside ``no_grad()`` works too), and
    watches every read of a node's ``.data``: one that depends on the inputs is refused (`_refuse_read`);
    one that depends on Values from outside becomes a guard, so that a call traces again when they change."""
    inputs: list[tuple[Constant, str]] = []
    leaves = [_as_leaves(arg, name, inputs) for arg, name in zip(args, names)]
    made_without_grad: dict[Value, tuple[Any, ...]] = {}
    input_names: dict[Value, str] = dict(inputs)
    from_inputs: set[Value] = set(input_names)  # every node whose number depends on fn's inputs
    read: list[Value] = []  # the other nodes whose .data fn read
    refused: list[TypeError] = []

    def on_op(node: Value, op: Op, operands: tuple[Value, ...]) -> None:
        if not node.parents:  # made inside no_grad: a leaf to the engine, but replayed all the same
            made_without_grad[node] = (op, *operands)
        if any(operand in from_inputs for operand in operands):
            from_inputs.add(node)

    def on_read(node: Value) -> None:
        if node in from_inputs:
            with tracing():  # no hooks: the message reads the number too
                refused.append(_refuse_read(node, input_names.get(node)))
            raise refused[-1]  # here, so that the traceback shows the line of fn that reads it
        read.append(node)

    with enable_grad(), tracing(on_op=on_op, on_read=on_read):
        root = fn(*leaves)
    if refused:  # fn caught the error: the trace is still wrong
        raise refused[0]
    if not isinstance(root, Value):
        raise TypeError(f"compile: fn must return a Value (the loss), but it returned {type(root).__name__}: {root!r}")
    order = _forward_order(root, made_without_grad)
    position = {node: i for i, node in enumerate(order)}
    argument = {id(leaf): k for k, (leaf, _) in enumerate(inputs)}
    steps: list[_Step] = []
    outside: dict[int, Value] = {}
    for node in order:
        how = made_without_grad.get(node)
        kind, op, given, number = "op", node.operation, node.parents, 0.0
        if how is not None:  # made inside no_grad: a leaf to the engine, but replayed all the same
            op, given = how[0], how[1:]
        elif node.parents:
            if op is None or op.forward is None:
                raise TypeError(
                    f"compile cannot replay the {node.op!r} node: it was made micrograd's way, Value(data, children, "
                    f"op), with a _backward function. Declare its op as an autograd.engine.Op to compile it."
                )
        elif id(node) in argument:
            kind = "input"
        elif isinstance(node, Constant):
            kind, number = "constant", node.data
        else:
            kind = "outside"
            outside[len(steps)] = node
        inputs_at = tuple(position[x] for x in given) if kind == "op" else ()
        steps.append(
            _Step(
                kind, op if kind == "op" else None, inputs_at, how is None and kind == "op", number,
                argument.get(id(node), -1), inputs[argument[id(node)]][1] if kind == "input" else node.label,
                type(node) is Constant,
            )
        )  # fmt: skip
    backward_order = [position[node] for node in reversed(topological_order(root)) if node.parents]
    program = _Program(steps, outside, backward_order, len(inputs))
    program.guards = [(leaf, leaf.data) for leaf in _outside_leaves(read, made_without_grad)]
    return program, order


def _refuse_read(node: Value, input_name: str | None) -> TypeError:
    if input_name is not None:
        name = f"the input {input_name}"
    else:
        name = f"the {node.op} node" + (f" labelled {node.label!r}" if node.label else "")
    return TypeError(
        f"compile: fn reads .data of {name} (= {node.data!r}), a number that depends on fn's inputs, while "
        f"compile traces fn. compile records fn's graph once and replays it with new numbers, so this number, or a "
        f"Python decision on it (if x.data > 0: ...), would be frozen as it is now, and wrong for other inputs. "
        f"Write the choice with ops (x.relu(), abs(x), x.leaky_relu(0.1)) instead of a Python if, pass the number in "
        f"as an input of its own, or run fn without compile"
    )


def _outside_leaves(read: list[Value], made_without_grad: dict[Value, tuple[Any, ...]]) -> list[Value]:
    """The Values from outside fn (leaves, not Constants) that the nodes fn read depend on."""
    found: dict[Value, None] = {}
    seen: set[Value] = set()
    stack = list(read)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        how = made_without_grad.get(node)
        parents = how[1:] if how is not None else node.parents
        if not parents and not isinstance(node, Constant):
            found[node] = None
        stack.extend(parents)
    return list(found)


def _as_leaves(arg: Any, name: str, inputs: list[tuple[Constant, str]]) -> Any:
    """The argument with each number replaced by a Constant leaf, as a plain number in an expression
    becomes one; `inputs` gets each leaf with where it is (``xs[3][0]``), which names it in the source."""
    if isinstance(arg, (list, tuple)):
        parts = [_as_leaves(part, f"{name}[{k}]", inputs) for k, part in enumerate(arg)]
        return parts if isinstance(arg, list) else tuple(parts)
    leaf = Constant(_number(arg, name))
    inputs.append((leaf, name))
    return leaf


def _forward_order(root: Value, made_without_grad: dict[Value, tuple[Any, ...]]) -> list[Value]:
    """Every node `root` depends on, each after its inputs, in the order `fn` most likely made them.

    The engine's `topological_order` serves backward(), whatever the order among independent nodes.
    The replay wants the order in which ``fn`` made them, so that if two nodes fail (a log of a negative
    number in two places) it names the one the eager run names: the first made. The graph does not
    record that order, but Python evaluates expressions left to right, so each node is placed after its
    inputs, the first input's ancestors first. That is the order of making for most code; not for a
    sum made after all its terms (``sum(terms)``), whose partial sums come between the terms here: if one
    of those and a later term both fail, eager names the term, and the replay the partial sum.
    A node made inside no_grad has the inputs it was made from.
    """
    order: list[Value] = []
    placed: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, inputs_placed = stack.pop()
        if node in placed:
            continue
        if inputs_placed:
            placed.add(node)
            order.append(node)
            continue
        stack.append((node, True))
        how = made_without_grad.get(node)
        inputs = how[1:] if how is not None else node.parents
        stack.extend((given, False) for given in reversed(inputs) if given not in placed)
    return order


def _same(a: float, b: float) -> bool:
    """The same float, telling −0.0 from 0.0, and NaN the same as NaN."""
    return (a == b and math.copysign(1.0, a) == math.copysign(1.0, b)) or (a != a and b != b)


def _number(x: Any, where: str) -> float:
    if type(x) is float:
        return x
    if isinstance(x, (bool, Value)) or not isinstance(x, Real):
        hint = " (fn reads Values from outside itself; pass numbers)" if isinstance(x, Value) else ""
        raise TypeError(
            f"compile: pass numbers or (nested) lists of numbers, but {where} is {type(x).__name__}: {x!r}{hint}"
        )
    return float(x)


def _structure(args: tuple[Any, ...]) -> tuple[Any, list[float]]:
    """The shape of the arguments (a program is traced for one shape) and their numbers, flattened."""
    numbers: list[float] = []

    def shape(x: Any, where: str) -> Any:
        if isinstance(x, (list, tuple)):
            return (type(x) is list, tuple(shape(part, f"{where}[{k}]") for k, part in enumerate(x)))
        numbers.append(x if type(x) is float else _number(x, where))
        return None

    return tuple(shape(arg, f"argument {k}") for k, arg in enumerate(args)), numbers


# ====================================================================== 2. the flat replay


class _Recheck(Exception):
    """The straight-line replay met a NaN or an error: run the flat replay, which checks every node as eagerly."""


_DOMAIN_ERRORS = (ValueError, ZeroDivisionError, OverflowError, TypeError)  # what the engine turns into its error


def _flat_replay(
    program: _Program, inputs: Sequence[float], with_grads: bool, record: list[float] | None = None
) -> tuple[float, list[float] | None]:
    """Replay the program one node at a time, checking each node as the engine does.

    Returns the output's number and the outside Values' new ``grad``s (None without gradients).
    """
    values = program.constants.copy()  # each constant's number in its place; inputs and outside Values next
    for position, number in zip(program.input_positions, inputs):
        values[position] = number
    for position, value in zip(program.outside_positions, program.outside):
        values[position] = value.data
    first_slopes = [0.0] * len(values)  # ∂node/∂(first input), ∂node/∂(second input), by position
    second_slopes = [0.0] * len(values)
    for i, forward, rule, constant_grads, first, second, with_grad, second_is_constant in program.forward_plan:
        a = values[first]
        if second < 0:
            try:
                data = forward(a)
            except _DOMAIN_ERRORS:
                raise _eager_error(program, values, i) from None
            if data != data and a == a:  # NaN from a number that is not NaN
                raise _eager_error(program, values, i)
            values[i] = data
            if with_grad:
                first_slopes[i] = rule(data, a) if rule is not None else constant_grads
            continue
        b = values[second]
        try:
            data = forward(a, b)
        except _DOMAIN_ERRORS:
            raise _eager_error(program, values, i) from None
        if data != data and a == a and b == b:
            raise _eager_error(program, values, i)
        values[i] = data
        if with_grad:
            g0, g1 = rule(data, a, b) if rule is not None else constant_grads
            if g1 != g1 and a == a and b == b:  # a slope towards b that is not a real number (as the engine)
                if not second_is_constant:
                    raise _eager_error(program, values, i)
                g1 = 0.0
            first_slopes[i], second_slopes[i] = g0, g1
    output = values[program.root]
    if record is not None:
        record.extend(values)
    if not with_grads:
        return output, None
    grads = [0.0] * len(values)
    for position, value in zip(program.outside_positions, program.outside):
        grads[position] = value.grad
    if program.steps[program.root].kind == "outside" or program.backward_order:
        grads[program.root] += 1.0  # ∂L/∂L = 1
    for i, first, second in program.backward_plan:
        upstream = grads[i]
        if first >= 0:
            grads[first] += first_slopes[i] * upstream  # the chain rule, as in backward()
        if second >= 0:
            grads[second] += second_slopes[i] * upstream
    return output, [grads[position] for position in program.outside_positions]


def _eager_error(program: _Program, values: Sequence[float], i: int) -> Exception:
    """The very error the engine raises for node i: its op applied eagerly to leaves holding its inputs'
    numbers and labels (a Constant where the input is one: eagerly, a NaN slope towards a constant is no error)."""
    steps = program.steps
    step = steps[i]
    op = cast(Op, step.op)
    stand_ins = [
        (Constant if steps[j].is_constant else Value)(values[j], "" if steps[j].kind == "input" else steps[j].label)
        for j in step.inputs
    ]
    try:
        with enable_grad() if step.with_grad else no_grad():
            op(*stand_ins)
    except Exception as error:
        return error
    numbers = ", ".join(repr(values[j]) for j in step.inputs)  # the replay and the engine disagree: say so plainly
    return RuntimeError(f"compile: the replay of {op.name}({numbers}) failed, but the engine computes it")


# ====================================================================== 3. the straight-line replay


class _Names:
    """Unique Python names, all made here: never a label or other display text, so no two nodes can share
    a variable (Python would read the label ``ｗ`` as ``w``: it normalises identifiers, NFKC)."""

    def __init__(self, reserved: set[str]) -> None:
        self.taken = set(reserved) | set(keyword.kwlist)
        self.counter = 0

    def fresh(self, wanted: str) -> str:
        """`wanted` if it is a plain ASCII name (xs[3][0] becomes xs_3_0), else ``x``; then made unique."""
        name = wanted if _PLAIN_NAME.fullmatch(wanted) else re.sub(r"\[(\w+)\]", r"_\1", wanted)
        if name is not wanted and not _PLAIN_NAME.fullmatch(name):
            name = "x"
        unique, copy = name, 1
        while unique in self.taken:
            copy += 1
            unique = f"{name}_{copy}"
        self.taken.add(unique)
        return unique

    def intermediate(self) -> str:
        while f"t{self.counter + 1}" in self.taken:
            self.counter += 1
        self.counter += 1
        return self.fresh(f"t{self.counter}")


# ASCII letters, digits and _, starting with a letter, no dunder: a name that means itself to Python
_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,40}")
_RESERVED = {"inputs", "parameters", "grads", "with_grads", "Recheck", "inf", "nan", "replay"}


def _value_names(program: _Program, names: _Names) -> list[str]:
    """A variable for each node's number, all generated: the inputs after fn's parameters (``x``, ``xs_3_0``),
    ``p1, p2…`` for the Values fn reads from outside, ``L`` for the output, ``t1, t2…`` for the other nodes;
    a constant is its number. Labels are display text: they go to comments (see `_display_names`)."""
    steps = program.steps
    value = [""] * len(steps)
    for i in program.input_positions:
        value[i] = names.fresh(steps[i].label)  # the place among fn's arguments, e.g. xs[3][0]
    for k, i in enumerate(program.outside_positions, start=1):
        value[i] = names.fresh(f"p{k}")
    for i, step in enumerate(steps):
        if step.kind == "constant":
            value[i] = _literal(step.number)
    if not value[program.root]:
        value[program.root] = names.fresh("L")
    for i in range(len(steps)):
        if not value[i]:
            value[i] = names.intermediate()
    return value


def _display_names(program: _Program, value: Sequence[str]) -> list[str]:
    """What the comments and messages call each node, as the walkthrough does: its label, else its variable."""
    steps = program.steps
    return [value[i] if step.kind == "constant" or not step.label else step.label for i, step in enumerate(steps)]


def _literal(number: float) -> str:
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "(-inf)"
    text = repr(number)
    return f"({text})" if text.startswith("-") else text


def _formula(program: _Program, display: Sequence[str], i: int) -> str:
    """Node i as the walkthrough writes it: ``z = t1 + b``. The op's formula is filled by replacing its
    ``{a}`` and ``{b}`` alone (not ``str.format``, which would also run ``{a.__class__}``-style fields)."""
    step = program.steps[i]
    operands = [display[j] for j in step.inputs]
    pieces = _formula_pieces(str(cast(Op, step.op).formula))
    filled = (
        piece if isinstance(piece, str) else operands[piece] if piece < len(operands) else "?" for piece in pieces
    )
    return f"{display[i]} = " + "".join(filled)


@functools.lru_cache(maxsize=256)
def _formula_pieces(formula: str) -> tuple[str | int, ...]:
    """A formula as text and operand places: ``"σ({a})"`` → ``("σ(", 0, ")")``; ``{{`` and ``}}`` are braces."""
    pieces: list[str | int] = []
    for field, text in re.findall(r"\{([ab])\}|([^{}]+|\{\{|\}\}|[{}])", formula):
        pieces.append("ab".index(field) if field else text[0] if text in ("{{", "}}") else text)
    return tuple(pieces)


def _comment(text: str) -> str:
    """`text` made safe to stand in a ``# comment``: a line break or any other control or invisible
    character is written as its escape (``\\n``), so nothing after it can leave the comment."""
    if text.isprintable():  # the common case, checked at C speed: no control, format or line-separator character
        return text
    return "".join(
        character.encode("unicode_escape").decode("ascii")
        if unicodedata.category(character)[0] == "C" or unicodedata.category(character) in ("Zl", "Zp")
        else character
        for character in text
    )


def _function_name(op: Op) -> str:
    """The base of the name under which generated code calls an op's functions: the engine's own ops by
    their names (``sigmoid``), any other op ``op`` (its name is display text)."""
    if any(op is built_in for built_in in BUILT_IN_OPS):
        return _FUNCTION_NAMES.get(op.name, op.name)
    return "op"


def _generate(program: _Program, title: str, gate_of: dict[int, int]) -> tuple[str, dict[str, Any]]:
    """The straight-line source of the program, and the functions it calls (by name). `gate_of`
    (from `_zero_gradient_gates`) says where its backward pass may skip what a ReLU zeroes."""
    steps = program.steps
    names = _Names(_RESERVED)
    value = _value_names(program, names)
    display = _display_names(program, value)
    namespace: dict[str, Any] = {"Recheck": _Recheck, "inf": math.inf, "nan": math.nan}
    functions: dict[tuple[Op, str], str] = {}

    def function(op: Op, part: str) -> str:
        """The name under which the generated code calls an op's forward or local-gradient rule."""
        if (op, part) not in functions:
            base = _function_name(op)
            name = names.fresh(base if part == "forward" else f"{base}_grads")
            namespace[name] = op.forward if part == "forward" else op.local_grads
            functions[op, part] = name
        return functions[op, part]

    formulas: dict[int, str] = {}

    def formula(i: int) -> str:
        if i not in formulas:
            formulas[i] = _formula(program, display, i)
        return formulas[i]

    lines = ["def replay(inputs, parameters, grads, with_grads):", f"    # {_comment(title)}"]

    def emit(code: str, note: str = "", indent: int = 1) -> None:
        """One line of the program; display text goes only into its comment, made safe by `_comment`."""
        lines.append(f"{'    ' * indent}{code}  # {_comment(note)}" if note else f"{'    ' * indent}{code}")

    if program.input_positions:
        inputs_shown = ", ".join(display[i] for i in program.input_positions)
        emit(
            f"{_unpack([value[i] for i in program.input_positions])} = inputs",
            f"the numbers passed in: {inputs_shown}",
        )
    if program.outside_positions:
        outside_shown = ", ".join(display[i] or "(no label)" for i in program.outside_positions)
        emit(
            f"{_unpack([value[i] for i in program.outside_positions])} = parameters",
            f"the .data of the Values fn reads from outside, as they are now: {outside_shown}",
        )

    skips = bool(gate_of)
    emit("# forward pass: each node's number, then its local gradients if a rule computes them")
    local: list[tuple[str, ...]] = [()] * len(steps)  # each node's local gradients, as expressions
    for i, step in enumerate(steps):
        if step.kind != "op":
            continue
        op = cast(Op, step.op)
        operands = [value[j] for j in step.inputs]
        letters = dict(zip("ab", operands))
        inline = INLINE_FORWARD.get(op)
        call = inline.format(**letters) if inline else f"{function(op, 'forward')}({', '.join(operands)})"
        emit(f"{value[i]} = {call}", formula(i))
        if skips and op is OPS["relu"] and not _is_literal(operands[0]):
            emit(f"if {operands[0]} == -inf: raise Recheck", "ReLU would hide an infinity")
        if not step.with_grad:
            continue
        rule: Any = op.local_grads
        if not callable(rule):  # constant local gradients, straight from the table
            local[i] = tuple(_literal(float(g)) for g in (rule if isinstance(rule, tuple) else (rule,)))
        elif op in INLINE_LOCAL_GRADS:
            local[i] = tuple(g.format(**letters) for g in INLINE_LOCAL_GRADS[op])
        else:
            local[i] = tuple(
                names.fresh(f"d{value[i]}_d{value[j] if steps[j].kind != 'constant' else 'ab'[k]}")
                for k, j in enumerate(step.inputs)
            )
            rule_call = f"{function(op, 'local_grads')}({value[i]}, {', '.join(operands)})"
            partials = ", ".join(f"∂{display[i]}/∂{display[j]}" for j in step.inputs)
            emit(f"{', '.join(local[i])} = {rule_call}", partials)  # a number, or a pair for two inputs
        if op not in NAN_PROPAGATING:  # an op that may hide a NaN (1 ** nan = 1): look here, not only at the end
            looked_at = [value[i], *operands]
            if len(operands) == 2 and not steps[step.inputs[1]].is_constant:
                looked_at.append(local[i][1])  # eagerly, a NaN slope towards a Value is an error
            tests = " or ".join(f"{x} != {x}" for x in dict.fromkeys(looked_at) if not _is_literal(x))
            emit(f"if {tests}: raise Recheck", f"{op.name} may hide a NaN: look for one here")
    root = value[program.root]
    if skips:  # skipping a zero gradient is exact only when every number is finite: then so is the output
        emit(f"if not -inf < {root} < inf: raise Recheck", "a NaN or ∞: replay step by step, as eagerly")
    else:
        emit(f"if {root} != {root}: raise Recheck", "a NaN: replay step by step, as eagerly, to find where")
    emit(f"if not with_grads: return {root}, None")

    emit(f"# backward pass: ∂{root}/∂node for each node, from {root} back, in backward()'s order")
    needs = program.needs_grad
    grad = [""] * len(steps)
    for i in program.outside_positions:
        grad[i] = names.fresh(f"grad_{value[i]}")
    outside_grads = [grad[i] for i in program.outside_positions]
    if outside_grads:
        emit(f"{_unpack(outside_grads)} = grads", "their .grad so far: backward() adds to it")
    if needs[program.root] and (program.backward_order or steps[program.root].kind == "outside"):
        if grad[program.root]:
            emit(f"{grad[program.root]} += 1.0", f"∂{root}/∂{root} = 1")
        else:
            grad[program.root] = names.fresh(f"grad_{root}")
            emit(f"{grad[program.root]} = 1.0", f"∂{root}/∂{root} = 1")
    # Which region (the innermost gate, -1 for none) runs each node's backward lines, and each node's contributors
    region = {i: gate_of.get(i, -1) for i in program.backward_order}
    contributors: dict[int, list[int]] = {}
    for i in program.backward_order:
        if needs[i]:
            for j in steps[i].inputs:
                if needs[j] and steps[j].kind == "op":
                    contributors.setdefault(j, []).append(i)
    # The regions are flat (one `if` each, whatever the depth), so a gradient's first contribution may be
    # assigned only where that line runs whenever the gradient is read; otherwise it starts at 0.0 up front
    # (0.0 + c differs from c only in the sign of a zero, which only a grad of −0.0 would show: see `_Replay.run`).
    for j, consumers in contributors.items():
        first = region[consumers[0]]
        if first == -1:
            continue
        if j not in gate_of or gate_of[j] == j or any(region[i] != first for i in consumers) or first != gate_of[j]:
            grad[j] = names.fresh(f"grad_{value[j]}")
            emit(f"{grad[j]} = 0.0", "its gradient so far (a ReLU may skip what would come first)")
    open_gate = -1
    for i in program.backward_order:
        if not needs[i]:
            continue
        gate = region[i]
        if gate != open_gate:
            if gate >= 0:
                why = f"else ∂{root}/∂{display[gate]} = 0, and so is all it passes on: skip it"
                emit(f"if {grad[gate]}:", why)
            open_gate = gate
        indent = 2 if gate >= 0 else 1
        upstream = grad[i]
        for j, local_grad in zip(steps[i].inputs, local[i]):
            if not needs[j]:
                continue
            # local_grad · upstream, in backward()'s order. A node's first contribution is assigned rather
            # than added to 0.0: that differs only in the sign of a zero, which a grad of −0.0 would show (see run).
            contribution = upstream if local_grad == "1.0" else f"{local_grad} * {upstream}"
            if grad[j]:
                emit(f"{grad[j]} += {contribution}", f"from {formula(i)}", indent)
            elif len(contributors.get(j, ())) == 1 and local_grad == "1.0" and gate_of.get(j) != j:
                grad[j] = upstream  # its only contribution is the upstream gradient itself: no line needed
            else:
                grad[j] = names.fresh(f"grad_{value[j]}")
                emit(f"{grad[j]} = {contribution}", f"from {formula(i)}", indent)
    emit(f"return {root}, [{', '.join(outside_grads)}]")
    if len(steps) > FREE_EARLY_ABOVE:
        numbers = {value[i] for i, step in enumerate(steps) if step.kind == "op"}
        local_grads = {g for grads_of_node in local for g in grads_of_node}
        lines = _free_after_last_use(lines, (numbers | local_grads | set(grad)) - {root, *outside_grads})
    return "\n".join(lines) + "\n", namespace


FREE_EARLY_ABOVE = 1_000
"""In a program of more nodes, each number is deleted after its last use, so that Python reuses its memory
while that is still in the processor's cache (about 10 % faster on an MLP step). Small programs read better without."""


def _free_after_last_use(lines: list[str], temporaries: set[str]) -> list[str]:
    """The lines with ``del name`` after the last line that uses each of the `temporaries`."""
    last_use: dict[str, int] = {}
    for k, line in enumerate(lines):
        for name in _IDENTIFIER.findall(line.split("  #", 1)[0]):
            last_use[name] = k
    dead: dict[int, list[str]] = {}
    for name, k in last_use.items():
        if name in temporaries:
            dead.setdefault(k, []).append(name)
    freed: list[str] = []
    for k, line in enumerate(lines):
        freed.append(line)
        code = line.split("  #", 1)[0]
        if k in dead and not code.endswith(":"):
            freed.append(f"{code[: len(code) - len(code.lstrip())]}del {', '.join(dead[k])}")
    return freed


_IDENTIFIER = re.compile(r"(?<![\w.])[A-Za-z_]\w*")


# Ops through which an infinity or a NaN always reaches the output (as ∞ or NaN), except ReLU(−∞) = 0, which
# the replay checks for. In a program made of these alone, a finite output means every number in it is finite,
# and then a zero gradient passes on only zeros: skipping them changes no parameter's grad (see below).
SKIPPABLE_OPS: frozenset[Op] = frozenset(OPS[name] for name in ("+", "-", "*", "neg", "relu"))


def _zero_gradient_gates(program: _Program) -> dict[int, int]:
    """Where the backward pass can skip work, as hand-written code skips the backward of a point past the margin.

    The input s of a ReLU gets gradient 0 whenever the ReLU is off, and then every node whose only way to the
    output is through s (that s *dominates*) gets 0 from it too, and passes 0 on: their backward lines can be
    skipped (``if grad_s:``). Returns each node's innermost such gate (the node itself if it is one, -1 for
    none); empty unless the program is made of `SKIPPABLE_OPS` alone. A gate inside another gets gradient 0
    whenever the outer one does, so the generated code tests the innermost gate alone: its nesting stays flat.
    """
    steps, needs = program.steps, program.needs_grad
    if not all(step.kind != "op" or step.op in SKIPPABLE_OPS or _divides_by_a_number(program, step) for step in steps):
        return {}
    gates = {step.inputs[0] for step in steps if step.op is OPS["relu"] and step.with_grad}
    gates = {s for s in gates if needs[s] and steps[s].kind == "op" and steps[s].with_grad}
    if not gates:
        return {}
    # Immediate dominators towards the output, in backward order (a node's consumers come before it).
    consumers: dict[int, list[int]] = {}
    for i in program.backward_order:
        if needs[i]:
            for j in steps[i].inputs:
                if needs[j]:
                    consumers.setdefault(j, []).append(i)
    dominator: dict[int, int] = {}
    depth: dict[int, int] = {}
    gate_of: dict[int, int] = {}
    for i in program.backward_order:
        if not needs[i]:
            continue
        users = consumers.get(i, [])
        d = users[0] if users else -1
        for other in users[1:]:  # the nearest node that all paths from i to the output pass through
            while d != other:
                if depth[d] >= depth[other]:
                    d = dominator[d]
                else:
                    other = dominator[other]
        dominator[i], depth[i] = d, (depth[d] + 1 if d >= 0 else 0)
        gate_of[i] = i if i in gates else (gate_of[d] if d >= 0 else -1)
    return gate_of


def _divides_by_a_number(program: _Program, step: _Step) -> bool:
    """x / c for a constant c (a mean): like a product, it keeps an infinity infinite."""
    if step.op is not OPS["/"]:
        return False
    divisor = program.steps[step.inputs[1]]
    return divisor.kind == "constant" and math.isfinite(divisor.number) and divisor.number != 0.0


def _unpack(names: list[str]) -> str:
    return f"({names[0]},)" if len(names) == 1 else ", ".join(names)


def _is_literal(text: str) -> bool:
    return not (text[0].isalpha() or text[0] == "_") or text in ("inf", "nan")


# ====================================================================== 4. compile


class _Replay:
    """One traced program and the way it is replayed."""

    def __init__(self, program: _Program, title: str, max_nodes: int, filename: str) -> None:
        self.program = program
        self.function: Callable[..., tuple[float, list[float] | None]] | None = None
        self.source = ""
        if len(program.steps) <= max_nodes:
            gate_of = _zero_gradient_gates(program)
            source, namespace = _generate(program, title, gate_of)
            try:
                exec(builtins.compile(source, filename, "exec"), namespace)  # our own generated code
            except (SyntaxError, MemoryError, RecursionError):  # beyond what Python's compiler takes: replay flat
                pass
            else:
                self.function, self.source = namespace["replay"], source
        self.path = "straight-line Python" if self.function is not None else "flat replay"
        self.rechecks = 0  # calls that met a NaN or an error and were replayed step by step

    def run(self, numbers: list[float], with_grads: bool) -> tuple[float, list[float] | None]:
        program = self.program
        inputs = numbers if program.uses_all_inputs else [numbers[k] for k in program.arguments]
        if self.function is not None:
            outside = program.outside
            data = [value.data for value in outside]
            grads = [value.grad for value in outside] if with_grads else None
            # The straight-line code adds no skipped 0.0 and starts a gradient at its first contribution, not at
            # 0.0 + it: both change only the sign of a zero, and only a grad of −0.0 (set by hand) would show it.
            if not (grads and 0.0 in grads and any(g == 0.0 and math.copysign(1.0, g) < 0.0 for g in grads)):
                try:
                    return self.function(inputs, data, grads, with_grads)
                except Exception:  # a NaN or an error somewhere: find it, and raise it, exactly as eagerly
                    self.rechecks += 1
        return _flat_replay(program, inputs, with_grads)


# Compiled calls run one at a time, in every thread: each reads the outside Values' .grad, replays, and writes
# them back, so two interleaved calls would lose each other's gradients. (Python runs one thread at a time
# anyway: the lock costs no speed.)
_ONE_CALL_AT_A_TIME = threading.RLock()


class Compiled:
    """A function traced once and replayed: call it with numbers; read ``source`` and ``path``.

    Made by `compile`. Each call returns the output's number and adds to the ``.grad`` of every
    Value ``fn`` reads from outside exactly what ``fn(...).backward()`` would add (inside
    ``no_grad()``, it computes the number alone).
    """

    def __init__(self, fn: Callable[..., Value], *, check: bool, max_nodes: int) -> None:
        self.fn = fn
        self.check = check
        self.max_nodes = max_nodes
        self._replays: dict[Any, _Replay] = {}
        self._latest: _Replay | None = None
        self.retraces = 0  # calls that traced fn again, because a number fn read (w.data) had changed
        self.__name__ = getattr(fn, "__name__", "fn")
        self.__doc__ = getattr(fn, "__doc__", None)

    def __call__(self, *args: Any) -> float:
        structure, numbers = _structure(args)
        with _ONE_CALL_AT_A_TIME:
            replay = self._replays.get(structure)
            if replay is not None and any(not _same(leaf.data, number) for leaf, number in replay.program.guards):
                replay = None  # fn read a number that has changed since: trace again
                self.retraces += 1
            if replay is None:  # the first call with numbers of this shape: trace fn
                program, _ = _trace(self.fn, args, self._argument_names(len(args)))
                title = f"{self.__name__}, traced: {len(program.steps)} nodes, {len(program.outside)} from outside"
                replay = _Replay(program, title, self.max_nodes, f"<autograd.compile {self.__name__} #{id(self)}>")
                self._replays[structure] = replay
            self._latest = replay
            with_grads = is_grad_enabled()
            output, grads = replay.run(numbers, with_grads)
            if self.check and with_grads:
                _compare_with_eager(self, replay, args, numbers, output, grads)  # leaves eager's grads if it passes
            elif grads is not None:
                for value, grad in zip(replay.program.outside, grads):
                    value.grad = grad
            return output

    @property
    def source(self) -> str:
        """The generated Python of the latest call's program ('' for a flat replay)."""
        return self._replay().source

    @property
    def path(self) -> str:
        """How the latest call replayed: ``"straight-line Python"`` or ``"flat replay"`` (above `max_nodes`)."""
        return self._replay().path

    @property
    def rechecks(self) -> int:
        """How many calls of the straight-line program met a NaN or an error, and were replayed again
        step by step (as the flat replay does) to give exactly the engine's result or error."""
        return self._replay().rechecks

    @property
    def nodes(self) -> int:
        """How many nodes the latest call's recorded graph has."""
        return len(self._replay().program.steps)

    def _replay(self) -> _Replay:
        if self._latest is None:
            raise RuntimeError(f"{self.__name__} has not been traced yet: call it once with numbers first")
        return self._latest

    def _argument_names(self, count: int) -> list[str]:
        try:
            parameters = list(inspect.signature(self.fn).parameters.values())
        except (TypeError, ValueError):
            parameters = []
        names = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][:count]
        return names + [f"arg{k}" for k in range(len(names), count)]

    def __repr__(self) -> str:
        traced = f", {self.nodes} nodes, {self.path}" if self._latest is not None else ", not traced yet"
        return f"<compiled {self.__name__}{traced}>"


def compile(fn: Callable[..., Value], *, check: bool = False, max_nodes: int = DEFAULT_MAX_NODES) -> Compiled:
    """Trace `fn` on its first call, then replay its graph on every call, at the speed of float code.

    `fn` takes numbers or (nested) lists of numbers and returns a Value; it may read Values from
    outside (a model's parameters). The compiled function returns the output's number and adds to
    each outside Value's ``.grad`` what ``fn(...).backward()`` would. Read ``.source`` to see the
    program; ``check=True`` also runs `fn` eagerly on every call and compares; graphs of more than
    `max_nodes` nodes are replayed by a loop instead of compiled Python (``.path`` says which).

    >>> from autograd import Value, compile
    >>> w = Value(3.0, "w")
    >>> square_loss = compile(lambda x: (w * x - 1) ** 2)
    >>> square_loss(2.0), w.grad            # (3·2 − 1)² = 25; ∂/∂w = 2 · 5 · 2 = 20
    (25.0, 20.0)
    >>> square_loss(1.0), w.grad            # new numbers, the same program; grads add up, as eagerly
    (4.0, 24.0)
    """
    if not callable(fn):
        raise TypeError(f"compile takes a function that returns a Value, not {fn!r}")
    return Compiled(fn, check=check, max_nodes=max_nodes)


# ====================================================================== 5. check=True


def _compare_with_eager(
    compiled: Compiled, replay: _Replay, args: tuple[Any, ...], numbers: list[float], output: float,
    grads: list[float] | None,
) -> None:  # fmt: skip
    """Run fn eagerly, as the trace did, and name the first node where it and the replay differ."""
    program = replay.program
    replayed = _flat_values(program, numbers)
    eager, nodes = _trace(compiled.fn, args, compiled._argument_names(len(args)))
    value = _display_names(program, _value_names(program, _Names(_RESERVED)))
    for i, (step, node) in enumerate(zip(program.steps, nodes)):
        now = eager.steps[i]
        if (step.kind, step.op, step.inputs) != (now.kind, now.op, now.inputs):
            was = _formula(program, value, i) if step.kind == "op" else f"{value[i]} (an {step.kind} leaf)"
            made = f"a {now.op.name} node" if now.op is not None else f"an {now.kind} leaf"
            raise ReplayMismatch(
                f"fn took another path this time: where the trace has {was}, the eager run made {made}. "
                f"A Python decision on numbers inside fn (if v.data > 0: ...) is taken once, when tracing; "
                f"compile the branches separately, or write the choice with ops (relu, abs)."
            )
        if repr(replayed[i]) != repr(node.data):
            where = _formula(program, value, i) if step.kind == "op" else value[i]
            if step.kind == "constant" and step.label:
                where = f"the Constant {step.label!r}"
            frozen = " (a Constant's number is frozen into the program when tracing)" * (step.kind == "constant")
            raise ReplayMismatch(
                f"the replay and the eager run differ at {where}{frozen}: "
                f"replayed {replayed[i]!r}, eagerly {node.data!r}"
            )
    if len(eager.steps) != len(program.steps):
        raise ReplayMismatch(f"the eager run made {len(eager.steps)} nodes, the trace {len(program.steps)}")
    nodes[-1].backward()
    if repr(output) != repr(nodes[-1].data):
        raise ReplayMismatch(f"the replay's output is {output!r}, the eager run's {nodes[-1].data!r}")
    for position, outside_value, grad in zip(program.outside_positions, program.outside, grads or []):
        if repr(grad) != repr(outside_value.grad):
            raise ReplayMismatch(
                f"the gradient of {value[position]} differs: replayed {grad!r}, eagerly {outside_value.grad!r}"
            )


def _flat_values(program: _Program, numbers: list[float]) -> list[float]:
    """Every node's number, replayed the flat way (for check=True)."""
    record: list[float] = []
    inputs = numbers if program.uses_all_inputs else [numbers[k] for k in program.arguments]
    _flat_replay(program, inputs, with_grads=False, record=record)
    return record
