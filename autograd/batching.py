"""`batch`: write the loss for one sample with Values, train on thousands of samples at NumPy speed.

A scalar engine builds one object per number: 10,000 samples through a small MLP is millions of
nodes per step. But every sample builds the same graph with other numbers in it. So `batch` runs
your function once, on the first sample, records that graph (the *trace*), and writes it down as
NumPy code in which every number that depends on the sample is an array of N, one entry per
sample, and every number computed from the parameters alone stays a single number:

>>> from autograd import Value, batch
>>> w, b = Value(0.5, "w"), Value(0.1, "b")
>>> def sample_loss(x, y):                    # the worked example, for ONE sample
...     a = (w * x + b).sigmoid()
...     return 0.5 * (a - y) ** 2
>>> batch_loss = batch(sample_loss)
>>> loss = batch_loss([1.5, 1.5], [1.0, 1.0])  # the mean over the samples; adds ∂loss/∂w to w.grad
>>> round(loss, 6), round(w.grad, 6)           # the same as sample_loss(1.5, 1.0).backward() would give
(0.04483, -0.094219)

The contract, and what it costs:

* ``fn`` takes one sample: each argument is a number, or a list (of lists) of numbers, and it
  reaches ``fn`` as Values (leaves labelled ``x[0]``, ``x[1]``, …). It returns one Value: that
  sample's loss. ``batch(fn)(*arrays)`` takes, for each argument, an array (or a list) whose first
  axis runs over the N samples, and returns the mean of ``fn`` over the samples (a float).
* The parameters are the leaves ``fn`` reads from outside (a model's weights). They are read afresh
  on every call, and the gradient of the mean loss is *added* to their ``.grad`` as ``backward()``
  does, so ``optimizer.zero_grad()``, ``batch_loss(X, y)``, ``optimizer.step()`` trains a model.
* ``fn`` is traced once (per shape of its arguments), so it must take no Python decision on a number
  that depends on the sample (``if v.data > 0``): every sample is computed by the same program. Reading
  ``.data`` of such a node while tracing raises `BatchTraceError`, naming the line, before any number
  is computed: write the decision with ops (``v.relu()``, ``v.abs()``, ``v.softplus()``). Reading
  ``.data`` of a parameter (or of a node computed from parameters) is refused too: its number would be
  frozen into the program and go stale when the optimiser changes the parameter.
* The numbers mean what they mean eagerly: NaN in gives NaN out, a result too large is ±∞, ReLU and
  |x| at 0 have slope 0. An op whose result is not a real number for one sample (log of a negative
  number, 1/0) raises the engine's own error, naming the op and the index of the first such sample.
* Every op of the table has its *array form* (`ARRAY_FORMS`): its forward computation and local
  gradients on NumPy arrays. An op of your own without one still works, one sample at a time through
  the engine (much slower, with a `NoArrayFormWarning`); `register_array_form` makes it fast.
* ``batch_loss.values(*arrays)`` gives ``fn`` of every sample as an array (no gradients): a
  model's predictions on a grid, for a decision boundary. ``batch_loss.source`` is the generated code.

How the program is written (read ``batch_loss.source``): one line per node, generated names only
(``x0`` an input column, ``t5`` node 5, ``g5`` its gradient; labels only in comments), each array
deleted after its last use. A neuron, traced as the chain ``b + w₁·x₁ + w₂·x₂ + …``, and the other
neurons reading the same x's, are replayed as one matrix product per layer, ``a = f(W @ X + b)``, with
the backward pass a person writes by hand (``∂W = G @ Xᵀ``, ``∂X = Wᵀ @ G``): the arithmetic is the
trace's, only summed in another order. This file: 1. the array forms, 2. the trace, 3. the generated
code, 4. `batch` itself.

NumPy is an optional extra (``pip install "scalar-autograd[batch]"``); the engine never imports it.
"""

from __future__ import annotations

import inspect
import linecache
import math
import operator
import os
import re
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .engine import OPS, Constant, Op, Value, enable_grad, is_grad_enabled, tracing

__all__ = [
    "ARRAY_FORMS",
    "ArrayForm",
    "Batch",
    "BatchTraceError",
    "NoArrayFormWarning",
    "array_form",
    "batch",
    "register_array_form",
]


def _numpy() -> Any:
    """NumPy, imported on first use with a clear message when it is missing (it is an optional extra)."""
    try:
        import numpy
    except ImportError:
        raise ImportError(
            'autograd.batch replays the graph with NumPy, which is not installed: pip install "scalar-autograd[batch]"'
        ) from None
    return numpy


class BatchTraceError(RuntimeError):
    """The function given to `batch` cannot be replayed for every sample (it read a number it depends on)."""


class NoArrayFormWarning(UserWarning):
    """An op without an array form: the batch replay applies it one sample at a time (correct, but slow)."""


# ====================================================================== 1. array forms, one per op


@dataclass(frozen=True)
class ArrayForm:
    """An op's meaning on NumPy arrays: what `batch` writes for a node of that op.

    * ``forward(*inputs)`` the op's result, elementwise, for arrays or single numbers (as the op's own
      ``forward`` on floats): raising, or setting NumPy's *invalid* or *divide* flag, exactly where the
      op is undefined (the replay runs it under ``np.errstate(divide="raise", invalid="raise")``).
    * ``local_grads(out, *inputs)`` ∂out/∂input for each input, as a tuple; or that tuple of numbers when
      they never change (``(1.0, 1.0)`` for ``+``).
    """

    forward: Callable[..., Any]
    local_grads: Callable[..., tuple[Any, ...]] | tuple[float, ...]


ARRAY_FORMS: dict[Op, ArrayForm] = {}
"""Every op's array form, keyed by the op (as JAX keys its lowerings by the primitive). The engine's own
ops get theirs on first use of `batch` (NumPy is imported then); add yours with `register_array_form`."""


