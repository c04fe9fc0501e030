"""scalar-autograd against micrograd, side by side in one process, on the same work.

    pip install -e ".[bench]"
    python benchmarks/bench.py            # about a minute; --quick for a smoke run

1. One full-batch training step of an MLP 2-16-16-1 (ReLU hidden, linear out) on
   100 two-moons points: SVM max-margin loss relu(1 − y·score) averaged,
   + 1e-4·Σp², backward, SGD update. The network is written once, with Value
   ops only, and run on each engine's Value class, so both build the same graph.
   Beside them, the floor: the same step written by hand in plain floats
   (`FloatMLP`), the same arithmetic, reaching the same loss to 1e-9.
2. backward() through chains of 1e3, 1e4, 1e5 and 1e6 nodes.
3. Bytes per node (tracemalloc) of a chain v = v * c.

Machines are noisy, so the engines take turns, times are this process's CPU
time, and the figures that matter are the ratios. Time spent in the garbage collector is measured with gc.callbacks,
which observes collections without changing any setting.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from micrograd.engine import Value as MicrogradValue  # type: ignore[import-untyped]

from autograd import Value as OurValue
from autograd.data import make_moons

# CPU time of this process: other work on the machine (a shared CI box) moves it far less than wall time.
_clock = time.process_time

ENGINES: dict[str, Any] = {"scalar-autograd": OurValue, "micrograd": MicrogradValue}
FLOOR = "floats by hand"  # skipping what is 0, as a person writes it: the strict floor
SAME_ARITHMETIC = "floats, all of it"  # every multiply-add the graph does


# ---------------------------------------------------------------- measuring garbage-collector time


class GCTimer:
    """Total seconds spent inside garbage collections, observed through gc.callbacks."""

    def __init__(self) -> None:
        self.total = 0.0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = _clock()
        else:
            self.total += _clock() - self._start

    def __enter__(self) -> GCTimer:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


# ---------------------------------------------------------------- 1. a training step


def make_mlp(V: Any, sizes: list[int], seed: int = 0) -> list[list[tuple[list[Any], Any]]]:
    """Layers of neurons, each a (weights, bias) pair of the engine's Values."""
    rng = random.Random(seed)
    return [
        [([V(rng.uniform(-1, 1)) for _ in range(nin)], V(0.0)) for _ in range(nout)]
        for nin, nout in itertools.pairwise(sizes)
    ]


def parameters(mlp: list[list[tuple[list[Any], Any]]]) -> list[Any]:
    return [p for layer in mlp for weights, bias in layer for p in [*weights, bias]]


def forward(mlp: list[list[tuple[list[Any], Any]]], x: list[float]) -> Any:
    inputs: list[Any] = x
    for depth, layer in enumerate(mlp):
        outputs = []
        for weights, bias in layer:
            act = bias
            for w, xi in zip(weights, inputs):
                act = act + w * xi
            outputs.append(act.relu() if depth < len(mlp) - 1 else act)
        inputs = outputs
    return inputs[0]


def total(values: list[Any]) -> Any:
    result = values[0]
    for v in values[1:]:
        result = result + v
    return result


def training_step(mlp: list[list[tuple[list[Any], Any]]], xs: list[list[float]], ys: list[int], lr: float) -> Any:
    params = parameters(mlp)
    margins = [(1 + (-y) * forward(mlp, x)).relu() for x, y in zip(xs, ys)]
    loss = total(margins) * (1.0 / len(margins)) + 1e-4 * total([p * p for p in params])
    for p in params:
        p.grad = 0.0
    loss.backward()
    for p in params:
        p.data -= lr * p.grad
    return loss


# ---------------------------------------------------------------- the floor: the same step in plain floats


