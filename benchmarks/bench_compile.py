"""autograd.compile against the eager engine and the hand-written float step, in one process.

    pip install -e ".[bench]"
    python benchmarks/bench_compile.py            # a few minutes; --quick for a smoke run

1. The training step of bench.py (MLP 2-16-16-1, 100 two-moons points, hinge loss + L2, SGD):
   the eager engine, the compiled step (straight-line Python, and the flat replay) and the
   float floor take turns, each on its own copy of the same starting weights. The compiled
   losses must equal the eager ones bitwise at every step.
2. What compiling costs, per node, for graphs of 1e3 to 1e6 nodes (the same loss on more points):
   tracing (one eager forward pass), generating the source, Python's compile(), the memory
   that needs at its peak and what the compiled function keeps (resident memory of a fresh
   process per graph); and the break-even number of steps, after which compiling has paid for
   itself against the eager engine.
3. A chain of ReLUs, h = relu(w · h), 1,000 to 8,000 deep: the first call's time and peak memory (a fresh
   process each), and the generated code's size. Every ReLU gate is one flat ``if``, so all three grow
   linearly with the depth (issue 26: the nested gates once grew with its square).
"""

from __future__ import annotations

import argparse
import builtins
import ctypes
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench import FloatMLP, forward, make_mlp, parameters, total, training_step

from autograd import Value, compile
from autograd.compiler import _generate, _trace, _zero_gradient_gates
from autograd.data import make_moons

SIZES = [2, 16, 16, 1]


def moons(n: int) -> tuple[list[list[float]], list[int]]:
    xs, labels = make_moons(n, noise=0.1, seed=1)
    return xs, [1 if label == 1 else -1 for label in labels]


def loss_function(mlp: Any, ys: list[int]) -> Callable[[list[list[float]]], Value]:
    """bench.py's loss, as a function of the points: the same graph, node for node, as `training_step`."""
    params = parameters(mlp)

    def loss(xs: list[list[float]]) -> Value:
        margins = [(1 + (-y) * forward(mlp, x)).relu() for x, y in zip(xs, ys)]
        return total(margins) * (1.0 / len(margins)) + 1e-4 * total([p * p for p in params])

    return loss


def compiled_step(step: Any, params: list[Value], xs: list[list[float]], lr: float) -> float:
    """`training_step`, with the compiled loss in place of the eager forward and backward."""
    for p in params:
        p.grad = 0.0
    loss = step(xs)
    for p in params:
        p.data -= lr * p.grad
    return float(loss)


# ---------------------------------------------------------------- 1. the training step


def bench_training_step(rounds: int) -> dict[str, Any]:
    xs, ys = moons(100)
    eager_mlp, compiled_mlp, flat_mlp = (make_mlp(Value, SIZES) for _ in range(3))
    floor = FloatMLP(make_mlp(Value, SIZES))
    start = time.perf_counter()
    straight = compile(loss_function(compiled_mlp, ys))
    straight(xs)  # the first call traces and compiles; its grads are thrown away below
    first_call = time.perf_counter() - start
    flat = compile(loss_function(flat_mlp, ys), max_nodes=0)
    flat(xs)
    runs: dict[str, Callable[[], float]] = {
        "eager engine": lambda: training_step(eager_mlp, xs, ys, lr=0.1).data,
        "compiled": lambda: compiled_step(straight, parameters(compiled_mlp), xs, 0.1),
        "flat replay": lambda: compiled_step(flat, parameters(flat_mlp), xs, 0.1),
        "floats by hand": lambda: floor.step(xs, ys, lr=0.1),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    losses: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):  # taking turns, so that a noisy moment hits all of them
        for name, run in runs.items():
            gc.collect()
            begin = time.perf_counter()
            losses[name].append(run())
            times[name].append(time.perf_counter() - begin)
    assert losses["compiled"] == losses["eager engine"] == losses["flat replay"], "not bitwise the eager losses"
    drift = max(abs(a - b) for a, b in zip(losses["compiled"], losses["floats by hand"]))
    assert drift < 1e-9, f"the float floor drifted from the engine by {drift:.3g}: not the same work"
    return {
        "times": times,
        "first_call": first_call,
        "nodes": straight.nodes,
        "path": straight.path,
        "final_loss": losses["compiled"][-1],
    }