def register_array_form(
    op: Op, forward: Callable[..., Any], local_grads: Callable[..., tuple[Any, ...]] | tuple[float, ...]
) -> None:
    """Give an op of your own its array form, so that `batch` replays it on whole arrays at once.

    >>> from autograd import OPS, Op
    >>> cube = Op("cube", forward=lambda a: a**3, local_grads=lambda out, a: 3 * a**2, formula="{a}³")
    >>> register_array_form(cube, forward=lambda a: a**3, local_grads=lambda out, a: (3 * a**2,))
    >>> array_form(cube) is ARRAY_FORMS[cube]
    True
    """
    if not isinstance(op, Op):
        raise TypeError(f"register_array_form needs an Op (such as OPS['cube']), but was given {op!r}")
    if not callable(forward):
        raise TypeError(f"the array form of {op.name!r} needs a forward function of arrays, not {forward!r}")
    if not callable(local_grads) and not (
        isinstance(local_grads, tuple)
        and len(local_grads) == op.arity
        and all(isinstance(g, (int, float)) and math.isfinite(g) for g in local_grads)
    ):
        raise TypeError(
            f"the array form of {op.name!r} needs local_grads as a function (out, *inputs) returning a tuple of "
            f"{op.arity}, or a tuple of {op.arity} finite numbers, not {local_grads!r}"
        )
    ARRAY_FORMS[op] = ArrayForm(forward, local_grads)


def array_form(op: Op) -> ArrayForm | None:
    """The array form of ``op``, or None when it has none (then `batch` applies it one sample at a time)."""
    if not _BUILT_INS_REGISTERED:
        _register_built_in_forms()
    return ARRAY_FORMS.get(op)


def _register_built_in_forms() -> None:
    """The engine's ops on arrays, each the same function as the op's own forward and local gradients."""
    np = _numpy()

    def step(a: Any, below: Any = 0.0) -> Any:  # the slope of a kink at 0: 1 above, `below` at and below, NaN for NaN
        return np.where(a > 0.0, 1.0, np.where(a <= 0.0, below, np.nan))

    def relu_slope(a: Any) -> Any:  # step(a), without np.where's branches, which random signs make slow
        if not getattr(a, "ndim", 0):
            return step(a)
        slope = (a > 0.0).astype(np.float64)
        np.copyto(slope, a, where=np.isnan(a))  # NaN for NaN
        return slope

    def sigmoid(a: Any) -> Any:  # as the engine computes it: never e to a positive power
        e = np.exp(-np.abs(a))
        return np.where(a >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))

    def power(base: Any, p: Any) -> Any:
        return np.power(base, p)  # 0 to a negative power: divide; a negative base to a fraction: invalid

    def pow_local_grads(out: Any, base: Any, p: Any) -> tuple[Any, Any]:
        # ∂/∂base = p·base^(p−1), 0 for p = 0, ∞ at base 0 for p < 1; ∂/∂p = base^p·ln(base), 0 at base 0
        d_base = np.where(p == 0.0, 0.0, np.where((base == 0.0) & (p < 1.0), np.inf, p * np.power(base, p - 1.0)))
        d_p = np.where(base > 0.0, out * np.log(np.where(base > 0.0, base, 1.0)), np.where(base == 0.0, 0.0, np.nan))
        return d_base, d_p

    forms: dict[str, tuple[Callable[..., Any], Callable[..., tuple[Any, ...]] | tuple[float, ...]]] = {
        # Python's operators: NumPy's on arrays, and on single NumPy numbers (a parameter's) much quicker
        "+": (operator.add, (1.0, 1.0)),
        "-": (operator.sub, (1.0, -1.0)),
        "*": (operator.mul, lambda out, a, b: (b, a)),
        "/": (operator.truediv, lambda out, a, b: (1.0 / b, -out / b)),  # −out/b: b² cannot underflow to 0
        "**": (power, pow_local_grads),
        "neg": (operator.neg, (-1.0,)),
        "exp": (np.exp, lambda out, a: (out,)),
        "log": (np.log, lambda out, a: (1.0 / a,)),
        "sigmoid": (sigmoid, lambda out, a: (out * (1.0 - out),)),
        "tanh": (np.tanh, lambda out, a: (1.0 - out * out,)),
        "relu": (lambda a: np.maximum(a, 0.0), lambda out, a: (relu_slope(a),)),
        "leaky_relu": (
            lambda a, slope: np.where(a > 0.0, a, slope * a),
            lambda out, a, slope: (step(a, slope), np.where(a > 0.0, 0.0, a)),
        ),
        "softplus": (lambda a: np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a))), lambda out, a: (sigmoid(a),)),
        "sin": (np.sin, lambda out, a: (np.cos(a),)),
        "cos": (np.cos, lambda out, a: (-np.sin(a),)),
        "sqrt": (np.sqrt, lambda out, a: (np.where(out == 0.0, np.inf, 0.5 / np.where(out == 0.0, 1.0, out)),)),
        "abs": (np.abs, lambda out, a: (np.sign(a),)),  # sign: 0 at 0, as the engine (and PyTorch) take it
    }
    for name, (forward, local_grads) in forms.items():
        ARRAY_FORMS.setdefault(OPS[name], ArrayForm(forward, local_grads))
    global _BUILT_INS_REGISTERED
    _BUILT_INS_REGISTERED = True


_BUILT_INS_REGISTERED = False


# ====================================================================== 2. the trace: one sample's graph


@dataclass
class _Node:
    """One node of the traced graph, as the program sees it. The program lists them each after its inputs."""

    kind: str  # "input" (a number of the sample), "parameter" (a leaf read from outside), "constant" or "op"
    label: str
    op: Op | None = None
    inputs: tuple[int, ...] = ()  # an op's inputs, as positions in the program
    with_grad: bool = True  # False for a node made inside no_grad(): no gradient flows through it
    per_sample: bool = False  # depends on the sample: an array of N in the replay
    number: float = 0.0  # a constant's number
    index: int = -1  # an input's column among the flattened arguments; a parameter's place in the list


def _users_line() -> str:
    """Where in the user's code we are, for an error message: the innermost frame outside this package."""
    package = os.path.dirname(os.path.abspath(__file__))
    for frame in inspect.stack(context=1)[1:]:
        if not os.path.abspath(frame.filename).startswith(package + os.sep):
            code = (frame.code_context or [""])[0].strip()
            return f" (at {frame.filename}, line {frame.lineno}: {code})"
    return ""