class FloatMLP:
    """The same network and training step written by hand in plain Python floats.

    Forward, a hand-derived backward and the SGD update, in the same order as
    `training_step`, so it reaches the same loss. No graph, no objects per number: a
    floor for what any Python engine could do, and one that the garbage collector
    does not move (it allocates no tracked objects per node).

    Two floors. With ``skip_inactive=True`` (the default, and the stricter one) it
    skips the backward pass of a point past the margin, whose gradient is 0, as a
    person writing it by hand would; it gets cheaper as training goes on and more
    points pass the margin. With ``False`` it does every multiply-add the graph
    does, the same arithmetic as the engine's backward().
    """

    def __init__(self, mlp: list[list[tuple[list[Any], Any]]], skip_inactive: bool = True) -> None:
        # weights[layer][neuron] is a list of floats, biases[layer][neuron] a float
        self.weights = [[[w.data for w in ws] for ws, _ in layer] for layer in mlp]
        self.biases = [[b.data for _, b in layer] for layer in mlp]
        self.skip_inactive = skip_inactive

    def step(self, xs: list[list[float]], ys: list[int], lr: float) -> float:
        weights, biases = self.weights, self.biases
        depth = len(weights)
        grad_w = [[[0.0] * len(ws) for ws in layer] for layer in weights]
        grad_b = [[0.0] * len(layer) for layer in biases]
        scale = 1.0 / len(xs)
        margin_total = 0.0
        for x, y in zip(xs, ys):
            # forward, keeping every layer's inputs and weighted sums
            inputs_of: list[list[float]] = []
            sums_of: list[list[float]] = []
            inputs = x
            for d in range(depth):
                sums = []
                for ws, b in zip(weights[d], biases[d]):
                    act = b
                    for w, xi in zip(ws, inputs):
                        act = act + w * xi
                    sums.append(act)
                inputs_of.append(inputs)
                sums_of.append(sums)
                inputs = [s if s > 0.0 else 0.0 for s in sums] if d < depth - 1 else sums
            score = inputs[0]
            margin = 1 + (-y) * score
            margin_total = margin_total + (margin if margin > 0.0 else 0.0)
            if margin <= 0.0 and self.skip_inactive:
                continue  # past the margin: its gradient is 0, nothing to pass back
            # backward: ∂L/∂score = (1/n)·(−y) through an active margin, else 0; then through the layers
            upstream = [scale * (-y) if margin > 0.0 else 0.0]
            for d in range(depth - 1, -1, -1):
                if d < depth - 1:  # the ReLU after this layer's sums
                    upstream = [g if s > 0.0 else 0.0 for g, s in zip(upstream, sums_of[d])]
                layer_inputs = inputs_of[d]
                back = [0.0] * len(layer_inputs)
                for j, (ws, g) in enumerate(zip(weights[d], upstream)):
                    gw = grad_w[d][j]
                    grad_b[d][j] += g
                    for i, xi in enumerate(layer_inputs):
                        gw[i] += g * xi
                        back[i] += g * ws[i]
                upstream = back
        squares = 0.0
        for d in range(depth):
            for ws, b in zip(weights[d], biases[d]):
                for w in ws:
                    squares = squares + w * w
                squares = squares + b * b
        loss = margin_total * scale + 1e-4 * squares
        for d in range(depth):  # the weight-decay term's gradient, then the update
            for j, ws in enumerate(weights[d]):
                gw = grad_w[d][j]
                for i, w in enumerate(ws):
                    ws[i] = w - lr * (gw[i] + 1e-4 * 2 * w)
                b = biases[d][j]
                biases[d][j] = b - lr * (grad_b[d][j] + 1e-4 * 2 * b)
        return loss


def bench_training_step(rounds: int) -> dict[str, dict[str, float]]:
    """One training step at a time, the engines and the float floor taking turns.

    Before each step the heap is cleaned (untimed), so nobody's garbage is collected on
    another's clock; within its step an engine pays for its own collections.
    """
    xs, labels = make_moons(100, noise=0.1, seed=1)
    ys = [1 if label == 1 else -1 for label in labels]
    models: dict[str, Any] = {name: make_mlp(V, [2, 16, 16, 1]) for name, V in ENGINES.items()}
    floor = FloatMLP(make_mlp(OurValue, [2, 16, 16, 1]))  # the same starting weights
    everything = FloatMLP(make_mlp(OurValue, [2, 16, 16, 1]), skip_inactive=False)
    runs: dict[str, Callable[[], float]] = {
        name: (lambda mlp=mlp: training_step(mlp, xs, ys, lr=0.1).data) for name, mlp in models.items()
    }
    runs[FLOOR] = lambda: floor.step(xs, ys, lr=0.1)
    runs[SAME_ARITHMETIC] = lambda: everything.step(xs, ys, lr=0.1)
    times: dict[str, list[float]] = {name: [] for name in runs}
    gc_times: dict[str, list[float]] = {name: [] for name in runs}
    losses: dict[str, float] = {}
    for _ in range(rounds):  # the engines take turns, so a noisy moment hits all of them
        for name, run in runs.items():
            gc.collect()
            with GCTimer() as gc_timer:
                start = _clock()
                losses[name] = run()
                times[name].append(_clock() - start)
            gc_times[name].append(gc_timer.total)
    return {
        name: {
            "median_s": statistics.median(times[name]),
            "min_s": min(times[name]),
            "gc_share": statistics.median(g / t for g, t in zip(gc_times[name], times[name])),
            "final_loss": losses[name],
        }
        for name in runs
    }


