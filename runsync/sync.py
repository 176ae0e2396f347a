"""The import pipeline, top to bottom: fetch → save raw → normalise → dedupe → analyse → save → advance cursor.

Sources hand it import items (runsync.sources.items): files from the watch folders, members of an export archive
(runsync.sources.archives), sessions already made (an export's activity without a file), and members it names as
unreadable. A file on disk whose size and mtime are as last time costs a stat() and nothing more; any other file is
read and hashed, and a content hash seen before is not decoded again (a renamed copy, or the same FIT from the watch
and from an export, is not a second session; the export's provenance is added to the session it made). New files
are decoded, normalised and analysed on `workers` processes (one pool for the whole squad), and each is saved in one
transaction: its raw bytes (keyed by content hash), its sessions and their analyses land together or not at all. A
broken file is recorded with its reason, named on every run until it goes, and never stops the others. Then each
athlete syncs from Strava (runsync.sources.strava.sync) when configured, and the analyses the import left stale
(new sessions of an athlete whose critical speed is estimated, merged sessions, Strava sessions) are brought up to
date (runsync.analysis.refresh).
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
from runsync.sources.files import FILE_KINDS, MAX_BYTES, READERS, read_activity, walk_files
from runsync.sources.items import FileItem, ImportItem, Problem, Provenance, Skipped
from runsync.sources.report import SyncReport
from runsync.store import RawRecord, Store, fingerprint, pack_samples, unpack_samples

FIT_DECODER = READERS["fit"]  # raw.decoder of a FIT file that failed with this version of the FIT reader
SERVICES = ("strava", "garmin")  # sources whose ids name one activity: a shared id is the same session
SOURCES = ("files", "strava", "garmin")  # what an athlete syncs from (a worker's job is one athlete's one source)

__all__ = ["SyncReport", "import_fit_files", "import_items", "import_paths", "run_sync", "save_merged"]


def save_merged(store: Store, session: Session, packed: tuple[int, bytes | None] | None = None,
                analysis: SessionAnalysis | Efforts | None = None, content: str | None = None) -> bool:  # fmt: skip
    """Save `session`, folding it into a stored copy of the same activity from another source (the same service id,
    else start ±120 s and distance ±5 %). True if merged. `packed`: the session's samples already packed, used when
    it is saved as it is. `analysis`: computed from the session's content `content`; saved if what is stored has the
    same content (else the refresh after the import recomputes it)."""
    duplicate = _same_service_activity(store, session) or _same_activity(store, session)
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


def _same_service_activity(store: Store, session: Session) -> Session | None:
    for source in (s for s in session.sources if s.kind in SERVICES):
        for found in store.session_ids_for_source(source.kind, source.id):
            if found != session.id:
                return store.session(found, samples=False)
    return None


def _same_activity(store: Store, session: Session) -> Session | None:
    window = (session.start - timedelta(seconds=120), session.start + timedelta(seconds=120))
    candidates = [s for s in store.sessions(session.athlete, start_between=window) if s.id != session.id]
    return find_duplicate(session, candidates)


@dataclass(frozen=True)
class DecodeTask:
    """What a worker needs to decode one file: the file's path (it reads it itself, from the page cache, and checks
    it still has the hash the main process saw), or its bytes (an archive member); what to analyse the sessions with
    (with an estimated critical speed only the best efforts can be computed yet), and the FIT decoder to use."""

    name: str
    digest: str
    athlete: Athlete
    settings: AnalysisSettings | None = None
    decoder: str = "fitdecode"
    path: str | None = None
    data: bytes | None = None
    max_bytes: int = MAX_BYTES


@dataclass
class FileJob:
    """One new file: the main process has read, hashed and checked it; it keeps the bytes for the raw store."""

    item: FileItem
    data: bytes
    digest: str
    size: int | None = None
    mtime_ns: int | None = None
    settings: AnalysisSettings | None = None
    decoder: str = "fitdecode"
    max_bytes: int = MAX_BYTES

    @property
    def task(self) -> DecodeTask:
        on_disk = self.item.path is not None
        return DecodeTask(self.item.name, self.digest, self.item.athlete, self.settings, self.decoder,
                          self.item.path, None if on_disk else self.data, self.max_bytes)  # fmt: skip


class Decoded(NamedTuple):
    """What a worker sends back for a readable file: sessions (None: not an activity), its kind, the reader that read
    it, each session's samples packed for the store (the writer's costliest step, done here in parallel), and each
    session's analysis (or best efforts) with the fingerprint of the content it was computed from."""

    sessions: list[Session] | None
    kind: str
    reader: str
    packed: Sequence[tuple[int, bytes | None]] = ()
    analyses: Sequence[SessionAnalysis | Efforts | None] = ()
    contents: Sequence[str] = ()


