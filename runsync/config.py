"""Configuration: TOML (tomllib) → frozen dataclasses.

Precedence: defaults < config file < RUNSYNC_* environment < CLI flags. Every key is declared once in SCHEMA;
an unknown key or a wrong type is a ConfigError naming the file, the key and what was expected.
Secrets (tokens, passwords, the Strava client secret) are never read from here.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    api_url: str | None = None  # one base URL standing in for Garmin's hosts (tests, proxies); None: Garmin's own


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


# --- the schema: section -> key -> what is expected (kind, allowed range, choices) -------------------------


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
        if self.kind in ("number", "integer") and not _within(value, self.low, self.high):
            return f"expected {_KINDS[self.kind]} {_range_words(self.low, self.high)}{self.unit}, got {value!r}"
        return None


_KINDS = {"number": "a number", "integer": "an integer", "string": "a string", "bool": "true or false",
          "list": "a list of strings"}  # fmt: skip


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
    raise AssertionError(kind)


def _within(value: float, low: float | None, high: float | None) -> bool:
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
        "api_url": STRING,
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
    "email": LIST,
    "units": Key("string", choices=("km", "mi")),
}
ATHLETE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
PACE_RANGE_S_PER_KM = (120.0, 900.0)  # 2:00/km (a world-record 1500 m is faster only for a lap) to 15:00/km


class _Reader:
    """Validates one parsed TOML document against SCHEMA, naming file and key in every error."""

    def __init__(self, data: dict[str, Any], where: str) -> None:
        self.data = data
        self.where = where

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.where}: {key}: {problem}")

    def table(self, key: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table ([{key}]), got {value!r}")
        return value

    def section(self, name: str) -> dict[str, Any]:
        values = self.table(name, self.data.get(name, {}))
        return self.checked(name, values, SCHEMA[name])

    def checked(self, prefix: str, values: dict[str, Any], schema: dict[str, Key]) -> dict[str, Any]:
        for key, value in values.items():
            dotted = f"{prefix}.{key}"
            if key not in schema:
                raise self.fail(dotted, f"unknown key (known: {', '.join(sorted(schema))})")
            problem = schema[key].problem(value)
            if problem:
                raise self.fail(dotted, problem)
        return values


def parse_pace(text: str) -> float:
    """'4:15' or '4:15/km' → seconds per km; '6:50/mi' → seconds per km."""
    value, _, unit = text.strip().partition("/")
    minutes, _, seconds = value.partition(":")
    total = int(minutes) * 60 + float(seconds or 0)
    if not 0 <= float(seconds or 0) < 60:
        raise ValueError(seconds)
    if unit.strip() in ("mi", "mile"):
        return total / 1.609344
    if unit.strip() not in ("", "km"):
        raise ValueError(unit)
    return total


AUDIENCES = ("coach",)  # who other than the athlete may read a report


def _audiences(reader: _Reader, prefix: str, values: list[Any]) -> tuple[str, ...]:
    for value in values:
        if value not in AUDIENCES:
            raise reader.fail(f"{prefix}.share_strava_with", f"expected a list of {', '.join(map(repr, AUDIENCES))}, "
                                                            f"got {value!r}")  # fmt: skip
    return tuple(values)


def _athlete(reader: _Reader, athlete_id: str, raw: Any, base: Path, units: str = "km") -> Athlete:
    prefix = f"athletes.{athlete_id}"
    if not ATHLETE_ID.fullmatch(athlete_id):
        raise reader.fail(prefix, "an athlete id is 1-64 letters, digits, '-' or '_'")
    values = reader.checked(prefix, reader.table(prefix, raw), ATHLETE_SCHEMA)
    timezone = values.get("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise reader.fail(f"{prefix}.timezone", f"unknown timezone {timezone!r} (e.g. Europe/London)") from None
    pace = values.get("threshold_pace")
    try:
        pace_s = parse_pace(pace) if pace else None
    except ValueError:
        raise reader.fail(f"{prefix}.threshold_pace", f'expected a pace like "4:15/km", got {pace!r}') from None
    if pace_s is not None and not _within(pace_s, *PACE_RANGE_S_PER_KM):
        raise reader.fail(f"{prefix}.threshold_pace", f"expected a pace from 2:00/km to 15:00/km, got {pace!r}")
    return Athlete(
        id=athlete_id,
        name=values.get("name", athlete_id),
        timezone=timezone,
        max_hr=values.get("max_hr"),
        resting_hr=values.get("resting_hr"),
        lthr=values.get("lthr"),
        threshold_pace_s_per_km=pace_s,
        critical_speed_mps=values.get("critical_speed"),
        fit_dirs=tuple(_resolve(base, d) for d in values.get("fit_dirs", [])),
        strava=values.get("strava", False),
        email=tuple(values.get("email", [])),
        garmin=values.get("garmin", False),
        units=values.get("units", units),
        share_strava_with=_audiences(reader, prefix, values.get("share_strava_with", [])),
    )


def _resolve(base: Path, path: str) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else (base / p)


KNOWN_SECTIONS = (*SCHEMA, "athletes", "rules")


def parse_config(data: dict[str, Any], path: Path | None = None, env: dict[str, str] | None = None) -> Config:
    where = str(path) if path else "config"
    reader = _Reader(data, where)
    for key in data:
        if key not in KNOWN_SECTIONS:
            raise reader.fail(key, f"unknown section (known: {', '.join(KNOWN_SECTIONS)})")
    base = path.parent if path else Path.cwd()
    storage, secrets = reader.section("storage"), reader.section("secrets")
    athletes_raw = reader.table("athletes", data.get("athletes", {}))
    rules = reader.table("rules", data.get("rules", {}))
    for rule_id, values in rules.items():
        reader.table(f"rules.{rule_id}", values)
    env = dict(os.environ if env is None else env)
    database = env.get("RUNSYNC_DATABASE") or storage.get("database")
    url = env.get("RUNSYNC_DATABASE_URL") or storage.get("url") or None
    if url is not None:
        _check_url(reader, url, from_env="RUNSYNC_DATABASE_URL" in env)
    email = reader.section("email")
    units = reader.section("report").get("units", "km")  # an athlete's own units win
    return Config(
        path=path,
        database=_resolve(base, database) if database else default_database_path(),
        database_url=url,
        secrets_backend=secrets.get("backend", "keyring"),
        secrets_file=_resolve(base, secrets["file"]) if "file" in secrets else None,
        week_start=WEEKDAYS.index(reader.section("calendar").get("week_start", "monday")),
        units=units,
        fitness_days=reader.section("load").get("fitness_days", 42),
        fatigue_days=reader.section("load").get("fatigue_days", 7),
        fit_decoder=reader.section("fit").get("decoder", "fitdecode"),
        max_file_bytes=reader.section("files").get("max_bytes", 256 * 2**20),
        max_decode_s=float(reader.section("files").get("max_decode_s", 600.0)),
        athletes={a: _athlete(reader, a, raw, base, units) for a, raw in athletes_raw.items()},
        strava=StravaSettings(origin=where, **reader.section("strava")),
        garmin=GarminSettings(origin=where, **reader.section("garmin")),
        email=EmailSettings(**{("sender" if k == "from" else k): v for k, v in email.items()}),
        rules={rule_id: dict(values) for rule_id, values in rules.items()},
    )


def _check_url(reader: _Reader, url: str, *, from_env: bool) -> None:
    """A PostgreSQL URL; its password never in the config file (libpq's ~/.pgpass or PGPASSFILE, or the secrets
    store via `runsync auth database`)."""
    key = "RUNSYNC_DATABASE_URL" if from_env else "storage.url"
    if not url.startswith(("postgresql://", "postgres://")):
        raise reader.fail(key, f"expected a postgresql://user@host/database URL, got {url.split('@')[-1]!r}")
    from psycopg.conninfo import conninfo_to_dict  # loads only for a PostgreSQL store

    try:
        parts = conninfo_to_dict(url)
    except Exception as exc:  # psycopg.ProgrammingError; its message never repeats the password
        raise reader.fail(key, f"not a valid PostgreSQL URL ({exc})") from None
    if parts.get("password") and not from_env:
        raise reader.fail(key, "holds a password: secrets never live in the config file; put it in ~/.pgpass "
                          "(or PGPASSFILE) or run `runsync auth database`, and remove it from the URL")  # fmt: skip


def find_config_path(explicit: str | Path | None, env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ if env is None else env)
    if explicit:
        return Path(explicit).expanduser()
    if env.get("RUNSYNC_CONFIG"):
        return Path(env["RUNSYNC_CONFIG"]).expanduser()
    return default_config_path()


def load_config(path: str | Path | None = None, *, required: bool = False) -> Config:
    """Read the config from `path`, RUNSYNC_CONFIG or the platform config dir. A missing default file is
    an empty config (so `runsync init` and `--help` work on a fresh machine); a missing explicit one is an error."""
    resolved = find_config_path(path)
    explicit = bool(path or os.environ.get("RUNSYNC_CONFIG"))
    if not resolved.exists():
        if explicit or required:
            raise ConfigError(f"{resolved}: config file not found (create one with `runsync init`)")
        return parse_config({}, None)
    try:
        data = tomllib.loads(resolved.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{resolved}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{resolved}: cannot read: {exc}") from None
    return parse_config(data, resolved.resolve())