class _Tracer:
    """Runs ``fn`` on the first sample's numbers and records, through the engine's `tracing` hook, every node
    it makes; refuses a read of ``.data`` that the replay could not honour for every sample."""

    def __init__(self) -> None:
        self.made: dict[int, tuple[Value, Op, tuple[Value, ...]]] = {}  # id → (node, op, inputs), in making order
        self.per_sample: set[int] = set()  # ids of the nodes that depend on the sample
        self.variable: set[int] = set()  # ids of the nodes that depend on a parameter
        self.inputs: dict[int, tuple[Value, int]] = {}  # id of an input leaf → (the leaf, its column)

    def leaves(self, sample: Any, name: str, columns: list[str]) -> Any:
        """The sample's numbers as input leaves (a list stays a list), labelled ``x[0]``, ``x[1]``, …"""
        if isinstance(sample, list):
            return [self.leaves(part, f"{name}[{k}]", columns) for k, part in enumerate(sample)]
        leaf = Value(sample, name)
        self.inputs[id(leaf)] = (leaf, len(columns))
        self.per_sample.add(id(leaf))
        columns.append(name)
        return leaf

    def on_op(self, node: Value, op: Op, inputs: tuple[Value, ...]) -> None:
        self.made[id(node)] = (node, op, inputs)
        if any(id(x) in self.per_sample for x in inputs):
            self.per_sample.add(id(node))
        if any(self.is_variable(x) for x in inputs):
            self.variable.add(id(node))

    def is_variable(self, node: Value) -> bool:
        """Depends on a parameter: is one (a leaf from outside that is not a Constant), or was made from one."""
        if id(node) in self.made or id(node) in self.inputs:
            return id(node) in self.variable
        return type(node) is not Constant

    def on_read(self, node: Value) -> None:
        name = f" ({node.label!r})" if node.label else ""
        if id(node) in self.per_sample:
            raise BatchTraceError(
                f"the function read .data of a node{name} that depends on the sample{_users_line()}. batch runs "
                f"every sample through one program, traced once, so a Python decision on one sample's number (such "
                f"as `if v.data > 0`) cannot be replayed for the others. Write it with ops instead (v.relu(), "
                f"v.abs(), v.softplus(), …), or compute it outside the function."
            )
        if self.is_variable(node):
            raise BatchTraceError(
                f"the function read .data of a parameter, or of a node computed from one{name}{_users_line()}. "
                f"batch traces the function once, so that number would be frozen into the program and go stale "
                f"when the optimiser changes the parameter. Compute with the Value itself."
            )


class _Program:
    """The traced graph as a list of `_Node`, each after its inputs, the output last."""

    def __init__(self, nodes: list[_Node], parameters: list[Value], columns: list[str]) -> None:
        self.nodes = nodes
        self.parameters = parameters  # the Values behind the "parameter" nodes, in their order
        self.columns = columns  # each input column's name (``x[0]``), in order
        self.root = len(nodes) - 1
        # Which nodes a gradient must reach: the parameters, and every op node on a path to one.
        self.needs_grad = [node.kind == "parameter" for node in nodes]
        for i, node in enumerate(nodes):
            if node.kind == "op" and node.with_grad and any(self.needs_grad[j] for j in node.inputs):
                self.needs_grad[i] = True


def _trace(fn: Callable[..., Any], first_sample: list[Any], names: list[str]) -> _Program:
    """Run ``fn`` on the first sample and return the graph it made, as a program."""
    tracer = _Tracer()
    columns: list[str] = []
    leaves = [tracer.leaves(sample, name, columns) for sample, name in zip(first_sample, names)]
    try:
        with enable_grad(), tracing(on_op=tracer.on_op, on_read=tracer.on_read):
            root = fn(*leaves)
    except BatchTraceError:
        raise
    except (ValueError, ArithmeticError) as error:  # such as the engine's error for an op at these numbers
        raise _at_sample(error, 0, traced=True) from error
    if not isinstance(root, Value):
        raise TypeError(
            f"batch: the function must return one Value (the sample's loss), "
            f"but it returned {type(root).__name__}: {root!r}"
        )
    # Keep what the output depends on: a sweep in reverse order of making, from the output to its inputs.
    made = list(tracer.made.values())
    wanted = {id(root)}
    for node, _, inputs in reversed(made):
        if id(node) in wanted:
            wanted.update(id(x) for x in inputs)
    position: dict[int, int] = {}
    nodes: list[_Node] = []
    parameters: list[Value] = []

    def place_leaf(value: Value) -> None:
        """A node that no op of the trace made: an input, a constant or a parameter."""
        if id(value) in tracer.inputs:
            nodes.append(_Node("input", value.label, per_sample=True, index=tracer.inputs[id(value)][1]))
        elif value.parents:
            raise BatchTraceError(
                f"the function uses a node{f' ({value.label!r})' if value.label else ''} made by {value.op!r} "
                f"before it was called. batch replays only what the function computes: compute it inside the "
                f"function, or make it a leaf."
            )
        elif type(value) is Constant:
            with tracing():  # our own read of a constant's number, not the function's
                nodes.append(_Node("constant", value.label, number=value.data))
        else:
            nodes.append(_Node("parameter", value.label, index=len(parameters)))
            parameters.append(value)
        position[id(value)] = len(nodes) - 1

    made = [(node, op, inputs) for node, op, inputs in made if id(node) in wanted]
    for _, _, inputs in made:  # the leaves first: then a layer's weights are all known before its first neuron
        for x in inputs:
            if id(x) not in position and id(x) not in tracer.made:
                place_leaf(x)
    for node, op, inputs in made:
        at = tuple(position[id(x)] for x in inputs)
        with_grad = bool(node.parents)  # made inside no_grad(), it is a leaf to the engine
        nodes.append(_Node("op", node.label, op, at, with_grad, any(nodes[j].per_sample for j in at)))
        position[id(node)] = len(nodes) - 1
    if id(root) not in position:  # the output is a leaf itself
        place_leaf(root)
    return _Program(nodes, parameters, columns)


# ====================================================================== 3. the generated NumPy code


@dataclass
class _WeightedSum:
    """A chain the trace made as ``start + w₁·x₁ + w₂·x₂ + …`` (a neuron's z = b + Σ wᵢxᵢ), each wᵢ one number
    (from the parameters) and each xᵢ an array of N: replayed as one matrix product, ``start + w @ X``."""

    start: int
    weights: list[int]
    xs: list[int]
    inside: list[int]  # the chain's products and partial sums, which the matrix product replaces
    scalar: bool = False  # a sum of products of single numbers (a penalty Σ p²): one dot product of two vectors