# ---------------------------------------------------------------- 2. compiling, per node


def cost_of_compiling(points: int, *, straight_line: bool) -> dict[str, float]:
    """Seconds per phase, memory at the peak and kept, for the loss on `points` points: measured in a
    fresh process, whose peak resident memory (ru_maxrss) is then this graph's alone."""
    command = [sys.executable, __file__, "--measure", str(points)] + (["--straight-line"] if straight_line else [])
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.splitlines()[-1]))


def measure(points: int, straight_line: bool) -> dict[str, float]:
    """`cost_of_compiling`, inside the fresh process."""
    xs, ys = moons(points)
    mlp = make_mlp(Value, SIZES)
    fn = loss_function(mlp, ys)
    gc.collect()
    with open("/proc/self/clear_refs", "w") as clear_refs:  # Linux: start the peak (VmHWM) afresh from here
        clear_refs.write("5")
    before = resident_bytes()
    start = time.perf_counter()
    program, _ = _trace(fn, (xs,), ["xs"])
    traced = time.perf_counter()
    result: dict[str, float] = {"nodes": len(program.steps), "trace_s": traced - start}
    if straight_line:
        source, _namespace = _generate(program, "bench", _zero_gradient_gates(program))
        generated = time.perf_counter()
        code = builtins.compile(source, "<bench>", "exec")
        compiled = time.perf_counter()
        result |= {"generate_s": generated - traced, "compile_s": compiled - generated}
        del code, source
    del program
    gc.collect()
    step = compile(fn, max_nodes=10**9 if straight_line else 0)
    step(xs)
    gc.collect()
    result["peak_bytes"] = peak_resident_bytes() - before
    ctypes.CDLL("libc.so.6").malloc_trim(0)  # give freed memory back to the system, so that what is left is kept
    result["kept_bytes"] = resident_bytes() - before
    params = parameters(mlp)
    replays = []
    for _ in range(5):
        begin = time.perf_counter()
        compiled_step(step, params, xs, 0.1)
        replays.append(time.perf_counter() - begin)
    result["replay_s"] = statistics.median(replays)
    del step
    gc.collect()
    begin = time.perf_counter()
    training_step(mlp, xs, ys, lr=0.1)
    result["eager_s"] = time.perf_counter() - begin
    return result


# ---------------------------------------------------------------- 3. a deep ReLU chain


def relu_chain_cost(depth: int) -> dict[str, float]:
    """The first call of a compiled ReLU chain `depth` deep, measured in a fresh process."""
    done = subprocess.run(
        [sys.executable, __file__, "--relu-chain", str(depth)], capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout.splitlines()[-1]))


def measure_relu_chain(depth: int) -> dict[str, float]:
    """`relu_chain_cost`, inside the fresh process."""
    w = Value(0.9999, "w")  # 0.9999 ** 8000 ≈ 0.45: no underflow

    def chain(x: Value) -> Value:
        h = x
        for _ in range(depth):
            h = (w * h).relu()
        return h

    gc.collect()
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    before = resident_bytes()
    start = time.perf_counter()
    step = compile(chain)
    output = step(1.0)
    seconds = time.perf_counter() - start
    assert abs(output - 0.9999**depth) <= 1e-9 * 0.9999**depth and step.path == "straight-line Python"
    return {
        "nodes": step.nodes,
        "first_call_s": seconds,
        "peak_bytes": peak_resident_bytes() - before,
        "source_chars": len(step.source),
        "deepest_indent": max(len(line) - len(line.lstrip()) for line in step.source.splitlines()),
    }


