"""The textbook engine against the engine it replaced, and against micrograd, taking turns in one process.

    python benchmarks/bench_engine.py                 # the engine of this tree against 363fadb's
    python benchmarks/bench_engine.py --before REV    # against another commit's autograd/engine.py
    python benchmarks/bench_engine.py --quick         # a smoke run

The engine before is read with ``git show REV:autograd/engine.py`` and loaded as a module of its own
(it needs nothing but the standard library), so both engines build the same graphs in one process.
Times are this process's CPU time and the machine may be busy: the ratios are the figures that matter.

1. One training step of `benchmarks/bench.py` (MLP 2-16-16-1, 100 two-moons points), and its loss:
   both engines, micrograd, and `autograd.compile` of the same step (on the textbook engine).
2. backward() on a graph a second time, against the first time (the MLP step's graph; a 1e6 chain).
3. backward() through chains of 1e4, 1e5, 1e6 nodes: time per node (linear = the same per node).
4. Bytes per node of a chain v = v * c (tracemalloc).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import bytes_per_node, chain, make_mlp, parameters, training_step
from bench_compile import compiled_step, loss_function

from autograd import Value as NewValue
from autograd import compile as compile_step
from autograd.data import make_moons

_clock = time.process_time


def old_engine(rev: str) -> types.ModuleType:
    """`autograd/engine.py` as it was at `rev`, loaded as the module `engine_before`."""
    root = Path(__file__).resolve().parent.parent
    source = subprocess.run(
        ["git", "show", f"{rev}:autograd/engine.py"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    spec = importlib.util.spec_from_loader("engine_before", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["engine_before"] = module
    exec(compile(source, f"{rev}:autograd/engine.py", "exec"), module.__dict__)  # a benchmark loading old code
    return module


def in_turns(runs: dict[str, Any], rounds: int) -> dict[str, float]:
    """Median CPU seconds of each run, the runs taking turns, each after gc.collect()."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            gc.collect()
            start = _clock()
            run()
            times[name].append(_clock() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default="363fadb", help="the commit whose engine.py to compare with")
    parser.add_argument("--quick", action="store_true", help="fewer rounds and shorter chains")
    args = parser.parse_args(argv)
    from micrograd.engine import Value as MicrogradValue  # type: ignore[import-untyped]

    engines: dict[str, Any] = {
        "before": old_engine(args.before).Value,
        "textbook": NewValue,
        "micrograd": MicrogradValue,
    }
    rounds = 3 if args.quick else 15
    print(f"Python {sys.version.split()[0]}; 'before' is {args.before}:autograd/engine.py, 'textbook' this tree's")
    print()

    xs, labels = make_moons(100, noise=0.1, seed=1)
    ys = [1 if label == 1 else -1 for label in labels]
    models = {name: make_mlp(V, [2, 16, 16, 1]) for name, V in engines.items()}
    losses: dict[str, float] = {}

    def step(name: str) -> Any:
        return lambda: losses.__setitem__(name, training_step(models[name], xs, ys, lr=0.1).data)

    runs = {name: step(name) for name in engines}
    compiled_mlp = make_mlp(NewValue, [2, 16, 16, 1])
    compiled = compile_step(loss_function(compiled_mlp, ys))
    compiled(xs)  # the first call traces and compiles; compiled_step zeroes its grads before each step
    runs["compiled"] = lambda: losses.__setitem__(
        "compiled", compiled_step(compiled, parameters(compiled_mlp), xs, 0.1)
    )
    step_times = in_turns(runs, rounds)
    print(f"1. Training step (median of {rounds}, engines taking turns):")
    for name, t in step_times.items():
        print(f"   {name:10s} {t * 1e3:8.1f} ms   loss after the last step {losses[name]!r}")
    print(
        f"   textbook / before: {step_times['textbook'] / step_times['before']:.2f}x the time;  "
        f"micrograd / textbook: {step_times['micrograd'] / step_times['textbook']:.1f}x;  "
        f"textbook / compiled: {step_times['textbook'] / step_times['compiled']:.1f}x"
    )
    print()

    print("2. backward() a second time on the same graph, against the first time:")
    n_chain = 100_000 if args.quick else 1_000_000
    for name in ("before", "textbook"):
        V = engines[name]
        for what, build in (
            ("MLP step graph", lambda V=V: _mlp_loss(V, xs, ys)),
            (f"chain of {n_chain:,}", lambda V=V: chain(V, n_chain)),
        ):
            firsts, seconds = [], []
            for _ in range(max(1, rounds // 5)):
                root = build()
                gc.collect()
                start = _clock()
                root.backward()
                middle = _clock()
                root.backward()
                seconds.append(_clock() - middle)
                firsts.append(middle - start)
                del root
            first, second = statistics.median(firsts), statistics.median(seconds)
            print(
                f"   {name:10s} {what:20s} first {first * 1e3:8.1f} ms, second {second * 1e3:8.1f} ms "
                f"({second / first:.2f}x)"
            )
    print()

    print("3. backward() through a chain of v * c, time per node:")
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    for name in ("before", "textbook"):
        V = engines[name]
        per_node = []
        for n in sizes:
            root = chain(V, n)
            gc.collect()
            start = _clock()
            root.backward()
            per_node.append((_clock() - start) / n)
            del root
        cells = "  ".join(f"{n:>9,}: {t * 1e9:5.0f} ns" for n, t in zip(sizes, per_node))
        print(f"   {name:10s} {cells}   largest/smallest {per_node[-1] / per_node[0]:.2f} (1.00 = linear)")
    print()

    print("4. Memory of a chain v = v * c (tracemalloc):")
    for name, V in engines.items():
        print(f"   {name:10s} {bytes_per_node(V):6.0f} bytes per node")


def _mlp_loss(V: Any, xs: list[list[float]], ys: list[int]) -> Any:
    """The training step's loss graph, without its backward and update."""
    from bench import forward, parameters, total

    mlp = make_mlp(V, [2, 16, 16, 1])
    margins = [(1 + (-y) * forward(mlp, x)).relu() for x, y in zip(xs, ys)]
    return total(margins) * (1.0 / len(margins)) + 1e-4 * total([p * p for p in parameters(mlp)])


if __name__ == "__main__":
    main()
