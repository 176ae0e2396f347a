"""A fake Garmin Connect on 127.0.0.1, for the garminconnect library pointed at it by runsync's seam
(`[garmin] api_url`): the mobile SSO login (with MFA), the DI token exchange and refresh, the profile and settings
the library reads after a login, the activity list and the original-file download.

Paths (under the fake's base URL): /sso/mobile/api/login, /sso/mobile/api/mfa/verifyCode,
/diauth/di-oauth2-service/oauth/token, /connectapi/userprofile-service/..., /connectapi/activitylist-service/
activities/search/activities, /connectapi/download-service/files/activity/<id>. It counts the calls per kind and can
answer the next API calls with 429, 401 or 500, or reject every token (a password change on Garmin's side).
"""

from __future__ import annotations

import base64
import io
import json
import re
import secrets
import threading
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

EMAIL, PASSWORD, MFA_CODE = "ana@example.org", "correct horse battery", "123456"
BEN = "ben@example.org"


def jwt(expires_at: float) -> str:
    """A token shaped like Garmin's DI tokens (the library reads `exp` and `client_id` from it)."""
    part = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")  # noqa: E731
    body = {"exp": int(expires_at), "client_id": "GARMIN_CONNECT_MOBILE_ANDROID_DI", "jti": secrets.token_hex(6)}
    return f"{part({'alg': 'none'})}.{part(body)}.sig"


