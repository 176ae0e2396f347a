"""Run a pure function over many items on several processes, results in input order, memory bounded.

At most `4 × workers` items are in flight: the caller's iterator is consumed only as results are taken, so a
million files cost no more memory than ten. One worker runs in-process, with no pool at all.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
A = TypeVar("A")
R = TypeVar("R")
IN_FLIGHT_PER_WORKER = 4  # files in flight per worker: enough that one slow file does not idle the others


def default_workers() -> int:
    return os.cpu_count() or 1


def map_ordered(
    fn: Callable[[A], R], items: Iterable[T], *, workers: int | None = None, send: Callable[[T], A] | None = None
) -> Iterator[tuple[T, R]]:
    """(item, fn(send(item))) for each item, in order; `fn` must be a picklable top-level function, and `send`
    picks what of an item crosses to the worker (default: the item itself)."""
    workers = default_workers() if workers is None else max(1, workers)
    send = send or (lambda item: item)  # type: ignore[assignment,return-value]
    if workers == 1:
        yield from ((item, fn(send(item))) for item in items)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        in_flight: deque[tuple[T, Future[R]]] = deque()
        for item in items:
            in_flight.append((item, pool.submit(fn, send(item))))
            if len(in_flight) >= IN_FLIGHT_PER_WORKER * workers:
                done, future = in_flight.popleft()
                yield done, future.result()
        while in_flight:
            done, future = in_flight.popleft()
            yield done, future.result()


def _context() -> Any:  # noqa: ANN401 - a multiprocessing context
    """fork where there is one (workers start in milliseconds and inherit the imports), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")
