"""Garmin Connect's data export (Account → Data management → "Export your data"): the activity files the watch
uploaded, as its original FIT files, sit in zips inside the zip under DI_CONNECT/DI-Connect-Uploaded-Files/. They
are read as a stream, one after another, and become sessions exactly as the same files off the watch would (same
content hash: a file imported from the watch folder is not imported twice). The summarized activities
(DI_CONNECT/DI-Connect-Fitness/*summarizedActivities.json) give each activity its Garmin id and name: by the id in
the uploaded file's name when it has one, else by the start time (±120 s).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from runsync.config import Athlete
from runsync.errors import DecodeError
from runsync.model import Session, Source
from runsync.sources.archives import Archive, member_item, members_under
from runsync.sources.files import SUFFIXES
from runsync.sources.items import ImportItem, Problem, Provenance, Skipped

ROOT = "DI_CONNECT/"
UPLOADS = "DI_CONNECT/DI-Connect-Uploaded-Files/"
MATCH_S = 120
ID_IN_NAME = re.compile(r"(\d{6,})(?!.*\d{6,})")  # the last long run of digits in a file name


def is_garmin_export(archive: Archive) -> bool:
    return any(n.upper().startswith(ROOT) for n in archive.names())


@dataclass(frozen=True)
class Summary:
    activity_id: str
    name: str | None
    start: float | None  # unix seconds (GMT)


class Summaries:
    """The export's summarized activities, found by id or by start time."""

    def __init__(self, items: list[Summary]) -> None:
        self.by_id = {s.activity_id: s for s in items}
        timed = sorted((s for s in items if s.start is not None), key=lambda s: s.start or 0.0)
        self.starts, self.timed = [s.start or 0.0 for s in timed], timed

    def provenance(self, summary: Summary | None) -> Provenance | None:
        if summary is None:
            return None
        return Provenance(Source("garmin", summary.activity_id, summary.name), summary.name)

    def by_start(self, session: Session) -> Provenance | None:
        moment = session.start.timestamp()
        i = bisect.bisect_left(self.starts, moment - MATCH_S)
        near = [s for s in self.timed[i : i + 3] if abs((s.start or 0.0) - moment) <= MATCH_S]
        return self.provenance(min(near, key=lambda s: abs((s.start or 0.0) - moment), default=None))


def read_summaries(archive: Archive) -> tuple[Summaries, list[Problem]]:
    found, problems = [], []
    for name in members_under(archive, ROOT):
        if not name.lower().endswith("summarizedactivities.json"):
            continue
        try:
            data = json.loads(archive.read(name))
        except (DecodeError, ValueError) as exc:
            problems.append(Problem(f"{archive.label}:{name}", f"cannot read the activity summaries ({exc})"))
            continue
        found += [s for s in _summaries(data) if s is not None]
    return Summaries(found), problems


def _summaries(data: object) -> Iterator[Summary | None]:
    """[{"summarizedActivitiesExport": [activity, ...]}] (or a bare list of activities)."""
    blocks = data if isinstance(data, list) else [data]
    for block in blocks:
        activities = block.get("summarizedActivitiesExport", [block]) if isinstance(block, dict) else []
        for activity in activities if isinstance(activities, list) else []:
            yield _summary(activity) if isinstance(activity, dict) else None


def _summary(activity: dict) -> Summary | None:
    if activity.get("activityId") is None:
        return None
    start = activity.get("startTimeGmt")
    seconds = start / 1000 if isinstance(start, int | float) and start > 1e11 else start
    return Summary(str(activity["activityId"]), activity.get("name"),
                   float(seconds) if isinstance(seconds, int | float) else None)  # fmt: skip


def garmin_export_items(archive: Archive, athlete: Athlete) -> Iterator[ImportItem]:
    summaries, problems = read_summaries(archive)
    yield from problems
    for member in members_under(archive, UPLOADS):
        if member.lower().endswith(".zip"):
            try:
                inner = archive.open_archive(member)
            except DecodeError as exc:
                yield Problem(f"{archive.label}:{member}", str(exc))
                continue
            yield from _uploaded(inner, inner.names(), athlete, summaries)
        else:
            yield from _uploaded(archive, [member], athlete, summaries)


def _uploaded(archive: Archive, members: list[str], athlete: Athlete, summaries: Summaries) -> Iterator[ImportItem]:
    for member in members:
        if not member.lower().endswith(SUFFIXES):
            yield Skipped(f"{archive.label}:{member}")
            continue
        match = ID_IN_NAME.search(PurePosixPath(member).stem)
        known = summaries.by_id.get(match.group(1)) if match else None
        yield member_item(archive, member, athlete, provenance=summaries.provenance(known),
                          identify=None if known else summaries.by_start)  # fmt: skip

