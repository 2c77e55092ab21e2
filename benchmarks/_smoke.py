"""What every benchmark shares: a ``--smoke`` size and a check that its figures were produced.

A benchmark records each figure it prints with :func:`figure` and runs its ``main``
through :func:`run`. At the end every recorded figure must be a finite number (or a
bool), and every name declared with :func:`expect` must have been recorded;
otherwise, or if the benchmark raised, :func:`run` says which and returns 1. Speed
is never judged here: the smoke size only proves that the benchmark still runs and
still measures what it prints (``make bench-smoke``, run by CI after the tests).
"""

from __future__ import annotations

import math
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

__all__ = ["SMOKE", "Figures", "expect", "figure", "run"]

SMOKE = "--smoke"
T = TypeVar("T")


class Figures:
    """The figures one run of a benchmark printed, by name, and those it must print."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self.expected: list[str] = []

    def problems(self) -> list[str]:
        """Return what is wrong: expected figures missing, figures that are not finite."""
        found = []
        if not self.values:
            found.append("no figure was recorded")
        for name in dict.fromkeys([*self.expected, *self.values]):
            if name not in self.values:
                found.append(f"{name}: not produced")
                continue
            value = self.values[name]
            if isinstance(value, bool):
                continue
            if not isinstance(value, int | float) or not math.isfinite(value):
                found.append(f"{name}: {value!r} is not a finite number")
        return found


_current = Figures()  # the figures of the run in progress (a benchmark is one script run)


def figure(name: str, value: T) -> T:
    """Record ``value`` as the figure ``name`` of this run and return it (to print in place)."""
    _current.values[name] = value
    return value


def expect(*names: str) -> None:
    """Declare figures this run must record (those printed only on some paths)."""
    _current.expected.extend(names)


def run(main: Callable[..., object], argv: list[str]) -> int:
    """Run ``main(args, smoke=...)``; return 0, or 1 saying what failed.

    ``args`` is ``argv`` without ``--smoke``. Only a smoke run prints a line when all
    is well, so the full sizes print exactly what they did before.
    """
    global _current  # noqa: PLW0603 - one run per script
    _current = Figures()
    script = Path(sys.argv[0]).name
    smoke = SMOKE in argv
    args = [a for a in argv if a != SMOKE]
    try:
        code = main(args, smoke=smoke)
    except Exception as exc:  # the message names the benchmark; the traceback is above it
        traceback.print_exc()
        print(f"\nbenchmark {script} FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    if code:
        print(f"\nbenchmark {script} FAILED: exit code {code}", file=sys.stderr)
        return code if isinstance(code, int) else 1
    problems = _current.problems()
    if problems:
        print(f"\nbenchmark {script} FAILED: figures missing or not numbers:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    if smoke:
        print(f"smoke: {script} printed its {len(_current.values)} figures")
    return 0