def _weighted_sums(program: _Program) -> dict[int, _WeightedSum]:
    """The chains of weighted sums in the program, by the position of each chain's last ``+``.

    A product ``w * x`` joins a chain when it is used only there; a partial sum, when only the next ``+``
    uses it. Then nothing outside the chain reads what the matrix product leaves out."""
    nodes = program.nodes
    uses = [0] * len(nodes)
    for node in nodes:
        for j in node.inputs:
            uses[j] += 1
    uses[program.root] += 1
    plus, times = OPS.get("+"), OPS.get("*")

    def product(j: int, scalar: bool) -> tuple[int, int] | None:
        """(weight, x) when node j is a w·x that only one node uses."""
        node = nodes[j]
        if node.op is not times or not node.with_grad or uses[j] != 1:
            return None
        a, b = node.inputs
        if scalar:
            return None if node.per_sample else (a, b)
        if nodes[a].per_sample and not nodes[b].per_sample:
            return b, a
        if nodes[b].per_sample and not nodes[a].per_sample:
            return a, b
        return None

    chains: dict[int, _WeightedSum] = {}
    for i, node in enumerate(nodes):
        if node.op is not plus or not node.with_grad:
            continue
        scalar = not node.per_sample
        left, right = node.inputs
        term, rest = (
            (right, left) if product(right, scalar) else (left, right) if product(left, scalar) else (None, None)
        )
        if term is None or rest is None:
            continue
        weight, x = product(term, scalar)  # type: ignore[misc]
        chain = chains.pop(rest, None) if uses[rest] == 1 else None
        if chain is None:
            chain = _WeightedSum(rest, [], [], [], scalar)
        else:
            chain.inside.append(rest)
        chain.weights.append(weight)
        chain.xs.append(x)
        chain.inside.append(term)
        chains[i] = chain
    return {i: chain for i, chain in chains.items() if len(chain.xs) >= 2}


_FORWARD_RAISE = {"divide": "raise", "invalid": "raise", "over": "ignore", "under": "ignore"}
_FORWARD_IGNORE = {"all": "ignore"}


