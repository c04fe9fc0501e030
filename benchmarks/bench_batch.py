"""autograd.batch against the float floor, hand-written NumPy and eager, on bench.py's training step.

    pip install -e ".[dev,batch]"
    python benchmarks/bench_batch.py            # a few minutes; --quick for a smoke run, --eager for eager at 10,000

The step is bench.py's: an MLP 2-16-16-1 (ReLU hidden, linear out), the SVM max-margin loss
relu(1 − y·score) averaged over two-moons points, + 1e-4·Σp², backward, SGD update. Four ways:

* **batch**: the loss of ONE sample written with Values (bench.py's `forward`), replayed over all the
  points by `autograd.batch`; the update as bench.py's `training_step` does it;
* **floor**: bench.py's `FloatMLP`, the same step written by hand in plain floats (the ratio's denominator);
* **NumPy by hand**: the same step written with matrices, as a person would (`NumpyMLP` below);
* **eager** (``--eager``, slow): bench.py's `training_step`, with the cyclic garbage collector as it is, and
  paused around the step (``gc.disable()`` then ``gc.enable()``, measured here, never done by the library).

They take turns in one process, on one thread (NumPy's BLAS is limited to one, as the floor has); times are
CPU time (medians); the figures that matter are the ratios.
Then: the batch path's loss curve against the floor's over 20 steps at 10,000 points (the floor reaches
eager's loss to 1e-9, which bench.py asserts), and peak memory of one batch step (tracemalloc, in a
fresh process) at 10,000 and 100,000 points.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

# One thread, as the float floor runs: NumPy's matrix products would otherwise spread over every core, and on a
# shared machine the waiting threads' CPU time would be counted too. (Set these variables yourself to compare.)
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import FloatMLP, GCTimer, _clock, forward, make_mlp, parameters, total  # noqa: E402

from autograd import Value, batch  # noqa: E402
from autograd.data import make_moons  # noqa: E402

SIZES = [2, 16, 16, 1]
LR = 0.1


def moons(n: int) -> tuple[list[list[float]], list[int]]:
    xs, labels = make_moons(n, noise=0.1, seed=1)
    return xs, [1 if label == 1 else -1 for label in labels]


class BatchStep:
    """bench.py's training step, with the loss written for one sample and replayed by autograd.batch."""

    def __init__(self) -> None:
        self.mlp = make_mlp(Value, SIZES)
        self.params = parameters(self.mlp)

        def sample_loss(x: list[Value], y: Value) -> Value:
            margin = (1 + (-y) * forward(self.mlp, x)).relu()
            return margin + 1e-4 * total([p * p for p in self.params])

        self.loss = batch(sample_loss)

    def step(self, xs: Any, ys: Any, lr: float) -> float:
        for p in self.params:
            p.grad = 0.0
        loss = self.loss(xs, ys)
        for p in self.params:
            p.data -= lr * p.grad
        return loss


class NumpyMLP:
    """The same step written by hand with NumPy matrices: what the replay is measured against."""

    def __init__(self, mlp: list[list[tuple[list[Any], Any]]]) -> None:
        self.weights = [np.array([[w.data for w in ws] for ws, _ in layer]) for layer in mlp]
        self.biases = [np.array([b.data for _, b in layer]) for layer in mlp]

    def step(self, xs: Any, ys: Any, lr: float) -> float:
        count, depth = len(xs), len(self.weights)
        inputs, sums = [], []
        h = xs
        for d, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = h @ w.T + b
            inputs.append(h)
            sums.append(z)
            h = np.maximum(z, 0.0) if d < depth - 1 else z
        margin = 1.0 - ys * h[:, 0]
        squares = sum(float((w * w).sum() + (b * b).sum()) for w, b in zip(self.weights, self.biases))
        loss = float(np.maximum(margin, 0.0).mean()) + 1e-4 * squares
        upstream = np.where(margin > 0.0, -ys / count, 0.0)[:, None]
        for d in range(depth - 1, -1, -1):
            if d < depth - 1:
                upstream = upstream * (sums[d] > 0.0)
            grad_w, grad_b = upstream.T @ inputs[d], upstream.sum(axis=0)
            if d:
                upstream = upstream @ self.weights[d]
            self.weights[d] -= lr * (grad_w + 2e-4 * self.weights[d])
            self.biases[d] -= lr * (grad_b + 2e-4 * self.biases[d])
        return loss


def eager_step(mlp: Any, xs: list[list[float]], ys: list[int], lr: float, paused: bool) -> tuple[float, float, int]:
    """bench.py's eager step: CPU seconds, seconds inside the collector, full collections (generation 2)."""
    from bench import training_step

    full = [0]

    def count_full(phase: str, info: dict[str, int]) -> None:
        full[0] += phase == "start" and info["generation"] == 2

    gc.collect()
    gc.callbacks.append(count_full)
    try:
        with GCTimer() as gc_timer:
            if paused:
                gc.disable()
            try:
                start = _clock()
                training_step(mlp, xs, ys, lr)
                seconds = _clock() - start
            finally:
                gc.enable()
    finally:
        gc.callbacks.remove(count_full)
    return seconds, gc_timer.total, full[0]


