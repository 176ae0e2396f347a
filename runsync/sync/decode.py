"""The stage that runs on the pool's worker processes: one file's bytes → its sessions, their samples packed for
the store and their analyses. Nothing here touches the store; the main process saves what comes back
(runsync.sync.files)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from runsync.config import Athlete
from runsync.errors import DecodeError
from runsync.model import Session
from runsync.sources.files import MAX_BYTES, read_activity
from runsync.store import fingerprint, pack_samples

if TYPE_CHECKING:  # the analysis (numpy) loads when a file is decoded, not when a nightly sync finds nothing new
    from runsync.analysis import AnalysisSettings, SessionAnalysis
    from runsync.analysis.efforts import Efforts


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
    from runsync.analysis.session import analyse_session, efforts_of

    return efforts_of(session) if settings.estimates else analyse_session(session, settings)
