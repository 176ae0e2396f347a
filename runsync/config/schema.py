"""Every config key declared once: section → key → what is expected (kind, allowed range, choices, unit)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from runsync.config.settings import WEEKDAYS


@dataclass(frozen=True)
class Key:
    """One config key: its kind, an inclusive range for numbers, the allowed strings, and the unit for messages."""

    kind: str  # number | integer | string | bool | list
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    unit: str = ""

    def problem(self, value: Any) -> str | None:
        """What is wrong with `value` for this key, or None."""
        if not _is_kind(value, self.kind):
            return f"expected {_KINDS[self.kind]}, got {value!r}"
        if self.choices and value not in self.choices:
            return f"expected one of {', '.join(self.choices)}, got {value!r}"
        if self.kind in ("number", "integer") and not in_range(value, self.low, self.high):
            return f"expected {_KINDS[self.kind]} {_range_words(self.low, self.high)}{self.unit}, got {value!r}"
        return None


_KINDS = {"number": "a number", "integer": "an integer", "string": "a string", "bool": "true or false",
          "list": "a list of strings",
          "time": 'a local time like "03:00"',
          "athlete id": 'an intervals.icu athlete id like "i12345" (or "0": the API key\'s own athlete)'}  # fmt: skip
INTERVALS_ID = re.compile(r"0|i?[1-9][0-9]{0,11}")
TIME = re.compile(r"([01]?[0-9]|2[0-3]):[0-5][0-9]")


def _is_kind(value: Any, kind: str) -> bool:
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "time":
        return isinstance(value, str) and bool(TIME.fullmatch(value.strip()))
    if kind == "athlete id":
        return (isinstance(value, str) and bool(INTERVALS_ID.fullmatch(value.strip()))) or (
            isinstance(value, int) and not isinstance(value, bool) and value == 0)
    raise AssertionError(kind)


def in_range(value: float, low: float | None, high: float | None) -> bool:
    """Finite (TOML allows nan and inf) and inside [low, high]."""
    return math.isfinite(value) and (low is None or value >= low) and (high is None or value <= high)


def _range_words(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"from {_n(low)} to {_n(high)}"
    if low is not None:
        return f"of at least {_n(low)}" if low else "of 0 or more"
    return f"of at most {_n(high)}" if high is not None else "(finite)"


def _n(value: float) -> str:
    """1.5, 65536 or 17,179,869,184: whole numbers in full (grouped when long), others short."""
    if float(value).is_integer():
        return f"{int(value):,}" if abs(value) >= 10_000_000 else f"{int(value)}"
    return f"{value:g}"


def number(low: float | None = None, high: float | None = None, unit: str = "") -> Key:
    return Key("number", low, high, unit=f" {unit}" if unit else "")


def integer(low: int | None = None, high: int | None = None, unit: str = "") -> Key:
    return Key("integer", low, high, unit=f" {unit}" if unit else "")


STRING, BOOL, LIST = Key("string"), Key("bool"), Key("list")
PORT = integer(1, 65535)
TIMEOUT = number(0.1, 3600, "seconds")

SCHEMA: dict[str, dict[str, Key]] = {
    "storage": {"database": STRING, "url": STRING},
    "secrets": {"backend": Key("string", choices=("keyring", "file")), "file": STRING},
    "calendar": {"week_start": Key("string", choices=WEEKDAYS)},
    "report": {"units": Key("string", choices=("km", "mi"))},
    "load": {"fitness_days": integer(7, 365, "days"), "fatigue_days": integer(1, 60, "days")},
    "fit": {"decoder": Key("string", choices=("fitdecode", "fitparse"))},
    "files": {"max_bytes": integer(2**16, 2**34, "bytes"), "max_decode_s": number(1, 86400, "seconds")},
    "strava": {
        "client_id": STRING,
        "api_url": STRING,
        "oauth_url": STRING,
        "redirect_port": PORT,
        "per_page": integer(1, 200),
        "reserve_15min": integer(0, 1000),
        "reserve_daily": integer(0, 100000),
        "limit_15min": integer(1, 1000000),
        "limit_daily": integer(1, 10000000),
        "timeout_s": TIMEOUT,
        "verify_token": STRING,
    },
    "garmin": {
        "lookback_days": integer(1, 365, "days"),
        "backfill_budget": integer(0, 100000, "downloads"),
        "page_size": integer(1, 100),
        "wellness_days": integer(0, 365, "days"),
        "api_url": STRING,
    },
    "intervals": {
        "api_url": STRING,
        "lookback_days": integer(1, 365, "days"),
        "backfill_budget": integer(0, 100000, "downloads"),
        "page_size": integer(1, 1000),
        "wellness_days": integer(1, 3650, "days"),
        "plan_days": integer(0, 365, "days"),
        "timeout_s": TIMEOUT,
    },
    "schedule": {
        "sync_at": Key("time"),
        "report_day": Key("string", choices=WEEKDAYS),
        "report_at": Key("time"),
        "rollup": BOOL,
        "timezone": STRING,
        "catch_up_hours": number(1, 24 * 14, "hours"),
    },
    "queue": {
        "keep_days": integer(1, 3650, "days"),
        "heartbeat_s": number(1, 3600, "seconds"),
    },
    "email": {
        "host": STRING,
        "port": PORT,
        "security": Key("string", choices=("starttls", "ssl", "none")),
        "username": STRING,
        "from": STRING,
        "to": LIST,
        "timeout_s": TIMEOUT,
    },
}
ATHLETE_SCHEMA: dict[str, Key] = {
    "name": STRING,
    "timezone": STRING,
    "max_hr": number(100, 250, "bpm"),
    "resting_hr": number(20, 120, "bpm"),
    "lthr": number(80, 230, "bpm"),
    "threshold_pace": STRING,
    "critical_speed": number(1.0, 10.0, "m/s"),
    "fit_dirs": LIST,
    "strava": BOOL,
    "share_strava_with": LIST,
    "garmin": BOOL,
    "intervals": Key("athlete id"),
    "email": LIST,
    "units": Key("string", choices=("km", "mi")),
}
ATHLETE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
PACE_RANGE_S_PER_KM = (120.0, 900.0)  # 2:00/km (a world-record 1500 m is faster only for a lap) to 15:00/km
