"""Shared by every test, doctest and notebook run: ops a test adds to the engine's table leave with it."""

from collections.abc import Iterator

import pytest

from autograd.engine import OPS


@pytest.fixture(autouse=True)
def _restore_the_op_table() -> Iterator[None]:
    before = dict(OPS)
    yield
    OPS.clear()
    OPS.update(before)
