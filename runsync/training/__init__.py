"""Kept for rule plugins written against runsync 0.1: the analysis now lives in runsync.analysis (and manual
strength entries in runsync.sources.manual). New code imports from there."""

from runsync.analysis import (
    INTENSITY_LIMITS,
    INTERVAL_LIMITS,
    Intensity,
    IntensityParams,
    IntervalParams,
    IntervalSet,
    Rep,
    Thresholds,
    daily_frame,
    sessions_frame,
    standard_distance,
    week_start_of,
    weekly_frame,
)
from runsync.sources.manual import StrengthEntry, is_strength, manual_strength_session, parse_strength_csv

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
    "daily_frame",
    "is_strength",
    "manual_strength_session",
    "parse_strength_csv",
    "sessions_frame",
    "standard_distance",
    "week_start_of",
    "weekly_frame",
]