class Failed(NamedTuple):
    reason: str
    kind: str | None = None  # the reader that failed (its version decides when the file is tried again)


def decode_task(task: DecodeTask) -> Decoded | Failed:
    """Run in a worker: the decoded file, or why it cannot be."""
    if task.data is not None:
        data = task.data
    else:
        try:
            data = Path(task.path or task.name).read_bytes()
        except OSError as exc:
            return Failed(f"cannot read: {exc.strerror or exc}")
        if hashlib.sha256(data).hexdigest() != task.digest:
            return Failed("the file changed while it was being imported; the next sync takes it")
    try:
        found = read_activity(data, name=task.name, digest=task.digest, athlete=task.athlete.id, tz=task.athlete.tz,
                              decoder=task.decoder, max_bytes=task.max_bytes)  # fmt: skip
    except DecodeError as exc:
        return Failed(str(exc), exc.kind)
    sessions = found.sessions or []
    packed = [pack_samples(s.samples) for s in sessions]
    analyses = [_analyse(s, task.settings) for s in sessions]
    contents = [fingerprint(s, blob) for s, (_, blob) in zip(sessions, packed, strict=True)]
    # the samples cross back packed only: pickling the frames too would double what the pipe carries
    slim = [s.replace(samples=None) for s in sessions] if found.sessions is not None else None
    return Decoded(slim, found.kind, found.reader, packed, analyses, contents)


def _analyse(session: Session, settings: AnalysisSettings | None) -> SessionAnalysis | Efforts | None:
    if settings is None:
        return None
    return efforts_of(session) if settings.estimates else analyse_session(session, settings)


@dataclass
class KnownFiles:
    """What the store knows, read in two queries: path → (size, mtime_ns, digest) of the files on disk imported
    before, and content hash → how its import went. `seen`: the hashes of this run's files still in flight."""

    paths: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    raws: dict[str, RawRecord] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, store: Store) -> KnownFiles:
        raws = {r.source_id: r for r in store.raw_records() if r.source in (*FILE_KINDS, "file")}
        return cls(store.known_files(), raws)


def new_file_job(store: Store, item: FileItem, report: SyncReport, known: KnownFiles,
                 settings: AnalysisSettings | None = None, decoder: str = "fitdecode",
                 max_bytes: int = MAX_BYTES) -> FileJob | None:  # fmt: skip
    """A job for a file to import; None (counted in the report) when it cannot be read, or was imported (or failed)
    before: a file on disk whose size and mtime are unchanged costs a stat(), any other is read and hashed. A file
    (or archive member) over `max_bytes` is refused before it is read, and remembered as failing."""
    size = mtime = None
    try:
        if item.path is not None:
            stat = os.stat(item.path)
            size, mtime = stat.st_size, stat.st_mtime_ns
            remembered = known.paths.get(item.path)
            if remembered and remembered[:2] == (size, mtime) and _seen_before(item.name, remembered[2], report, known):
                return None
        if (size or item.size or 0) > max_bytes:
            return _unread(store, item, report, f"refused: {size or item.size:,} bytes, over [files] max_bytes "
                                                f"({max_bytes:,}); an activity file is a few MB")  # fmt: skip
        data = Path(item.path).read_bytes() if item.path is not None else item.load() if item.load else b""
    except OSError as exc:
        return _unread(store, item, report, f"cannot read: {exc.strerror or exc}")
    except DecodeError as exc:
        return _unread(store, item, report, str(exc))
    digest = hashlib.sha256(data).hexdigest()
    if _seen_before(item.name, digest, report, known):
        with store.transaction():
            if item.path is not None:
                store.save_file(item.path, item.athlete.id, size or 0, mtime or 0, digest)
            if item.provenance is not None:
                attach_provenance(store, digest, item.provenance)
        return None
    known.seen.add(digest)
    return FileJob(item, data, digest, size, mtime, settings, decoder, max_bytes)


