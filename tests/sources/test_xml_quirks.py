"""XML as real producers write it: Strava's export puts spaces before `<?xml`, others a BOM, UTF-16 or a declared
ISO-8859-1; all are read, names intact. A document type or entity declaration is refused in every encoding."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runsync.demo import workouts
from runsync.demo.trackfiles import write_gpx, write_tcx
from runsync.errors import DecodeError
from runsync.sources.files import read_activity

RUN = workouts.easy_run(datetime(2026, 10, 11, 7, 0, tzinfo=UTC), 0, 3.0, 330.0, 140.0)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "iso-8859-1"]


def read(data: bytes, name: str):  # noqa: ANN201
    return read_activity(data, name=name, digest=hashlib.sha256(data).hexdigest(), athlete="ana",
                         tz=ZoneInfo("Europe/Madrid"))  # fmt: skip


def reencoded(document: bytes, encoding: str, before: str = "") -> bytes:
    """The document re-encoded, its declaration saying so, with `before` in front of everything."""
    text = document.decode("utf-8")
    declared = {"utf-8-sig": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}.get(encoding, encoding.upper())
    if text.startswith("<?xml"):
        text = text[text.index("?>") + 2 :]
    text = f'{before}<?xml version="1.0" encoding="{declared}"?>' + text
    return text.encode(encoding)


@pytest.mark.parametrize("kind", ["tcx", "gpx"])
@given(st.text(alphabet=" \t\r\n", min_size=1, max_size=12))
@settings(max_examples=15, deadline=None)
def test_white_space_before_the_xml_declaration_is_read_as_strava_writes_it(kind: str, space: str) -> None:
    document = write_tcx(RUN, notes="Morning Run") if kind == "tcx" else write_gpx(RUN, name="Morning Run")
    [session] = read(space.encode() + document, f"123.{kind}").sessions
    assert session.name == "Morning Run" and session.distance_m == pytest.approx(3000, rel=0.03)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("kind", ["tcx", "gpx"])
def test_the_declared_encoding_is_honoured_and_names_stay_intact(kind: str, encoding: str) -> None:
    name = "Logroño – café"  if encoding != "iso-8859-1" else "Logroño café"
    document = write_tcx(RUN, notes=name) if kind == "tcx" else write_gpx(RUN, name=name)
    [session] = read(reencoded(document, encoding, before="  "), f"run.{kind}").sessions
    assert session.name == name


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("kind", ["tcx", "gpx"])
def test_a_document_type_declaration_is_refused_in_every_encoding(kind: str, encoding: str) -> None:
    document = write_tcx(RUN) if kind == "tcx" else write_gpx(RUN)
    text = document.decode("utf-8")
    body = text[text.index("?>") + 2 :] if text.startswith("<?xml") else text
    bomb = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>' + body
    with pytest.raises(DecodeError, match="document type or entity declaration"):
        read(reencoded(bomb.encode("utf-8"), encoding), f"bomb.{kind}")
