"""An activity file a service sent: its original upload, as it came (a FIT, GPX or TCX file, gzip'd or not) or in a
zip (Garmin Connect's "original" download, a zip upload on intervals.icu). What the file pipeline decodes is picked
here; the decoders recognise the kind by content and unpack a gzip themselves (with their size limits)."""

from __future__ import annotations

import io
import zipfile

from runsync.sources.files import SUFFIXES

MAX_MEMBER = 2**28


def activity_file(data: bytes, name: str = "") -> tuple[str, bytes | None]:
    """(name, bytes) of the activity file in a download; (why not, None) when it holds none."""
    if not data.startswith(b"PK\x03\x04"):
        return (name or "the download"), data if data else None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            found = [i for i in archive.infolist()
                     if i.filename.lower().endswith(SUFFIXES) and i.file_size < MAX_MEMBER]  # fmt: skip
            if not found:
                return "the download holds no FIT, GPX or TCX file", None
            chosen = min(found, key=lambda i: (not i.filename.lower().endswith(".fit"), i.filename))
            return chosen.filename, archive.read(chosen)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return "the download is a damaged zip file", None
