"""Training analysis: intensity per session, daily/weekly frames by local date, interval sets, strength work."""

from runsync.training.calendar import daily_frame, sessions_frame, week_start_of, weekly_frame
from runsync.training.intensity import (
    INTENSITY_LIMITS,
    Intensity,
    IntensityParams,
    Thresholds,
    classify,
    estimate_critical_speed,
    thresholds_for,
)
from runsync.training.intervals import (
    INTERVAL_LIMITS,
    IntervalParams,
    IntervalSet,
    Rep,
    detect_intervals,
    standard_distance,
)
from runsync.training.strength import StrengthEntry, is_strength, manual_strength_session, parse_strength_csv

__all__ = [
    "INTENSITY_LIMITS",
    "INTERVAL_LIMITS",
    "Intensity",
    "IntensityParams",
    "IntervalParams",
    "IntervalSet",
    "Rep",
    "StrengthEntry",
    "Thresholds",
    "classify",
    "daily_frame",
    "detect_intervals",
    "estimate_critical_speed",
    "is_strength",
    "manual_strength_session",
    "parse_strength_csv",
    "sessions_frame",
    "standard_distance",
    "thresholds_for",
    "week_start_of",
    "weekly_frame",
]
