"""Reading the config: TOML (tomllib) checked against the schema, key by key, into the settings."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runsync.config.schema import ATHLETE_ID, ATHLETE_SCHEMA, PACE_RANGE_S_PER_KM, SCHEMA, Key, in_range
from runsync.config.settings import (
    WEEKDAYS,
    Athlete,
    Config,
    EmailSettings,
    GarminSettings,
    IntervalsSettings,
    QueueSettings,
    ScheduleSettings,
    StravaSettings,
    default_config_path,
    default_database_path,
)
from runsync.errors import ConfigError, require_extra


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
    if pace_s is not None and not in_range(pace_s, *PACE_RANGE_S_PER_KM):
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
        intervals=str(values["intervals"]).strip() if "intervals" in values else None,
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
        intervals=IntervalsSettings(origin=where, **reader.section("intervals")),
        schedule=_schedule(reader, where),
        queue=QueueSettings(**reader.section("queue")),
        email=EmailSettings(**{("sender" if k == "from" else k): v for k, v in email.items()}),
        rules={rule_id: dict(values) for rule_id, values in rules.items()},
    )


def _schedule(reader: _Reader, where: str) -> ScheduleSettings:
    values = dict(reader.section("schedule"))
    zone = values.get("timezone", "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise reader.fail("schedule.timezone", f"unknown timezone {zone!r} (e.g. Europe/London)") from None
    if "report_day" in values:
        values["report_day"] = WEEKDAYS.index(values["report_day"])
    for key in ("sync_at", "report_at"):
        if key in values:
            values[key] = values[key].strip()
    return ScheduleSettings(origin=where, **values)


def _check_url(reader: _Reader, url: str, *, from_env: bool) -> None:
    """A PostgreSQL URL; its password never in the config file (libpq's ~/.pgpass or PGPASSFILE, or the secrets
    store via `runsync auth database`)."""
    key = "RUNSYNC_DATABASE_URL" if from_env else "storage.url"
    if not url.startswith(("postgresql://", "postgres://")):
        raise reader.fail(key, f"expected a postgresql://user@host/database URL, got {url.split('@')[-1]!r}")
    require_extra("postgres", f"a PostgreSQL store ({key})")
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