def peak_resident_bytes() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------- report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds and smaller graphs: a smoke run")
    parser.add_argument("--largest", type=int, default=1_000_000, help="nodes of the largest graph replayed")
    parser.add_argument(
        "--largest-straight-line", type=int, default=100_000,
        help="nodes of the largest graph compiled to straight-line Python (1e6 needs about 7 GB and half a minute)",
    )  # fmt: skip
    parser.add_argument("--straight-line", dest="straight_line", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)  # one graph's cost, in a fresh process
    parser.add_argument("--relu-chain", type=int, help=argparse.SUPPRESS)  # one ReLU chain's, in a fresh process
    parser.add_argument("--only-relu-chain", action="store_true", help="run part 3 alone")
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.straight_line)))
        return
    if args.relu_chain:
        print(json.dumps(measure_relu_chain(args.relu_chain)))
        return
    if args.only_relu_chain:
        report_relu_chains()
        return
    rounds = 3 if args.quick else 30
    print(f"Python {sys.version.split()[0]}")
    print()
    print(f"1. Training step, MLP 2-16-16-1 on 100 two-moons points ({rounds} steps, taking turns, each after gc):")
    step = bench_training_step(rounds)
    times = step["times"]
    floor = times["floats by hand"]
    for name, seconds in times.items():
        ratios = [t / f for t, f in zip(seconds, floor)]
        print(
            f"   {name:15s} median {statistics.median(seconds) * 1e3:6.1f} ms   "
            f"{statistics.median(ratios):5.2f}x the float floor (first step {ratios[0]:.2f}x, best {min(ratios):.2f}x)"
        )
    print(f"   {step['nodes']:,} nodes, replayed as {step['path']}; the losses equal the eager engine's, bitwise,")
    print(f"   at every step (final {step['final_loss']:.10f}).")
    print(f"   The first call (trace + compile): {step['first_call']:.2f} s")
    eager, compiled = statistics.median(times["eager engine"]), statistics.median(times["compiled"])
    print(f"   break-even after {step['first_call'] / (eager - compiled):.0f} steps against the eager engine")
    print()

    print("2. Compiling, per node (the same loss on more points):")
    print("   nodes       path           trace  generate  compile   peak memory   kept     replay   break-even")
    points_for = {1_000: 2, 10_000: 15, 100_000: 152, 1_000_000: 1520}
    for nodes, points in points_for.items():
        if nodes > args.largest or (args.quick and nodes > 10_000):
            continue
        for straight_line in (True, False):
            if straight_line and nodes > args.largest_straight_line:
                continue
            r = cost_of_compiling(points, straight_line=straight_line)
            n = r["nodes"]
            setup = r["trace_s"] + r.get("generate_s", 0.0) + r.get("compile_s", 0.0)
            steps = setup / (r["eager_s"] - r["replay_s"]) if r["eager_s"] > r["replay_s"] else float("inf")
            phases = (
                f"{r['trace_s'] / n * 1e6:5.1f}  {r['generate_s'] / n * 1e6:6.1f}  {r['compile_s'] / n * 1e6:7.1f}"
                if straight_line
                else f"{r['trace_s'] / n * 1e6:5.1f}       —        —"
            )
            print(
                f"   {n:>9,}   {'straight-line' if straight_line else 'flat':13s} {phases} µs"
                f"  {r['peak_bytes'] / n / 1e3:6.2f} KB  {r['kept_bytes'] / n / 1e3:5.2f} KB"
                f"  {r['replay_s'] / n * 1e9:5.0f} ns   {steps:5.1f} steps"
            )
            gc.collect()
    print()
    report_relu_chains()


def report_relu_chains() -> None:
    print("3. A chain of ReLUs, compiled (first call: trace, generate, compile; a fresh process each):")
    print("   ReLUs    nodes   first call   peak memory   per node   source      deepest indent")
    for depth in (1_000, 2_000, 4_000, 8_000):
        r = relu_chain_cost(depth)
        print(
            f"   {depth:>5,}   {r['nodes']:>6,}   {r['first_call_s']:7.2f} s   {r['peak_bytes'] / 1e6:8.1f} MB"
            f"   {r['peak_bytes'] / r['nodes'] / 1e3:5.1f} KB   {r['source_chars'] / 1e6:5.2f} MB"
            f"   {r['deepest_indent']:>3} spaces"
        )


if __name__ == "__main__":
    main()
