"""intervals.icu's public API (https://intervals.icu/api/v1/docs), the calls runsync makes and nothing else:

- `GET /api/v1/athlete/{id}/activities?oldest=&newest=[&limit=]`: activities newest first between two local dates
  (inclusive); an activity intervals.icu received from Strava comes back as a stub (`source: "STRAVA"`, a `_note`,
  no numbers): Strava's terms forbid intervals.icu to pass it on.
- `GET /api/v1/activity/{id}/file`: the original upload (FIT, GPX or TCX; gzip'd when it was not compressed already,
  or the zip it came in).
- `GET /api/v1/athlete/{id}/wellness?oldest=&newest=`: one record per day (`id` is the date).
- `GET /api/v1/athlete/{id}/events?oldest=&newest=&category=WORKOUT`: the planned workouts on the calendar.

Authentication is HTTP basic with the user name `API_KEY` and the athlete's (or coach's) personal API key as the
password; the athlete id `0` is the key's own athlete. The key travels only in the Authorization header, never in a
URL, a log line or a message. Answers: 401 (a bad key) and 403 (no access: a share withdrawn, a wrong athlete id)
→ AuthError (exit 4, that athlete only); 429 → RateLimited, 5xx and the network → TemporaryError (exit 5, the next
run resumes); other 4xx → RunsyncError with the status (one activity named, the others continue).
"""

from __future__ import annotations

import json
from typing import Any

import requests

from runsync.config import IntervalsSettings
from runsync.errors import AuthError, ExitStatus, RateLimited, RunsyncError, TemporaryError

SECRET_KEY = "intervals:{athlete}"  # the athlete's own key
COACH_KEY = "intervals:coach"  # a coach's key: serves every athlete who shares their intervals.icu data with them
MAX_DOWNLOAD = 2**28


class IntervalsRefused(RunsyncError):
    """A 4xx other than 401/403/429 (a 404 for a deleted activity, a 422 for one received from Strava). On a list
    call it means runsync is not talking to intervals.icu's API as configured: exit 3, naming [intervals] api_url."""

    exit_status = ExitStatus.CONFIG

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class IntervalsApi:
    """One athlete's intervals.icu through one key; counts its calls."""

    def __init__(self, settings: IntervalsSettings, key: str, athlete: str, icu_id: str) -> None:
        self.settings, self.athlete, self.icu_id, self.calls = settings, athlete, icu_id or "0", 0
        self.session = requests.Session()
        self.session.auth = ("API_KEY", key)
        self.session.headers["Accept"] = "application/json"
        self.base = settings.api_url.rstrip("/") + "/api/v1"

    def close(self) -> None:
        self.session.close()

    def profile(self) -> dict[str, Any]:
        """The athlete's profile (what `runsync auth intervals` checks a key with)."""
        found = self.get_json(f"athlete/{self.icu_id}", {}, "the athlete profile")
        return found if isinstance(found, dict) else {}

    def list_activities(self, oldest: str, newest: str, limit: int | None = None) -> list[dict[str, Any]]:
        params = {"oldest": oldest, "newest": newest} | ({"limit": str(limit)} if limit else {})
        return _dicts(self.get_json(f"athlete/{self.icu_id}/activities", params, "the activity list"))

    def wellness(self, oldest: str, newest: str) -> list[dict[str, Any]]:
        return _dicts(self.get_json(f"athlete/{self.icu_id}/wellness", {"oldest": oldest, "newest": newest},
                                    "the wellness records"))  # fmt: skip

    def planned(self, oldest: str, newest: str) -> list[dict[str, Any]]:
        params = {"oldest": oldest, "newest": newest, "category": "WORKOUT"}
        return _dicts(self.get_json(f"athlete/{self.icu_id}/events", params, "the planned workouts"))

    def download_original(self, activity_id: str) -> bytes:
        response = self.get(f"activity/{activity_id}/file", {}, f"the original file of activity {activity_id}",
                            stream=True)  # fmt: skip
        with response:
            data = bytearray()
            for chunk in response.iter_content(2**16):
                data += chunk
                if len(data) > MAX_DOWNLOAD:
                    raise IntervalsRefused(f"intervals.icu activity {activity_id}: the original file is over "
                                           f"{MAX_DOWNLOAD:,} bytes; refused", 413)  # fmt: skip
        return bytes(data)

    def get_json(self, path: str, params: dict[str, str], what: str) -> Any:
        response = self.get(path, params, what)
        try:
            return response.json()
        except (json.JSONDecodeError, ValueError):
            raise TemporaryError(f"intervals.icu sent something that is not JSON for {what} ({self.athlete}); the "
                                 "next run tries again") from None  # fmt: skip

    def get(self, path: str, params: dict[str, str], what: str, *, stream: bool = False) -> requests.Response:
        self.calls += 1
        try:
            response = self.session.get(f"{self.base}/{path}", params=params, timeout=self.settings.timeout_s,
                                        stream=stream, allow_redirects=False)  # fmt: skip
        except requests.RequestException as exc:
            raise TemporaryError(f"cannot reach intervals.icu ({what}, {self.athlete}): {type(exc).__name__}; the "
                                 "next run continues") from None  # fmt: skip
        if response.status_code == 200:
            return response
        status, message = response.status_code, _message(response)
        response.close()
        rerun = f"runsync auth intervals {self.athlete}"
        if status == 401:
            raise AuthError(f"intervals.icu refused the API key for {self.athlete} ({what}: 401 {message}); check it "
                            f"on intervals.icu's settings page and run  {rerun}")  # fmt: skip
        if status == 403:
            raise AuthError(f"intervals.icu denies access to athlete {self.icu_id} for {self.athlete} ({what}: 403 "
                            f"{message}): the athlete id is wrong or they no longer share their data with this key; "
                            f"fix athletes.{self.athlete}.intervals or run  {rerun}")  # fmt: skip
        if status == 429:
            raise RateLimited(f"intervals.icu is rate limiting ({what}, {self.athlete}); the next run continues")
        if status >= 500 or status in (408, 409):
            raise TemporaryError(f"intervals.icu answered {status} for {what} ({self.athlete}); the next run "
                                 "continues")  # fmt: skip
        raise IntervalsRefused(f"intervals.icu answered {status} for {what} ({self.athlete}): {message} (is "
                               f"[intervals] api_url {self.settings.api_url!r} intervals.icu?)", status)


def _message(response: requests.Response) -> str:
    """The error intervals.icu gave (`{"status": 403, "error": "Access denied"}`), short; never the request."""
    try:
        body = response.json()
    except (json.JSONDecodeError, ValueError):
        return (response.reason or "").strip()[:120]
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    text = body.get("error") or body.get("message") if isinstance(body, dict) else None
    return str(text or response.reason or "")[:120]


def _dicts(found: Any) -> list[dict[str, Any]]:
    return [a for a in found if isinstance(a, dict)] if isinstance(found, list) else []
