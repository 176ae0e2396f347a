"""Export archives as members, read one at a time: a zip (or a zip inside a zip, read as a stream from its parent),
or the folder a zip was unpacked into. Nothing is extracted to disk and memory does not grow with the archive.

A zip is refused when it would unpack to more than MAX_TOTAL_BYTES; a member that unpacks more than MAX_RATIO
times its packed size (past 1 MiB), or whose name climbs out of the archive (`..`, an absolute path), is named and
skipped. Members are read in the order they are stored, so a zip inside a zip is read front to back once.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

from runsync.config import Athlete
from runsync.errors import DecodeError
from runsync.sources.items import FileItem

MAX_TOTAL_BYTES = 10 * 2**30
MAX_MEMBER_BYTES = 2**34  # the import refuses members over [files] max_bytes before reading them
MAX_RATIO = 100


class Archive(Protocol):
    label: str  # how messages name it: the zip's path, or "outer.zip:inner.zip"

    def names(self) -> list[str]: ...  # members (posix paths), in reading order

    def read(self, name: str) -> bytes: ...  # DecodeError when the member cannot be read or is refused

    def open_archive(self, name: str) -> Archive: ...  # a zip member as an archive of its own

    def size(self, name: str) -> int: ...


def unsafe(name: str) -> bool:
    """A member name that climbs out of the archive."""
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or (len(name) > 1 and name[1] == ":")


def is_zip(path: Path) -> bool:
    try:
        return path.is_file() and zipfile.is_zipfile(path)
    except OSError:
        return False


class ZipArchive:
    def __init__(self, source: str | Path | IO[bytes], label: str) -> None:
        self.label = label
        try:
            self.zip = zipfile.ZipFile(source)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise DecodeError(f"{label}: not a readable zip file ({exc}); is it truncated?") from None
        total = sum(i.file_size for i in infos)
        if total > MAX_TOTAL_BYTES:
            raise DecodeError(f"{label}: refused: it would unpack to {total / 2**30:,.1f} GB (more than "
                              f"{MAX_TOTAL_BYTES / 2**30:.0f} GB: a zip bomb?)")  # fmt: skip
        self.infos = {i.filename: i for i in sorted(infos, key=lambda i: i.header_offset) if not i.is_dir()}

    def names(self) -> list[str]:
        return list(self.infos)

    def size(self, name: str) -> int:
        return self.infos[name].file_size

    def _check(self, name: str) -> zipfile.ZipInfo:
        info = self.infos[name]
        if unsafe(name):
            raise DecodeError("refused: its name climbs out of the archive")
        packed = max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_BYTES or (info.file_size > 2**20 and info.file_size > MAX_RATIO * packed):
            raise DecodeError(f"refused: {packed:,} bytes that unpack to {info.file_size:,} (a zip bomb?)")
        return info

    def read(self, name: str) -> bytes:
        info = self._check(name)
        try:
            with self.zip.open(info) as member:
                data = member.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile, RuntimeError) as exc:
            raise DecodeError(f"cannot read it from the zip ({exc})") from None
        if len(data) > info.file_size:
            raise DecodeError("refused: it unpacks to more than the zip says (a forged size)")
        return data

    def open_archive(self, name: str) -> ZipArchive:
        info = self.infos[name]
        if unsafe(name):
            raise DecodeError("refused: its name climbs out of the archive")
        return ZipArchive(self.zip.open(info), f"{self.label}:{name}")


class FolderArchive:
    """An export unpacked into a folder, read like the zip it came from."""

    def __init__(self, root: Path) -> None:
        self.root, self.label = root, str(root)

    def names(self) -> list[str]:
        found = []
        for folder, dirs, files in os.walk(self.root):
            dirs.sort()
            found += [Path(folder, f).relative_to(self.root).as_posix() for f in sorted(files)]
        return found

    def size(self, name: str) -> int:
        return (self.root / name).stat().st_size

    def read(self, name: str) -> bytes:
        try:
            return (self.root / name).read_bytes()
        except OSError as exc:
            raise DecodeError(f"cannot read: {exc.strerror or exc}") from None

    def open_archive(self, name: str) -> ZipArchive:
        return ZipArchive(self.root / name, f"{self.label}/{name}")


def open_archive(path: Path) -> Archive:
    return FolderArchive(path) if path.is_dir() else ZipArchive(path, str(path))


def loader(archive: Archive, name: str) -> Callable[[], bytes]:
    """A member's bytes, read when the import gets to it (not when the member is listed)."""
    return lambda: archive.read(name)


def member_item(archive: Archive, name: str, athlete: Athlete, **known: Any) -> FileItem:
    """A member to import: named "archive:member", read when its turn comes, its declared size known up front."""
    try:
        size = archive.size(name)
    except OSError:
        size = None
    return FileItem(f"{archive.label}:{name}", athlete, load=loader(archive, name), size=size, **known)


def members_under(archive: Archive, *prefixes: str) -> Iterator[str]:
    """The members whose path starts with one of `prefixes` (case-insensitive), in reading order."""
    lowered = tuple(p.lower() for p in prefixes)
    return (n for n in archive.names() if n.lower().startswith(lowered))
