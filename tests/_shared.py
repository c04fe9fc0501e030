"""Graphs the tests share: the seed document's neuron, and a stand-in for an nn model."""

import os
import shutil
from typing import NamedTuple

import pytest

from autograd import Value


def require_dot_program() -> None:
    """Tests of Graphviz's `dot` program run wherever it is installed: skipped without it, failed in CI."""
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail(
                "CI must test rendering with Graphviz's `dot` program, but it is not on PATH (.ci/run installs it)"
            )
        pytest.skip("no Graphviz `dot` program here (Debian: apt-get install graphviz); pygraphviz is tested instead")


class SeedNeuron(NamedTuple):
    w: Value
    x: Value
    b: Value
    y: Value
    z: Value
    a: Value
    loss: Value


def seed_neuron(backward: bool = False) -> SeedNeuron:
    """The seed document's example: z = wx + b, a = σ(z), L = ½(a − y)², with w=0.5, x=1.5, b=0.1, y=1."""
    w, x, b, y = Value(0.5, "w"), Value(1.5, "x"), Value(0.1, "b"), Value(1.0, "y")
    z = w * x + b
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    loss = 0.5 * (a - y) ** 2
    loss.label = "L"
    if backward:
        loss.backward()
    return SeedNeuron(w, x, b, y, z, a, loss)


class TwoNeuronLayer:
    """Stands in for an nn model: one layer of two tanh neurons, parameters named as the nn module names them."""

    def __init__(self) -> None:
        self.named = [
            (f"layers.0.neurons.{n}.{name}", Value(0.1 * (n + 1), label))
            for n in range(2)
            for name, label in [("w.0", "w0"), ("w.1", "w1"), ("b", "b")]
        ]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return self.named

    def __call__(self, x: list[Value]) -> list[Value]:
        parameters = [parameter for _, parameter in self.named]
        outputs = []
        for n in range(2):
            w0, w1, b = parameters[3 * n : 3 * n + 3]
            outputs.append((b + w0 * x[0] + w1 * x[1]).tanh())
        return outputs
