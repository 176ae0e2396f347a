"""The import pipeline, top to bottom: fetch → save raw → normalise → dedupe → save → advance cursor.

Each FIT file is imported in one transaction: its raw bytes (keyed by content hash) and the sessions made from it
land together or not at all. A file already seen (same hash) is not decoded again; a broken file is recorded with
its reason, reported once, and never stops the others.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from runsync.config import Athlete, Config
from runsync.connectors import fit
from runsync.connectors.fit_fast import decode_fit_either
from runsync.dedupe import find_duplicate, merge
from runsync.errors import DecodeError, ExitStatus, RunsyncError
from runsync.model import Session
from runsync.pool import map_bounded
from runsync.store import Store, pack_samples, unpack_samples

FIT_DECODER = "fitdecode-1"  # bump when the FIT normaliser changes so stored failures are retried
# raw.decoder says which path decoded a file: "fast-1" (runsync.connectors.fit_fast) or FIT_DECODER (fitdecode,
# the reference, which also decodes every file the fast path is not certain of, and names what a broken one lacks)


@dataclass
class SyncReport:
    imported: list[tuple[str, int]] = field(default_factory=list)  # (path, sessions)
    unchanged: int = 0
    not_activities: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path or athlete, reason)
    still_failing: list[tuple[str, str, str]] = field(default_factory=list)  # (path, reason, failing since)
    merged: int = 0
    notes: list[str] = field(default_factory=list)
    errors: list[RunsyncError] = field(default_factory=list)  # auth, rate limit, network: a whole source stopped
    strava: dict[str, int] = field(default_factory=dict)  # saved, unchanged, calls
    decoders: Counter[str] = field(default_factory=Counter)  # FIT files decoded per decoder (fast-1, fitdecode-1)

    @property
    def sessions(self) -> int:
        return sum(n for _, n in self.imported)

    def summary(self) -> str:
        parts = [f"{len(self.imported)} files imported ({self.sessions} sessions)", f"{self.unchanged} unchanged"]
        if self.merged:
            parts.append(f"{self.merged} merged with another source")
        if self.not_activities:
            parts.append(f"{len(self.not_activities)} not activities")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.still_failing:
            parts.append(f"{len(self.still_failing)} still failing")
        if self.decoders:
            parts.append("decoded by " + ", ".join(f"{what} {n}" for what, n in sorted(self.decoders.items())))
        if self.strava:
            parts.append("strava: " + ", ".join(f"{n} {what}" for what, n in sorted(self.strava.items())))
        return ", ".join(parts)

    def exit_status(self) -> ExitStatus:
        """The status that needs a person most: config 3, auth 4, temporary 5, then partial 6."""
        partial = self.failed or self.still_failing
        statuses = [e.exit_status for e in self.errors] + ([ExitStatus.PARTIAL] if partial else [])
        return min(statuses, default=ExitStatus.OK)


def save_merged(store: Store, session: Session, packed: tuple[int, bytes | None] | None = None) -> bool:
    """Save `session`, folding it into a stored copy of the same activity from another source. True if merged.
    `packed`: the session's samples already packed (store.pack_samples), used when it is saved as it is."""
    window = (session.start - timedelta(seconds=120), session.start + timedelta(seconds=120))
    candidates = [s for s in store.sessions(session.athlete, start_between=window) if s.id != session.id]
    duplicate = find_duplicate(session, candidates)
    if duplicate is None:
        store.save_session(session, packed)
        return False
    if packed is not None and session.samples is None:  # a worker sent the samples packed
        session = session.replace(samples=unpack_samples(*packed))
    stored = store.session(duplicate.id, samples=True)
    merged = merge(stored, session)
    if merged.id != stored.id:
        store.delete_session(stored.id)
    store.save_session(merged)
    return True


def decode_fit_sessions(data: bytes, *, path: Path, digest: str, athlete: Athlete) -> tuple[list[Session] | None, str]:
    """Decode and normalise one FIT file (pure): its sessions (None when it is not an activity; DecodeError when
    broken) and the decoder that read it: the fast path, or fitdecode where the fast path is not certain."""
    activity, decoder = decode_fit_either(data, name=path.name)
    if activity is None:
        return None, decoder
    sessions = fit.normalise_fit(activity, athlete=athlete.id, file_hash=digest, path=str(path), tz=athlete.tz)
    return sessions, decoder


@dataclass(frozen=True)
class DecodeTask:
    """What a worker needs to decode one file. It reads the bytes itself (from the page cache) instead of having
    them pickled through the pipe, and checks they still have the hash the main process saw."""

    path: Path
    digest: str
    athlete: Athlete


@dataclass
class FitJob:
    """One new file: the main process has read, hashed and checked it; it keeps the bytes for the raw store."""

    path: Path
    data: bytes
    digest: str
    athlete: Athlete

    @property
    def task(self) -> DecodeTask:
        return DecodeTask(self.path, self.digest, self.athlete)


class Decoded(NamedTuple):
    """What a worker sends back for a readable file: sessions (None: not an activity), the decoder that read it,
    and each session's samples packed for the store (the writer's costliest step, done here in parallel)."""

    sessions: list[Session] | None
    decoder: str
    packed: list[tuple[int, bytes | None]]