def bench_without_collector(steps: int = 9) -> float:
    """Our median step time with the cyclic collector paused around the loop, and then restored.

    Safe for this engine only because its graphs hold no reference cycles: reference counting frees
    every graph. It shows how much of a step the collector takes; the engine itself never does this.
    """
    xs, labels = make_moons(100, noise=0.1, seed=1)
    ys = [1 if label == 1 else -1 for label in labels]
    mlp = make_mlp(OurValue, [2, 16, 16, 1])
    times = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(steps):
            start = _clock()
            training_step(mlp, xs, ys, lr=0.1)
            times.append(_clock() - start)
    finally:
        gc.enable()
    return statistics.median(times)


# ---------------------------------------------------------------- 2. backward through long chains


def chain(V: Any, n: int) -> Any:
    c = V(1.0000001)
    v = V(1.0)
    for _ in range(n):
        v = v * c
    return v


def time_backward(V: Any, n: int) -> float | str:
    root = chain(V, n)
    try:
        start = _clock()
        root.backward()
        return _clock() - start
    except RecursionError:
        return "RecursionError"


# ---------------------------------------------------------------- 3. memory per node


def bytes_per_node(V: Any, n: int = 100_000) -> float:
    c = V(1.0000001)
    v = V(1.0)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(n):
        v = v * c
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / n


# ---------------------------------------------------------------- report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and shorter chains: a smoke run")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else 24
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000, 1_000_000]

    python = sys.version.split()[0]
    print(f"Python {python}, recursion limit {sys.getrecursionlimit()}, gc thresholds {gc.get_threshold()}")
    print()
    print(f"1. Training step, MLP 2-16-16-1 on 100 two-moons points (median of {rounds}, each after gc.collect()):")
    step = bench_training_step(rounds)
    for name, r in step.items():
        print(
            f"   {name:18s} {r['median_s'] * 1e3:8.1f} ms  (min {r['min_s'] * 1e3:.1f} ms, "
            f"{r['gc_share']:.0%} of it in the garbage collector, loss {r['final_loss']:.10f})"
        )
    ours = step["scalar-autograd"]["median_s"]
    for floor_name in (FLOOR, SAME_ARITHMETIC):
        floor_s = step[floor_name]["median_s"]
        print(
            f"   against '{floor_name}': scalar-autograd {ours / floor_s:.1f}x, "
            f"micrograd {step['micrograd']['median_s'] / floor_s:.1f}x"
        )
    print(f"   scalar-autograd takes 1/{step['micrograd']['median_s'] / ours:.1f} of micrograd's time per step")
    drift = max(abs(step["scalar-autograd"]["final_loss"] - step[f]["final_loss"]) for f in (FLOOR, SAME_ARITHMETIC))
    assert drift < 1e-9, f"the float floor's loss drifted from the engine's by {drift:.3g}: not the same work"
    paused = bench_without_collector(3 if args.quick else 9)
    print(f"   scalar-autograd with the cyclic collector paused around the loop: {paused * 1e3:.1f} ms")
    print()

    print("2. backward() through a chain of v * c:")
    per_node: dict[str, list[float]] = {name: [] for name in ENGINES}
    for n in sizes:
        cells = []
        for name, V in ENGINES.items():
            t = time_backward(V, n)
            if isinstance(t, str):
                cells.append(f"{name}: {t}")
            else:
                per_node[name].append(t / n)
                cells.append(f"{name}: {t * 1e3:9.1f} ms ({t / n * 1e9:5.0f} ns/node)")
        print(f"   {n:>9,} nodes   " + "   ".join(cells))
    ours = per_node["scalar-autograd"]
    print(
        f"   scalar-autograd time per node, {sizes[-1]:,} nodes against {sizes[1]:,}: "
        f"{ours[-1] / ours[1]:.2f} (1.00 = linear)"
    )
    print()

    print("3. Memory of a chain v = v * c (tracemalloc):")
    memory = {name: bytes_per_node(V) for name, V in ENGINES.items()}
    for name, b in memory.items():
        print(f"   {name:16s} {b:6.0f} bytes per node")
    print(f"   scalar-autograd uses {memory['scalar-autograd'] / memory['micrograd']:.2f}x micrograd's memory")


def _check_settings_untouched(run: Callable[[], None]) -> None:
    before = (gc.isenabled(), gc.get_threshold(), sys.getrecursionlimit())
    run()
    after = (gc.isenabled(), gc.get_threshold(), sys.getrecursionlimit())
    assert before == after, f"an interpreter setting changed: {before} -> {after}"


if __name__ == "__main__":
    _check_settings_untouched(main)
