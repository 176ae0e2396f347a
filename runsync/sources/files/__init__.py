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
MAX_BYTES = 512 * 2**20  # an activity file is a few MB; more than this unpacked is refused (a gzip bomb)
MAX_RATIO = 100  # ... as is a gzip that unpacks to more than this many times its size (past 1 MiB)
DECODERS = ("fitdecode", "fitparse")


@dataclass(frozen=True)
class FileResult:
    sessions: list[Session] | None  # None: not an activity
    kind: str  # fit | gpx | tcx
    reader: str  # what read it: fast-1, fitdecode-1, fitparse-1, gpx-1, tcx-1


def gunzip(data: bytes) -> bytes:
    """The unpacked bytes of a gzip, refusing a bomb before it fills the memory."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_BYTES + 1)
    except zlib.error as exc:
        raise DecodeError(f"damaged gzip file ({exc})") from None
    if len(out) > MAX_BYTES or (len(out) > 2**20 and len(out) > MAX_RATIO * len(data)):
        raise DecodeError(f"a gzip file that unpacks to more than {min(MAX_BYTES, MAX_RATIO * len(data)):,} bytes is "
                          "refused (a gzip bomb?)")  # fmt: skip
    if not inflater.eof:
        raise DecodeError("truncated gzip file")
    return out


def is_gzip(data: bytes) -> bool:
    return data[:2] == b"\x1f\x8b"


def kind_of(data: bytes) -> str | None:
    """fit | gpx | tcx from the bytes themselves, None when they are none of these."""
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<") or head.startswith(b"<?xml"):
        if b"<gpx" in head:
            return "gpx"
        if b"trainingcenterdatabase" in head:
            return "tcx"
    return None


def read_activity(data: bytes, *, name: str, digest: str, athlete: str, tz: ZoneInfo,
                  decoder: str = "fitdecode") -> FileResult:  # fmt: skip
    """Decode and normalise one file (pure). `decoder`: the FIT decoder, "fitdecode" (runsync's numpy fast path,
    fitdecode where it is not certain) or "fitparse"."""
    kind = None
    try:
        if not data:
            raise DecodeError("empty file (0 bytes)")
        if is_gzip(data):
            data = gunzip(data)
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
               problems: list[tuple[str, str]] | None = None) -> list[str]:  # fmt: skip
    """The paths (as strings: a nightly sync walks thousands) of the files under `folder` whose names end with one
    of `suffixes` (any case), sorted; hidden files and folders skipped, unreadable folders added to `problems`."""
    found: list[str] = []
    pending = [str(folder)]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    if entry.is_dir():
                        pending.append(entry.path)
                    elif entry.name.lower().endswith(suffixes) and entry.is_file():
                        found.append(entry.path)
        except OSError as error:
            if problems is not None:
                problems.append((current, f"cannot read this folder: {error.strerror or error}"))
    return sorted(found)


__all__ = ["DECODERS", "FILE_KINDS", "READERS", "SUFFIXES", "FileResult", "gunzip", "kind_of", "read_activity",
           "walk_files"]  # fmt: skip
