"""Configuration: TOML (tomllib) → frozen dataclasses.

Precedence: defaults < config file < RUNSYNC_* environment < CLI flags. Every key is declared once in SCHEMA;
an unknown key or a wrong type is a ConfigError naming the file, the key and what was expected.
Secrets (tokens, passwords, the Strava client secret) are never read from here.
"""

from __future__ import annotations

import os
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
    timeout_s: float = 30.0


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
    secrets_backend: str = "keyring"
    secrets_file: Path | None = None
    week_start: int = 0  # 0 = Monday
    units: str = "km"
    athletes: dict[str, Athlete] = field(default_factory=dict)
    strava: StravaSettings = field(default_factory=StravaSettings)
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


# --- the schema: section -> key -> (expected kind, description used in errors) ----------------------------

_NUMBER = "a number"
_STRING = "a string"
_BOOL = "true or false"
_LIST = "a list of strings"
_INT = "an integer"

SCHEMA: dict[str, dict[str, str]] = {
    "storage": {"database": _STRING},
    "secrets": {"backend": _STRING, "file": _STRING},
    "calendar": {"week_start": _STRING},
    "report": {"units": _STRING},
    "strava": {
        "client_id": _STRING,
        "api_url": _STRING,
        "oauth_url": _STRING,
        "redirect_port": _INT,
        "per_page": _INT,
        "reserve_15min": _INT,
        "reserve_daily": _INT,
        "timeout_s": _NUMBER,
    },
    "email": {
        "host": _STRING,
        "port": _INT,
        "security": _STRING,
        "username": _STRING,
        "from": _STRING,
        "to": _LIST,
        "timeout_s": _NUMBER,
    },
}
ATHLETE_SCHEMA: dict[str, str] = {
    "name": _STRING,
    "timezone": _STRING,
    "max_hr": _NUMBER,
    "resting_hr": _NUMBER,
    "lthr": _NUMBER,
    "threshold_pace": _STRING,
    "critical_speed": _NUMBER,
    "fit_dirs": _LIST,
    "strava": _BOOL,
    "email": _LIST,
}
CHOICES = {
    ("secrets", "backend"): ("keyring", "file"),
    ("calendar", "week_start"): WEEKDAYS,
    ("report", "units"): ("km", "mi"),
    ("email", "security"): ("starttls", "ssl", "none"),
}


def _check_type(value: Any, kind: str) -> bool:
    if kind == _NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == _INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == _STRING:
        return isinstance(value, str)
    if kind == _BOOL:
        return isinstance(value, bool)
    if kind == _LIST:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    raise AssertionError(kind)


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

    def checked(self, prefix: str, values: dict[str, Any], schema: dict[str, str]) -> dict[str, Any]:
        for key, value in values.items():
            dotted = f"{prefix}.{key}"
            if key not in schema:
                raise self.fail(dotted, f"unknown key (known: {', '.join(sorted(schema))})")
            if not _check_type(value, schema[key]):
                raise self.fail(dotted, f"expected {schema[key]}, got {value!r}")
            choices = CHOICES.get((prefix, key))
            if choices and value not in choices:
                raise self.fail(dotted, f"expected one of {', '.join(choices)}, got {value!r}")
        return values


def parse_pace(text: str) -> float:
    """'4:15' or '4:15/km' → seconds per km; '6:50/mi' → seconds per km."""
    value, _, unit = text.strip().partition("/")
    minutes, _, seconds = value.partition(":")
    total = int(minutes) * 60 + float(seconds or 0)
    if unit.strip() in ("mi", "mile"):
        return total / 1.609344
    if unit.strip() not in ("", "km"):
        raise ValueError(unit)
    return total


def _athlete(reader: _Reader, athlete_id: str, raw: Any, base: Path) -> Athlete:
    prefix = f"athletes.{athlete_id}"
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
    email = reader.section("email")
    return Config(
        path=path,
        database=_resolve(base, database) if database else default_database_path(),
        secrets_backend=secrets.get("backend", "keyring"),
        secrets_file=_resolve(base, secrets["file"]) if "file" in secrets else None,
        week_start=WEEKDAYS.index(reader.section("calendar").get("week_start", "monday")),
        units=reader.section("report").get("units", "km"),
        athletes={a: _athlete(reader, a, raw, base) for a, raw in athletes_raw.items()},
        strava=StravaSettings(origin=where, **reader.section("strava")),
        email=EmailSettings(**{("sender" if k == "from" else k): v for k, v in email.items()}),
        rules={rule_id: dict(values) for rule_id, values in rules.items()},
    )


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