class _Code:
    """The program written as NumPy code: the forward pass, then (with gradients) the backward pass.

    Names are generated (``t5`` is node 5, ``g5`` its gradient, ``x0`` the first input column); user text
    (labels, op names) appears only in comments, through ``repr``, which escapes every line break."""

    def __init__(self, program: _Program, with_grads: bool) -> None:
        np = _numpy()
        self.program = program
        self.namespace: dict[str, Any] = {"np": np, "full": np.full, "summed": _summed, "per_sample": _per_sample}
        self.lines: list[tuple[str, tuple[str, ...]]] = []  # each line of the body, and the names it reads
        self._stack_grads: set[str] = set()
        self._indices: list[str] = []
        self._sources: dict[int, list[str]] = {}  # each node's gradient contributions, as written
        self.slow_ops: list[Op] = []
        self._ops: dict[Op, int] = {}
        self.sums = _weighted_sums(program)
        self.replaced = {j for chain in self.sums.values() for j in chain.inside}
        self._group_weighted_sums()
        self._write_forward()
        if with_grads:
            self._write_backward()
        else:
            self._emit("grads = ()")
        self._emit("return out, grads")
        read = {name for _, reads in self.lines for name in reads}
        self.lines = [(line, reads) for line, reads in self.lines if _defined(line) in read | {""}]
        body = "".join(f"    {line}\n" for line in _free_after_last_use(self.lines, self._is_array))
        self.source = "def replay(columns, p, parameters, count, forward_errors):\n" + body

    def _emit(self, line: str, *reads: str) -> None:
        self.lines.append((line, reads))

    def _is_array(self, name: str) -> bool:
        """Whether a generated name holds an array of N (worth freeing): an input column, a stack of them and
        its gradient, or a node that depends on the sample, its gradient or local gradients."""
        kind, number = re.fullmatch(r"([a-z]+)(\d+)(?:_\d+)?", name).groups()  # type: ignore[union-attr]
        if kind in ("t", "g", "l"):
            return self.program.nodes[int(number)].per_sample
        return kind in ("x", "s", "gs", "z", "gz", "a", "la")

    def _name(self, i: int) -> str:
        node = self.program.nodes[i]
        return f"x{node.index}" if node.kind == "input" else f"c{i}" if node.kind == "constant" else f"t{i}"

    def _op(self, op: Op) -> int:
        """The op's number k: ``f{k}``/``d{k}`` are its array form's functions, ``op{k}`` the op itself."""
        if op not in self._ops:
            k = self._ops[op] = len(self._ops)
            self.namespace[f"op{k}"] = op
            form = array_form(op)
            if form is not None:
                self.namespace[f"f{k}"] = form.forward
                self.namespace[f"d{k}"] = form.local_grads
        return self._ops[op]

    def _per_sample(self, node: _Node) -> bool:
        """Applied one sample at a time through the engine: an op with no array form; or ``**`` with an exponent
        that is not a constant, where the engine refuses a base < 0 (its slope towards the exponent is not real)."""
        assert node.op is not None
        if array_form(node.op) is None:
            return True
        return node.op is OPS.get("**") and self.program.nodes[node.inputs[1]].kind != "constant"

    def _write_forward(self) -> None:
        columns = [f"x{c}" for c in range(len(self.program.columns))]
        if columns:
            self._emit(f"{', '.join(columns)}{',' if len(columns) == 1 else ''} = columns")
        self._emit("with np.errstate(**forward_errors):  # an op undefined for a sample raises")
        for i, node in enumerate(self.program.nodes):
            comment = f"  # {node.label!r}" if node.label else ""
            if node.kind == "constant":
                self.namespace[f"c{i}"] = node.number
            elif node.kind == "parameter":
                self._emit(f"    t{i} = parameters[{node.index}]{comment}")
            elif i in self.replaced:
                continue  # part of a weighted sum, computed as a matrix product
            elif i in self.activation_of:
                first, row = self.activation_of[i]
                self._emit(f"    t{i} = a{first}[{row}]", f"a{first}")
            elif i in self.sums:
                self._forward_weighted_sum(i, self.sums[i])
            elif node.kind == "op":
                assert node.op is not None
                k = self._op(node.op)
                inputs = [self._name(j) for j in node.inputs]
                comment = f"  # {node.op.name!r}{f', {node.label!r}' if node.label else ''}"
                if self._per_sample(node):
                    if array_form(node.op) is None and node.op not in self.slow_ops:
                        self.slow_ops.append(node.op)
                    self.namespace[f"constants{i}"] = tuple(
                        self.program.nodes[j].kind == "constant" for j in node.inputs
                    )
                    call = f"per_sample(op{k}, constants{i}, count, {', '.join(inputs)})"
                    self._emit(f"    t{i}, l{i} = {call}{comment}", *inputs)
                else:
                    self._emit(f"    t{i} = f{k}({', '.join(inputs)}){comment}", *inputs)
        if self.lines[-1][0].startswith("with"):
            self._emit("    pass  # no op to replay: the output is a leaf")
        root = self._name(self.program.root)
        if self.program.nodes[self.program.root].per_sample:
            self._emit(f"out = {root}", root)
        else:  # the same number for every sample
            self._emit(f"out = full(count, {root})", root)

    def _group_weighted_sums(self) -> None:
        """Weighted sums of the same x's (the neurons of a layer) form one group, replayed as one matrix product
        ``W @ X`` at the first of them, when every weight is known by then; each stack of x's is made once."""
        self.group_of: dict[int, int] = {}  # a weighted sum → the first of its group
        self.groups: dict[int, list[int]] = {}  # the first of a group → every weighted sum in it, in order
        self.stacks: dict[tuple[int, ...], int] = {}  # the x's → the first weighted sum that stacks them
        open_groups: dict[tuple[int, ...], int] = {}
        for i, chain in self.sums.items():
            if chain.scalar:
                continue
            xs = tuple(chain.xs)
            self.stacks.setdefault(xs, i)
            first = open_groups.get(xs)
            if first is None or max(chain.weights) > first:  # a weight made after the group's product: a new one
                first = open_groups[xs] = i
                self.groups[first] = []
            self.groups[first].append(i)
            self.group_of[i] = first
        self._find_activations()

    def _find_activations(self) -> None:
        """Groups whose every weighted sum starts from a parameter (a bias) and goes on to the same activation
        alone: the layer's a = f(W @ X + b), replayed on the whole matrix at once rather than row by row."""
        nodes = self.program.nodes
        users: dict[int, list[int]] = {}
        for i, node in enumerate(nodes):
            for j in node.inputs:
                users.setdefault(j, []).append(i)
        self.activated: dict[int, list[int]] = {}  # the first of a group → each member's activation node
        self.activation_of: dict[int, tuple[int, int]] = {}  # an activation node → (its group's first, its row)
        for first, members in self.groups.items():
            after = [users.get(m, []) for m in members]
            if self.program.root in members or any(len(u) != 1 for u in after):
                continue
            activations = [u[0] for u in after]
            op = nodes[activations[0]].op
            form = array_form(op) if op is not None else None
            if (
                op is None
                or op.arity != 1
                or form is None
                or not callable(form.local_grads)
                or any(nodes[a].op is not op or not nodes[a].with_grad for a in activations)
                or any(nodes[self.sums[m].start].kind != "parameter" for m in members)
                or not all(nodes[m].with_grad for m in members)
            ):
                continue
            self.activated[first] = activations
            for row, a in enumerate(activations):
                self.activation_of[a] = (first, row)

    def _forward_weighted_sum(self, i: int, chain: _WeightedSum) -> None:
        if chain.scalar:
            self._gather(f"v{i}", chain.weights)
            self._gather(f"u{i}", chain.xs)
            start, count = self._name(chain.start), len(chain.xs)
            self._emit(f"    t{i} = {start} + v{i} @ u{i}  # {count} products and sums", start, f"v{i}", f"u{i}")
            return
        first, stack = self.group_of[i], self.stacks[tuple(chain.xs)]
        layer = self._layer_of(chain.xs)
        if i == stack and layer is not None:  # the x's are the rows of a layer's activations, already a matrix
            self._emit(f"    s{i} = a{layer}", f"a{layer}")
        elif i == stack:  # the first weighted sum of these x's: stack them
            xs = [self._name(j) for j in chain.xs]
            self._emit(f"    s{i} = np.stack(({', '.join(xs)},))  # {len(xs)} × N", *xs)
        members = self.groups[first]
        if i == first:  # the group's weights as a matrix, one row per weighted sum: all of them at once
            weights = [j for m in members for j in self.sums[m].weights]
            shape = f"{len(members)}, {len(chain.xs)}"
            self._gather(f"w{i}", weights, f".reshape({shape})")
            product = f"    z{i} = w{i} @ s{stack}  # {len(members)} weighted sums of {len(chain.xs)}"
            if i in self.activated:  # the layer at once: a = f(W @ X + b)
                self._gather(f"b{i}", [self.sums[m].start for m in members], "[:, None]")
                self._emit(product, f"w{i}", f"s{stack}")
                self._emit(f"    z{i} += b{i}  # in place: one array of the layer's size fewer to allocate", f"b{i}")
                op = self.program.nodes[self.activated[i][0]].op
                assert op is not None
                self._emit(f"    a{i} = f{self._op(op)}(z{i})  # {op.name!r} on the whole layer", f"z{i}")
                return
            self._emit(product, f"w{i}", f"s{stack}")
        if first in self.activated:
            return
        start, label = self._name(chain.start), self.program.nodes[i].label
        comment = f"  # {len(chain.xs)} products and sums{f', {label!r}' if label else ''}"
        self._emit(f"    t{i} = {start} + z{first}[{members.index(i)}]{comment}", start, f"z{first}")

    def _rows_of_one_matrix(self, ends: list[int]) -> str | None:
        """The gradient matrix whose row k alone is the gradient of ends[k], for every k, if there is one."""
        sources = [self._sources.get(m, []) for m in ends]
        if not all(len(source) == 1 for source in sources):
            return None
        matrix = sources[0][0].split("[")[0]
        return matrix if all(source == [f"{matrix}[{k}]"] for k, source in enumerate(sources)) else None

    def _layer_of(self, xs: list[int]) -> int | None:
        """The group whose activations are exactly these x's, in order, if any."""
        return next((first for first, ends in self.activated.items() if ends == xs), None)

    def _backward_weighted_sum(self, i: int, chain: _WeightedSum, has_grad: set[int]) -> None:
        program, nodes = self.program, self.program.nodes
        if chain.scalar:
            if i not in has_grad:
                return
            self._add_to(chain.start, f"g{i}", has_grad, f"g{i}")
            for side, other in ((chain.weights, f"u{i}"), (chain.xs, f"v{i}")):
                if any(program.needs_grad[j] for j in side):  # ∂(a·b)/∂a = b, for every product at once
                    self._scatter(side, f"g{i} * {other}", has_grad, f"g{i}", other)
            return
        first, stack = self.group_of[i], self.stacks[tuple(chain.xs)]
        if i in has_grad and first not in self.activated:
            upstream = f"g{i}" if nodes[chain.start].per_sample else f"g{i}.sum()"
            self._add_to(chain.start, upstream, has_grad, f"g{i}")
        if i != first:
            return
        # The last of the group in the backward pass: every member's gradient is complete.
        members = self.groups[first]
        ends = self.activated.get(first, members)  # with the activation, from the activations' gradients
        if not any(m in has_grad for m in ends):
            return
        upstreams = [f"g{m}" if m in has_grad else "full(count, 0.0)" for m in ends]
        matrix = self._rows_of_one_matrix(ends)
        if matrix is not None:  # every row's gradient is that row of the next layer's: the matrix as it is
            self._emit(f"    gz{i} = {matrix}", matrix)
        else:
            self._emit(f"    gz{i} = np.stack(({', '.join(upstreams)},))", *(g for g in upstreams if g[0] == "g"))
        if first in self.activated:  # through the activation, for the whole layer: then to the biases
            op = nodes[ends[0]].op
            assert op is not None
            self._emit(f"    la{i}, = d{self._op(op)}(a{i}, z{i})", f"a{i}", f"z{i}")
            self._emit(f"    gz{i} *= la{i}", f"gz{i}", f"la{i}")
            self._scatter([self.sums[m].start for m in members], f"gz{i}.sum(axis=1)", has_grad, f"gz{i}")
        if any(program.needs_grad[j] for m in members for j in self.sums[m].weights):
            weights = [j for m in members for j in self.sums[m].weights]  # ∂/∂w = Σ over the samples of x · upstream
            self._scatter(weights, f"(gz{i} @ s{stack}.T).ravel()", has_grad, f"gz{i}", f"s{stack}")
        if any(program.needs_grad[j] for j in chain.xs):
            contribution = f"w{i}.T @ gz{i}"  # ∂/∂x = Σ over the weighted sums of w · upstream
            if f"gs{stack}" in self._stack_grads:
                self._emit(f"    gs{stack} = gs{stack} + {contribution}", f"gs{stack}", f"w{i}", f"gz{i}")
            else:
                self._emit(f"    gs{stack} = {contribution}", f"w{i}", f"gz{i}")
                self._stack_grads.add(f"gs{stack}")
        if i == stack and f"gs{stack}" in self._stack_grads:  # every weighted sum of these x's is done
            for k, j in enumerate(chain.xs):
                self._add_to(j, f"gs{stack}[{k}]", has_grad, f"gs{stack}")

    def _names(self, nodes: list[int]) -> list[str]:
        return [self._name(j) for j in nodes]

    def _parameter_positions(self, nodes: list[int]) -> str | None:
        """The generated name of an index array holding these nodes' places in the parameter vector ``p``, when
        they are all parameters; else None."""
        if not all(self.program.nodes[j].kind == "parameter" for j in nodes):
            return None
        name = f"ix{len(self._indices)}"
        self._indices.append(name)
        np = _numpy()
        self.namespace[name] = np.array([self.program.nodes[j].index for j in nodes], dtype=np.intp)
        return name

    def _gather(self, name: str, nodes: list[int], reshape: str = "") -> None:
        """The vector of these single numbers, as ``name``: taken from ``p`` in one step for parameters."""
        positions = self._parameter_positions(nodes)
        if positions:
            self._emit(f"    {name} = p[{positions}]{reshape}")
        else:
            self._emit(f"    {name} = np.array(({', '.join(self._names(nodes))},)){reshape}", *self._names(nodes))

    def _scatter(self, nodes: list[int], vector: str, has_grad: set[int], *reads: str) -> None:
        """Add each entry of ``vector`` to the gradient of the node at the same place in ``nodes``: into the
        parameters' gradient vector ``gp`` in one step when they are all parameters, else one by one."""
        positions = self._parameter_positions(nodes)
        if positions is not None:
            if len(set(nodes)) == len(nodes):
                self._emit(f"    gp[{positions}] += {vector}", *reads)
            else:  # a parameter twice: np.add.at adds both
                self._emit(f"    np.add.at(gp, {positions}, {vector})", *reads)
            return
        name = f"gv{len(self._indices)}"
        self._indices.append(name)
        self._emit(f"    {name} = ({vector}).tolist()", *reads)
        for k, j in enumerate(nodes):
            self._add_to(j, f"{name}[{k}]", has_grad, name)

    def _add_to(self, j: int, contribution: str, has_grad: set[int], *reads: str) -> None:
        """The chain rule's sum: node j's gradient, plus one more contribution."""
        if not self.program.needs_grad[j]:
            return
        self._sources.setdefault(j, []).append(contribution)
        if j in has_grad:
            self._emit(f"    g{j} = g{j} + {contribution}", f"g{j}", *reads)
        else:
            self._emit(f"    g{j} = {contribution}", *reads)
            has_grad.add(j)

    def _write_backward(self) -> None:
        program, nodes = self.program, self.program.nodes
        self._emit("with np.errstate(all='ignore'):  # the backward pass: IEEE arithmetic, as eagerly")
        self._emit(f"    gp = np.zeros({len(program.parameters)})  # ∂(mean loss)/∂(each parameter)")
        root = program.root
        has_grad: set[int] = set()
        if program.needs_grad[root]:
            seed = "full(count, 1.0 / count)" if nodes[root].per_sample else "1.0"
            self._emit(f"    g{root} = {seed}  # ∂(the mean over N samples)/∂(one sample's loss)")
            has_grad.add(root)
        for i in range(len(nodes) - 1, -1, -1):
            node = nodes[i]
            if i in self.activation_of:  # worked out for the whole layer, at its group's first weighted sum
                continue
            if i in self.sums:  # its group's gradients are worked out at the group's first, with or without its own
                self._backward_weighted_sum(i, self.sums[i], has_grad)
                continue
            if node.kind != "op" or i not in has_grad:
                continue
            assert node.op is not None
            wanted = [(slot, j) for slot, j in enumerate(node.inputs) if program.needs_grad[j]]
            local, reads = self._local_grads(i, node, [slot for slot, _ in wanted])
            for slot, j in wanted:
                upstream, local_grad = f"g{i}", local[slot]
                if nodes[j].per_sample or not node.per_sample:  # the same shape: the chain rule as it reads
                    contribution = {"1.0": upstream, "-1.0": f"-{upstream}"}.get(
                        local_grad, f"{upstream} * {local_grad}"
                    )
                else:  # from an array of N to one number: summed over the samples
                    contribution = f"{upstream}.sum()" if local_grad == "1.0" else f"summed({upstream}, {local_grad})"
                self._add_to(j, contribution, has_grad, upstream, *reads)
        # The parameters' gradients one by one (a bias's, a shared weight's) join those added to gp in one step.
        separate = [i for i, node in enumerate(nodes) if node.kind == "parameter" and i in has_grad]
        if separate:
            positions = self._parameter_positions(separate)
            values = [f"g{i}" for i in separate]
            self._emit(f"    gp[{positions}] += np.array(({', '.join(values)},))", *values)
        self._emit("grads = gp")

    def _local_grads(self, i: int, node: _Node, slots: list[int]) -> tuple[list[str], tuple[str, ...]]:
        """The expressions of node i's local gradients, writing the line that computes them if needed."""
        assert node.op is not None
        form = array_form(node.op)
        if self._per_sample(node):  # computed with the output, one sample at a time
            return [f"l{i}[{slot}]" for slot in range(node.op.arity)], (f"l{i}",)
        assert form is not None
        if isinstance(form.local_grads, tuple):
            return [repr(float(g)) for g in form.local_grads], ()
        local = [f"l{i}_{slot}" for slot in range(node.op.arity)]
        inputs = [self._name(j) for j in node.inputs]
        unpack = ", ".join(local) + ("," if len(local) == 1 else "")
        self._emit(f"    {unpack} = d{self._op(node.op)}(t{i}, {', '.join(inputs)})", f"t{i}", *inputs)
        return local, tuple(local[slot] for slot in slots)


