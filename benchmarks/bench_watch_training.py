"""How long "watch it learn" takes: the training player, a loss landscape, an initialisation study.

    python benchmarks/bench_watch_training.py        # about half a minute

Each row is the best of three runs in this one process, in seconds, with the size of what was written:

1. ``watch_training`` of the worked example, 20 steps, then ``save_html`` (one Graphviz layout).
2. ``watch_training`` of ``MLP(2, [4, 3, 1])``, 16 samples, then ``save_html`` (drawn one box per neuron).
3. ``loss_landscape`` of the worked example's neuron on a 41 × 41 grid, then SGD, momentum and Adam, 60 steps each.
4. ``compare_initialisations``: ``MLP(2, [10, 10, 10, 1])``, 3 scales, 24 samples, 10 steps each.

What it is for: notebook 08 runs all of these; they should stay a few seconds each, so that the notebook runs in
well under a minute in CI. The figures depend on the machine: compare rows, not machines.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from autograd import Value, data
from autograd.nn import MLP, mse_loss
from autograd.optim import SGD
from autograd.teaching import compare_initialisations, loss_landscape, watch_training


def best_of(runs: int, job: Callable[[], str]) -> tuple[float, str]:
    """The shortest of `runs` timings of `job`, and what its last run says about its output."""
    times, said = [], ""
    for _ in range(runs):
        started = time.perf_counter()
        said = job()
        times.append(time.perf_counter() - started)
    return min(times), said


def worked_example_player(folder: Path) -> str:
    w, x, b, y = Value(0.5, "w"), Value(1.5, "x"), Value(0.1, "b"), Value(1.0, "y")
    run = watch_training(lambda: 0.5 * ((w * x + b).sigmoid() - y) ** 2, SGD([w, b], lr=0.5), steps=20)
    page = run.save_html(folder / "worked.html")
    return f"{page.stat().st_size / 1024:.0f} kB page"


def mlp_player(folder: Path) -> str:
    points, labels = data.make_moons(16, noise=0.1, seed=1)
    samples = [(point, 2.0 * label - 1) for point, label in zip(points, labels)]
    model = MLP(2, [4, 3, 1], seed=0)
    run = watch_training(
        lambda s: mse_loss(model(s[0]), s[1]), SGD(model.parameters(), lr=0.05), 16, samples=samples, model=model
    )
    page = run.save_html(folder / "mlp.html")
    return f"{page.stat().st_size / 1024:.0f} kB page"


def landscape() -> str:
    w, x, b, y = Value(0.5, "w"), Value(1.5, "x"), Value(0.1, "b"), Value(0.8, "y")
    land = loss_landscape(lambda: 0.5 * ((w * x + b).sigmoid() - y) ** 2, along=(w, b), span=2.0, resolution=41)
    paths = land.paths(lr=1.0, steps=60)
    return f"{41 * 41} grid points, {sum(len(p.points) for p in paths)} path points"


def initialisation() -> str:
    points, labels = data.make_moons(24, noise=0.1, seed=0)
    study = compare_initialisations(
        lambda: MLP(2, [10, 10, 10, 1], seed=0),
        {"small": 0.05, "large": 2.0, "Xavier": "xavier"},
        inputs=points,
        targets=[2.0 * label - 1 for label in labels],
        steps=10,
        lr=0.05,
    )
    return f"{len(study)} scales"


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        rows = [
            ("worked example, 20 steps + page", lambda: worked_example_player(folder)),
            ("MLP(2, [4, 3, 1]), 16 samples + page", lambda: mlp_player(folder)),
            ("landscape 41×41 + 3 paths × 60 steps", landscape),
            ("initial scales: 3 × 10 steps, 24 samples", initialisation),
        ]
        print("python benchmarks/bench_watch_training.py  (best of 3, seconds)")
        print(f"{'job':<44}{'seconds':>9}  output")
        for label, job in rows:
            seconds, said = best_of(3, job)
            print(f"{label:<44}{seconds:>9.2f}  {said}")


if __name__ == "__main__":
    main()
