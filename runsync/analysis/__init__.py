"""Per-session analysis, computed once when a session is stored and kept with a key (runsync.analysis.session):
best efforts, intensity with its basis, interval sets, time in zones, training load; and the daily and weekly
frames by local date that rules and reports read (runsync.analysis.calendar). `refresh` keeps the stored analyses
fresh: what is stale (new code, new thresholds, changed content) is recomputed, in parallel.

The names below load on first use: the sync pipeline reads the per-session analysis without paying for pandas
(which only the frames need)."""

from __future__ import annotations

from runsync import lazy_exports

_WHERE = {name: module for module, names in {
    "calendar": ["daily_frame", "sessions_frame", "week_start_of", "weekly_frame"],
    "efforts": ["Efforts", "Estimate", "best_efforts", "critical_speed"],
    "intensity": ["INTENSITY_LIMITS", "Intensity", "IntensityParams", "Thresholds", "classify", "easy_time"],
    "intervals": ["INTERVAL_LIMITS", "IntervalParams", "IntervalSet", "Rep", "detect_intervals", "is_auto_lapped",
                  "standard_distance"],
    "load": ["Load", "session_load"],
    "session": ["ANALYSIS_VERSION", "AnalysisSettings", "SessionAnalysis", "analyse_session", "analysis_settings"],
    "stream": ["Blocks", "Grid", "to_blocks", "to_grid"],
    "zones": ["Zones", "time_in_zones"],
}.items() for name in names}  # fmt: skip

__all__ = sorted(_WHERE)


__getattr__ = lazy_exports(__name__, _WHERE)