def _defined(line: str) -> str:
    """The parameter a line like ``t5 = parameters[3]`` reads into a name, or ""; such a line is left out of
    the program when nothing reads the name (a weight that only a matrix product uses, through ``p``)."""
    match = re.fullmatch(r"    (t\d+) = parameters\[\d+\].*", line)
    return match.group(1) if match else ""


def _free_after_last_use(lines: list[tuple[str, tuple[str, ...]]], is_array: Callable[[str], bool]) -> list[str]:
    """The lines, with a ``del`` after the last use of each array, so that memory holds only what is still
    to be read: a small multiple of N × the trace's widest live set. (Single numbers are left alone.)"""
    last: dict[str, int] = {}
    for k, (_, reads) in enumerate(lines):
        for name in reads:
            if name[0] != "c" and is_array(name):
                last[name] = k
    body: list[str] = []
    for k, (line, reads) in enumerate(lines):
        body.append(line)
        done = sorted({name for name in reads if last.get(name) == k})
        if done and line.startswith("    "):
            body.append(f"    del {', '.join(done)}")
    return body


def _summed(upstream: Any, local_grad: Any) -> Any:
    """Σ over the samples of upstream · local gradient: a dot product when the local gradient is an array too."""
    if getattr(local_grad, "ndim", 0):
        return upstream @ local_grad
    return local_grad * upstream.sum()


