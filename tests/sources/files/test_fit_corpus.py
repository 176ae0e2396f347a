"""Every real FIT file in ../shared/data/fit (or $RUNSYNC_FIT_CORPUS): a clear DecodeError, None, or sessions
whose distance and times are the ones the file's own session messages state (read here independently)."""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import fitdecode
import numpy as np
import pytest

from runsync.errors import DecodeError
from runsync.model import SAMPLE_COLUMNS, Session
from runsync.sources.files.fit import decode_fit, fetch_fit_files, normalise_fit

CORPUS = Path(
    os.environ.get("RUNSYNC_FIT_CORPUS", Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "fit")
)
FILES = fetch_fit_files(CORPUS) if CORPUS.is_dir() else []

# Known-broken files (INDEX.md) and the reason each must give.
BROKEN = {
    "activity-filecrc.fit": r"^CRC mismatch in the FIT footer at byte 769 ",
    "activity-activity-filecrc.fit": r"^CRC mismatch in the FIT footer at byte 1,540 ",
    "activity-settings-corruptheader.fit": r"^corrupt FIT file \(invalid FIT header at byte 771 ",
    "activity-settings-nodata.fit": r"^truncated FIT file \(ends inside a record at byte 786; 14 records",
    "activity-unexpected-eof.fit": r"^truncated FIT file \(ends inside a record at byte 768; 14 records",
    "nick.fit": r"^truncated FIT file \(ends inside a record at byte 403,456; 14,391 records",
    "strava-android-app-201.10-b1218918.fit": r"^malformed FIT data \(data message with undefined local message "
    r"type 11 at byte 7,471\)$",
    "empty-activities.fit": r"^CRC mismatch in the FIT footer at byte 12 ",
    "empty-sessions.fit": r"^empty file \(0 bytes\)$",
}
# Not activities: settings files, a file_id-only file, a test file whose session and records carry no time.
NOT_ACTIVITIES = {"Settings.fit", "Settings2.fit", "valid_only_contain_fileid.fit", "TestEncode.fit"}


def own_sessions(data: bytes) -> tuple[list[dict[str, Any]], list[float]]:
    """The file's session messages and record times, read with fitdecode in its lenient default mode."""
    sessions, times = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for frame in fitdecode.FitReader(data):
            if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "session":
                sessions.append({f.name: f.value for f in frame.fields})
            elif frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "record":
                stamp = frame.get_value("timestamp", fallback=None)
                times.extend([stamp.timestamp()] if hasattr(stamp, "timestamp") else [])
    return sessions, times


def import_file(path: Path) -> list[Session] | None:
    data = path.read_bytes()
    try:
        activity = decode_fit(data, name=path.name)
    except DecodeError:
        raise
    except Exception as exc:  # noqa: BLE001 - the point: nothing but DecodeError may escape
        pytest.fail(f"decode_fit let {type(exc).__name__} escape: {exc}")
    if activity is None:
        return None
    digest = hashlib.sha256(data).hexdigest()
    return normalise_fit(activity, athlete="ana", file_hash=digest, path=str(path), tz=ZoneInfo("Europe/Berlin"))


def ids(path: Path) -> str:
    return str(path.relative_to(CORPUS))


@pytest.mark.skipif(not FILES, reason=f"FIT corpus not found at {CORPUS}")
@pytest.mark.parametrize("path", FILES, ids=ids)
def test_each_corpus_file_decodes_to_what_its_session_messages_say_or_a_specific_error(path: Path) -> None:
    if path.name in BROKEN:
        with pytest.raises(DecodeError) as error:
            import_file(path)
        assert re.search(BROKEN[path.name], str(error.value)), str(error.value)
        assert path.name not in str(error.value)
        return
    sessions = import_file(path)
    if path.name in NOT_ACTIVITIES:
        assert sessions is None
        return
    assert sessions, "an activity file gave no sessions"
    messages, record_times = own_sessions(path.read_bytes())
    if messages:
        assert_matches_session_messages(sessions, messages)
    else:
        (session,) = sessions
        assert session.elapsed_s == pytest.approx(max(record_times) - min(record_times))
    for session in sessions:
        assert_well_formed(session)


def assert_matches_session_messages(sessions: list[Session], messages: list[dict[str, Any]]) -> None:
    assert len(sessions) == len(messages)
    for session, message in zip(sessions, messages, strict=True):
        assert session.distance_m == message.get("total_distance")
        assert session.elapsed_s == message.get("total_elapsed_time")
        assert session.moving_s == message.get("total_timer_time")
        if message.get("sport") == "transition":
            assert (session.sport, session.sub_sport) == ("other", "transition")


def assert_well_formed(session: Session) -> None:
    assert session.start.utcoffset() is not None
    assert abs(session.utc_offset_s) <= 14 * 3600 and session.utc_offset_s % 900 == 0
    assert session.id.startswith("fit-") and session.sources[0].kind == "fit"
    if session.samples is not None:
        assert tuple(session.samples.columns) == SAMPLE_COLUMNS
        assert (session.samples.dtypes == "float64").all()
        assert session.samples["t"].min() >= 0


@pytest.mark.skipif(not FILES, reason=f"FIT corpus not found at {CORPUS}")
def test_multisport_legs_get_numbered_ids_in_order() -> None:
    path = next((p for p in FILES if p.name == "triathlon_summary_last.fit"), None)
    if path is None:
        pytest.skip("triathlon_summary_last.fit not in the corpus")
    sessions = import_file(path)
    assert [s.sport for s in sessions] == ["swim", "other", "ride", "other", "run"]
    assert [s.id.rsplit("-", 1)[1] for s in sessions] == ["1", "2", "3", "4", "5"]
    assert [s.start for s in sessions] == sorted(s.start for s in sessions)
    assert all(s.laps for s in sessions)


def sessions_with(decoder: str, data: bytes, name: str) -> list[Session] | None:
    from runsync.sources.files import read_activity

    found = read_activity(data, name=name, digest="c" * 64, athlete="me", tz=ZoneInfo("Europe/Berlin"),
                          decoder=decoder)  # fmt: skip
    return found.sessions


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_fitparse_gives_the_same_sessions_as_fitdecode_wherever_it_can_read_the_file(path: Path) -> None:
    """`[fit] decoder = "fitparse"` (the reference the design names) against the default decoder."""
    pytest.importorskip("fitparse")
    data = path.read_bytes()
    try:
        reference = sessions_with("fitparse", data, path.name)
    except DecodeError:
        pytest.skip("fitparse cannot read this file")
    ours = sessions_with("fitdecode", data, path.name)
    if reference is None or ours is None:
        assert reference == ours
        return
    assert [s.id for s in ours] == [s.id for s in reference]
    for a, b in zip(ours, reference, strict=True):
        for name in ("sport", "sub_sport", "start", "utc_offset_s", "elapsed_s", "moving_s", "distance_m", "avg_hr",
                     "max_hr", "laps", "sets"):  # fmt: skip
            assert getattr(a, name) == getattr(b, name), f"{path.name} {a.id}: {name}"
        if a.samples is None or b.samples is None:
            assert a.samples is None and b.samples is None
            continue
        assert a.samples.shape == b.samples.shape
        for column in SAMPLE_COLUMNS:
            left, right = a.samples[column].to_numpy(), b.samples[column].to_numpy()
            assert ((left == right) | (np.isnan(left) & np.isnan(right)) | np.isclose(left, right)).all(), column
