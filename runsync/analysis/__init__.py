"""Per-session analysis, computed once when a session is stored and kept with a key (runsync.analysis.session):
best efforts, intensity with its basis, interval sets, time in zones, training load; and the daily and weekly
frames by local date that rules and reports read (runsync.analysis.calendar). `refresh` keeps the stored analyses
fresh: what is stale (new code, new thresholds, changed content) is recomputed, in parallel."""

from runsync.analysis.calendar import daily_frame, sessions_frame, week_start_of, weekly_frame
from runsync.analysis.efforts import Efforts, Estimate, best_efforts, critical_speed
from runsync.analysis.intensity import INTENSITY_LIMITS, Intensity, IntensityParams, Thresholds, classify, easy_time
from runsync.analysis.intervals import (
    INTERVAL_LIMITS,
    IntervalParams,
    IntervalSet,
    Rep,
    detect_intervals,
    is_auto_lapped,
    standard_distance,
)
from runsync.analysis.load import Load, session_load
from runsync.analysis.session import (
    ANALYSIS_VERSION,
    AnalysisSettings,
    SessionAnalysis,
    analyse_session,
    analysis_settings,
)
from runsync.analysis.stream import Blocks, Grid, to_blocks, to_grid
from runsync.analysis.zones import Zones, time_in_zones

__all__ = [
    "ANALYSIS_VERSION",
    "INTENSITY_LIMITS",
    "INTERVAL_LIMITS",
    "AnalysisSettings",
    "Blocks",
    "Efforts",
    "Estimate",
    "Grid",
    "Intensity",
    "IntensityParams",
    "IntervalParams",
    "IntervalSet",
    "Load",
    "Rep",
    "SessionAnalysis",
    "Thresholds",
    "Zones",
    "analyse_session",
    "analysis_settings",
    "best_efforts",
    "classify",
    "critical_speed",
    "daily_frame",
    "detect_intervals",
    "easy_time",
    "is_auto_lapped",
    "session_load",
    "sessions_frame",
    "standard_distance",
    "time_in_zones",
    "to_blocks",
    "to_grid",
    "week_start_of",
    "weekly_frame",
]
