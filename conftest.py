"""Shared by every test, doctest and notebook run: ops a test adds to the engine's table leave with it, and
what needs PyTorch runs wherever it is installed."""

import os
from collections.abc import Iterator

import pytest

from autograd.engine import OPS

# PyTorch is an optional extra (the `test` extra does not pull it: a bare `torch` is gigabytes of CUDA wheels).
# Without it, the bridge's doctests and its notebook are left out, and said so in the header; CI installs the
# CPU build and must run them, so there a missing torch fails them instead (tests/_shared.require_torch).
try:
    import torch  # noqa: F401
except ImportError:
    TORCH_MISSING = True
else:
    TORCH_MISSING = False
NEEDS_TORCH = ["autograd/pytorch.py", "notebooks/06_to_pytorch.ipynb"]
collect_ignore = NEEDS_TORCH if TORCH_MISSING and not os.environ.get("CI") else []


def pytest_report_header() -> list[str]:
    if not collect_ignore:
        return []
    return [f"PyTorch is not installed: left out {', '.join(NEEDS_TORCH)} and the tests that compare with it"]


@pytest.fixture(autouse=True)
def _restore_the_op_table() -> Iterator[None]:
    before = dict(OPS)
    yield
    OPS.clear()
    OPS.update(before)
