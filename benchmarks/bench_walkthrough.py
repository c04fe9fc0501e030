"""How long the walkthrough's files take to make, and how big they are, as the graph grows.

    python benchmarks/bench_walkthrough.py           # about half a minute

1. The main job, ``python -m autograd --expr "x+x+…+x"`` with 40, 100 and 200 terms, run as
   the user runs it (a subprocess, files written): seconds, and the size of backprop.html.
2. One sample through ``MLP(2, [16, 16, 1])``: ``walkthrough(L).save_html(p, model=m,
   collapse="neuron")``, 642 steps: seconds and megabytes.
3. Whether the cost is linear in the graph's size: time per term at 200 terms against 100.

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
        startup, _ = main_job(1, folder)
        per_term = {terms: (results[terms][0] - startup) / terms for terms in (100, 200)}
        print(f"  (Python and the import alone: {startup:.2f} s)")
        print(
            f"  time per term beyond start-up, 200 terms against 100: {per_term[200] / per_term[100]:.2f} (1 = linear)"
        )
        size_ratio = (results[200][1] / 200) / (results[100][1] / 100)
        print(f"  bytes per term, 200 terms against 100: {size_ratio:.2f} (1 = linear)")
        steps, seconds, size = mlp_player(folder)
        print(f"MLP 2-16-16-1, one sample, {steps} steps, collapse='neuron': {seconds:.2f} s, {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