def _per_sample(op: Op, constants: tuple[bool, ...], count: int, *inputs: Any) -> tuple[Any, tuple[Any, ...]]:
    """Apply ``op`` through the engine, one sample at a time: its outputs and local gradients as arrays of N.

    The path of an op without an array form: slow (a Value per sample and input), with the engine's own
    meaning and errors, which name the sample."""
    np = _numpy()
    arrays = [getattr(x, "ndim", 0) > 0 for x in inputs]
    samples = count if any(arrays) else 1
    out = np.empty(samples)
    local = [np.empty(samples) for _ in inputs]
    for i in range(samples):
        numbers = [float(x[i]) if is_array else float(x) for x, is_array in zip(inputs, arrays)]
        leaves = [Constant(n) if constant else Value(n) for n, constant in zip(numbers, constants)]
        try:
            with enable_grad():
                node = op(*leaves)
        except (ValueError, ArithmeticError) as error:
            raise _at_sample(error, i if any(arrays) else None) from None
        out[i] = node.data
        for slot, local_grad in enumerate(node.local_grads()):
            local[slot][i] = local_grad
    if not any(arrays):
        return out[0], tuple(g[0] for g in local)
    return out, tuple(local)


def _at_sample(error: BaseException, sample: int | None, traced: bool = False) -> Exception:
    """The engine's error, with the index of the sample where it happened."""
    if sample is None:
        where = "in the part computed from the parameters alone (the same for every sample)"
    else:
        where = f"at sample {sample} of the batch (counting from 0{', the sample traced' if traced else ''})"
    kind = type(error) if isinstance(error, (ValueError, ZeroDivisionError, OverflowError)) else ValueError
    try:
        return kind(f"{where}: {error}")
    except Exception:  # an error type that takes other arguments
        return ValueError(f"{where}: {error}")


def _locate_error(program: _Program, columns: list[Any], parameters: tuple[Any, ...], count: int) -> bool:
    """After NumPy trapped an undefined result in the fast replay: run the forward pass node by node, and raise
    the engine's error at the first node and sample where the engine raises. False if there is none (NumPy
    trapped something the engine allows, such as 0 · ∞ in a branch np.where throws away)."""
    np = _numpy()
    values: list[Any] = []
    for node in program.nodes:
        if node.kind == "input":
            values.append(columns[node.index])
        elif node.kind == "parameter":
            values.append(parameters[node.index])
        elif node.kind == "constant":
            values.append(node.number)
        else:
            assert node.op is not None
            inputs = [values[j] for j in node.inputs]
            constants = tuple(program.nodes[j].kind == "constant" for j in node.inputs)
            form = array_form(node.op)
            try:
                if form is None:
                    raise FloatingPointError  # applied one sample at a time: its own errors name the sample
                with np.errstate(**_FORWARD_RAISE):
                    values.append(form.forward(*inputs))
            except FloatingPointError:
                _per_sample(node.op, constants, count, *inputs)  # raises the engine's error at the first sample
                with np.errstate(all="ignore"):
                    values.append(form.forward(*inputs) if form else _per_sample(node.op, constants, count, *inputs)[0])
    return False


# ====================================================================== 4. the user's side: batch(fn)

_GRADS_LOCK = threading.Lock()  # calls from several threads add to the parameters' .grad one at a time


