"""Fetch raw Strava JSON through stravalib's transport, within the rate limits, without ever sleeping for minutes.

Every response's X-RateLimit-* and X-ReadRateLimit-* headers ("15-minute,daily" limit and usage) feed one
RateBudget shared by every athlete (Strava counts calls per application). When the budget is down to the
`[strava] reserve_15min` / `reserve_daily` calls, or on a 429, the connector raises RateLimited carrying the time
the window resets (the next quarter hour, or midnight UTC), so the caller can save its place and exit 5.
5xx answers and timeouts get a few short retries, then a TemporaryError.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from stravalib import exc

from runsync.config import StravaSettings
from runsync.errors import AuthError, RateLimited, TemporaryError
from runsync.sources.strava.oauth import StravaClient, TokenKeeper, make_client, reauth_hint
from runsync.sources.strava.refusal import capacity, refusal
from runsync.store.budget import RateBudgetRows, Window

SERVICE = "strava"
RETRY_DELAYS_S = (0.5, 2.0)  # a short backoff between the 3 tries of a 5xx or a timeout
STREAM_KEYS = ("time", "distance", "velocity_smooth", "heartrate", "cadence", "altitude", "latlng", "moving")
_HEADERS = (("X-RateLimit-Limit", "X-RateLimit-Usage"), ("X-ReadRateLimit-Limit", "X-ReadRateLimit-Usage"))


def parse_pair(text: str | None) -> tuple[int, int] | None:
    """'100,1000' → (100, 1000); None when absent or malformed."""
    try:
        short, daily = (int(part) for part in (text or "").split(","))
    except ValueError:
        return None
    return short, daily


def next_quarter_hour(now: datetime) -> datetime:
    base = now.astimezone(UTC).replace(second=0, microsecond=0)
    return base + timedelta(minutes=15 - base.minute % 15)


def next_utc_midnight(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


class StravaRateLimited(RateLimited):
    """Stop now; `resume_at` is when Strava's window resets (UTC)."""

    def __init__(self, message: str, resume_at: datetime) -> None:
        super().__init__(message)
        self.resume_at = resume_at


@dataclass
class RateBudget:
    """What is left of the application's 15-minute and daily allowance. With a `store`, the allowance is shared by
    every process using it (workers on several machines): each call is counted there before it is made, and what
    the responses' headers report raises the count (calls made by other programs with the same app)."""

    reserve_15min: int = 5
    reserve_daily: int = 50
    left_15min: int | None = None
    left_daily: int | None = None
    calls: int = 0
    calls_by_kind: dict[str, int] = field(default_factory=dict)
    store: RateBudgetRows | None = None
    limit_15min: int = 100  # assumed until a response tells
    limit_daily: int = 1000
    now: datetime | None = None  # the clock of the latest call (the windows a response's usage belongs to)
    capacity: tuple[int, int] | None = None  # (connected athletes, the app's limit), as the latest answer said

    def observe(self, headers: Any) -> None:
        self.capacity = capacity(headers) or self.capacity
        pairs = []
        for limit_name, usage_name in _HEADERS:
            limit, usage = parse_pair(headers.get(limit_name)), parse_pair(headers.get(usage_name))
            if limit and usage:
                pairs.append((limit, usage))
        if not pairs:
            return
        self.left_15min = min(limit[0] - usage[0] for limit, usage in pairs)
        self.left_daily = min(limit[1] - usage[1] for limit, usage in pairs)
        if self.store is not None and self.now is not None:
            for i, window in enumerate(self.windows(self.now)):
                limit, usage = min(pairs, key=lambda p, i=i: p[0][i] - p[1][i])
                self.store.observe_usage(SERVICE, window, usage[i], limit[i])

    def windows(self, now: datetime) -> list[Window]:
        quarter = next_quarter_hour(now) - timedelta(minutes=15)
        day = next_utc_midnight(now) - timedelta(days=1)
        return [Window("15min", quarter.timestamp(), self.limit_15min, self.reserve_15min),
                Window("daily", day.timestamp(), self.limit_daily, self.reserve_daily)]  # fmt: skip

    def resume_at(self, now: datetime) -> datetime | None:
        """None while calls remain; else when the exhausted window resets."""
        if self.left_daily is not None and self.left_daily <= self.reserve_daily:
            return next_utc_midnight(now)
        if self.left_15min is not None and self.left_15min <= self.reserve_15min:
            return next_quarter_hour(now)
        return None

    def ensure_available(self, now: datetime) -> None:
        """Take one call from the budget, or raise StravaRateLimited saying when to resume."""
        self.now = now
        resume = self.resume_at(now)
        if resume is not None:
            raise StravaRateLimited(
                f"Strava rate limit nearly spent ({self.left_15min} calls left this 15 minutes,"
                f" {self.left_daily} today); resuming after {resume:%Y-%m-%d %H:%M} UTC",
                resume,
            )
        spent = self.store.reserve_call(SERVICE, self.windows(now)) if self.store is not None else None
        if spent is not None:
            resume = next_utc_midnight(now) if spent.span == "daily" else next_quarter_hour(now)
            what = "today's" if spent.span == "daily" else "this quarter hour's"
            raise StravaRateLimited(
                f"Strava rate limit: {what} allowance is spent, counting every runsync process's calls (a reserve"
                f" of {spent.reserve} is left unused); resuming after {resume:%Y-%m-%d %H:%M} UTC",
                resume,
            )


