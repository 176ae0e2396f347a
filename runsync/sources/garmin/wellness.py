"""Garmin Connect's daily summaries into the wellness table: resting heart rate, last night's HRV (the overnight
rMSSD average Garmin shows as HRV status) and sleep (duration and score), per local day.

Three calls a day (resting HR, sleep, HRV). A first sync reads the `[garmin] wellness_days` (7) to today; then each
night re-reads from the newest day stored to today (last night's sleep and HRV are dated today, and Garmin finishes
a day's summary after it). A day Garmin has nothing for (a 404, an empty answer) is skipped; a 429, a 5xx or dead
tokens stop the athlete like the activity calls do. The display name Garmin's daily endpoints are addressed by is
read once from the social profile and kept in sync_state.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from runsync.errors import AuthError, RunsyncError, TemporaryError
from runsync.model import WellnessDay
from runsync.sources.garmin.client import GarminApi, garmin_errors
from runsync.store import Store

SOURCE = "garmin"
PROFILE_PATH = "/userprofile-service/socialProfile"


def sync_garmin_wellness(store: Store, athlete: str, api: GarminApi, today: date, first_days: int) -> int:
    """The days' summaries saved; the number of days with a value."""
    if first_days <= 0:
        return 0
    newest = store.state(athlete, SOURCE, "wellness_newest")
    first = date.fromisoformat(newest) if newest else today - timedelta(days=first_days - 1)
    name = display_name(store, athlete, api)
    days = [day_summary(api, athlete, name, first + timedelta(days=n)) for n in range((today - first).days + 1)]
    found = [d for d in days if d.values()]
    with store.transaction():
        store.save_wellness(SOURCE, found)
        if found:
            store.save_state(athlete, SOURCE, "wellness_newest", max(d.day for d in found).isoformat())
    return len(found)


def display_name(store: Store, athlete: str, api: GarminApi) -> str:
    known = store.state(athlete, SOURCE, "display_name")
    if known:
        return str(known)
    profile = call(api, athlete, "the profile", PROFILE_PATH) or {}
    name = str(profile.get("displayName") or "") if isinstance(profile, dict) else ""
    if not name:
        raise TemporaryError(f"Garmin Connect gave no display name for {athlete}; the next run tries again")
    with store.transaction():
        store.save_state(athlete, SOURCE, "display_name", name)
    return name


def day_summary(api: GarminApi, athlete: str, name: str, day: date) -> WellnessDay:
    iso = day.isoformat()
    g = api.garmin
    rhr = call(api, athlete, f"resting HR of {iso}", f"{g.garmin_connect_rhr_url}/{name}",
               {"fromDate": iso, "untilDate": iso, "metricId": "60"})  # fmt: skip
    sleep = call(api, athlete, f"sleep of {iso}", f"{g.garmin_connect_daily_sleep_url}/{name}",
                 {"date": iso, "nonSleepBufferMinutes": "60"})  # fmt: skip
    hrv = call(api, athlete, f"HRV of {iso}", f"{g.garmin_connect_hrv_url}/{iso}")
    dto = _dict(_dict(sleep).get("dailySleepDTO"))
    metrics = _dict(_dict(_dict(rhr).get("allMetrics")).get("metricsMap")).get("WELLNESS_RESTING_HEART_RATE")
    listed = metrics if isinstance(metrics, list) else []
    resting = next((m.get("value") for m in listed if isinstance(m, dict)), None)
    score = _dict(_dict(dto.get("sleepScores")).get("overall")).get("value")
    return WellnessDay(athlete, day, resting_hr=_number(resting) or _number(_dict(sleep).get("restingHeartRate")),
                       hrv_rmssd_ms=_number(_dict(_dict(hrv).get("hrvSummary")).get("lastNightAvg")),
                       sleep_s=_number(dto.get("sleepTimeSeconds")), sleep_score=_number(score))  # fmt: skip


def call(api: GarminApi, athlete: str, what: str, path: str, params: dict[str, str] | None = None) -> Any:
    """One daily-summary call; None when Garmin has nothing for it (a 4xx other than 401/403/429)."""
    api.wellness_calls += 1
    try:
        with garmin_errors(what, athlete):
            return api.garmin.connectapi(path, params=params)
    except (AuthError, TemporaryError):
        raise
    except RunsyncError:
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 else None
