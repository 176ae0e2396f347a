"""Activity files, whatever wrote them: FIT (watches), GPX and TCX (phones, other watches, exports), each possibly
gzipped, recognised by content (a name is only a hint). `read_activity` is pure: bytes in, sessions out, or None
when the file is not an activity (settings, a course), or DecodeError with one line saying what is wrong."""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from runsync.errors import DecodeError
from runsync.model import Session

FILE_KINDS = ("fit", "gpx", "tcx")
SUFFIXES = (".fit", ".gpx", ".tcx", ".gz")  # what a folder walk picks up (a .gz is opened to see what it holds)
READERS = {"fit": "fitdecode-1", "gpx": "gpx-1", "tcx": "tcx-1", "file": "files-1"}  # bump to retry failures
MAX_BYTES = 256 * 2**20  # an activity file is a few MB: the default [files] max_bytes
CHUNK = 2**20  # a gzip is unpacked this much at a time
MAX_RATIO = 100  # ... as is a gzip that unpacks to more than this many times its size (past 1 MiB)
DECODERS = ("fitdecode", "fitparse")


@dataclass(frozen=True)
class FileResult:
    sessions: list[Session] | None  # None: not an activity
    kind: str  # fit | gpx | tcx
    reader: str  # what read it: fast-1, fitdecode-1, fitparse-1, gpx-1, tcx-1


def gunzip(data: bytes, max_bytes: int = MAX_BYTES) -> bytes:
    """The unpacked bytes of a gzip, refusing a bomb before it fills the memory: the size the gzip declares is
    checked first, then the stream is unpacked a chunk at a time and stopped at the first limit it passes (more than
    `max_bytes`, or past 1 MiB more than MAX_RATIO times the packed size)."""
    limit = min(max_bytes, max(2**20, MAX_RATIO * len(data)))
    declared = int.from_bytes(data[-4:], "little") if len(data) >= 18 else 0  # ISIZE: the size mod 2**32
    if declared > limit:
        raise DecodeError(_bomb(len(data), declared, max_bytes))
    inflater, chunks, total, view = zlib.decompressobj(16 + zlib.MAX_WBITS), [], 0, memoryview(data)
    try:
        for start in range(0, len(data), CHUNK):
            pending = bytes(view[start : start + CHUNK])
            while pending and not inflater.eof:
                out = inflater.decompress(pending, CHUNK)
                total += len(out)
                if total > limit:
                    raise DecodeError(_bomb(len(data), total, max_bytes, more=True))
                chunks.append(out)
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error as exc:
        raise DecodeError(f"damaged gzip file ({exc})") from None
    if not inflater.eof:
        raise DecodeError("truncated gzip file")
    return b"".join(chunks)


def _bomb(packed: int, unpacked: int, max_bytes: int, more: bool = False) -> str:
    over = "more than " if more else ""
    if unpacked > max_bytes:
        return (f"refused: a gzip file that unpacks to {over}{unpacked:,} bytes, over [files] max_bytes "
                f"({max_bytes:,})")  # fmt: skip
    return (f"refused: {packed:,} bytes of gzip that unpack to {over}{unpacked:,} (more than {MAX_RATIO} times: a "
            "gzip bomb?)")  # fmt: skip


def is_gzip(data: bytes) -> bool:
    return data[:2] == b"\x1f\x8b"