def budgeted_session(budget: RateBudget, timeout_s: float) -> requests.Session:
    """A requests session that feeds every API response's headers to `budget` and never waits forever."""
    session = requests.Session()
    session.request = _with_timeout(session.request, timeout_s)  # type: ignore[method-assign]
    session.hooks["response"].append(lambda response, *_a, **_k: budget.observe(response.headers))
    return session


def _with_timeout(request: Callable[..., requests.Response], timeout_s: float) -> Callable[..., requests.Response]:
    def send(*args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", timeout_s)
        return request(*args, **kwargs)

    return send


class StravaApi:
    """One athlete's read calls: summaries by page, activity detail (laps), streams."""

    def __init__(
        self,
        client: StravaClient,
        keeper: TokenKeeper,
        budget: RateBudget,
        *,
        now: datetime,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client, self.keeper, self.budget, self.now, self.sleep = client, keeper, budget, now, sleep

    def fetch_activities(self, *, after: int | None = None, before: int | None = None, per_page: int = 100) -> list:
        params = {"after": after, "before": before, "page": 1, "per_page": per_page}
        return self._get("list", "/athlete/activities", **{k: v for k, v in params.items() if v is not None})

    def fetch_activity(self, activity_id: int | str) -> dict[str, Any]:
        return self._get("detail", "/activities/{id}", id=activity_id, include_all_efforts="false")

    def fetch_streams(self, activity_id: int | str) -> dict[str, Any] | None:
        """Streams keyed by type; None when the activity has none (a manual entry answers 404)."""
        try:
            return self._get(
                "streams", "/activities/{id}/streams", id=activity_id, keys=",".join(STREAM_KEYS), key_by_type="true"
            )
        except exc.ObjectNotFound:
            return None

    def _get(self, kind: str, url: str, **params: Any) -> Any:
        self.keeper.ensure_fresh(self.now)
        try:
            return self._get_with_retries(kind, url, params)
        except exc.AccessUnauthorized:
            self.keeper.refresh()  # once: the token may have been refreshed elsewhere or expired early
        try:
            return self._get_with_retries(kind, url, params)
        except exc.AccessUnauthorized:
            raise AuthError(
                f"Strava refused {self.keeper.athlete}'s token (needs activity:read_all): "
                f"{reauth_hint(self.keeper.athlete)}"
            ) from None

    def _get_with_retries(self, kind: str, url: str, params: dict[str, Any]) -> Any:
        for attempt in range(len(RETRY_DELAYS_S) + 1):
            self.budget.ensure_available(self.now)
            self.budget.calls += 1
            self.budget.calls_by_kind[kind] = self.budget.calls_by_kind.get(kind, 0) + 1
            try:
                return self.client.protocol.get(url, **params)
            except exc.Fault as error:
                status = error.response.status_code if error.response is not None else 0
                if status == 429:
                    raise self._limited() from None
                if status == 403:  # the app's athlete limit, an inactive app, a missing permission
                    raise refusal(error.response, self.keeper.athlete) from None
                if status < 500 or isinstance(error, exc.ObjectNotFound | exc.AccessUnauthorized):
                    raise
                problem = f"HTTP {status}"
            except (requests.Timeout, requests.ConnectionError) as error:
                problem = type(error).__name__
            if attempt < len(RETRY_DELAYS_S):
                self.sleep(RETRY_DELAYS_S[attempt])
        raise TemporaryError(
            f"Strava is not answering ({problem} on {kind}, {attempt + 1} tries); "
            "nothing was lost, the next sync continues"
        )

    def _limited(self) -> StravaRateLimited:
        resume = self.budget.resume_at(self.now) or next_quarter_hour(self.now)
        return StravaRateLimited(
            f"Strava answered 429 Too Many Requests; resuming after {resume:%Y-%m-%d %H:%M} UTC", resume
        )


def make_api(
    settings: StravaSettings,
    keeper_for: Callable[[StravaClient], TokenKeeper],
    budget: RateBudget,
    session: requests.Session,
    *,
    now: datetime,
) -> StravaApi:
    client = make_client(settings, session)
    return StravaApi(client, keeper_for(client), budget, now=now)
