"""How long the walkthrough's files take to make, and how big they are, as the graph grows.

    python benchmarks/bench_walkthrough.py           # about half a minute

1. The main job, ``python -m autograd --expr "x+x+…+x"`` with 40, 100 and 200 terms, run as
   the user runs it (a subprocess, files written): seconds, and the size of backprop.html.
2. One sample through ``MLP(2, [16, 16, 1])``: ``walkthrough(L).save_html(p, model=m,
   collapse="neuron")``, 642 steps: seconds and megabytes.
3. Whether the cost is linear in the graph's size: ``walkthrough(L).save_html(p)`` in one process
   for 100, 200 and 400 terms, time and bytes per term.

Targets (issue 11): the 200-term main job under 5 s with a page under 2 MB; the MLP
walkthrough written in under 10 s and under 10 MB.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograd import walkthrough
from autograd.expression import build_expression
from autograd.nn import MLP

TERMS = (40, 100, 200)


def main_job(terms: int, folder: Path) -> tuple[float, int]:
    """Seconds for the main job on x+x+…+x (median of 3), and the size of its backprop.html in bytes."""
    formula = "+".join(["x"] * terms)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "autograd", "--expr", formula, "--set", "x=1", "--out", str(folder)],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - started)
    return sorted(times)[1], (folder / "backprop.html").stat().st_size


def player_per_term(terms: int, folder: Path) -> tuple[float, float]:
    """Seconds and bytes per term of ``walkthrough(L).save_html`` for x+x+…+x (median of 3), in this process."""
    times, size = [], 0
    for _ in range(3):
        loss, _ = build_expression("+".join(["x"] * terms), {"x": 1.0})
        started = time.perf_counter()
        size = walkthrough(loss).save_html(folder / "sum.html").stat().st_size
        times.append(time.perf_counter() - started)
    return sorted(times)[1] / terms, size / terms


def mlp_player(folder: Path) -> tuple[int, float, int]:
    """Steps, seconds and bytes of the one-sample MLP 2-16-16-1 player, folded by neuron."""
    model = MLP(2, [16, 16, 1], seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    started = time.perf_counter()
    wt = walkthrough(loss)
    path = wt.save_html(folder / "mlp.html", model=model, collapse="neuron")
    return len(wt), time.perf_counter() - started, path.stat().st_size


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        results = {terms: main_job(terms, folder) for terms in TERMS}
        for terms, (seconds, size) in results.items():
            print(f"main job, x+x+…+x with {terms:3d} terms: {seconds:5.2f} s, backprop.html {size / 1e6:5.2f} MB")
        per_term = {terms: player_per_term(terms, folder) for terms in (100, 200, 400)}
        for terms, (seconds, size) in per_term.items():
            print(f"save_html, {terms:3d} terms: {seconds * 1e3:.2f} ms and {size / 1e3:.2f} kB per term")
        print(
            f"  400 terms against 100, per term: time {per_term[400][0] / per_term[100][0]:.2f}, "
            f"bytes {per_term[400][1] / per_term[100][1]:.2f} (1 = linear)"
        )
        steps, seconds, size = mlp_player(folder)
        print(f"MLP 2-16-16-1, one sample, {steps} steps, collapse='neuron': {seconds:.2f} s, {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