class _Replay:
    """One traced program, compiled: with gradients, and (made when first asked for) without."""

    def __init__(self, program: _Program, number: int) -> None:
        self.program = program
        self.number = number
        self._compiled: dict[bool, tuple[Callable[..., Any], _Code]] = {}

    def code(self, with_grads: bool) -> tuple[Callable[..., Any], _Code]:
        if with_grads not in self._compiled:
            code = _Code(self.program, with_grads)
            filename = f"<autograd.batch: replay {self.number}{'' if with_grads else ', values'}>"
            exec(compile(code.source, filename, "exec"), code.namespace)  # our own generated code
            linecache.cache[filename] = (len(code.source), None, code.source.splitlines(keepends=True), filename)
            if code.slow_ops:
                names = ", ".join(repr(op.name) for op in code.slow_ops)
                warnings.warn(
                    f"batch: the op(s) {names} have no array form, so each is applied one sample at a time through "
                    f"the engine (correct, but about a thousand times slower than an array op). Give one its array "
                    f"form with autograd.batching.register_array_form(OPS[name], forward=lambda a: ..., "
                    f"local_grads=lambda out, a: (...,)), written with NumPy functions.",
                    NoArrayFormWarning,
                    stacklevel=4,
                )
            self._compiled[with_grads] = (code.namespace["replay"], code)
        return self._compiled[with_grads]

    def run(self, columns: list[Any], count: int, with_grads: bool) -> tuple[Any, Any]:
        np = _numpy()
        replay, _ = self.code(with_grads)
        # The parameters' numbers, read now (the optimiser may have changed them), as NumPy numbers: their
        # arithmetic obeys np.errstate, as the arrays' does.
        vector = np.fromiter([p.data for p in self.program.parameters], np.float64, len(self.program.parameters))
        parameters = tuple(vector)
        try:
            out, grads = replay(columns, vector, parameters, count, _FORWARD_RAISE)
        except FloatingPointError:
            _locate_error(self.program, columns, parameters, count)  # raises the engine's error, naming the sample
            out, grads = replay(columns, vector, parameters, count, _FORWARD_IGNORE)
        if np.isnan(out).any():  # NaN in, or an undefined op that a matrix product did not flag: which one?
            _locate_error(self.program, columns, parameters, count)
        return out, grads


class Batch:
    """A function of one sample, replayed over whole arrays of samples (made by `batch`)."""

    def __init__(self, fn: Callable[..., Value]) -> None:
        if not callable(fn):
            raise TypeError(f"batch needs a function of one sample returning a Value, but was given {fn!r}")
        self.fn = fn
        self._replays: dict[tuple[Any, ...], _Replay] = {}
        self._lock = threading.Lock()
        self._last: _Replay | None = None

    def __call__(self, *data: Any) -> float:
        """The mean of ``fn`` over the samples; adds its gradient to every parameter's ``.grad`` (not inside
        ``no_grad()``, where, as eagerly, no gradient is recorded)."""
        replay, columns, count = self._prepare(data)
        with_grads = is_grad_enabled()
        out, grads = replay.run(columns, count, with_grads)
        if with_grads:
            with _GRADS_LOCK:
                for parameter, grad in zip(replay.program.parameters, grads.tolist()):
                    parameter.grad += grad
        return float(out.mean())

    def values(self, *data: Any) -> Any:
        """``fn`` of every sample, as a NumPy array of N (no gradients): the model's outputs over a batch.

        >>> from autograd import Value, batch
        >>> w = Value(2.0, "w")
        >>> batch(lambda x: w * x).values([1.0, 2.0, 3.0])
        array([2., 4., 6.])
        """
        replay, columns, count = self._prepare(data)
        out, _ = replay.run(columns, count, with_grads=False)
        return out

    @property
    def source(self) -> str:
        """The generated NumPy code of the last call (with gradients): one line per node, then per edge."""
        if self._last is None:
            raise RuntimeError("batch: nothing is traced yet; call it on a batch first")
        return self._last.code(with_grads=True)[1].source

    @property
    def parameters(self) -> list[Value]:
        """The leaves the function reads from outside, which receive gradients (after a first call)."""
        return list(self._last.program.parameters) if self._last is not None else []

    def _prepare(self, data: tuple[Any, ...]) -> tuple[_Replay, list[Any], int]:
        """The arguments as arrays, their columns, the number of samples, and the program for their shapes."""
        np = _numpy()
        names = _argument_names(self.fn, len(data))
        arrays = [_as_array(np, x, name) for x, name in zip(data, names)]
        if not arrays:
            raise TypeError("batch: call it with the samples, one array per argument of the function")
        count = arrays[0].shape[0]
        for array, name in zip(arrays, names):
            if array.shape[0] != count:
                raise ValueError(
                    f"batch: every argument needs one entry per sample, but {names[0]} has {count} and "
                    f"{name} has {array.shape[0]}"
                )
        if count == 0:
            raise ValueError("batch was given no samples (an empty batch): there is nothing to average")
        shape = tuple(array.shape[1:] for array in arrays)
        with self._lock:
            replay = self._replays.get(shape)
            if replay is None:
                first_sample = [array[0].tolist() for array in arrays]
                replay = self._replays[shape] = _Replay(_trace(self.fn, first_sample, names), len(self._replays))
            self._last = replay
        columns = [
            np.ascontiguousarray(column) for array in arrays for column in array.reshape(count, -1).T
        ]  # fmt: skip
        return replay, columns, count

    def __repr__(self) -> str:
        return f"batch({getattr(self.fn, '__name__', self.fn)!r})"


def _argument_names(fn: Callable[..., Any], count: int) -> list[str]:
    try:
        names = [p.name for p in inspect.signature(fn).parameters.values()][:count]
    except (TypeError, ValueError):
        names = []
    return names + [f"arg{k}" for k in range(len(names), count)]


def _as_array(np: Any, data: Any, name: str) -> Any:
    try:
        array = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"batch: {name} must be numbers, one entry per sample (an array or a list of lists), "
            f"but could not be read as such ({error})"
        ) from None
    if array.ndim == 0:
        raise ValueError(f"batch: {name} is a single number ({data!r}); give one entry per sample, [{data!r}, ...]")
    return array


def batch(fn: Callable[..., Value]) -> Batch:
    """The function ``fn`` of one sample, replayed over whole arrays of samples with NumPy (see the module's help).

    ``batch(fn)(X, y)`` is the mean of ``fn(X[i], y[i])`` over the samples i, and adds its gradient to every
    parameter's ``.grad``, as ``backward()`` on that mean would.

    >>> from autograd import Value, batch
    >>> w = Value(1.0, "w")
    >>> squared_error = batch(lambda x, y: (w * x - y) ** 2)
    >>> squared_error([1.0, 2.0], [0.0, 0.0])   # ((1·1)² + (1·2)²) / 2
    2.5
    >>> w.grad                                  # (2·1·1 + 2·2·2) / 2
    5.0
    """
    return Batch(fn)
