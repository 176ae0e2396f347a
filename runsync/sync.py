"""The import pipeline, top to bottom: fetch → save raw → normalise → dedupe → analyse → save → advance cursor.

Files: every watch folder of every athlete is walked; a file whose size and mtime are as last time costs a stat()
and nothing more; any other is read and hashed, and a hash seen before is not decoded again (a renamed copy is not a
second session). New files are decoded, normalised and analysed on `workers` processes (one pool for the whole
squad), and each is saved in one transaction: its raw bytes (keyed by content hash), its sessions and their
analyses land together or not at all. A broken file is recorded with its reason, named on every run until it goes,
and never stops the others. Then each athlete syncs from Strava (runsync.sources.strava.sync) when configured, and every
analysis the import left stale (new sessions of an athlete whose critical speed is estimated, merged sessions,
Strava sessions) is brought up to date (runsync.analysis.refresh).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from runsync.analysis import AnalysisSettings, SessionAnalysis, analyse_session, analysis_settings
from runsync.analysis.efforts import Efforts
from runsync.analysis.refresh import refresh_athletes, save_analysis
from runsync.analysis.session import efforts_of
from runsync.config import Athlete, Config
from runsync.dedupe import find_duplicate, merge
from runsync.errors import DecodeError
from runsync.model import Session
from runsync.pool import map_bounded
from runsync.sources.files import fit, walk_files
from runsync.sources.files.fit_fast import decode_fit_either
from runsync.sources.report import SyncReport
from runsync.store import RawRecord, Store, fingerprint, pack_samples, unpack_samples

FIT_DECODER = "fitdecode-1"  # bump when the FIT normaliser changes so stored failures are retried
# raw.decoder says which path decoded a file: "fast-1" (runsync.sources.files.fit_fast) or FIT_DECODER (fitdecode,
# the reference, which also decodes every file the fast path is not certain of, and names what a broken one lacks)


def save_merged(store: Store, session: Session, packed: tuple[int, bytes | None] | None = None,
                analysis: SessionAnalysis | Efforts | None = None, content: str | None = None) -> bool:  # fmt: skip
    """Save `session`, folding it into a stored copy of the same activity from another source. True if merged.
    `packed`: the session's samples already packed (store.pack_samples), used when it is saved as it is.
    `analysis`: computed from the session's content `content`; saved with whatever is stored if that has the same
    content (else the refresh after the import recomputes it)."""
    window = (session.start - timedelta(seconds=120), session.start + timedelta(seconds=120))
    candidates = [s for s in store.sessions(session.athlete, start_between=window) if s.id != session.id]
    duplicate = find_duplicate(session, candidates)
    if duplicate is None:
        saved, stored_id = store.save_session(session, packed), session.id
    else:
        if packed is not None and session.samples is None:  # a worker sent the samples packed
            session = session.replace(samples=unpack_samples(*packed))
        stored = store.session(duplicate.id, samples=True)
        merged = merge(stored, session)
        if merged.id != stored.id:
            store.delete_session(stored.id)
        saved, stored_id = store.save_session(merged), merged.id
    if analysis is not None and saved == content:
        save_analysis(store, stored_id, saved, analysis)
    return duplicate is not None


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
    them pickled through the pipe, and checks they still have the hash the main process saw. `settings`: what to
    analyse the sessions with (with an estimated critical speed only the best efforts can be computed yet)."""

    path: Path
    digest: str
    athlete: Athlete
    settings: AnalysisSettings | None = None


@dataclass
class FitJob:
    """One new file: the main process has read, hashed and checked it; it keeps the bytes for the raw store."""

    path: Path
    data: bytes
    digest: str
    athlete: Athlete
    size: int
    mtime_ns: int
    settings: AnalysisSettings | None = None

    @property
    def task(self) -> DecodeTask:
        return DecodeTask(self.path, self.digest, self.athlete, self.settings)


class Decoded(NamedTuple):
    """What a worker sends back for a readable file: sessions (None: not an activity), the decoder that read it,
    each session's samples packed for the store (the writer's costliest step, done here in parallel), and each
    session's analysis (or best efforts) with the fingerprint of the content it was computed from."""

    sessions: list[Session] | None
    decoder: str
    packed: list[tuple[int, bytes | None]]
    analyses: Sequence[SessionAnalysis | Efforts | None] = ()
    contents: Sequence[str] = ()


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
    analyses = [_analyse(s, task.settings) for s in sessions or ()]
    contents = [fingerprint(s, blob) for s, (_, blob) in zip(sessions or (), packed, strict=True)]
    # the samples cross back packed only: pickling the frames too would double what the pipe carries
    slim = [s.replace(samples=None) for s in sessions] if sessions else sessions
    return Decoded(slim, decoder, packed, analyses, contents)


