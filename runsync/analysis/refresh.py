"""Keep every stored analysis fresh, and hand readers the analyses of the sessions they read.

A stored analysis is fresh when it was computed from the session's current content (fingerprint) with the key the
athlete's settings give now (analysis version, thresholds, parameters, and, for an athlete without a configured
pace threshold or max HR, the estimates from the stored best efforts and heart rates as of the session's day, read
from the whole history: a credible estimate may come later than the day, runsync.analysis.efforts). Anything else is
recomputed from the session's samples, on `workers` processes, and saved; on a read-only store it is computed and
used without being saved. So a finding is never computed from a stale analysis, and samples are read only for
the sessions whose analysis is stale.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from runsync.analysis.efforts import EFFORTS_VERSION, EffortRow, Efforts, Estimate, estimates_by_day
from runsync.analysis.session import (
    AnalysisSettings,
    SessionAnalysis,
    analyse_session,
    analysis_settings,
    effort_row,
    efforts_of,
    from_json,
    to_json,
)
from runsync.analysis.stats import RefreshStats
from runsync.config import Athlete, Config
from runsync.model import RUN_SPORTS
from runsync.pool import map_bounded

if TYPE_CHECKING:
    from runsync.store import Store
    from runsync.store.derived import AnalysisRow

CHUNK = 8  # sessions per worker task: enough to amortise the hand-over, few enough to spread the load
LOCAL_CHUNK = 64  # sessions read (and their analyses written) together when the refresh runs in this process


@dataclass(frozen=True)
class AnalyseTask:
    """What a worker needs to analyse stored sessions: where the store is, which sessions, with what."""

    store: str
    ids: tuple[str, ...]
    settings: AnalysisSettings
    estimates: tuple[Estimate | None, ...]  # the estimated references per id (settings.estimates)
    efforts_only: bool = False


def save_analysis(store: Store, session_id: str, fingerprint: str, analysis: SessionAnalysis | Efforts) -> None:
    """Store a full analysis, or (an Efforts) only the best efforts, as computed from content `fingerprint`."""
    efforts = analysis if isinstance(analysis, Efforts) else analysis.efforts
    full = isinstance(analysis, SessionAnalysis)
    store.save_analysis(session_id, fingerprint, efforts_version=EFFORTS_VERSION, best_3min_m=efforts.best_3min_m,
                        best_12min_m=efforts.best_12min_m, key=analysis.key if full else None,
                        payload=to_json(analysis) if full else None)  # fmt: skip


def fresh_analyses(
    store: Store,
    config: Config,
    athlete: Athlete,
    *,
    since: date | None = None,
    until: date | None = None,
    workers: int | None = None,
    stats: RefreshStats | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    load: bool = True,
    force: bool = False,
) -> dict[str, SessionAnalysis]:
    """The analyses of the athlete's sessions in [since, until], every one fresh (recomputed where stale, or all of
    them with `force`). With load=False nothing is parsed or returned: the store is only brought up to date (after a
    sync). `on_progress(done, total)` follows the recomputation."""
    stats = stats if stats is not None else RefreshStats()
    settings = analysis_settings(config, athlete)
    targets = store.analysis_rows(athlete.id, since=since, until=until, payload=load)
    stats.checked += len(targets)
    estimates: dict[date, Estimate] = {}
    if settings.estimates:  # judged against the whole history's evidence, whatever window is read
        whole = since is None and until is None
        history = _with_fresh_efforts(store, targets if whole else store.analysis_rows(athlete.id), settings,
                                      workers, stats)  # fmt: skip
        targets = history if whole else targets  # a stale target is recomputed whole, its efforts with it
        efforts = [_effort_row(r) for r in history if r.sport in RUN_SPORTS]
        estimates = estimates_by_day(efforts, [r.local_date for r in targets])
    keys = {r.session_id: settings.key(estimates.get(r.local_date)) for r in targets}
    found: dict[str, SessionAnalysis] = {}
    stale = []
    for row in targets:
        fresh = not force and _fresh(row, keys[row.session_id])
        parsed = _parse(row) if fresh and load else None
        if parsed is not None:
            found[row.session_id] = parsed
        elif not fresh or load:  # stale, or stored in a form this version cannot read
            stale.append(row)
    computed = _recompute(store, stale, settings, estimates, workers, stats, on_progress)
    return {**found, **computed} if load else {}


def refresh_athletes(store: Store, config: Config, athletes: Iterable[Athlete], *, workers: int | None = None,
                     on_progress: Callable[[int, int], None] | None = None,
                     force: bool = False) -> RefreshStats:  # fmt: skip
    """Bring every stored analysis of these athletes up to date (after a sync; `runsync reanalyse`)."""
    stats = RefreshStats()
    for athlete in athletes:
        fresh_analyses(store, config, athlete, workers=workers, stats=stats, on_progress=on_progress, load=False,
                       force=force)  # fmt: skip
    return stats


def _fresh(row: AnalysisRow, key: str) -> bool:
    return row.key == key and row.analysed_fingerprint == row.fingerprint and row.efforts_version == EFFORTS_VERSION


def _parse(row: AnalysisRow) -> SessionAnalysis | None:
    """The stored analysis, or None when its payload cannot be read (it is then recomputed)."""
    try:
        return from_json(row.key or "", Efforts(row.best_3min_m, row.best_12min_m), row.payload or "")
    except (ValueError, TypeError, KeyError, IndexError):
        return None


def _effort_row(row: AnalysisRow) -> EffortRow:
    return effort_row(row.local_date, Efforts(row.best_3min_m, row.best_12min_m), row.distance_m, row.moving_s,
                      row.avg_hr, row.max_hr, row.workout_type)  # fmt: skip


def _with_fresh_efforts(store: Store, rows: list[AnalysisRow], settings: AnalysisSettings, workers: int | None,
                        stats: RefreshStats) -> list[AnalysisRow]:  # fmt: skip
    """The rows, after computing the best efforts of the runs that have none from their current content."""
    missing = [r for r in rows if r.sport in RUN_SPORTS and (r.analysed_fingerprint != r.fingerprint
                                                              or r.efforts_version != EFFORTS_VERSION)]  # fmt: skip
    if not missing:
        return rows
    tasks = _tasks(store, missing, settings, {}, efforts_only=True)
    found: dict[str, Efforts] = {}
    for task, results in _analysed(store, tasks, _workers(workers, len(missing))):
        with store.transaction():
            for session_id, fingerprint, efforts in results:
                if not store.db.read_only:
                    save_analysis(store, session_id, fingerprint, efforts)
                found[session_id] = efforts
        stats.efforts += len(task.ids)
    return [_with_efforts(r, found[r.session_id]) if r.session_id in found else r for r in rows]


def _with_efforts(row: AnalysisRow, efforts: Efforts) -> AnalysisRow:
    return replace(row, best_3min_m=efforts.best_3min_m, best_12min_m=efforts.best_12min_m)


def _recompute(store: Store, stale: list[AnalysisRow], settings: AnalysisSettings, estimates: dict[date, Estimate],
               workers: int | None, stats: RefreshStats,
               on_progress: Callable[[int, int], None] | None) -> dict[str, SessionAnalysis]:  # fmt: skip
    computed: dict[str, SessionAnalysis] = {}
    if on_progress and stale:
        on_progress(0, len(stale))
    workers = _workers(workers, len(stale))
    tasks = _tasks(store, stale, settings, estimates, size=LOCAL_CHUNK if workers == 1 else CHUNK)
    for task, results in _analysed(store, tasks, workers):
        with store.transaction(), store.db.pipeline():  # the writes sent without waiting for each answer
            store.db.relaxed_commit()  # derived data: a server crash may lose it, the next read recomputes it
            for session_id, fingerprint, analysis in results:
                if not store.db.read_only:
                    save_analysis(store, session_id, fingerprint, analysis)
                computed[session_id] = analysis
                if analysis.error:
                    stats.degraded.append((session_id, analysis.error))
        stats.recomputed += len(task.ids)
        if on_progress:
            on_progress(len(computed), len(stale))
    return computed


def _workers(workers: int | None, count: int) -> int | None:
    """A handful of stale sessions is quicker in-process than on a pool that must start first."""
    return 1 if count <= 2 * CHUNK else workers


def _tasks(store: Store, rows: list[AnalysisRow], settings: AnalysisSettings, estimates: dict[date, Estimate],
           efforts_only: bool = False, size: int = CHUNK) -> Iterator[AnalyseTask]:  # fmt: skip
    for i in range(0, len(rows), size):
        chunk = rows[i : i + size]
        yield AnalyseTask(store.location, tuple(r.session_id for r in chunk), settings,
                          tuple(estimates.get(r.local_date) for r in chunk), efforts_only)  # fmt: skip


Analysed = list[tuple[str, str, SessionAnalysis | Efforts]]  # (session id, content fingerprint, result)
_OPEN: dict[tuple[int, str], Store] = {}  # per worker process (a forked worker never uses its parent's connection)


def _analysed(store: Store, tasks: Iterator[AnalyseTask],
              workers: int | None) -> Iterator[tuple[AnalyseTask, Analysed]]:  # fmt: skip
    """Each task with its results: in this process on the caller's own connection (one worker), else on a pool
    whose workers open the store themselves."""
    if workers == 1:
        return ((task, analyse_with(store, task)) for task in tasks)
    return map_bounded(analyse_stored, tasks, workers=workers)


def analyse_stored(task: AnalyseTask) -> Analysed:
    """Run in a worker: open the store (once per process), then analyse_with it."""
    from runsync.store import Store

    key = (os.getpid(), task.store)
    if key not in _OPEN:
        _OPEN[key] = Store.open(task.store)
    return analyse_with(_OPEN[key], task)


def analyse_with(store: Store, task: AnalyseTask) -> Analysed:
    """Load the task's sessions with their samples and analyse them."""
    results: Analysed = []
    stored = store.sessions_with_fingerprints(task.ids)
    for session_id, estimate in zip(task.ids, task.estimates, strict=True):
        loaded = stored.get(session_id)
        if loaded is None:  # deleted since it was listed
            continue
        session, content = loaded
        result = efforts_of(session) if task.efforts_only else analyse_session(session, task.settings, estimate)
        results.append((session_id, content, result))
    return results
