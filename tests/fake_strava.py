"""A fake Strava API on 127.0.0.1: OAuth (code exchange, refresh with rotation), the activity list, detail with
laps, streams, rate-limit headers, and switches for 429, 500, 401 and slow answers. JSON shaped like the real API's.

It counts calls per endpoint (`calls["list" | "detail" | "streams" | "token"]`); `usage` is what the
X-RateLimit-Usage headers report, so a test moves to the next 15 minutes or the next day with `new_window()` /
`new_day()`.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CLIENT_ID = "4242"
CLIENT_SECRET = "fake-client-secret"


@dataclass
class FakeStrava:
    url: str = ""
    activities: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)  # athlete → id → summary
    laps: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    streams: dict[int, dict[str, Any] | None] = field(default_factory=dict)  # None: 404 (manual activity)
    limits: tuple[int, int] = (200, 2000)
    read_limits: tuple[int, int] = (100, 1000)
    usage: list[int] = field(default_factory=lambda: [0, 0])
    fail_next: list[int | tuple[int, dict[str, Any]]] = field(default_factory=list)  # next API calls' answers:
    # a status (500, 401, 429), or (status, body) such as ATHLETE_LIMIT or INACTIVE_APP
    refuse_exchange: dict[str, Any] | None = None  # a 403 body for the next authorisation-code exchange
    capacity: tuple[int, int] | None = (3, 10)  # connected athletes and the app's limit, sent in headers
    deauthorized: list[str] = field(default_factory=list)  # athletes whose app access was revoked by the app
    delay_s: float = 0.0
    token_lifetime_s: int = 6 * 3600
    now: float | None = None  # the fake's clock (token expiry); None: the real one
    calls: Counter = field(default_factory=Counter)
    codes: dict[str, str] = field(default_factory=dict)  # authorisation code → athlete
    access: dict[str, tuple[str, float]] = field(default_factory=dict)  # token → (athlete, expires_at)
    refresh: dict[str, str] = field(default_factory=dict)  # valid refresh token → athlete
    owner_ids: dict[str, int] = field(default_factory=dict)  # athlete → their (stable) Strava athlete id
    subscriptions: dict[int, dict[str, Any]] = field(default_factory=dict)  # push subscriptions by id
    too_many: int = 0  # calls answered 429 because the limits were exceeded (a well-behaved client makes none)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    # --- test controls --------------------------------------------------------------------------------

    def clock(self) -> float:
        return time.time() if self.now is None else self.now

    def new_window(self) -> None:
        self.usage[0] = 0

    def new_day(self) -> None:
        self.usage[:] = [0, 0]

    def api_calls(self) -> int:
        return sum(self.api_counts().values())

    def api_counts(self) -> dict[str, int]:
        """Calls per API endpoint (list, detail, streams): what the rate limits count."""
        return {kind: n for kind, n in self.calls.items() if kind != "token"}

    def issue_tokens(self, athlete: str, expires_in: int | None = None) -> dict[str, Any]:
        n = next(self._ids)
        access, refresh = f"access-{athlete}-{n}", f"refresh-{athlete}-{n}"
        expires_at = int(self.clock()) + (self.token_lifetime_s if expires_in is None else expires_in)
        self.access[access] = (athlete, expires_at)
        self.refresh[refresh] = athlete
        return {
            "token_type": "Bearer",
            "access_token": access,
            "refresh_token": refresh,
            "expires_at": expires_at,
            "expires_in": expires_at - int(self.clock()),
            "athlete": {"id": self.owner_id(athlete), "username": athlete},
        }

    def owner_id(self, athlete: str) -> int:
        return self.owner_ids.setdefault(athlete, 1000 + len(self.owner_ids) + 1)

    def delete_activity(self, athlete: str, activity_id: int) -> None:
        self.activities.get(athlete, {}).pop(activity_id, None)

    def revoke(self, athlete: str) -> None:
        self.access = {k: v for k, v in self.access.items() if v[0] != athlete}
        self.refresh = {k: v for k, v in self.refresh.items() if v != athlete}

    def add_activity(
        self, athlete: str, summary: dict[str, Any], laps: list | None = None, streams: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        self.activities.setdefault(athlete, {})[summary["id"]] = summary
        self.laps[summary["id"]] = laps if laps is not None else make_laps(summary)
        self.streams[summary["id"]] = None if summary.get("manual") else (streams or make_streams(summary))
        return summary

    # --- the API --------------------------------------------------------------------------------------

    def list_activities(self, athlete: str, query: dict[str, str]) -> list[dict[str, Any]]:
        after, before = int(query.get("after", 0)), int(query.get("before", 2**40))
        chosen = [a for a in self.activities.get(athlete, {}).values() if after < _epoch(a) < before]
        chosen.sort(key=_epoch, reverse="after" not in query)  # newest first unless `after` is given
        page, per_page = int(query.get("page", 1)), min(int(query.get("per_page", 30)), 200)
        return chosen[(page - 1) * per_page : page * per_page]

    def detail(self, activity_id: int) -> dict[str, Any] | None:
        for activities in self.activities.values():
            if activity_id in activities:
                return {
                    **activities[activity_id],
                    "resource_state": 3,
                    "laps": self.laps.get(activity_id, []),
                    "description": None,
                    "calories": 500.0,
                }
        return None


def _epoch(summary: dict[str, Any]) -> int:
    return int(datetime.fromisoformat(summary["start_date"].rstrip("Z")).replace(tzinfo=UTC).timestamp())


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_activity(
    activity_id: int,
    start: datetime,
    *,
    sport_type: str = "Run",
    distance_m: float = 10_000.0,
    moving_s: int = 3000,
    utc_offset_s: int = -7 * 3600,
    tz: str = "(GMT-08:00) America/Los_Angeles",
    name: str | None = None,
    workout_type: int | None = 0,
    manual: bool = False,
) -> dict[str, Any]:
    """A SummaryActivity as Strava lists it (start_date UTC, start_date_local with Strava's misleading Z)."""
    return {
        "resource_state": 2,
        "athlete": {"id": 1001, "resource_state": 1},
        "id": activity_id,
        "name": name or f"{sport_type} {activity_id}",
        "distance": distance_m,
        "moving_time": moving_s,
        "elapsed_time": moving_s + 60,
        "total_elevation_gain": 42.0,
        "type": sport_type,
        "sport_type": sport_type,
        "workout_type": workout_type,
        "start_date": _iso(start),
        "start_date_local": _iso(start + timedelta(seconds=utc_offset_s)),
        "timezone": tz,
        "utc_offset": float(utc_offset_s),
        "location_city": None,
        "achievement_count": 0,
        "kudos_count": 0,
        "trainer": False,
        "commute": False,
        "manual": manual,
        "private": False,
        "flagged": False,
        "average_speed": distance_m / moving_s if moving_s else 0.0,
        "max_speed": 5.1,
        "has_heartrate": not manual,
        "average_heartrate": None if manual else 150.0,
        "max_heartrate": None if manual else 172.0,
        "average_cadence": None if manual else 84.0,
        "upload_id": None if manual else activity_id * 10,
        "external_id": None if manual else f"garmin_{activity_id}.fit",
    }


def make_laps(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """1 km laps, the way Strava reports a watch's auto-laps."""
    if summary.get("manual") or not summary.get("distance"):
        return []
    speed = summary["distance"] / summary["moving_time"]
    start, laps, done = datetime.fromisoformat(summary["start_date"].rstrip("Z")), [], 0.0
    while done < summary["distance"] - 1:
        dist = min(1000.0, summary["distance"] - done)
        secs = round(dist / speed)
        laps.append(
            {
                "id": summary["id"] * 100 + len(laps),
                "resource_state": 2,
                "name": f"Lap {len(laps) + 1}",
                "elapsed_time": secs,
                "moving_time": secs,
                "start_date": _iso(start),
                "start_date_local": _iso(start),
                "distance": dist,
                "average_speed": speed,
                "max_speed": speed,
                "average_heartrate": 150.0,
                "max_heartrate": 160.0,
                "average_cadence": 84.0,
                "lap_index": len(laps) + 1,
                "split": len(laps) + 1,
                "total_elevation_gain": 3.0,
            }
        )
        start, done = start + timedelta(seconds=secs), done + dist
    return laps


def make_streams(summary: dict[str, Any], step_s: int = 5) -> dict[str, Any]:
    """Streams keyed by type, sampled every `step_s` seconds (Strava thins the watch's 1 Hz records)."""
    n = max(2, summary["moving_time"] // step_s)
    speed = summary["distance"] / max(summary["moving_time"], 1)
    series: dict[str, list] = {
        "time": [i * step_s for i in range(n)],
        "distance": [round(i * step_s * speed, 1) for i in range(n)],
        "velocity_smooth": [round(speed, 3)] * n,
        "heartrate": [150] * n,
        "cadence": [85] * n,
        "altitude": [12.0] * n,
        "latlng": [[34.05 + i * 1e-5, -118.25] for i in range(n)],
        "moving": [True] * n,
    }
    return {
        k: {"data": v, "series_type": "distance", "original_size": n, "resolution": "high"} for k, v in series.items()
    }


# --- HTTP --------------------------------------------------------------------------------------------------

_ROUTES = [
    ("list", re.compile(r"^/api/v3/athlete/activities$")),
    ("streams", re.compile(r"^/api/v3/activities/(\d+)/streams$")),
    ("detail", re.compile(r"^/api/v3/activities/(\d+)$")),
]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        form.update({k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()})
        if urlsplit(self.path).path == "/api/v3/push_subscriptions":
            return self.answer(*_subscribe(fake, form))
        with self.server.lock:
            fake.calls["token"] += 1
            status, body = _token(fake, urlsplit(self.path).path, form)
        self.answer(status, body)

    def do_DELETE(self) -> None:  # noqa: N802
        fake, parts = self.server.fake, urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        match = re.match(r"^/api/v3/push_subscriptions/(\d+)$", parts.path)
        if match is None or not _app_auth(query):
            return self.answer(404 if match is None else 401, {"message": "Bad Request", "errors": []})
        if fake.subscriptions.pop(int(match.group(1)), None) is None:
            return self.answer(404, {"message": "Record Not Found", "errors": []})
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        fake, parts = self.server.fake, urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/api/v3/push_subscriptions":
            if not _app_auth(query):
                return self.answer(401, {"message": "Bad Request", "errors": []})
            return self.answer(200, list(fake.subscriptions.values()))
        kind, match = next(((k, m) for k, rx in _ROUTES if (m := rx.match(parts.path))), (None, None))
        if kind is None:
            return self.answer(404, {"message": "Record Not Found", "errors": []})
        if fake.delay_s:
            time.sleep(fake.delay_s)
        with self.server.lock:
            fake.calls[kind] += 1
            status, body = _api(fake, kind, match, query, self.headers.get("Authorization", ""))
            fake.usage[0] += 1
            fake.usage[1] += 1
            headers = _rate_headers(fake)
        self.answer(status, body, headers)


def _rate_headers(fake: FakeStrava) -> dict[str, str]:
    usage = f"{fake.usage[0]},{fake.usage[1]}"
    headers = {
        "X-RateLimit-Limit": "{},{}".format(*fake.limits),
        "X-RateLimit-Usage": usage,
        "X-ReadRateLimit-Limit": "{},{}".format(*fake.read_limits),
        "X-ReadRateLimit-Usage": usage,
    }
    if fake.capacity is not None:
        headers["X-Athlete-Capacity-Usage"], headers["X-Athlete-Capacity-Limit"] = map(str, fake.capacity)
    return headers


ATHLETE_LIMIT = {"message": "Limit of connected athletes exceeded", "errors": [
    {"resource": "Athlete", "field": "limit", "code": "exceeded"}]}
INACTIVE_APP = {"message": "Forbidden", "errors": [{"resource": "Application", "field": "Status", "code": "Inactive"}]}
OTHER_403 = {"message": "Forbidden", "errors": [{"resource": "Activity", "field": "visibility", "code": "forbidden"}]}

_UNAUTHORISED = {
    "message": "Authorization Error",
    "errors": [{"resource": "Athlete", "field": "access_token", "code": "invalid"}],
}


def _api(fake: FakeStrava, kind: str, match: re.Match, query: dict[str, str], auth: str) -> tuple[int, Any]:
    if fake.fail_next:
        status = fake.fail_next.pop(0)
        if isinstance(status, tuple):
            return status
        return status, {
            "message": {429: "Rate Limit Exceeded", 401: "Authorization Error"}.get(status, "Error"),
            "errors": [],
        }
    if min(fake.read_limits[0] - fake.usage[0], fake.read_limits[1] - fake.usage[1]) <= 0:
        fake.too_many += 1
        return 429, {"message": "Rate Limit Exceeded", "errors": [{"resource": "Application", "code": "exceeded"}]}
    athlete, expires_at = fake.access.get(auth.removeprefix("Bearer "), (None, 0))
    if athlete is None or expires_at < fake.clock():
        return 401, _UNAUTHORISED
    if kind == "list":
        return 200, fake.list_activities(athlete, query)
    activity_id = int(match.group(1))
    detail = fake.detail(activity_id)
    if detail is None or (kind == "streams" and fake.streams.get(activity_id) is None):
        return 404, {"message": "Record Not Found", "errors": [{"resource": "Activity", "code": "not found"}]}
    if kind == "detail":
        return 200, detail
    wanted = query.get("keys", "").split(",")
    return 200, {k: v for k, v in fake.streams[activity_id].items() if k in wanted}


def _app_auth(form: dict[str, str]) -> bool:
    return form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET


def _subscribe(fake: FakeStrava, form: dict[str, str]) -> tuple[int, Any]:
    """As Strava does: one subscription per application, created only if the callback answers the handshake."""
    import requests

    if not _app_auth(form):
        return 401, {"message": "Bad Request", "errors": [{"resource": "Application", "code": "invalid"}]}
    if fake.subscriptions:
        return 400, {"message": "Bad Request", "errors": [{"resource": "PushSubscription", "code": "already exists"}]}
    challenge = f"challenge-{next(fake._ids)}"
    try:
        answer = requests.get(form.get("callback_url", ""), timeout=5, params={
            "hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": form.get("verify_token", "")})
        ok = answer.status_code == 200 and answer.json().get("hub.challenge") == challenge
    except (requests.RequestException, ValueError):
        ok = False
    if not ok:
        refused = "GET to callback URL does not return 200"
        return 400, {"message": "Bad Request", "errors": [
            {"resource": "PushSubscription", "field": "callback url", "code": refused}]}
    sub_id = 100 + next(fake._ids)
    fake.subscriptions[sub_id] = {"id": sub_id, "application_id": int(CLIENT_ID), "callback_url": form["callback_url"],
                                  "created_at": "2026-11-30T08:00:00Z", "updated_at": "2026-11-30T08:00:00Z"}
    return 201, {"id": sub_id}


def _token(fake: FakeStrava, path: str, form: dict[str, str]) -> tuple[int, Any]:
    if path == "/oauth/deauthorize":
        athlete, _ = fake.access.get(form.get("access_token", ""), (None, 0))
        if athlete is None:
            return 401, _UNAUTHORISED
        fake.revoke(athlete)
        fake.deauthorized.append(athlete)
        return 200, {"access_token": form["access_token"]}
    if path != "/oauth/token":
        return 404, {"message": "Record Not Found", "errors": []}
    if form.get("grant_type") == "authorization_code" and fake.refuse_exchange is not None:
        body, fake.refuse_exchange = fake.refuse_exchange, None
        return 403, body
    if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
        return 401, {"message": "Bad Request", "errors": [{"resource": "Application", "code": "invalid"}]}
    if form.get("grant_type") == "authorization_code":
        athlete = fake.codes.pop(form.get("code", ""), None)
    elif form.get("grant_type") == "refresh_token":
        athlete = fake.refresh.pop(form.get("refresh_token", ""), None)  # rotation: the old one dies now
    else:
        athlete = None
    if athlete is None:
        return 400, {
            "message": "Bad Request",
            "errors": [{"resource": "RefreshToken", "field": "refresh_token", "code": "invalid"}],
        }
    return 200, fake.issue_tokens(athlete)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeStrava) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        self.lock = threading.Lock()


def start_fake_strava() -> tuple[FakeStrava, _Server]:
    fake = FakeStrava()
    server = _Server(fake)
    fake.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
