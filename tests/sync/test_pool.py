"""The worker pool: results as they complete, memory bounded, and no single item can hang a run."""

from __future__ import annotations

import os
import time

import pytest

from runsync.pool import map_bounded

# libfaketime (the weekday proofs) breaks timed waits on condition variables: a guard that waits cannot time out
under_faketime = pytest.mark.skipif("faketime" in os.environ.get("LD_PRELOAD", ""), reason="timed waits under faketime")


def slow_on_three(n: int) -> int:
    if n == 3:
        time.sleep(60)  # a decode that (for this test) never ends: bounded, so a broken guard fails, not hangs
    return n * n


@under_faketime
@pytest.mark.parametrize("workers", [2, 3])
def test_an_item_that_runs_past_the_limit_is_stopped_and_every_other_item_still_done(workers: int) -> None:
    started = time.monotonic()
    found = dict(map_bounded(slow_on_three, range(20), workers=workers, timeout_s=1.0,
                             on_timeout=lambda n: -1))  # fmt: skip
    assert found == {n: (-1 if n == 3 else n * n) for n in range(20)}
    assert time.monotonic() - started < 30


def test_without_a_limit_one_worker_runs_in_process_in_order() -> None:
    assert [r for _, r in map_bounded(abs, [-3, 2, -1], workers=1)] == [3, 2, 1]


def hangs_on_first(n: int) -> int:
    if n == 0:
        time.sleep(60)
    return n


@under_faketime
def test_after_a_stopped_item_the_rest_of_a_long_input_is_still_read() -> None:
    found = dict(map_bounded(hangs_on_first, range(200), workers=2, timeout_s=1.0, on_timeout=lambda n: -1))
    assert found == {0: -1, **{n: n for n in range(1, 200)}}