def _analyse(session: Session, settings: AnalysisSettings | None) -> SessionAnalysis | Efforts | None:
    if settings is None:
        return None
    return efforts_of(session) if settings.estimate_cs else analyse_session(session, settings)


@dataclass
class KnownFiles:
    """What the store knows, read in two queries: path → (size, mtime_ns, digest) of the files imported before, and
    digest → how its import went. `seen`: the digests of this run's files still in flight."""

    paths: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    raws: dict[str, RawRecord] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, store: Store) -> KnownFiles:
        return cls(store.known_files(), {r.source_id: r for r in store.raw_records("fit")})


def new_fit_job(store: Store, path: Path | str, athlete: Athlete, report: SyncReport, known: KnownFiles | None = None,
                settings: AnalysisSettings | None = None) -> FitJob | None:  # fmt: skip
    """A job for a file to import; None (counted in the report) when it is unreadable, or was imported (or failed)
    before: a file whose size and mtime are unchanged costs a stat(), any other is read and hashed."""
    known = known or KnownFiles.of(store)
    name = str(path)
    try:
        stat = os.stat(name)
        remembered = known.paths.get(name)
        if remembered and remembered[:2] == (stat.st_size, stat.st_mtime_ns) and _seen_before(
            name, remembered[2], report, known
        ):
            return None
        data = Path(name).read_bytes()
    except OSError as exc:
        report.failed.append((name, f"cannot read: {exc.strerror or exc}"))
        return None
    digest = hashlib.sha256(data).hexdigest()
    if _seen_before(name, digest, report, known):
        with store.transaction():
            store.save_file(name, athlete.id, stat.st_size, stat.st_mtime_ns, digest)
        return None
    known.seen.add(digest)
    return FitJob(Path(name), data, digest, athlete, stat.st_size, stat.st_mtime_ns, settings)


def _seen_before(path: str, digest: str, report: SyncReport, known: KnownFiles) -> bool:
    """Whether this content was imported (or failed) before, or is in flight in this run; counted in the report."""
    if digest in known.seen:
        report.unchanged += 1
        return True
    record = known.raws.get(digest)
    if record is None or (record.status == "error" and record.decoder != FIT_DECODER):
        return False  # new, or failed with an older normaliser: decode it (again)
    if record.status == "error":
        report.still_failing.append((path, record.error or "cannot be imported", record.fetched_at[:10]))
    else:
        report.unchanged += 1
    return True


def save_fit_job(store: Store, job: FitJob, outcome: Decoded | str, report: SyncReport) -> None:
    """One transaction per file: the raw bytes with the decoder that read them, the sessions made from them and their
    analyses, and the file's size and mtime (so the next run only stats it)."""
    path, data, digest, athlete = str(job.path), job.data, job.digest, job.athlete
    if isinstance(outcome, str):
        with store.transaction():
            store.save_raw("fit", digest, athlete=athlete.id, payload=data, path=path, status="error",
                           error=outcome, decoder=FIT_DECODER)  # fmt: skip
            store.save_file(path, athlete.id, job.size, job.mtime_ns, digest)
        report.failed.append((path, outcome))
        return
    sessions, decoder, packed, analyses, contents = outcome
    report.decoders[decoder] += 1
    with store.transaction():
        status = "ok" if sessions is not None else "skipped"
        store.save_raw("fit", digest, athlete=athlete.id, payload=data, path=path, status=status, decoder=decoder)
        for session, samples, analysis, content in zip(sessions or (), packed, analyses, contents, strict=True):
            report.merged += save_merged(store, session, samples, analysis, content)
            report.changed_athletes.add(session.athlete)
        store.save_file(path, athlete.id, job.size, job.mtime_ns, digest)
    if sessions is None:
        report.not_activities.append(path)
    else:
        report.imported.append((path, len(sessions)))


