"""The settings as frozen dataclasses: the config file's values after parsing, with their defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import platformdirs

from runsync.errors import ConfigError

APP = "runsync"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def default_database_path() -> Path:
    return Path(platformdirs.user_data_dir(APP)) / "runsync.db"


@dataclass(frozen=True)
class Athlete:
    id: str
    name: str
    timezone: str = "UTC"
    max_hr: float | None = None
    resting_hr: float | None = None
    lthr: float | None = None
    threshold_pace_s_per_km: float | None = None
    critical_speed_mps: float | None = None
    fit_dirs: tuple[Path, ...] = ()
    strava: bool = False
    email: tuple[str, ...] = ()
    garmin: bool = False
    units: str = "km"  # km | mi for this athlete's reports, tables and messages (default: [report] units)
    share_strava_with: tuple[str, ...] = ()  # "coach": the athlete lets reports for others show Strava-only data
    intervals: str | None = None  # the intervals.icu athlete id ("i12345"; "0": the API key's own athlete)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class StravaSettings:
    origin: str = "config"  # the config file these came from, for error messages
    client_id: str | None = None
    api_url: str = "https://www.strava.com/api/v3"
    oauth_url: str = "https://www.strava.com/oauth"
    redirect_port: int = 8765
    per_page: int = 100
    reserve_15min: int = 5
    reserve_daily: int = 50
    limit_15min: int = 100  # the app's read limits assumed until Strava's headers say what they are
    limit_daily: int = 1000
    timeout_s: float = 30.0
    verify_token: str | None = None  # what `runsync serve` expects in Strava's subscription handshake


@dataclass(frozen=True)
class GarminSettings:
    origin: str = "config"  # the config file these came from, for error messages
    lookback_days: int = 7  # a nightly sync lists again the activities of this many days before the newest seen
    backfill_budget: int = 200  # original files downloaded per run at most (a first sync continues the next night)
    page_size: int = 50  # activities per list call
    wellness_days: int = 7  # daily summaries (resting HR, HRV, sleep) a first sync reads; 0: none
    api_url: str | None = None  # one base URL standing in for Garmin's hosts (tests, proxies); None: Garmin's own


@dataclass(frozen=True)
class IntervalsSettings:
    origin: str = "config"
    api_url: str = "https://intervals.icu"
    lookback_days: int = 14  # a nightly sync lists again this many days before the newest activity seen (late edits)
    backfill_budget: int = 200  # original files downloaded per run at most (a first sync continues the next night)
    page_size: int = 100  # activities per history call
    wellness_days: int = 365  # how far back a first sync reads wellness
    plan_days: int = 28  # how far ahead planned workouts are read (and kept in step with the calendar)
    timeout_s: float = 30.0


@dataclass(frozen=True)
class ScheduleSettings:
    """`runsync worker --schedule`: each athlete's nightly sync and weekly mail at their own local time."""

    origin: str = "config"
    sync_at: str | None = None  # "03:00": the nightly sync, athlete-local; None: not scheduled
    report_day: int = 0  # 0 = Monday: the weekly report's day ...
    report_at: str | None = None  # ... and time ("07:00"), athlete-local; None: not scheduled
    rollup: bool = False  # also the coach's --all roll-up to [email] to, at report_day/report_at in `timezone`
    timezone: str = "UTC"  # the coach's (the roll-up's) timezone
    catch_up_hours: float = 36.0  # a run missed by downtime is run once on return if it was due this recently

    @property
    def enabled(self) -> bool:
        return bool(self.sync_at or self.report_at)


@dataclass(frozen=True)
class QueueSettings:
    keep_days: int = 30  # finished jobs, handled webhook events and schedule records are kept this long
    heartbeat_s: float = 30.0  # a worker says it is alive this often; /healthz calls it stale after 3 missed


@dataclass(frozen=True)
class EmailSettings:
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"
    username: str | None = None
    sender: str | None = None
    to: tuple[str, ...] = ()
    timeout_s: float = 30.0


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    database: Path = field(default_factory=default_database_path)
    database_url: str | None = None  # postgresql://user@host/db: a team's shared store (no password here)
    secrets_backend: str = "keyring"
    secrets_file: Path | None = None
    week_start: int = 0  # 0 = Monday
    units: str = "km"
    fitness_days: int = 42  # the time constants of fitness (chronic) and fatigue (acute) training load
    fatigue_days: int = 7
    fit_decoder: str = "fitdecode"  # or "fitparse" (the optional extra runsync[fitparse])
    max_file_bytes: int = 256 * 2**20  # [files] max_bytes: a bigger file (or unpacked gzip / zip member) is refused
    max_decode_s: float = 600.0  # [files] max_decode_s: a file whose decoding takes longer is stopped and named
    athletes: dict[str, Athlete] = field(default_factory=dict)
    strava: StravaSettings = field(default_factory=StravaSettings)
    garmin: GarminSettings = field(default_factory=GarminSettings)
    intervals: IntervalsSettings = field(default_factory=IntervalsSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    queue: QueueSettings = field(default_factory=QueueSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)

    def athlete(self, athlete_id: str) -> Athlete:
        try:
            return self.athletes[athlete_id]
        except KeyError:
            known = ", ".join(sorted(self.athletes)) or "none configured"
            raise ConfigError(f"{self._where()}: no athlete {athlete_id!r} (known: {known})") from None

    def select_athletes(self, ids: tuple[str, ...] | list[str] = (), all_: bool = True) -> list[Athlete]:
        """The athletes named, or every configured one; an unknown id is a config error."""
        if ids:
            return [self.athlete(a) for a in ids]
        if not self.athletes:
            raise ConfigError(f"{self._where()}: no athletes configured; run `runsync init` or add [athletes.<id>]")
        return list(self.athletes.values())

    def default_athlete(self) -> Athlete:
        if len(self.athletes) == 1:
            return next(iter(self.athletes.values()))
        self.select_athletes()
        raise ConfigError(f"{self._where()}: several athletes configured; choose one with --athlete")

    def _where(self) -> str:
        return str(self.path) if self.path else "config"

    @property
    def store_location(self) -> str:
        """What Store.open takes: the PostgreSQL URL when one is set, else the SQLite file."""
        return self.database_url or str(self.database)
