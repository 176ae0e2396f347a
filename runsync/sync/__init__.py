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

The stages live beside this file: files (what is new, decoded on the pool, saved per file), decode (what a pool
worker runs), merge (the save step every source shares), worker (queued jobs), status (what `runsync status` reads).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from runsync import lazy_exports
from runsync.config import Athlete, Config
from runsync.sources.report import SyncReport
from runsync.store import Store

if TYPE_CHECKING:
    from runsync.sources.items import FileItem
    from runsync.sync.files import import_fit_files, import_items, import_paths
    from runsync.sync.merge import SERVICES, save_merged

SOURCES = ("files", "strava", "garmin", "intervals")  # what an athlete syncs from (a job: one athlete's one source)

__all__ = ["SERVICES", "SOURCES", "SyncReport", "import_fit_files", "import_items", "import_paths", "run_sync",
           "save_merged", "sources_of"]  # fmt: skip
# the stages load when a sync runs (numpy and the decoders), not when `runsync status` reads runsync.sync.status
__getattr__ = lazy_exports(__name__, {"import_fit_files": "files", "import_items": "files", "import_paths": "files",
                                      "SERVICES": "merge", "save_merged": "merge"})  # fmt: skip


def sources_of(athlete: Athlete) -> list[str]:
    """The sources an athlete syncs from: watch folders, Strava, Garmin Connect, intervals.icu."""
    used = (bool(athlete.fit_dirs), athlete.strava, athlete.garmin, athlete.intervals is not None)
    return [s for s, on in zip(SOURCES, used, strict=True) if on]


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
    from runsync.sync.files import sync_files

    report = SyncReport()
    now = now or datetime.now(UTC)
    chosen = set(sources)
    with store.lock(a.id for a in athletes):
        if "files" in chosen:
            sync_files(store, athletes, tuple(extra_fit_dirs), report, config=config, workers=workers,
                       on_item=on_item, now=now)  # fmt: skip
        if config is not None and "strava" in chosen:
            sync_strava(store, [a for a in athletes if a.strava], config, report, now)
        if config is not None and "garmin" in chosen:
            sync_garmin(store, [a for a in athletes if a.garmin], config, report, now)
        if config is not None and "intervals" in chosen:
            sync_intervals(store, [a for a in athletes if a.intervals is not None], config, report, now)
        changed = [a for a in athletes if a.id in report.changed_athletes]  # the others are read fresh when read
        if changed:
            from runsync.analysis.refresh import refresh_athletes

            report.analysis = refresh_athletes(store, config or Config(), changed, workers=workers)
    return report


def sync_strava(store: Store, athletes: list[Athlete], config: Config, report: SyncReport, now: datetime) -> None:
    """The athletes' new and changed Strava activities, merged with what their watches gave."""
    if athletes:
        from runsync.sources.strava import sync as strava_sync  # stravalib loads only when someone uses Strava
        from runsync.sync.merge import save_merged

        strava_sync.sync_strava_athletes(store, athletes, config, now=now, report=report, save=save_merged)


def sync_garmin(store: Store, athletes: list[Athlete], config: Config, report: SyncReport, now: datetime) -> None:
    """The athletes' new Garmin Connect activities: their original FIT files through the file stages."""
    if not athletes:
        return
    from runsync.sources.garmin import sync as garmin_sync  # garminconnect loads only for Garmin users

    garmin_sync.sync_garmin_athletes(store, athletes, config, now=now, report=report,
                                     import_file=file_importer(store, config, report))  # fmt: skip


def sync_intervals(store: Store, athletes: list[Athlete], config: Config, report: SyncReport, now: datetime) -> None:
    """The athletes' intervals.icu activities (their originals through the file stages), wellness and plan."""
    if not athletes:
        return
    from runsync.sources.intervals import sync as intervals_sync

    intervals_sync.sync_intervals_athletes(store, athletes, config, now=now, report=report,
                                           import_file=file_importer(store, config, report))  # fmt: skip


def file_importer(store: Store, config: Config, report: SyncReport) -> Callable[[FileItem], None]:
    """How a service's downloaded original goes through the file stages, one at a time, in this process."""
    from runsync.sync.files import import_items

    def import_one(item: FileItem) -> None:
        import_items(store, [item], report, config=config, workers=1)

    return import_one
