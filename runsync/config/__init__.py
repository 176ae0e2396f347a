"""Configuration: TOML (tomllib) → frozen dataclasses.

Precedence: defaults < config file < RUNSYNC_* environment < CLI flags. Every key is declared once in SCHEMA;
an unknown key or a wrong type is a ConfigError naming the file, the key and what was expected.
Secrets (tokens, passwords, the Strava client secret) are never read from here.
"""

from runsync.config.load import find_config_path, load_config, parse_config, parse_pace
from runsync.config.schema import ATHLETE_ID, ATHLETE_SCHEMA, SCHEMA, Key, integer, number
from runsync.config.settings import (
    APP,
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

__all__ = ["APP", "ATHLETE_ID", "ATHLETE_SCHEMA", "SCHEMA", "WEEKDAYS", "Athlete", "Config", "EmailSettings",
           "GarminSettings", "IntervalsSettings", "Key", "QueueSettings", "ScheduleSettings", "StravaSettings",
           "default_config_path",
           "default_database_path", "find_config_path", "integer", "load_config", "number", "parse_config",
           "parse_pace"]  # fmt: skip
