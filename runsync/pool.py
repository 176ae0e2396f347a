"""Run a pure function over many items on several processes, memory bounded, results as they complete.

At most `4 × workers` items are in flight: the caller's iterator is consumed only as results are taken, so a
million files cost no more memory than ten. Results come back as they finish, so one slow file (a fitdecode
fallback) does not hold up the files behind it. One worker runs in-process, in input order, with no pool at all.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

T = TypeVar("T")
A = TypeVar("A")
R = TypeVar("R")
IN_FLIGHT_PER_WORKER = 4  # files in flight per worker: enough that one slow file does not idle the others


def default_workers() -> int:
    return os.cpu_count() or 1


def map_bounded(
    fn: Callable[[A], R], items: Iterable[T], *, workers: int | None = None, send: Callable[[T], A] | None = None
) -> Iterator[tuple[T, R]]:
    """(item, fn(send(item))) for each item, as each completes; `fn` must be a picklable top-level function,
    and `send` picks what of an item crosses to the worker (default: the item itself)."""
    workers = default_workers() if workers is None else max(1, workers)
    send = send or (lambda item: item)  # type: ignore[assignment,return-value]
    if workers == 1:
        yield from ((item, fn(send(item))) for item in items)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        pending: dict[Future[R], T] = {}
        for item in items:
            pending[pool.submit(fn, send(item))] = item
            if len(pending) >= IN_FLIGHT_PER_WORKER * workers:
                yield from _completed(pending)
        while pending:
            yield from _completed(pending)


def _completed(pending: dict[Future[R], T]) -> Iterator[tuple[T, R]]:
    """Wait for at least one result; hand back every finished one (a slow file does not hold up the others)."""
    done, _ = wait(pending, return_when=FIRST_COMPLETED)
    for future in done:
        yield pending.pop(future), future.result()


def _context() -> Any:  # noqa: ANN401 - a multiprocessing context
    """fork where there is one (workers start in milliseconds and inherit the imports), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")
