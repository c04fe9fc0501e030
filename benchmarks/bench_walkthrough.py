"""How long the walkthrough's files take to make, and how big they are, as the graph grows.

    python benchmarks/bench_walkthrough.py           # about half a minute

1. The main job, ``python -m autograd --expr "x+x+…+x"`` with 40, 100 and 200 terms, run as
   the user runs it (a subprocess, files written): seconds, and the size of backprop.html.
2. One sample through ``MLP(2, [16, 16, 1])``: ``walkthrough(L).save_html(p, model=m,
   collapse="neuron")``, 642 steps: seconds and megabytes.
3. Whether the cost is linear in the graph's size: ``walkthrough(L).save_html(p)`` in one process
   for 100, 200 and 400 terms, time and bytes per term.

4. Big graphs (issue 23): an MLP 2-16-16-1 summed over enough samples to make 10², 10³, 10⁴ and 10⁵ boxes
   (values drawn). For each: seconds for ``draw_dot`` + the SVG (Graphviz below
   `autograd.drawing.layered.OWN_LAYOUT_ABOVE` boxes and ovals, our own layered layout above it), and
   seconds and megabytes for the whole walkthrough page, ``walkthrough(L).save_html(p, max_nodes=None)``
   (10⁵: the picture only, unless ``--page-100k``). With ``--compare-dot``, Graphviz's time on the same
   DOT text for the sizes where it answers within 120 s.

    python benchmarks/bench_walkthrough.py --big          # only part 4 (a few minutes on a quiet machine)
    python benchmarks/bench_walkthrough.py --big --browser --page-100k   # and each page opened in Chromium

With ``--browser`` (Playwright and Chromium, as the tests use them) each page is opened at 1280×800: seconds
until its first step shows, and seconds per step over five Next clicks (the page draws only the tiles of
the picture near the screen, so a step costs about as much at 10⁵ boxes as at 10⁴).

Targets (issue 11): the 200-term main job under 5 s with a page under 2 MB; the MLP
walkthrough written in under 10 s and under 10 MB. Issue 23: a 10⁴-box page written in under 10 s,
and a 10⁵-box graph drawn at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograd import Value, walkthrough
from autograd.drawing import draw_dot, layered, render_svg
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


BOX_TARGETS = (100, 1_000, 10_000, 100_000)


def mlp_over_samples(boxes: int) -> Value:
    """The squared error of an MLP 2-16-16-1 summed over as many samples as make about `boxes` values;
    below one sample, a sum x·w₁ + x·w₂ + … of about that size."""
    model = MLP(2, [16, 16, 1], seed=0)

    def samples(count: int) -> Value:
        total = (model([0.5, -1.0]) - 1.0) ** 2
        for k in range(1, count):
            total = total + (model([0.5 + 0.01 * k, -1.0]) - 1.0) ** 2
        return total

    one, two = (len(draw_dot(samples(n), max_nodes=None).grad_rows) for n in (1, 2))
    if boxes < one:
        x = Value(0.5, "x")
        return sum((x * Value(0.1 * k, f"w{k}") for k in range(max(boxes // 2, 1))), start=Value(0.0, "b"))
    return samples(1 + round((boxes - one) / (two - one)))  # the parameters are shared: each sample adds fewer


def open_in_chromium(path: Path) -> tuple[float, float]:
    """Seconds until the page shows its first step in Chromium, and seconds per step over five Next clicks."""
    from playwright.sync_api import sync_playwright

    chromium = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        started = time.perf_counter()
        page.goto(path.as_uri(), timeout=900_000)
        page.wait_for_function("document.getElementById('step-header').textContent.length > 0", timeout=900_000)
        opened = time.perf_counter() - started
        started = time.perf_counter()
        for step in range(2, 7):
            page.click("#next")
            page.wait_for_function(f"document.getElementById('slider').value === '{step}'")
        stepped = (time.perf_counter() - started) / 5
        browser.close()
    return opened, stepped


def big_graph(boxes: int, folder: Path, *, page: bool, compare_dot: bool, browser: bool = False) -> dict[str, float]:
    """Seconds to draw (draw_dot + SVG) and to write the page, for a graph of about `boxes` values: wall-clock
    and this process's CPU time (on a loaded machine the CPU time is what a quiet one would take)."""
    loss = mlp_over_samples(boxes)
    row: dict[str, float] = {}
    started, cpu = time.perf_counter(), time.process_time()
    dot = draw_dot(loss, max_nodes=None)
    svg = render_svg(dot)
    row["boxes"] = len(dot.grad_rows)
    row["drawn_s"] = time.perf_counter() - started
    row["drawn_cpu"] = time.process_time() - cpu
    row["own_layout"] = float(layered.is_big(dot.source))
    row["svg_mb"] = len(svg) / 1e6
    if page:
        started, cpu = time.perf_counter(), time.process_time()
        path = walkthrough(loss).save_html(folder / "big.html", max_nodes=None)
        row["page_s"] = time.perf_counter() - started
        row["page_cpu"] = time.process_time() - cpu
        row["page_mb"] = path.stat().st_size / 1e6
        if browser:
            row["open_s"], row["step_s"] = open_in_chromium(path)
    if compare_dot and row["own_layout"]:  # Graphviz on the same DOT text, given at most 120 s
        started = time.perf_counter()
        try:
            subprocess.run(["dot", "-Tsvg", "-o", os.devnull], input=dot.source, text=True, check=True, timeout=120)
            row["graphviz_s"] = time.perf_counter() - started
        except subprocess.TimeoutExpired:
            row["graphviz_s"] = float("inf")
    return row


def big(page_100k: bool, compare_dot: bool, browser: bool = False) -> None:
    print(f"own layout above {layered.OWN_LAYOUT_ABOVE} boxes and ovals "
          f"({layered.OWN_LAYOUT_ABOVE_WITH_CLUSTERS} with clusters)")  # fmt: skip
    print("seconds: wall-clock / CPU of this process (Graphviz: wall-clock, `dot` in a subprocess)")
    print(" boxes    layout   draw (s)         SVG (MB)  page (s)           page (MB)  Graphviz (s)")
    with tempfile.TemporaryDirectory() as name:
        for target in BOX_TARGETS:
            row = big_graph(
                target, Path(name), page=target < 100_000 or page_100k, compare_dot=compare_dot, browser=browser
            )
            page = (
                f"{row['page_s']:7.2f} / {row['page_cpu']:6.2f}  {row['page_mb']:9.1f}"
                if "page_s" in row
                else f"{'—':>16}  {'—':>9}"
            )
            graphviz = f"{row['graphviz_s']:12.2f}" if "graphviz_s" in row else f"{'—':>12}"
            graphviz = f"{'> 120':>12}" if row.get("graphviz_s") == float("inf") else graphviz
            layout = "own" if row["own_layout"] else "Graphviz"
            drawn = f"{row['drawn_s']:7.2f} / {row['drawn_cpu']:6.2f}"
            opened = f"  Chromium: opens {row['open_s']:.1f} s, {row['step_s']:.2f} s a step" if "open_s" in row else ""
            print(f"{row['boxes']:6.0f}  {layout:>8}  {drawn}  {row['svg_mb']:8.1f}  {page}  {graphviz}{opened}")


def main() -> None:
    if "--big" in sys.argv:
        big("--page-100k" in sys.argv, "--compare-dot" in sys.argv, "--browser" in sys.argv)
        return
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
    big("--page-100k" in sys.argv, "--compare-dot" in sys.argv)


if __name__ == "__main__":
    main()
