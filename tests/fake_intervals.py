"""A fake intervals.icu on 127.0.0.1, written from its public API docs (https://intervals.icu/api/v1/docs and the
forum's "API Integration Cookbook"), not from runsync:

- HTTP basic auth, user name `API_KEY`, the key as password; a bad key → 401 `{"status": 401, "error": ...}`; a key
  reading an athlete who does not share with it → 403 `{"status": 403, "error": "Access denied"}`. Athlete id `0` is
  the key's own athlete.
- `GET /api/v1/athlete/{id}`: the profile.
- `GET /api/v1/athlete/{id}/activities?oldest=&newest=[&limit=]`: newest first by start_date_local, both dates
  inclusive (a date-time `newest` is taken as its date); activities received from Strava come back as stubs
  (`{"id", "start_date_local", "source": "STRAVA", "_note": ...}`).
- `GET /api/v1/activity/{id}/file`: the original file, gzip'd unless it was compressed already; a Strava activity →
  422, a manual one (no file) → 404.
- `GET /api/v1/athlete/{id}/wellness?oldest=&newest=`: one record per day, `id` = the date.
- `GET /api/v1/athlete/{id}/events?oldest=&newest=&category=`: calendar events (planned workouts: WORKOUT).

It counts calls per kind, can answer the next calls with a status (429, 500, 401, 403), and records the
Authorization headers it saw (tests check the key never went anywhere else).
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

KEY, COACH_KEY = "3f9c2a7d1e8b4c6a9d0e1f2a3b", "coachkey5e6f7a8b9c0d1e2f3a4b"


@dataclass
class FakeIntervals:
    url: str = ""
    keys: dict[str, str] = field(default_factory=lambda: {KEY: "i1001", COACH_KEY: "i9000"})  # key → its athlete
    shares: dict[str, set[str]] = field(default_factory=lambda: {"i9000": {"i1001", "i1002"}})  # coach → athletes
    activities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # athlete id → activities
    files: dict[str, bytes] = field(default_factory=dict)  # activity id → the original upload
    wellness: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calls: Counter = field(default_factory=Counter)
    fail_next: list[int] = field(default_factory=list)  # statuses for the next API calls
    auth_seen: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, athlete: str, activity_id: str, start_utc: datetime, utc_offset_s: int, data: bytes | None, *,
            kind: str = "Run", name: str = "Run", distance_m: float = 8000.0, file_type: str = "fit",
            moving_s: float = 2640.0, compressed: bool = False, **extra: Any) -> dict[str, Any]:  # fmt: skip
        activity = {
            "id": activity_id, "icu_athlete_id": athlete, "name": name, "type": kind,
            "start_date": start_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "start_date_local": (start_utc + timedelta(seconds=utc_offset_s)).strftime("%Y-%m-%dT%H:%M:%S"),
            "distance": distance_m, "moving_time": moving_s, "elapsed_time": moving_s + 30, "source": "UPLOAD",
            "file_type": file_type, "icu_training_load": 55, "icu_rpe": None, **extra,
        }  # fmt: skip
        self.activities.setdefault(athlete, []).append(activity)
        if data is not None:
            self.files[activity_id] = data if compressed else gzip.compress(data)
        return activity

    def add_strava(self, athlete: str, activity_id: str, start_local: datetime) -> None:
        self.activities.setdefault(athlete, []).append({
            "id": activity_id, "start_date_local": start_local.strftime("%Y-%m-%dT%H:%M:%S"), "source": "STRAVA",
            "_note": "STRAVA activities are not available via the API",
        })  # fmt: skip

    def api_counts(self) -> dict[str, int]:
        return {k: n for k, n in self.calls.items() if k != "profile"}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def answer(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status: int, message: str) -> None:
        self.answer(status, {"status": status, "error": message})

    def caller(self) -> str | None:
        header = self.headers.get("Authorization") or ""
        self.server.fake.auth_seen.append(header)
        if not header.startswith("Basic "):
            return None
        try:
            user, _, key = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return None
        return self.server.fake.keys.get(key) if user == "API_KEY" else None

    def do_GET(self) -> None:  # noqa: N802
        fake, parsed = self.server.fake, urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        with fake.lock:
            me = self.caller()
            if me is None:
                fake.calls["rejected"] += 1
                return self.error(401, "Unauthorized")
            kind, athlete, activity_id = self.route(parsed.path)
            fake.calls[kind] += 1
            if fake.fail_next and kind != "other":
                status = fake.fail_next.pop(0)
                return self.error(status, {401: "Unauthorized", 403: "Access denied"}.get(status, f"fake {status}"))
            if kind == "other":
                return self.error(404, "Not found")
            if kind == "file":
                return self.file(activity_id, me)
            athlete = me if athlete == "0" else athlete
            if athlete != me and athlete not in fake.shares.get(me, set()):
                return self.error(403, "Access denied")
            if kind == "profile":
                return self.answer(200, {"id": athlete, "name": f"Athlete {athlete}"})
            oldest, newest = query.get("oldest", "0000"), query.get("newest", "9999")[:10]
            if kind == "activities":
                found = [a for a in fake.activities.get(athlete, [])
                         if oldest <= a["start_date_local"][:10] <= newest]  # fmt: skip
                found.sort(key=lambda a: a["start_date_local"], reverse=True)
                limit = int(query["limit"]) if "limit" in query else None
                return self.answer(200, found[:limit] if limit else found)
            if kind == "wellness":
                return self.answer(200, [w for w in fake.wellness.get(athlete, []) if oldest <= w["id"] <= newest])
            if kind == "events":
                wanted = query.get("category")
                return self.answer(200, [e for e in fake.events.get(athlete, [])
                                         if oldest <= e["start_date_local"][:10] <= newest
                                         and (wanted is None or e.get("category") in wanted.split(","))])  # fmt: skip
        return None

    def file(self, activity_id: str, me: str) -> None:
        fake = self.server.fake
        owner = next((a for a, acts in fake.activities.items() for x in acts if x["id"] == activity_id), None)
        activity = next((x for acts in fake.activities.values() for x in acts if x["id"] == activity_id), None)
        if owner is None or activity is None:
            return self.error(404, "Activity not found")
        if owner != me and owner not in fake.shares.get(me, set()):
            return self.error(403, "Access denied")
        if activity.get("source") == "STRAVA":
            return self.error(422, "Cannot read Strava activities via the API")
        if activity_id not in fake.files:
            return self.error(404, "Activity has no file")
        return self.answer(200, fake.files[activity_id], "application/octet-stream")

    @staticmethod
    def route(path: str) -> tuple[str, str, str]:
        for kind, pattern in (("profile", r"^/api/v1/athlete/([^/]+)$"),
                              ("activities", r"^/api/v1/athlete/([^/]+)/activities$"),
                              ("wellness", r"^/api/v1/athlete/([^/]+)/wellness$"),
                              ("events", r"^/api/v1/athlete/([^/]+)/events$"),
                              ("file", r"^/api/v1/activity/([^/]+)/file$")):  # fmt: skip
            match = re.match(pattern, path)
            if match:
                value = match.group(1)
                return (kind, "", value) if kind == "file" else (kind, value, "")
        return "other", "", ""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeIntervals) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        fake.url = f"http://127.0.0.1:{self.server_address[1]}"


def start_fake_intervals() -> tuple[FakeIntervals, _Server]:
    fake = FakeIntervals()
    server = _Server(fake)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