UNREAD = "unread:"  # raw records of items that could not even be read, keyed by their name


def _unread(store: Store, item: FileItem, report: SyncReport, reason: str) -> None:
    """An item refused or unreadable before its bytes were had: named in the report and remembered as failing (by
    name: there is no content to hash), so `runsync status` lists it until it imports."""
    report.failed.append((item.name, reason))
    if not store.db.read_only:
        with store.transaction():
            store.save_raw("file", UNREAD + item.name, athlete=item.athlete.id, payload=None, path=item.name,
                           status="error", error=reason)  # fmt: skip
    return None


def _seen_before(name: str, digest: str, report: SyncReport, known: KnownFiles) -> bool:
    """Whether this content was imported (or failed) before, or is in flight in this run; counted in the report."""
    if digest in known.seen:
        report.unchanged += 1
        return True
    record = known.raws.get(digest)
    if record is None or (record.status == "error" and record.decoder != READERS.get(record.source)):
        return False  # new, or failed with an older reader: read it (again)
    if record.status == "error":
        report.still_failing.append((name, record.error or "cannot be imported", record.fetched_at[:10]))
    else:
        report.unchanged += 1
    return True


def attach_provenance(store: Store, digest: str, provenance: Provenance) -> None:
    """A file imported before (from the watch) seen again in an export: its sessions gain the export's service id
    (so a later API sync knows them) and the service's name."""
    for session_id in store.session_ids_for_source(None, digest):
        if provenance.source is not None:
            store.add_source(session_id, provenance.source)
        if provenance.name:
            store.rename_session(session_id, provenance.name)


def with_provenance(session: Session, item: FileItem, kind: str) -> Session:
    """The session with what its archive knows of it: the service's id and name, and its sport where the file's own
    is a guess (GPX and TCX often say nothing, or only "Other")."""
    found = item.provenance or (item.identify(session) if item.identify else None)
    if found is None:
        return session
    sources = session.sources + ((found.source,) if found.source and found.source not in session.sources else ())
    guessed = kind != "fit" or session.sport == "other"
    sport = found.sport if found.sport and found.sport != "other" and guessed else session.sport
    return session.replace(name=found.name or session.name, sources=sources, sport=sport)


def save_file_job(store: Store, job: FileJob, outcome: Decoded | Failed, report: SyncReport) -> None:
    """One transaction per file: the raw bytes with the reader that read them, the sessions made from them and their
    analyses, and (for a file on disk) its size and mtime, so the next run only stats it."""
    item = job.item
    if isinstance(outcome, Failed):
        kind = outcome.kind or "file"
        with store.transaction():
            store.save_raw(kind, job.digest, athlete=item.athlete.id, payload=job.data, path=item.name,
                           status="error", error=outcome.reason, decoder=READERS[kind])  # fmt: skip
            _remember(store, job)
        report.failed.append((item.name, outcome.reason))
        return
    sessions, kind, reader, packed, analyses, contents = outcome
    report.decoders[reader] += 1
    with store.transaction():
        status = "ok" if sessions is not None else "skipped"
        store.save_raw(kind, job.digest, athlete=item.athlete.id, payload=job.data, path=item.name, status=status,
                       decoder=reader)  # fmt: skip
        for session, samples, analysis, content in zip(sessions or (), packed, analyses, contents, strict=True):
            # a changed sport changes the content, so the worker's analysis is then not saved (save_merged checks)
            report.merged += save_merged(store, with_provenance(session, item, kind), samples, analysis, content)
            report.changed_athletes.add(session.athlete)
        _remember(store, job)
    if sessions is None:
        report.not_activities.append(item.name)
    else:
        report.imported.append((item.name, len(sessions)))


