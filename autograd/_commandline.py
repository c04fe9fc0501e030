"""What the command-line programs share (``python -m autograd`` and its practice commands): one-line
usage errors, numbers typed on the command line, ``NAME=NUMBER`` pairs, and writing a line to stderr."""

from __future__ import annotations

import argparse
import math
import os
import sys
import unicodedata
from collections.abc import Sequence
from typing import NoReturn

__all__ = ["Parser", "UsageError", "closed_pipe", "finite_number", "parse_assignments", "say"]

# The exit status a shell reports for a program ended by SIGPIPE (128 + 13), as `yes | head -1` gives it.
CLOSED_PIPE_STATUS = 141


class UsageError(Exception):
    """A mistake on the command line: reported in one line, with exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, with its errors as UsageError: one line, like every other mistake on the command line."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see --help)")


def parse_assignments(pairs: Sequence[str]) -> dict[str, float]:
    """``["w=0.5", "x=2"]`` as ``{"w": 0.5, "x": 2.0}``; names read as Python reads them (NFKC), numbers finite."""
    values: dict[str, float] = {}
    for pair in pairs:
        typed, sep, text = pair.partition("=")
        name = unicodedata.normalize("NFKC", typed.strip())  # as the formula's parser reads names: ｘ is x
        if not sep or not name.isidentifier():
            raise UsageError(f"--set takes NAME=NUMBER pairs such as w=0.5, but was given {pair!r}")
        if name in values:
            raise UsageError(f"--set gives {name} twice ({name}={values[name]:g} and {pair}): give each name once")
        values[name] = finite_number(text, f"--set {name}")
    return values


def finite_number(text: str, option: str) -> float:
    """A number typed on the command line, which must be finite: nan, inf and 1e400 are refused."""
    try:
        number = float(text)
    except ValueError:
        raise UsageError(f"{option}=...: {text!r} is not a number") from None
    if not math.isfinite(number):
        too_large = "" if text.strip().lower().lstrip("+-") in ("nan", "inf", "infinity") else " (too large)"
        raise UsageError(f"{option}: {text!r}{too_large} is not a finite number; give a number such as 0.5")
    return number


def say(line: str) -> None:
    """One line on stderr, whatever its characters: bytes that were not UTF-8 are shown as escapes."""
    print(line.encode("utf-8", "backslashreplace").decode("utf-8"), file=sys.stderr)


def closed_pipe() -> int:
    """The reader of our output went away (``python -m autograd | head -1``): end quietly, as Unix tools do.

    What is still buffered goes nowhere instead of raising again when Python flushes stdout at exit.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is no real file (a test's capture): nothing to flush
        pass
    return CLOSED_PIPE_STATUS
