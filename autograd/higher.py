"""Derivatives of derivatives: `grad`, `hessian` and `gradgradcheck`.

`grad(output, inputs)` is backprop that hands its gradients back instead of
writing them into ``.grad``. With ``create_graph=True`` it does the same chain
rule with Values instead of floats: every local gradient comes from the op
table's rule evaluated on the graph's own nodes (the rule for sin gives
``cos(x)``, a new node), and every ``local_grad · upstream`` is a ``*`` node.
So the gradient is a computation graph like any other: draw it, step through
it, or differentiate it again.

>>> from autograd import Value
>>> x = Value(2.0, "x")
>>> y = x ** 3
>>> dy_dx = grad(y, x, create_graph=True)          # 3x² = 12, as a graph
>>> d2y_dx2 = grad(dy_dx, x, create_graph=True)   # 6x = 12
>>> d3y_dx3 = grad(d2y_dx2, x)                    # 6
>>> dy_dx.data, d2y_dx2.data, d3y_dx3.data
(12.0, 12.0, 6.0)

A differential operator built on the engine, not part of it: it reads the graph
through `topological_order`, the nodes' ``parents``, ``local_grads()`` and their
``operation`` (the op table), and never writes ``.grad``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import overload

from .engine import Constant, Value, enable_grad, find_stale_node, topological_order
from .gradcheck import GradcheckError

__all__ = ["grad", "gradgradcheck", "hessian"]


@overload
def grad(output: Value, inputs: Value, create_graph: bool = False) -> Value: ...
@overload
def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Value]: ...
def grad(output: Value, inputs: Value | Sequence[Value], create_graph: bool = False) -> Value | list[Value]:
    """∂output/∂input for each input, as Values; no ``.grad`` is read or written.

    ``inputs`` is one Value (you get one Value back) or a list of them (you get a
    list). Any node of ``output``'s graph may be an input, not only a leaf.

    * ``create_graph=False``: the gradients are the very numbers ``output.backward()``
      would put in ``.grad`` (same order, same arithmetic), as new leaf Values.
    * ``create_graph=True``: each gradient is a graph made of the op table's ops on the
      nodes of ``output``'s graph, so ``grad`` of it gives a second derivative, and so on.
      It records that graph inside ``no_grad()`` too (as PyTorch's ``create_graph`` does):
      asking for a graph is asking for recording.

    An input that ``output`` does not depend on has gradient 0 (a ``Constant`` with
    ``create_graph=True``), what PyTorch gives with ``allow_unused=True, materialize_grads=True``.

    >>> w, x = Value(0.5, "w"), Value(1.5, "x")
    >>> L = (w * x).sigmoid()
    >>> [round(g.data, 4) for g in grad(L, [w, x])]
    [0.3268, 0.1089]
    >>> w.grad                       # untouched
    0.0
    """
    if not isinstance(output, Value):
        if isinstance(output, (list, tuple)):
            raise TypeError(
                f"grad differentiates one output Value (a scalar), but was given a {type(output).__name__} of "
                f"{len(output)}: call grad once per output, or on their sum if you want the sum's gradient"
            )
        raise TypeError(f"grad needs a Value as its output, but was given {type(output).__name__}: {output!r}")
    single = isinstance(inputs, Value)
    wanted = [inputs] if isinstance(inputs, Value) else _check_inputs(inputs)

    order = topological_order(output)  # every node, each after its parents: backward()'s order
    _refuse_stale(order)
    with enable_grad():  # the ops of a gradient graph record it, wherever grad is called (an optimiser's step)
        found = _gradients(output, order, set(wanted), create_graph)
    zero = Constant if create_graph else Value
    results = [found.get(node) for node in wanted]
    gradients = [zero(0.0) if g is None else g if isinstance(g, Value) else zero(g) for g in results]
    return gradients[0] if single else gradients


def _check_inputs(inputs: object) -> list[Value]:
    if not isinstance(inputs, Sequence) or isinstance(inputs, str):
        raise TypeError(f"grad needs its inputs as a Value or a list of Values, but was given {inputs!r}")
    for position, node in enumerate(inputs):
        if not isinstance(node, Value):
            raise TypeError(
                f"grad's inputs must be Values of the output's graph, but input {position} is "
                f"{type(node).__name__}: {node!r}. A plain number has no gradient: make it a Value before the "
                f"forward pass"
            )
    return list(inputs)


def _refuse_stale(order: Sequence[Value]) -> None:
    found = find_stale_node(order)
    if found is not None:
        node, now = found
        raise ValueError(
            f"this graph is out of date: {node.label or f'the {node.op} node'} was computed as {node.data:.6g}, "
            f"but from its parents' numbers now it would be {now:.6g} (a value's data changed after the forward "
            f"pass). Run the forward pass again and take grad of the new graph."
        )


def _gradients(output: Value, order: list[Value], inputs: set[Value], create_graph: bool) -> dict[Value, float | Value]:
    """backward() into a dict: ∂output/∂node for every node on a path from an input to the output."""
    # Only nodes between an input and the output need a gradient (PyTorch prunes the same way):
    # it keeps a drawn gradient graph to what the inputs' gradients are made of.
    on_a_path = set(inputs)
    for node in order:
        if any(parent in on_a_path for parent in node.parents):
            on_a_path.add(node)

    gradients: dict[Value, float | Value] = {output: Constant(1.0) if create_graph else 1.0}  # ∂output/∂output = 1
    for node in reversed(order):
        if not node.parents or node not in on_a_path:  # a leaf passes nothing on; off every path, nothing is needed
            continue
        upstream = gradients[node]
        local_grads = _local_grads_as_values(node, inputs) if create_graph else node.local_grads()
        for parent, local_grad in zip(node.parents, local_grads):
            if parent not in on_a_path:
                continue
            # the chain rule: ∂output/∂parent += ∂node/∂parent · ∂output/∂node. A local gradient of exactly 1
            # (both edges of +) passes the upstream through: the same number, and no `1 ·` node in a drawn graph.
            contribution = upstream if local_grad == 1.0 else local_grad * upstream
            gradients[parent] = gradients[parent] + contribution if parent in gradients else contribution
    return gradients


def _local_grads_as_values(node: Value, inputs: set[Value]) -> tuple[float | Value, ...]:
    """∂node/∂parent for each parent, made of Values by the op table's rule.

    A Constant parent (the 2 of x ** 2) goes into the rule as its number, since nothing will ever
    differentiate with respect to it: x ** 2 gives 2 · x ** 1, not 2 · x ** (2 − 1). A rule may give a
    plain number even for Values (1 for +, the step of relu): it stays a number, and becomes a Constant
    node when multiplied with the upstream Value, as ``2 * x`` does."""
    operation = node.operation
    assert operation is not None  # the caller passes nodes with parents
    if operation.local_grads is None:
        raise TypeError(
            f"the {node.op!r} node{_named(node)} was made micrograd's way, Value(data, children, op), and gets its "
            f"gradient from a _backward function: a function gives numbers, not a graph, so grad(create_graph=True) "
            f"cannot differentiate through it. Make it an Op instead (see autograd.engine.Op), then it can"
        )
    try:
        parents = [p.data if type(p) is Constant and p not in inputs else p for p in node.parents]
        local_grads = operation.local_grads_at(node, *parents)
    except TypeError as error:
        raise TypeError(
            f"op {operation.name!r} has no second-order rule: its local_grads works on numbers only ({error}). "
            f"Write it with arithmetic and autograd.engine's exp, log, sin, cos, sqrt, sigmoid, tanh, which take "
            f"numbers or Values, e.g. local_grads=lambda out, x: cos(x) rather than math.cos(x)"
        ) from error
    return local_grads


def _named(node: Value) -> str:
    return f" (label {node.label!r})" if node.label else ""


# ---------------------------------------------------------------------- built on grad


def hessian(f: Callable[..., Value], point: Sequence[float] | float) -> list[list[float]]:
    """The matrix of second derivatives ∂²f/∂xᵢ∂xⱼ of ``f`` at ``point``: one row per input.

    ``f`` takes one Value per number of ``point`` and returns a Value. Row i is
    the gradient of ∂f/∂xᵢ (a graph, made with ``create_graph=True``).

    It records the graphs it needs itself, so it works inside ``no_grad()`` too (a Newton
    step in an optimiser's ``step()``), as PyTorch's ``hessian`` does.

    >>> hessian(lambda x, y: x * x * y, [3.0, 2.0])   # [[2y, 2x], [2x, 0]]
    [[4.0, 6.0], [6.0, 0.0]]
    """
    leaves = [Value(x) for x in _numbers(point, "hessian")]
    with enable_grad():  # f's graph is needed to differentiate it, wherever hessian is called
        out = _call(f, leaves, "hessian")
        first = grad(out, leaves, create_graph=True)
        return [[g.data for g in grad(first_i, leaves)] for first_i in first]


def gradgradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | float] | float,
    eps: float = 1e-6,
    tol: float = 1e-4,
    raise_exception: bool = True,
) -> bool:
    """Check ``f``'s second derivatives: the gradient of its gradient against finite differences of its gradient.

    For each pair of inputs (i, j), (∂f/∂xᵢ at x + eps·eⱼ − ∂f/∂xᵢ at x − eps·eⱼ) / 2eps must
    match the engine's ∂²f/∂xᵢ∂xⱼ within ``tol`` (absolute, or relative for large numbers),
    as PyTorch's ``gradgradcheck`` does. A mismatch names the pair of inputs. It records the
    graphs it needs itself, so it checks the same inside ``no_grad()``.

    >>> gradgradcheck(lambda x, y: (x * y).tanh() + y.sin(), [0.3, -1.2])
    True
    """
    if not callable(f):
        raise TypeError(f"gradgradcheck needs a function of Values as its first argument, but was given {f!r}")
    if isinstance(inputs, (Value, int, float)):
        inputs = [inputs]
    start = _numbers(inputs, "gradgradcheck")
    names = [x.label if isinstance(x, Value) and x.label else f"input {i}" for i, x in enumerate(inputs)]
    analytic = hessian(f, start)

    def gradient_at(point: list[float]) -> list[float]:
        leaves = [Value(x) for x in point]
        with enable_grad():  # as in hessian: f's graph is needed, wherever gradgradcheck is called
            return [g.data for g in grad(_call(f, leaves, "gradgradcheck"), leaves)]

    for j in range(len(start)):
        plus, minus = list(start), list(start)
        plus[j] += eps
        minus[j] -= eps
        column = [(up - down) / (2 * eps) for up, down in zip(gradient_at(plus), gradient_at(minus))]
        for i, numeric in enumerate(column):
            engine = analytic[i][j]
            if abs(numeric - engine) > tol * max(1.0, abs(numeric), abs(engine)):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"second-derivative mismatch for ∂²f/∂{names[i]}∂{names[j]} at {start}: finite differences of "
                    f"the gradient give {numeric:.8g}, the engine's gradient of the gradient gives {engine:.8g} "
                    f"(difference {abs(numeric - engine):.3g}, tolerance {tol:g})"
                )
    return True


def _numbers(point: Sequence[Value | float] | float, who: str) -> list[float]:
    if isinstance(point, (Value, int, float)):
        point = [point]
    try:
        return [x.data if isinstance(x, Value) else float(x) for x in point]
    except (TypeError, ValueError):
        raise TypeError(f"{who} needs a list of numbers, one per input of f, but was given {point!r}") from None


def _call(f: Callable[..., Value], leaves: list[Value], who: str) -> Value:
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"{who} needs f to return a Value (a scalar), but it returned {type(out).__name__}: {out!r}")
    return out