def _remember(store: Store, job: FileJob) -> None:
    store.forget_raw("file", UNREAD + job.item.name)  # it could be read this time
    if job.item.path is not None:
        store.save_file(job.item.path, job.item.athlete.id, job.size or 0, job.mtime_ns or 0, job.digest)


def import_items(
    store: Store,
    items: Iterable[ImportItem],
    report: SyncReport | None = None,
    *,
    config: Config | None = None,
    on_item: Callable[[SyncReport], None] | None = None,
    workers: int | None = None,
) -> SyncReport:
    """Import what sources hand over, each file saved as its decoding finishes. Decoding and analysis run on
    `workers` processes (default: every core; 1: in-process), the store is written here only, and a few files per
    worker are in flight (runsync.pool), whatever their number. `on_item(report)` follows the progress."""
    report = report or SyncReport()
    config = config or Config()
    jobs = _new_jobs(store, items, report, config, on_item)
    limit = config.max_decode_s
    timed_out = lambda job: Failed(f"decoding took longer than {limit:g} s ([files] max_decode_s): stopped")  # noqa: E731
    for job, outcome in map_bounded(decode_task, jobs, workers=workers, send=lambda job: job.task, timeout_s=limit,
                                    on_timeout=timed_out):  # fmt: skip
        save_file_job(store, job, outcome, report)
        if on_item:
            on_item(report)
    for listing in (report.imported, report.not_activities, report.failed, report.still_failing):
        listing.sort()  # workers finish in any order; the report does not depend on it
    return report


def _new_jobs(store: Store, items: Iterable[ImportItem], report: SyncReport, config: Config,
              on_item: Callable[[SyncReport], None] | None) -> Iterator[FileJob]:  # fmt: skip
    known = KnownFiles.of(store)
    settings: dict[str, AnalysisSettings] = {}
    for item in items:
        if isinstance(item, FileItem):
            if item.athlete.id not in settings:
                settings[item.athlete.id] = analysis_settings(config, item.athlete)
            job = new_file_job(store, item, report, known, settings[item.athlete.id], config.fit_decoder,
                               config.max_file_bytes)  # fmt: skip
            if job is not None:
                yield job
                continue
        else:
            _take(store, item, report)
        if on_item:
            on_item(report)


def _take(store: Store, item: Session | Problem | Skipped, report: SyncReport) -> None:
    """What needs no decoding: a named problem, a skipped member, a session made from an export's row."""
    if isinstance(item, Problem):
        report.failed.append((item.name, item.reason))
    elif isinstance(item, Skipped):
        report.skipped += 1
    else:
        with store.transaction():
            report.merged += save_merged(store, item)
        report.changed_athletes.add(item.athlete)
        report.imported.append((f"{item.sources[0].kind}:{item.sources[0].id}" if item.sources else item.id, 1))


def import_paths(store: Store, paths: Iterable[Path], athlete: Athlete, *, config: Config | None = None,
                 workers: int | None = None, on_item: Callable[[SyncReport], None] | None = None
                 ) -> SyncReport:  # fmt: skip
    """`runsync import`: files of any supported format, folders of them, Strava and Garmin export archives (zip or
    unpacked); then the athlete's analyses are brought up to date."""
    from runsync.sources.archives.open import items_of

    report = SyncReport()
    items = (item for path in paths for item in items_of(path, athlete))
    import_items(store, items, report, config=config, workers=workers, on_item=on_item)
    report.analysis = refresh_athletes(store, config or Config(), [athlete], workers=workers)
    return report