@dataclass
class FakeGarmin:
    url: str = ""
    mfa: bool = False
    token_lifetime_s: int = 3600
    users: dict[str, str] = field(default_factory=lambda: {EMAIL: PASSWORD, BEN: PASSWORD})
    activities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # account → its activities
    originals: dict[str, bytes] = field(default_factory=dict)  # activity id → the download's bytes
    calls: Counter = field(default_factory=Counter)
    fail_next: list[int | None] = field(default_factory=list)  # the next list/download calls: a status, or None (pass)
    reject_tokens: bool = False
    access: dict[str, str] = field(default_factory=dict)  # token → account
    refresh: dict[str, str] = field(default_factory=dict)
    tickets: dict[str, str] = field(default_factory=dict)
    download_delay_s: float = 0.0
    wellness: dict[str, dict[str, Any]] = field(default_factory=dict)  # day → {resting_hr, hrv, sleep_s, score}
    waiting_mfa: str = EMAIL
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, activity_id: int, start: datetime, data: bytes, *, name: str = "Run", kind: str = "running",
            distance_m: float = 8000.0, utc_offset_s: int = -7 * 3600, original: bytes | None = None,
            account: str = EMAIL) -> None:  # fmt: skip
        """An uploaded activity; its original download is a zip holding `data` as <id>_ACTIVITY.fit."""
        self.activities.setdefault(account, []).append({
            "activityId": activity_id, "activityName": name, "activityType": {"typeKey": kind},
            "startTimeGMT": start.strftime("%Y-%m-%d %H:%M:%S"),
            "startTimeLocal": (start + timedelta(seconds=utc_offset_s)).strftime("%Y-%m-%d %H:%M:%S"),
            "distance": distance_m, "duration": 2640.0,
        })  # fmt: skip
        if original is None:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                archive.writestr(f"{activity_id}_ACTIVITY.fit", data)
            original = buffer.getvalue()
        self.originals[str(activity_id)] = original

    def api_counts(self) -> dict[str, int]:
        return {k: n for k, n in self.calls.items() if k in ("list", "download")}

    def issue(self, account: str) -> dict[str, Any]:
        access, refresh = jwt(time.time() + self.token_lifetime_s), secrets.token_hex(12)
        self.access[access], self.refresh[refresh] = account, account
        return {"access_token": access, "refresh_token": refresh, "expires_in": self.token_lifetime_s}


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

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_POST(self) -> None:  # noqa: N802
        fake, path = self.server.fake, urlparse(self.path).path
        with fake.lock:
            if path == "/sso/mobile/api/login":
                fake.calls["login"] += 1
                return self.answer(200, self.login(json.loads(self.body() or b"{}")))
            if path == "/sso/mobile/api/mfa/verifyCode":
                fake.calls["mfa"] += 1
                code = json.loads(self.body() or b"{}").get("mfaVerificationCode")
                if code != MFA_CODE:
                    return self.answer(200, {"responseStatus": {"type": "INVALID_MFA_CODE"}})
                return self.answer(200, self.ticket(fake.waiting_mfa))
            if path == "/diauth/di-oauth2-service/oauth/token":
                return self.token({k: v[0] for k, v in parse_qs(self.body().decode()).items()})
        return self.answer(404, {"message": "no such endpoint"})

    def login(self, form: dict[str, Any]) -> dict[str, Any]:
        fake, account = self.server.fake, form.get("username")
        if account not in fake.users or fake.users[account] != form.get("password"):
            return {"responseStatus": {"type": "INVALID_USERNAME_PASSWORD"}}
        if fake.mfa:
            fake.waiting_mfa = account
            return {"responseStatus": {"type": "MFA_REQUIRED"}, "customerMfaInfo": {"mfaLastMethodUsed": "email"}}
        return self.ticket(account)

    def ticket(self, account: str) -> dict[str, Any]:
        ticket = f"ST-{secrets.token_hex(8)}"
        self.server.fake.tickets[ticket] = account
        return {"responseStatus": {"type": "SUCCESSFUL"}, "serviceTicketId": ticket}

    def token(self, form: dict[str, str]) -> None:
        fake = self.server.fake
        if form.get("grant_type") == "refresh_token":
            fake.calls["refresh"] += 1
            if fake.reject_tokens or form.get("refresh_token") not in fake.refresh:
                return self.answer(401, {"error": "invalid_grant"})
            return self.answer(200, fake.issue(fake.refresh.pop(form["refresh_token"])))
        fake.calls["exchange"] += 1
        if form.get("service_ticket") not in fake.tickets:
            return self.answer(400, {"error": "invalid_ticket"})
        return self.answer(200, fake.issue(fake.tickets.pop(form["service_ticket"])))

    def do_GET(self) -> None:  # noqa: N802
        fake, parsed = self.server.fake, urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        with fake.lock:
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            if fake.reject_tokens or token not in fake.access:
                fake.calls["rejected"] += 1
                return self.answer(401, {"message": "Unauthorized"})
            kind = self.kind(parsed.path)
            fake.calls[kind] += 1
            status = fake.fail_next.pop(0) if fake.fail_next and kind in ("list", "download") else None
            if status is not None:
                return self.answer(status, {"message": f"fake {status}"})
            if kind == "profile":
                return self.answer(200, {"displayName": "ana", "fullName": "Ana"})
            if kind == "settings":
                return self.answer(200, {"userData": {"measurementSystem": "metric"}})
            if kind == "list":
                return self.answer(200, self.listing(query, fake.access[token]))
            if kind in ("rhr", "sleep", "hrv"):
                return self.daily(kind, parsed.path, query)
            if kind == "download":
                original = fake.originals.get(parsed.path.rsplit("/", 1)[-1])
                delay = fake.download_delay_s
        if kind == "download":
            time.sleep(delay)
            if original is None:
                return self.answer(404, {"message": "Not Found"})
            return self.answer(200, original, "application/zip")
        return self.answer(404, {"message": "no such endpoint"})

    @staticmethod
    def kind(path: str) -> str:
        patterns = (("profile", r"/socialProfile$"), ("settings", r"/user-settings$"),
                    ("list", r"/activities/search/activities$"), ("download", r"/files/activity/\d+$"),
                    ("rhr", r"/userstats-service/wellness/daily/ana$"),
                    ("sleep", r"/wellness-service/wellness/dailySleepData/ana$"),
                    ("hrv", r"/hrv-service/hrv/\d{4}-\d\d-\d\d$"))  # fmt: skip
        for kind, pattern in patterns:
            if re.search(pattern, path):
                return kind
        return "other"

    def daily(self, kind: str, path: str, query: dict[str, str]) -> None:
        """Garmin's daily summaries as its endpoints shape them; a day without data: 404 (HRV) or empty."""
        day = query.get("fromDate") or query.get("date") or path.rsplit("/", 1)[-1]
        known = self.server.fake.wellness.get(day)
        if known is None:
            return self.answer(404 if kind == "hrv" else 200, {} if kind != "hrv" else {"message": "Not Found"})
        if kind == "rhr":
            return self.answer(200, {"allMetrics": {"metricsMap": {"WELLNESS_RESTING_HEART_RATE": [
                {"value": known["resting_hr"], "calendarDate": day}]}}})  # fmt: skip
        if kind == "sleep":
            scores = {"overall": {"value": known["score"]}}
            return self.answer(200, {"dailySleepDTO": {"calendarDate": day, "sleepTimeSeconds": known["sleep_s"],
                                                       "sleepScores": scores}})  # fmt: skip
        return self.answer(200, {"hrvSummary": {"calendarDate": day, "lastNightAvg": known["hrv"], "weeklyAvg": 60,
                                                "status": "BALANCED"}})  # fmt: skip

    def listing(self, query: dict[str, str], account: str) -> list[dict[str, Any]]:
        """The account's activities newest first by local start, between startDate and endDate (inclusive local
        dates), paged."""
        after, before = query.get("startDate", "0000"), query.get("endDate", "9999")
        mine = self.server.fake.activities.get(account, [])
        chosen = [a for a in mine if after <= a["startTimeLocal"][:10] <= before]
        chosen.sort(key=lambda a: a["startTimeLocal"], reverse=True)
        start, limit = int(query.get("start", 0)), int(query.get("limit", 20))
        return chosen[start : start + limit]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeGarmin) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        fake.url = f"http://127.0.0.1:{self.server_address[1]}"


def start_fake_garmin() -> tuple[FakeGarmin, _Server]:
    fake = FakeGarmin()
    server = _Server(fake)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server

