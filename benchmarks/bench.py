"""scalar-autograd against micrograd, side by side in one process, on the same work.

    pip install -e ".[bench]"
    python benchmarks/bench.py            # about a minute; --quick for a smoke run

1. One full-batch training step of an MLP 2-16-16-1 (ReLU hidden, linear out) on
   100 two-moons points: SVM max-margin loss relu(1 − y·score) averaged,
   + 1e-4·Σp², backward, SGD update. The network is written once, with Value
   ops only, and run on each engine's Value class, so both build the same graph.
2. backward() through chains of 1e3, 1e5 and 1e6 nodes.
3. Bytes per node (tracemalloc) of a chain v = v * c.

Machines are noisy, so the engines take turns and the figures that matter are
the ratios. Time spent in the garbage collector is measured with gc.callbacks,
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

ENGINES: dict[str, Any] = {"scalar-autograd": OurValue, "micrograd": MicrogradValue}


# ---------------------------------------------------------------- measuring garbage-collector time


class GCTimer:
    """Total seconds spent inside garbage collections, observed through gc.callbacks."""

    def __init__(self) -> None:
        self.total = 0.0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._start

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


def bench_training_step(rounds: int, steps_per_round: int = 3) -> dict[str, dict[str, float]]:
    """Each round, each engine trains for a few steps in a row, as in a real training loop.

    Before an engine's turn the heap is cleaned (untimed), so neither engine's garbage
    is collected on the other's clock; within its turn an engine pays for its own.
    """
    xs, labels = make_moons(100, noise=0.1, seed=1)
    ys = [1 if label == 1 else -1 for label in labels]
    models = {name: make_mlp(V, [2, 16, 16, 1]) for name, V in ENGINES.items()}
    times: dict[str, list[float]] = {name: [] for name in ENGINES}
    gc_times: dict[str, list[float]] = {name: [] for name in ENGINES}
    losses: dict[str, float] = {}
    for _ in range(rounds):  # the engines take turns, so a noisy moment hits both
        for name, mlp in models.items():
            gc.collect()
            loss: Any = None
            for _ in range(steps_per_round):
                with GCTimer() as gc_timer:
                    start = time.perf_counter()
                    loss = training_step(mlp, xs, ys, lr=0.1)  # the last step's graph lives on, as in a loop
                    times[name].append(time.perf_counter() - start)
                gc_times[name].append(gc_timer.total)
            losses[name] = loss.data
            del loss
    results = {}
    for name in ENGINES:
        results[name] = {
            "median_s": statistics.median(times[name]),
            "min_s": min(times[name]),
            "gc_share": statistics.median(g / t for g, t in zip(gc_times[name], times[name])),
            "final_loss": losses[name],
        }
    return results


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
            start = time.perf_counter()
            training_step(mlp, xs, ys, lr=0.1)
            times.append(time.perf_counter() - start)
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
        start = time.perf_counter()
        root.backward()
        return time.perf_counter() - start
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
    rounds = 2 if args.quick else 8
    sizes = [1_000, 10_000] if args.quick else [1_000, 100_000, 1_000_000]

    python = sys.version.split()[0]
    print(f"Python {python}, recursion limit {sys.getrecursionlimit()}, gc thresholds {gc.get_threshold()}")
    print()
    print(f"1. Training step, MLP 2-16-16-1 on 100 two-moons points (median of {rounds * 3} steps):")
    step = bench_training_step(rounds)
    for name, r in step.items():
        print(
            f"   {name:16s} {r['median_s'] * 1e3:8.1f} ms  (min {r['min_s'] * 1e3:.1f} ms, "
            f"{r['gc_share']:.0%} of it in the garbage collector, loss {r['final_loss']:.4f})"
        )
    ratio = step["micrograd"]["median_s"] / step["scalar-autograd"]["median_s"]
    print(f"   scalar-autograd takes 1/{ratio:.1f} of micrograd's time per step")
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
    print(f"   scalar-autograd time per node, largest chain / middle one: {ours[-1] / ours[-2]:.2f} (1.00 = linear)")
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