def kind_of(data: bytes) -> str | None:
    """fit | gpx | tcx from the bytes themselves, None when they are none of these."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    from runsync.sources.files.xml import xml_head

    head = xml_head(data)
    if head.startswith("<"):
        if "<gpx" in head:
            return "gpx"
        if "trainingcenterdatabase" in head:
            return "tcx"
    return None


def read_activity(data: bytes, *, name: str, digest: str, athlete: str, tz: ZoneInfo,
                  decoder: str = "fitdecode", max_bytes: int = MAX_BYTES) -> FileResult:  # fmt: skip
    """Decode and normalise one file (pure). `decoder`: the FIT decoder, "fitdecode" (runsync's numpy fast path,
    fitdecode where it is not certain) or "fitparse"."""
    kind = None
    try:
        if not data:
            raise DecodeError("empty file (0 bytes)")
        if is_gzip(data):
            data = gunzip(data, max_bytes)
        kind = kind_of(data) or _kind_by_name(name)
        return _read(data, kind, name=name, digest=digest, athlete=athlete, tz=tz, decoder=decoder)
    except DecodeError as exc:
        exc.kind = kind or _kind_by_name(name)  # which reader failed: its version decides when to try again
        raise


def _kind_by_name(name: str) -> str | None:
    suffix = name.lower().removesuffix(".gz").rsplit(".", 1)[-1]
    return suffix if suffix in FILE_KINDS else None


def _read(data: bytes, kind: str | None, *, name: str, digest: str, athlete: str, tz: ZoneInfo,
          decoder: str) -> FileResult:  # fmt: skip
    if kind == "fit":
        return _read_fit(data, name=name, digest=digest, athlete=athlete, tz=tz, decoder=decoder)
    if kind == "gpx":
        from runsync.sources.files.gpx import normalise_gpx

        return FileResult(normalise_gpx(data, athlete=athlete, digest=digest, path=name, tz=tz), kind, READERS[kind])
    if kind == "tcx":
        from runsync.sources.files.tcx import normalise_tcx

        return FileResult(normalise_tcx(data, athlete=athlete, digest=digest, path=name, tz=tz), kind, READERS[kind])
    raise DecodeError("not a FIT, GPX or TCX file (nor a gzip of one)")


def _read_fit(data: bytes, *, name: str, digest: str, athlete: str, tz: ZoneInfo, decoder: str) -> FileResult:
    from runsync.sources.files import fit

    if decoder == "fitparse":
        from runsync.sources.files.fit_parse import FITPARSE_DECODER, decode_fit_fitparse

        activity, used = decode_fit_fitparse(data, name=name), FITPARSE_DECODER
    else:
        from runsync.sources.files.fit_fast import decode_fit_either

        activity, used = decode_fit_either(data, name=name)
    if activity is None:
        return FileResult(None, "fit", used)
    return FileResult(fit.normalise_fit(activity, athlete=athlete, file_hash=digest, path=name, tz=tz), "fit", used)


def walk_files(folder: Path | str, suffixes: tuple[str, ...] = SUFFIXES,
               problems: list[tuple[str, str]] | None = None,
               notes: list[str] | None = None) -> list[str]:  # fmt: skip
    """The paths (as strings: a nightly sync walks thousands) of the files under `folder` whose names end with one
    of `suffixes` (any case), sorted; hidden files and folders skipped, unreadable folders added to `problems`.

    Links are followed, but every folder is read once, known by its device and inode: a link back to a folder
    already read (`ln -s . again`: a loop) is passed over and named in `notes`, as is a link out of the folder (read
    once), and a file reached by two links is listed once. So no folder can make a walk run forever."""
    found: dict[object, str] = {}  # the file's identity → the first path (in sorted order) that reaches it
    folders: set[tuple[int, int]] = set()
    root = os.path.realpath(folder)
    pending = [str(folder)]
    while pending:
        current = pending.pop()
        try:
            info = os.stat(current)
            if (info.st_dev, info.st_ino) in folders:
                _note(notes, f"{current}: a link to a folder already read (a loop?), passed over")
                continue
            folders.add((info.st_dev, info.st_ino))
            below: list[str] = []
            with os.scandir(current) as entries:
                for entry in sorted(entries, key=lambda e: e.name):
                    if entry.name.startswith("."):
                        continue
                    if entry.is_dir():
                        if entry.is_symlink() and not _inside(os.path.realpath(entry.path), root):
                            _note(notes, f"{entry.path}: a link out of the watch folder, to "
                                         f"{os.path.realpath(entry.path)}; read once")  # fmt: skip
                        below.append(entry.path)
                    elif entry.name.lower().endswith(suffixes) and entry.is_file():
                        key = _identity(entry, info.st_dev)
                        if key not in found or entry.path < found[key]:
                            found[key] = entry.path
            pending += reversed(below)  # depth first, in name order: the same walk whatever the file system
        except OSError as error:
            if problems is not None:
                problems.append((current, f"cannot read this folder: {error.strerror or error}"))
    return sorted(found.values())


def _identity(entry: os.DirEntry[str], folder_dev: int) -> object:
    """What tells two paths to one file apart: device and inode. A plain file is on its folder's device and its
    inode comes with the directory listing (no system call on POSIX: a nightly walk of 16,000 files stays a
    listing); a link is followed; without inodes (some Windows file systems) the real path."""
    if not entry.is_symlink():
        inode = entry.inode()
        if inode:
            return (folder_dev, inode)
    info = entry.stat()
    return (info.st_dev, info.st_ino) if info.st_ino else os.path.realpath(entry.path)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _note(notes: list[str] | None, text: str) -> None:
    if notes is not None:
        notes.append(text)


__all__ = ["DECODERS", "FILE_KINDS", "MAX_BYTES", "READERS", "SUFFIXES", "FileResult", "gunzip", "kind_of",
           "read_activity", "walk_files"]  # fmt: skip
