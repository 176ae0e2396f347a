"""The file stages: which items are new (a stat, else a hash), their decoding on the pool, and one transaction per
file for what came back; archives' members, sessions an export made and named problems go the same way."""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runsync.config import Athlete, Config
from runsync.errors import DecodeError, require_extra
from runsync.model import Session
from runsync.pool import map_bounded
from runsync.sources.files import FILE_KINDS, MAX_BYTES, READERS, walk_files
from runsync.sources.items import FileItem, ImportItem, Problem, Provenance, Skipped
from runsync.sources.report import SyncReport
from runsync.store import RawRecord, Store
from runsync.sync.decode import Decoded, DecodeTask, Failed, decode_task
from runsync.sync.merge import save_merged

if TYPE_CHECKING:
    from runsync.analysis import AnalysisSettings

FIT_DECODER = READERS["fit"]  # raw.decoder of a FIT file that failed with this version of the FIT reader


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
    unread_before: bool = False  # it was recorded as unreadable (too big, no permission): that record goes
    @property
    def task(self) -> DecodeTask:
        on_disk = self.item.path is not None
        return DecodeTask(self.item.name, self.digest, self.item.athlete, self.settings, self.decoder,
                          self.item.path, None if on_disk else self.data, self.max_bytes)  # fmt: skip


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
    return FileJob(item, data, digest, size, mtime, settings, decoder, max_bytes, UNREAD + item.name in known.raws)


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
    if job.unread_before:
        store.forget_raw("file", UNREAD + job.item.name)  # it could be read this time
    if job.item.path is not None:
        store.save_file(job.item.path, job.item.athlete.id, job.size or 0, job.mtime_ns or 0, job.digest)


BATCH_FILES = int(os.environ.get("RUNSYNC_BATCH_FILES") or 64)  # files per transaction on PostgreSQL (tests: 1) ...
BATCH_SECONDS = 2.0  # ... or what was saved within this long


class Batch:
    """On PostgreSQL, the files' transactions grouped: one commit per BATCH_FILES files or BATCH_SECONDS, whichever
    comes first (each file's own transaction nests in it), its statements pipelined, its commit not waiting for the
    server's disk. A crash (of the worker or the server) loses at most the last batches, which the next run imports
    again (their content hashes were not committed either): never half a file. On SQLite (a local file, its lock
    shared with the athlete's own commands) each file commits on its own."""

    def __init__(self, store: Store, files: int | None = None, seconds: float | None = None) -> None:
        self.store, self.open_ = store, None
        self.files = (BATCH_FILES if files is None else files) if store.shared else 1
        self.seconds = BATCH_SECONDS if seconds is None else seconds
        self.count, self.started = 0, 0.0

    def __enter__(self) -> Batch:
        self._begin()
        return self

    def _begin(self) -> None:
        if self.files > 1:
            self.open_ = contextlib.ExitStack()
            self.open_.enter_context(self.store.transaction())
            # a server crash may lose the last batches' commits, never half of one: their files are imported again
            self.store.db.relaxed_commit()
            self.open_.enter_context(self.store.db.pipeline())
            self.count, self.started = 0, time.monotonic()

    def saved(self) -> None:
        self.count += 1
        if self.open_ is not None and (self.count >= self.files or time.monotonic() - self.started >= self.seconds):
            self.open_.__exit__(None, None, None)
            self.open_ = None
            self._begin()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        if self.open_ is not None:
            self.open_.__exit__(kind, exc, tb)
            self.open_ = None


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
    if config.fit_decoder == "fitparse":
        require_extra("fitparse", '[fit] decoder = "fitparse"')
    jobs = _new_jobs(store, items, report, config, on_item)
    limit = config.max_decode_s
    timed_out = lambda job: Failed(f"decoding took longer than {limit:g} s ([files] max_decode_s): stopped")  # noqa: E731
    with Batch(store) as batch:
        for job, outcome in map_bounded(decode_task, jobs, workers=workers, send=lambda job: job.task,
                                        timeout_s=limit, on_timeout=timed_out):  # fmt: skip
            save_file_job(store, job, outcome, report)
            batch.saved()
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
            job = new_file_job(store, item, report, known, None, config.fit_decoder, config.max_file_bytes)
            if job is not None:  # analysed with the athlete's settings, read once (numpy loads for new files only)
                if item.athlete.id not in settings:
                    from runsync.analysis.session import analysis_settings

                    settings[item.athlete.id] = analysis_settings(config, item.athlete)
                job.settings = settings[item.athlete.id]
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
    from runsync.analysis.refresh import refresh_athletes

    report.analysis = refresh_athletes(store, config or Config(), [athlete], workers=workers)
    return report


def import_fit_files(store: Store, paths: Iterable[Path], athlete: Athlete, report: SyncReport | None = None,
                     workers: int | None = None, config: Config | None = None) -> SyncReport:  # fmt: skip
    """Import one athlete's files from disk (any supported format), then bring their analyses up to date."""
    items = (FileItem(str(p), athlete, path=str(p)) for p in paths)
    report = import_items(store, items, report, config=config, workers=workers)
    from runsync.analysis.refresh import refresh_athletes

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