def import_files(
    store: Store,
    files: Iterable[tuple[Path | str, Athlete]],
    report: SyncReport | None = None,
    *,
    config: Config | None = None,
    on_file: Callable[[Path], None] | None = None,
    workers: int | None = None,
) -> SyncReport:
    """Import (path, athlete) pairs, each file saved as its decoding finishes. Decoding and analysis run on
    `workers` processes (default: every core; 1: in-process), the store is written here only, and a few files per
    worker are in flight (runsync.pool), whatever their number."""
    report = report or SyncReport()
    jobs = _new_jobs(store, files, report, config or Config(), on_file)
    for job, outcome in map_bounded(decode_task, jobs, workers=workers, send=lambda job: job.task):
        save_fit_job(store, job, outcome, report)
        if on_file:
            on_file(job.path)
    for listing in (report.imported, report.not_activities, report.failed, report.still_failing):
        listing.sort()  # workers finish in any order; the report does not depend on it
    return report


def import_fit_files(store: Store, paths: Iterable[Path], athlete: Athlete, report: SyncReport | None = None,
                     on_file: Callable[[Path], None] | None = None, workers: int | None = None,
                     config: Config | None = None) -> SyncReport:  # fmt: skip
    """Import one athlete's files (`runsync import`), then bring their analyses up to date."""
    report = import_files(store, ((p, athlete) for p in paths), report, config=config, on_file=on_file,
                          workers=workers)  # fmt: skip
    report.analysis = refresh_athletes(store, config or Config(), [athlete], workers=workers)
    return report


def _new_jobs(store: Store, files: Iterable[tuple[Path | str, Athlete]], report: SyncReport, config: Config,
              on_file: Callable[[Path], None] | None) -> Iterator[FitJob]:  # fmt: skip
    known = KnownFiles.of(store)
    settings: dict[str, AnalysisSettings] = {}
    for path, athlete in files:
        if athlete.id not in settings:
            settings[athlete.id] = analysis_settings(config, athlete)
        job = new_fit_job(store, path, athlete, report, known, settings[athlete.id])
        if job is not None:
            yield job
        elif on_file:
            on_file(Path(path))


def fit_files_for(athlete: Athlete, extra_dirs: Iterable[Path], report: SyncReport) -> list[str]:
    """Every FIT file in the athlete's configured folders and the extra ones; a missing folder is a failure."""
    files: list[str] = []
    for folder in (*athlete.fit_dirs, *extra_dirs):
        if not folder.is_dir():
            report.failed.append((str(folder), f"fit folder for {athlete.id} not found"))
            continue
        files.extend(walk_files(folder, (".fit",), report.failed))
    return files


def run_sync(
    store: Store,
    athletes: list[Athlete],
    *,
    extra_fit_dirs: Iterable[Path] = (),
    on_files: Callable[[list[tuple[str, Athlete]]], Iterable[tuple[str, Athlete]]] | None = None,
    config: Config | None = None,
    now: datetime | None = None,
    workers: int | None = None,
) -> SyncReport:
    """Sync every source of every athlete under the store's writer lock. `on_files` may wrap the (file, athlete)
    list (a progress bar); the report says what was imported, unchanged, skipped and failed. With `config`, athletes
    with `strava = true` then sync from Strava (runsync.sources.strava.sync), merged with their watch files. Files
    are decoded on `workers` processes (default: one per core), one pool for every athlete's files."""
    report = SyncReport()
    extra = tuple(extra_fit_dirs)
    now = now or datetime.now(UTC)
    with store.lock():
        files = [(path, athlete) for athlete in athletes for path in fit_files_for(athlete, extra, report)]
        import_files(store, on_files(files) if on_files else files, report, config=config, workers=workers)
        with store.transaction():
            for athlete in (a for a in athletes if a.fit_dirs or extra):
                store.save_state(athlete.id, "fit", "last_sync", now.isoformat(timespec="seconds"))
        strava_athletes = [a for a in athletes if a.strava]
        if config is not None and strava_athletes:
            from runsync.sources.strava import (
                sync as strava_sync,  # stravalib is imported only when someone syncs from Strava
            )

            strava_sync.sync_strava_athletes(store, strava_athletes, config, now=now, report=report, save=save_merged)
        changed = [a for a in athletes if a.id in report.changed_athletes]  # the others are read fresh when read
        report.analysis = refresh_athletes(store, config or Config(), changed, workers=workers)
    return report