def decode_task(task: DecodeTask) -> Decoded | str:
    """Run in a worker: the decoded file, or the reason it cannot be (a string crosses processes)."""
    try:
        data = task.path.read_bytes()
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    if hashlib.sha256(data).hexdigest() != task.digest:
        return "the file changed while it was being imported; the next sync takes it"
    try:
        sessions, decoder = decode_fit_sessions(data, path=task.path, digest=task.digest, athlete=task.athlete)
    except DecodeError as exc:
        return str(exc)
    packed = [pack_samples(s.samples) for s in sessions or ()]
    # the samples cross back packed only: pickling the frames too would double what the pipe carries
    return Decoded([s.replace(samples=None) for s in sessions] if sessions else sessions, decoder, packed)


def new_fit_job(
    store: Store, path: Path, athlete: Athlete, report: SyncReport, seen: set[str] | None = None
) -> FitJob | None:
    """Read and hash a file; None (reported) when unreadable or already imported (or earlier in this run: `seen`
    holds the hashes of files still in flight, which are not in the store yet)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.failed.append((str(path), f"cannot read: {exc.strerror or exc}"))
        return None
    digest = hashlib.sha256(data).hexdigest()
    known = store.raw("fit", digest)
    if known and known.status == "error" and known.decoder == FIT_DECODER:  # failed before, with this decoder
        report.still_failing.append((str(path), known.error or "cannot be imported", known.fetched_at[:10]))
        return None
    if (known and known.status != "error") or (seen is not None and digest in seen):
        report.unchanged += 1
        return None
    if seen is not None:
        seen.add(digest)
    return FitJob(path, data, digest, athlete)


def save_fit_job(store: Store, job: FitJob, outcome: Decoded | str, report: SyncReport) -> None:
    """One transaction per file: the raw bytes with the decoder that read them, and the sessions made from them."""
    path, data, digest, athlete = str(job.path), job.data, job.digest, job.athlete
    if isinstance(outcome, str):
        with store.transaction():
            store.save_raw("fit", digest, athlete=athlete.id, payload=data, path=path, status="error",
                           error=outcome, decoder=FIT_DECODER)  # fmt: skip
        report.failed.append((path, outcome))
        return
    sessions, decoder, packed = outcome
    report.decoders[decoder] += 1
    with store.transaction():
        status = "ok" if sessions is not None else "skipped"
        store.save_raw("fit", digest, athlete=athlete.id, payload=data, path=path, status=status, decoder=decoder)
        report.merged += sum(save_merged(store, s, p) for s, p in zip(sessions or (), packed, strict=True))
    if sessions is None:
        report.not_activities.append(path)
    else:
        report.imported.append((path, len(sessions)))


def import_fit_files(
    store: Store,
    paths: Iterable[Path],
    athlete: Athlete,
    report: SyncReport | None = None,
    on_file: Callable[[Path], None] | None = None,
    workers: int | None = None,
) -> SyncReport:
    """Import files, each saved as its decoding finishes. Decoding runs on `workers` processes (default: every
    core; 1: in-process), the store is written here only, and a few files per worker are in flight
    (runsync.pool), whatever their number."""
    report = report or SyncReport()
    jobs = _new_jobs(store, paths, athlete, report, on_file)
    for job, outcome in map_bounded(decode_task, jobs, workers=workers, send=lambda job: job.task):
        save_fit_job(store, job, outcome, report)
        if on_file:
            on_file(job.path)
    for listing in (report.imported, report.not_activities, report.failed, report.still_failing):
        listing.sort()  # workers finish in any order; the report does not depend on it
    return report


def _new_jobs(store: Store, paths: Iterable[Path], athlete: Athlete, report: SyncReport,
              on_file: Callable[[Path], None] | None) -> Iterator[FitJob]:  # fmt: skip
    seen: set[str] = set()
    for path in paths:
        job = new_fit_job(store, path, athlete, report, seen)
        if job is not None:
            yield job
        elif on_file:
            on_file(path)


def fit_files_for(athlete: Athlete, extra_dirs: Iterable[Path], report: SyncReport) -> list[Path]:
    """Every FIT file in the athlete's configured folders and the extra ones; a missing folder is a failure."""
    files: list[Path] = []
    for folder in (*athlete.fit_dirs, *extra_dirs):
        if not folder.is_dir():
            report.failed.append((str(folder), f"fit folder for {athlete.id} not found"))
            continue
        files.extend(fit.fetch_fit_files(folder, report.failed))
    return files


def run_sync(
    store: Store,
    athletes: list[Athlete],
    *,
    extra_fit_dirs: Iterable[Path] = (),
    on_files: Callable[[list[Path]], Iterable[Path]] | None = None,
    config: Config | None = None,
    now: datetime | None = None,
    workers: int | None = None,
) -> SyncReport:
    """Sync every source of every athlete under the store's writer lock. `on_files` may wrap the file list
    (a progress bar); the report says what was imported, unchanged, skipped and failed. With `config`, athletes
    with `strava = true` then sync from Strava (runsync.strava_sync), merged with their watch files. FIT files are
    decoded on `workers` processes (default: one per core)."""
    report = SyncReport()
    extra = tuple(extra_fit_dirs)
    now = now or datetime.now(UTC)
    with store.lock():
        for athlete in athletes:
            files = fit_files_for(athlete, extra, report)
            import_fit_files(store, on_files(files) if on_files else files, athlete, report, workers=workers)
            if athlete.fit_dirs or extra:
                with store.transaction():
                    store.save_state(athlete.id, "fit", "last_sync", now.isoformat(timespec="seconds"))
        strava_athletes = [a for a in athletes if a.strava]
        if config is not None and strava_athletes:
            from runsync import strava_sync  # stravalib is imported only when someone syncs from Strava

            strava_sync.sync_strava_athletes(store, strava_athletes, config, now=now,
                                             report=report, save=save_merged)  # fmt: skip
    return report
