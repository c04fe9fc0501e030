"""What the training doctor costs: backward() with and without its watch, and a step with a Monitor.

    python benchmarks/bench_doctor.py            # about a minute; --quick for a smoke run

1. One full-batch training step of an MLP 2-16-16-1 (ReLU hidden, linear out) on 100 two-moons points:
   hinge loss, zero_grad, backward, SGD step; with ``Value.backward`` as the engine defines it (the
   doctor's wrapper taken off for the turn), with the wrapper (the default), and with the wrapper and a
   ``Monitor.record`` per step (which walks the graph to find dead or saturated units; ``units=False``
   reads only gradients and the optimiser's next step).
2. backward() of the worked example (z = wx + b, a = σ(z), L = ½(a − y)²: 7 nodes), where the wrapper's
   fixed cost per call weighs most; with only its own optimiser alive, and with another one holding
   1,000 parameters (the wrapper reads every live optimiser's gradients before and after each call).

The variants take turns in one process, times are this process's CPU time, and the figures that matter
are the ratios (the machine may be loaded).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from autograd import Value, data, doctor, nn, optim

_clock = time.process_time
WATCHED = Value.backward
UNWATCHED = Value.backward.__wrapped__  # type: ignore[attr-defined]


def mlp_step_runner(monitored: bool, units: bool = True) -> Callable[[], None]:
    X, labels = data.make_moons(100, noise=0.1, seed=1)
    Y = [2 * label - 1 for label in labels]
    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
    optimizer = optim.SGD(model.parameters(), lr=0.05)
    monitor = doctor.Monitor(model, optimizer, units=units) if monitored else None

    def step() -> None:
        loss = nn.hinge_loss([model(x) for x in X], Y)
        optimizer.zero_grad()
        loss.backward()
        if monitor is not None:
            monitor.record(loss)
        optimizer.step()

    return step


def worked_example_runner(repeats: int, other_parameters: int) -> tuple[Callable[[], None], list[optim.SGD]]:
    """The worked example's backward(), `repeats` times, with its optimiser and another holding
    `other_parameters` more (the wrapper reads every live optimiser's gradients around each call)."""
    w, x, b, y = Value(0.5, "w"), Value(1.0, "x"), Value(0.0, "b"), Value(1.0, "y")
    optimizers = [optim.SGD([w, b], lr=0.1)]
    if other_parameters:
        optimizers.append(optim.SGD([Value(0.1) for _ in range(other_parameters)], lr=0.1))
    L = 0.5 * ((w * x + b).sigmoid() - y) ** 2

    def run() -> None:
        for _ in range(repeats):
            L.backward()

    return run, optimizers  # the caller keeps the optimisers alive


def timed(run: Callable[[], None], backward: Callable[[Value], None]) -> float:
    Value.backward = backward  # type: ignore[method-assign]
    try:
        start = _clock()
        run()
        return _clock() - start
    finally:
        Value.backward = WATCHED  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few rounds only, to check that it runs")
    arguments = parser.parse_args(argv)
    rounds = 3 if arguments.quick else 15
    repeats = 2_000 if arguments.quick else 20_000

    plain, monitored, light = mlp_step_runner(False), mlp_step_runner(True), mlp_step_runner(True, units=False)
    step_variants: dict[str, tuple[Callable[[], None], Callable[[Value], None]]] = {
        "MLP step, backward() unwatched": (plain, UNWATCHED),
        "MLP step, backward() watched (default)": (plain, WATCHED),
        "MLP step, watched + Monitor.record": (monitored, WATCHED),
        "MLP step, watched + Monitor(units=False).record": (light, WATCHED),
    }
    command = "python benchmarks/bench_doctor.py" + (" --quick" if arguments.quick else "")
    print(f"{command}: median CPU time of {rounds} rounds, the variants taking turns")
    print(f"{'variant':<56} {'time':>10} {'ratio':>7}")
    report(step_variants, rounds, unit="ms", scale=1000)
    del plain, monitored, light, step_variants  # their optimisers would be read around every backward() below

    for other in (0, 1000):
        run, optimizers = worked_example_runner(repeats, other)
        report(
            {
                f"worked example backward(), {2 + other} parameters watched: off": (run, UNWATCHED),
                f"worked example backward(), {2 + other} parameters watched: on": (run, WATCHED),
            },
            rounds,
            unit="µs",
            scale=1e6 / repeats,
        )
        del optimizers


def report(
    variants: dict[str, tuple[Callable[[], None], Callable[[Value], None]]], rounds: int, unit: str, scale: float
) -> None:
    """Time the variants taking turns; print each one's median and its ratio to the first."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):  # taking turns: load on the machine hits every variant alike
        for name, (run, backward) in variants.items():
            times[name].append(timed(run, backward))
    median = {name: statistics.median(values) for name, values in times.items()}
    first = next(iter(variants))
    for name in variants:
        print(f"{name:<56} {scale * median[name]:>7.1f} {unit:<2} {median[name] / median[first]:>7.3f}")


if __name__ == "__main__":
    main()