def median_times(runs: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):  # taking turns, so a noisy moment hits all of them
        for name, run in runs.items():
            gc.collect()
            start = _clock()
            run()
            times[name].append(_clock() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def step_times(n: int, rounds: int) -> dict[str, float]:
    """Median seconds of one step at n points: the batch replay, the float floor and NumPy by hand, taking turns."""
    xs, ys = moons(n)
    x_array, y_array = np.array(xs), np.array(ys, dtype=float)
    replayed, floor = BatchStep(), FloatMLP(make_mlp(Value, SIZES))
    by_hand = NumpyMLP(make_mlp(Value, SIZES))
    replayed.step(x_array, y_array, 0.0)  # traced and compiled once, before timing
    runs = {
        "batch": lambda: replayed.step(x_array, y_array, LR),
        "floor": lambda: floor.step(xs, ys, LR),
        "numpy": lambda: by_hand.step(x_array, y_array, LR),
    }
    return median_times(runs, rounds)


def speed(sizes: list[int], rounds_at: Callable[[int], int]) -> None:
    print("1. One training step (median CPU time; ratio to the float floor of bench.py)")
    print(f"   {'points':>8}  {'batch':>10}  {'floor':>10}  {'NumPy':>10}  {'batch/floor':>11}  {'batch/NumPy':>11}")
    per_point: dict[int, float] = {}
    for n in sizes:
        t = step_times(n, rounds_at(n))
        per_point[n] = t["batch"] / n
        print(
            f"   {n:>8,}  {t['batch'] * 1e3:8.2f}ms  {t['floor'] * 1e3:8.1f}ms  {t['numpy'] * 1e3:8.2f}ms  "
            f"{t['batch'] / t['floor']:10.3f}x  {t['batch'] / t['numpy']:10.2f}x"
        )
    if len(sizes) > 2:
        small, large = sizes[1], sizes[-1]
        print(f"   batch time per point, {large:,} against {small:,} points: {per_point[large] / per_point[small]:.2f}")
    print()


def eager(sizes: list[int]) -> None:
    print("2. Eager (bench.py's training_step), one step each, against the float floor")
    print(f"   {'points':>8}  {'eager':>9}  {'GC paused':>9}  {'in GC':>6}  {'full GCs':>8}  {'floor':>8}")
    for n in sizes:
        xs, ys = moons(n)
        floor = FloatMLP(make_mlp(Value, SIZES))
        start = _clock()
        floor.step(xs, ys, LR)
        floor_s = _clock() - start
        seconds, in_gc, full = eager_step(make_mlp(Value, SIZES), xs, ys, LR, paused=False)
        paused, _, _ = eager_step(make_mlp(Value, SIZES), xs, ys, LR, paused=True)
        print(
            f"   {n:>8,}  {seconds / floor_s:8.1f}x  {paused / floor_s:8.1f}x  {in_gc / seconds:6.0%}  {full:>8}  "
            f"{floor_s * 1e3:6.0f}ms"
        )
    print()


def loss_curve(n: int, steps: int) -> None:
    xs, ys = moons(n)
    replayed, floor = BatchStep(), FloatMLP(make_mlp(Value, SIZES), skip_inactive=False)
    x_array, y_array = np.array(xs), np.array(ys, dtype=float)
    ours = [replayed.step(x_array, y_array, LR) for _ in range(steps)]
    theirs = [floor.step(xs, ys, LR) for _ in range(steps)]
    drift = max(abs(a - b) for a, b in zip(ours, theirs))
    print(f"3. Loss curve, {steps} SGD steps on {n:,} points: {ours[0]:.6f} → {ours[-1]:.6f}")
    print(f"   largest difference from the float floor's curve: {drift:.1e} (required < 1e-9)")
    assert drift < 1e-9, f"the batch replay's loss curve left the floor's by {drift:.3g}"
    print()


def peak_memory(n: int) -> tuple[float, float]:
    """Peak traced memory of one batch step at n points, and the inputs' size, in MB (run in a fresh process)."""
    xs, ys = moons(n)
    replayed = BatchStep()
    x_array, y_array = np.array(xs), np.array(ys, dtype=float)
    replayed.step(x_array[:1], y_array[:1], 0.0)  # trace on one point, so that the trace is not counted
    tracemalloc.start()
    replayed.step(x_array, y_array, LR)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6, (x_array.nbytes + y_array.nbytes) / 1e6


def memory(sizes: list[int]) -> None:
    print("4. Peak memory of one batch step (tracemalloc, each in a fresh process)")
    for n in sizes:
        result = subprocess.run(
            [sys.executable, __file__, "--memory-of", str(n)], capture_output=True, text=True, check=True
        )
        peak, inputs = (float(part) for part in result.stdout.split())
        floats = peak * 1e6 / n / 8
        print(f"   {n:>8,} points: {peak:8.1f} MB at the peak ({floats:5.0f} floats per point), inputs {inputs:.1f} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds and sizes: a smoke run")
    parser.add_argument("--eager", action="store_true", help="also eager at 100, 1,000 and 10,000 points (slow)")
    parser.add_argument("--memory-of", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_of:
        print(*peak_memory(args.memory_of))
        return
    print(f"Python {sys.version.split()[0]}, NumPy {np.__version__}")
    print()
    if args.quick:
        speed([100, 1_000], lambda n: 3)
    else:
        speed([100, 1_000, 10_000, 100_000], lambda n: {100: 30, 1_000: 15, 10_000: 7}.get(n, 3))
    if args.eager:
        eager([100, 1_000, 10_000])
    loss_curve(1_000 if args.quick else 10_000, 20)
    memory([10_000] if args.quick else [10_000, 100_000])


if __name__ == "__main__":
    main()
