"""Run a pure function over many items on several processes, memory bounded, results as they complete.

At most `4 × workers` items are in flight: the caller's iterator is consumed only as results are taken, so a
million files cost no more memory than ten. Results come back as they finish, so one slow file (a fitdecode
fallback) does not hold up the files behind it. One worker runs in-process, in input order, with no pool at all.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

T = TypeVar("T")
A = TypeVar("A")
R = TypeVar("R")
IN_FLIGHT_PER_WORKER = 4  # files in flight per worker: enough that one slow file does not idle the others


def default_workers() -> int:
    return os.cpu_count() or 1


def map_bounded(
    fn: Callable[[A], R],
    items: Iterable[T],
    *,
    workers: int | None = None,
    send: Callable[[T], A] | None = None,
    timeout_s: float | None = None,
    on_timeout: Callable[[T], R] | None = None,
) -> Iterator[tuple[T, R]]:
    """(item, fn(send(item))) for each item, as each completes; `fn` must be a picklable top-level function,
    and `send` picks what of an item crosses to the worker (default: the item itself).

    With `timeout_s` and `on_timeout`, no item may run longer than that: its worker is stopped, the item's result
    is `on_timeout(item)`, and the items that were in flight beside it run again on fresh workers. One worker runs
    in-process, where nothing can be stopped: the guard needs worker processes (two or more)."""
    workers = default_workers() if workers is None else max(1, workers)
    send = send or (lambda item: item)  # type: ignore[assignment,return-value]
    if workers == 1:
        yield from ((item, fn(send(item))) for item in items)
        return
    source, retry = iter(items), []
    while retry is not None:  # a new pool after one was stopped, until the items are done
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context())
        stopped = False
        try:
            retry = yield from _run_pool(pool, fn, source, retry, workers, send, timeout_s, on_timeout)
            stopped = retry is not None
        finally:
            pool.shutdown(wait=not stopped, cancel_futures=True)


def _run_pool(pool: ProcessPoolExecutor, fn: Callable[[A], R], source: Iterator[T], retry: list[T], workers: int,
              send: Callable[[T], A], timeout_s: float | None,
              on_timeout: Callable[[T], R] | None) -> Generator[tuple[T, R], None, list[T] | None]:  # fmt: skip
    """Feed `pool` (the retried items first, then `source`) until done (None); when an item ran past `timeout_s`
    and the pool had to be stopped, the items to run again on a new one (maybe none: the rest of `source` is
    still to be read)."""
    pending: dict[Future[R], T] = {}
    running_since: dict[Future[R], float] = {}
    again = iter(retry)
    feed = itertools.chain(again, source)
    while True:
        for item in feed:
            pending[pool.submit(fn, send(item))] = item
            if len(pending) >= IN_FLIGHT_PER_WORKER * workers:
                break
        if not pending:
            return None
        done, _ = wait(pending, timeout=_poll(timeout_s), return_when=FIRST_COMPLETED)
        for future in done:
            running_since.pop(future, None)
            yield pending.pop(future), future.result()
        stuck = _overdue(pending, running_since, timeout_s)
        if stuck is not None and on_timeout is not None:
            item = pending.pop(stuck)
            _stop_workers(pool)
            yield item, on_timeout(item)
            return [*pending.values(), *again]


def _poll(timeout_s: float | None) -> float | None:
    return None if timeout_s is None else max(0.05, min(1.0, timeout_s / 4))


def _overdue(pending: dict[Future[R], T], running_since: dict[Future[R], float],
             timeout_s: float | None) -> Future[R] | None:  # fmt: skip
    """The first in-flight item that has run longer than `timeout_s` (its start is when it was first seen running)."""
    if timeout_s is None:
        return None
    now = time.monotonic()
    for future in pending:
        if future.running():
            started = running_since.setdefault(future, now)
            if now - started > timeout_s:
                return future
    return None


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Stop the pool's worker processes now (a hung decode cannot be interrupted any other way)."""
    for process in list(getattr(pool, "_processes", {}).values()):
        with contextlib.suppress(Exception):
            process.terminate()


def _context() -> Any:  # noqa: ANN401 - a multiprocessing context
    """fork where there is one (workers start in milliseconds and inherit the imports), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")
