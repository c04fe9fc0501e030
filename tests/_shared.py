"""Graphs the tests share: the seed document's neuron, and a stand-in for an nn model."""

import os
import shutil
from types import ModuleType
from typing import NamedTuple

import pytest

from autograd import Value
from autograd.nn import MLP


def require_torch() -> ModuleType:
    """PyTorch, for the tests that compare with it: skipped without it, failed in CI (which installs its CPU build)."""
    try:
        import torch
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PyTorch tests, but torch is not installed (.ci/run installs its CPU build)")
        pytest.skip(
            "PyTorch is not installed (pip install torch, its CPU build: see docs/install.md)", allow_module_level=True
        )
    return torch


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


class TwoNeuronLayer(MLP):
    """A small nn model: one layer of two tanh neurons, its parameters set to 0.1 (neuron 0) and 0.2 (neuron 1)."""

    def __init__(self) -> None:
        super().__init__(2, [2], activation="tanh", output_activation="tanh")
        for name, parameter in self.named_parameters():
            parameter.data = 0.1 * (int(name.split(".")[3]) + 1)  # layers.0.neurons.N.…