def import_fit_files(store: Store, paths: Iterable[Path], athlete: Athlete, report: SyncReport | None = None,
                     workers: int | None = None, config: Config | None = None) -> SyncReport:  # fmt: skip
    """Import one athlete's files from disk (any supported format), then bring their analyses up to date."""
    items = (FileItem(str(p), athlete, path=str(p)) for p in paths)
    report = import_items(store, items, report, config=config, workers=workers)
    report.analysis = refresh_athletes(store, config or Config(), [athlete], workers=workers)
    return report


def files_for(athlete: Athlete, extra_dirs: Iterable[Path], report: SyncReport) -> list[str]:
    """Every activity file (FIT, GPX, TCX, gzipped or not) in the athlete's watch folders and the extra ones; a
    missing folder is a failure."""
    files: list[str] = []
    for folder in (*athlete.fit_dirs, *extra_dirs):
        if not folder.is_dir():
            report.failed.append((str(folder), f"watch folder for {athlete.id} not found"))
            continue
        files.extend(walk_files(folder, problems=report.failed, notes=report.notes))
    return files


def sync_files(store: Store, athletes: list[Athlete], extra: tuple[Path, ...], report: SyncReport, *,
               config: Config | None, workers: int | None, on_item: Callable[[SyncReport], None] | None,
               now: datetime) -> None:  # fmt: skip
    """The athletes' watch folders (and `extra` ones): every new or changed file imported."""
    items = [FileItem(p, athlete, path=p) for athlete in athletes for p in files_for(athlete, extra, report)]
    report.total = len(items)
    import_items(store, items, report, config=config, workers=workers, on_item=on_item)
    with store.transaction():
        for athlete in (a for a in athletes if a.fit_dirs or extra):
            store.save_state(athlete.id, "fit", "last_sync", now.isoformat(timespec="seconds"))


def sources_of(athlete: Athlete) -> list[str]:
    """The sources an athlete syncs from: watch folders, Strava, Garmin Connect."""
    return [s for s, used in zip(SOURCES, (bool(athlete.fit_dirs), athlete.strava, athlete.garmin), strict=True)
            if used]  # fmt: skip


def run_sync(
    store: Store,
    athletes: list[Athlete],
    *,
    extra_fit_dirs: Iterable[Path] = (),
    on_item: Callable[[SyncReport], None] | None = None,
    config: Config | None = None,
    now: datetime | None = None,
    workers: int | None = None,
    sources: Iterable[str] = SOURCES,
) -> SyncReport:
    """Sync every source of every athlete under the writer lock for them; the report says what was imported,
    unchanged, skipped and failed. With `config`, athletes with `strava = true` then sync from Strava and those with
    `garmin = true` from Garmin Connect, merged with their watch files. Files are decoded on `workers` processes
    (default: one per core), one pool for every athlete's files. `sources`: a subset of SOURCES (a worker's job
    syncs one athlete's one source)."""
    report = SyncReport()
    extra = tuple(extra_fit_dirs)
    now = now or datetime.now(UTC)
    chosen = set(sources)
    with store.lock(a.id for a in athletes):
        if "files" in chosen:
            sync_files(store, athletes, extra, report, config=config, workers=workers, on_item=on_item, now=now)
        strava_athletes = [a for a in athletes if a.strava and "strava" in chosen]
        if config is not None and strava_athletes:
            from runsync.sources.strava import sync as strava_sync  # stravalib loads only when someone uses Strava

            strava_sync.sync_strava_athletes(store, strava_athletes, config, now=now, report=report, save=save_merged)
        garmin_athletes = [a for a in athletes if a.garmin and "garmin" in chosen]
        if config is not None and garmin_athletes:
            from runsync.sources.garmin import sync as garmin_sync  # garminconnect loads only for Garmin users

            def import_one(item: FileItem) -> None:
                import_items(store, [item], report, config=config, workers=1)

            garmin_sync.sync_garmin_athletes(store, garmin_athletes, config, now=now, report=report,
                                             import_file=import_one)  # fmt: skip
        changed = [a for a in athletes if a.id in report.changed_athletes]  # the others are read fresh when read
        report.analysis = refresh_athletes(store, config or Config(), changed, workers=workers)
    return report
