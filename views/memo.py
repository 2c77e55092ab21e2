"""One memo for the page models, shared by every session of the process, keyed on data versions.

A page model is a pure function of a data set and typed choices. Keyed on the
data set's version (the hash of its layers' hashes, settings included), one
result serves every visitor who asks the same question, and a changed layer is
a new key. The memo is the page models' only cache: the Streamlit pages, the
command lines and the exports call the same functions and share what is
computed in their process.

- ``copy=True`` (tables, small frames): each caller gets its own copy (a
  pickled value, as Streamlit's ``cache_data`` does), so a caller may change it;
- ``copy=False`` (graphs, grids, distances): one shared object, read-only by
  contract (never mutate it).

Two threads asking for the same key wait for one computation; an exception is
not remembered. Entries are evicted least recently used, per function.
"""

from __future__ import annotations

import functools
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from geo.store.dataset import DataSet

__all__ = ["clear_all", "memo", "stats"]

P = ParamSpec("P")
R = TypeVar("R")


def _key_part(value: Any) -> Hashable:
    if isinstance(value, DataSet):
        return ("dataset", value.version)
    if isinstance(value, tuple):
        return tuple(_key_part(v) for v in value)
    hash(value)  # a TypeError names an argument that cannot be a key
    return value


@dataclass
class _Table:
    max_entries: int
    copy: bool
    entries: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict)
    computing: dict[Hashable, threading.Event] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0


_LOCK = threading.Lock()
_TABLES: dict[str, _Table] = {}


def memo(*, max_entries: int = 32, copy: bool = True) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Remember a function's results by its arguments (a data set by its version).

    Parameters
    ----------
    max_entries
        How many results of this function to keep (least recently used go first).
    copy
        Give each caller its own copy (True) or the one shared object (False).

    Examples
    --------
    >>> calls = []
    >>> @memo(max_entries=2)
    ... def double(x: int) -> list[int]:
    ...     calls.append(x)
    ...     return [x, x]
    >>> double(2), double(2), len(calls)
    ([2, 2], [2, 2], 1)
    """

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        name = f"{fn.__module__}.{fn.__qualname__}"
        table = _TABLES.setdefault(name, _Table(max_entries, copy))

        @functools.wraps(fn)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            key = (_key_part(args), tuple(sorted((k, _key_part(v)) for k, v in kwargs.items())))
            while True:
                with _LOCK:
                    if key in table.entries:
                        table.entries.move_to_end(key)
                        table.hits += 1
                        stored = table.entries[key]
                        break
                    waiting = table.computing.get(key)
                    if waiting is None:
                        table.computing[key] = threading.Event()
                        table.misses += 1
                        stored = _MISSING
                        break
                waiting.wait()  # another session computes it: take its result (or retry)
            if stored is not _MISSING:
                return pickle.loads(stored) if table.copy else stored  # type: ignore[no-any-return]
            try:
                value = fn(*args, **kwargs)
                kept: Any = (
                    pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) if table.copy else value
                )
                with _LOCK:
                    table.entries[key] = kept
                    while len(table.entries) > table.max_entries:
                        table.entries.popitem(last=False)
            finally:
                with _LOCK:
                    table.computing.pop(key).set()
            return pickle.loads(kept) if table.copy else value

        return call

    return wrap


_MISSING: Any = object()


def clear_all() -> None:
    """Forget every remembered result (tests; a server's data folder wiped by hand)."""
    with _LOCK:
        for table in _TABLES.values():
            table.entries.clear()


def stats() -> dict[str, tuple[int, int, int]]:
    """Return each function's (entries, hits, misses), for benchmarks and the load test."""
    with _LOCK:
        return {n: (len(t.entries), t.hits, t.misses) for n, t in _TABLES.items()}
