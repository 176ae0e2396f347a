"""What `runsync import` makes of a path: an activity file, a folder of them, a Strava or Garmin export (as the zip
that was downloaded, or the folder it was unpacked into), or a zip of activity files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from runsync.config import Athlete
from runsync.errors import DecodeError
from runsync.sources.archives import Archive, FolderArchive, ZipArchive, is_zip, member_item
from runsync.sources.archives.garmin_export import garmin_export_items, is_garmin_export
from runsync.sources.archives.strava_export import is_strava_export, strava_export_items
from runsync.sources.files import SUFFIXES, walk_files
from runsync.sources.items import FileItem, ImportItem, Problem, Skipped


def items_of(path: Path, athlete: Athlete) -> Iterator[ImportItem]:
    if path.is_dir():
        yield from _folder(path, athlete)
    elif is_zip(path) or _looks_zipped(path):
        try:
            archive = ZipArchive(path, str(path))
        except DecodeError as exc:
            yield Problem(str(path), str(exc).removeprefix(f"{path}: "))
            return
        yield from _archive(archive, athlete)
    elif path.exists():
        yield FileItem(str(path), athlete, path=str(path))
    else:
        yield Problem(str(path), "no such file or folder")


def _looks_zipped(path: Path) -> bool:
    """Named .zip, or starting like one: a zip that zipfile cannot open (truncated) is still named as a zip."""
    try:
        with path.open("rb") as handle:
            return path.suffix.lower() == ".zip" or handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _folder(path: Path, athlete: Athlete) -> Iterator[ImportItem]:
    if (path / "activities.csv").is_file() or (path / "DI_CONNECT").is_dir():
        yield from _archive(FolderArchive(path), athlete)
        return
    problems: list[tuple[str, str]] = []
    yield from (FileItem(f, athlete, path=f) for f in walk_files(path, problems=problems))
    yield from (Problem(name, reason) for name, reason in problems)


def _archive(archive: Archive, athlete: Athlete) -> Iterator[ImportItem]:
    if is_strava_export(archive):
        yield from strava_export_items(archive, athlete)
    elif is_garmin_export(archive):
        yield from garmin_export_items(archive, athlete)
    else:
        yield from _plain_zip(archive, athlete)


def _plain_zip(archive: Archive, athlete: Athlete) -> Iterator[ImportItem]:
    """A zip of activity files (a service's "original file" download is one): each read like a file on disk."""
    activity = [n for n in archive.names() if n.lower().endswith(SUFFIXES)]
    if not activity:
        yield Problem(archive.label, "not a Strava or Garmin export (no activities.csv, no DI_CONNECT folder), and "
                                     "no FIT, GPX or TCX file inside")  # fmt: skip
        return
    for name in archive.names():
        if name in activity:
            yield member_item(archive, name, athlete)
        else:
            yield Skipped(f"{archive.label}:{name}")
