"""The analysis of one session, computed once when it is stored and kept with a key that says what it was computed
from: the analysis code's version, the athlete's thresholds (max, resting and threshold HR, critical speed or
threshold pace, or the critical speed estimated as of that session's day) and the analysis parameters of the
config. When any of them changes the key changes, so a stale analysis is never used: it is recomputed.

`analyse_session` is pure: one session with its samples in, one `SessionAnalysis` out. A session the analysis
cannot make sense of gets an analysis with `error` set and nothing else (intensity unknown), never an exception:
one odd session degrades itself, never the athlete.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any

import numpy as np

from runsync.analysis.efforts import EFFORTS_VERSION, EffortRow, Efforts, best_efforts, critical_speed_by_day
from runsync.analysis.intensity import INTENSITY_LIMITS, Intensity, IntensityParams, Thresholds, classify
from runsync.analysis.intervals import INTERVAL_LIMITS, IntervalParams, IntervalSet, Rep, detect_intervals
from runsync.analysis.load import Load, session_load
from runsync.analysis.stream import to_blocks, to_grid
from runsync.analysis.zones import LTHR_ZONES, MAX_HR_ZONES, PACE_ZONES, Zones, time_in_zones
from runsync.config import Athlete, Config, integer, number
from runsync.errors import ConfigError
from runsync.model import Session

ANALYSIS_VERSION = 1  # bump when any analysis changes what it computes: every stored analysis is then recomputed
INTENSITY_RULE, INTERVAL_RULE = "missing-easy-days", "interval-sessions"  # the sections that hold the parameters
ESTIMATED = "critical speed estimated from best efforts"


@dataclass(frozen=True)
class AnalysisSettings:
    """What an athlete's analyses are computed with. `cs_mps` None with `estimate_cs`: each session is judged against
    the critical speed estimated from the athlete's stored best efforts as of that session's day."""

    max_hr: float | None = None
    lthr: float | None = None
    resting_hr: float | None = None
    cs_mps: float | None = None
    cs_basis: str | None = None
    intensity: IntensityParams = field(default_factory=IntensityParams)
    intervals: IntervalParams = field(default_factory=IntervalParams)

    @classmethod
    def for_athlete(cls, athlete: Athlete) -> AnalysisSettings:
        """The athlete's thresholds with the default parameters (no config at hand: plugin tests)."""
        return analysis_settings(Config(), athlete)

    @property
    def estimate_cs(self) -> bool:
        return self.cs_mps is None

    def thresholds(self, estimated_cs: float | None = None) -> Thresholds:
        if not self.estimate_cs:
            return Thresholds(self.max_hr, self.lthr, self.cs_mps, self.cs_basis, self.resting_hr)
        return Thresholds(self.max_hr, self.lthr, estimated_cs, ESTIMATED if estimated_cs else None, self.resting_hr)

    def key(self, estimated_cs: float | None = None) -> str:
        """The analysis key for a session judged with these settings (and this day's estimate, if estimated)."""
        return _key(self, estimated_cs)


@functools.lru_cache(maxsize=4096)
def _key(settings: AnalysisSettings, estimated_cs: float | None) -> str:
    """Cached: a squad's sessions share a handful of keys."""
    inputs = {"v": ANALYSIS_VERSION, "efforts": EFFORTS_VERSION, "th": asdict(settings.thresholds(estimated_cs)),
              "intensity": asdict(settings.intensity), "intervals": asdict(settings.intervals),
              "zones": [PACE_ZONES, LTHR_ZONES, MAX_HR_ZONES]}  # fmt: skip
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:20]


def analysis_settings(config: Config, athlete: Athlete) -> AnalysisSettings:
    """The athlete's thresholds and the analysis parameters of [rules.missing-easy-days] / [rules.interval-sessions]
    (the keys the config documents there; the rule config validates them)."""
    if athlete.critical_speed_mps:
        cs, basis = athlete.critical_speed_mps, "critical speed"
    elif athlete.threshold_pace_s_per_km:
        cs, basis = 1000 / athlete.threshold_pace_s_per_km, "threshold pace"
    else:
        cs, basis = None, None
    return AnalysisSettings(athlete.max_hr, athlete.lthr, athlete.resting_hr, cs, basis,
                            _params(config, INTENSITY_RULE, IntensityParams, INTENSITY_LIMITS),
                            _params(config, INTERVAL_RULE, IntervalParams, INTERVAL_LIMITS))  # fmt: skip


def _params(config: Config, rule_id: str, cls: type, limits: dict[str, tuple[float, float]]) -> Any:
    """The dataclass `cls` from the keys of [rules.<rule_id>] it shares, each checked like the rule's own config."""
    values, defaults, chosen = config.rules.get(rule_id, {}), cls(), {}
    for name in (f.name for f in fields(cls) if f.name in config.rules.get(rule_id, {})):
        default = getattr(defaults, name)
        key = integer(*limits[name]) if isinstance(default, int) else number(*limits[name])
        problem = key.problem(values[name])
        if problem:
            raise ConfigError(f"{config.path or 'config'}: rules.{rule_id}.{name}: {problem}")
        chosen[name] = type(default)(values[name])
    return cls(**chosen)


@dataclass(frozen=True)
class SessionAnalysis:
    """What rules and reports read instead of samples."""

    key: str
    efforts: Efforts = field(default_factory=Efforts)
    intensity: Intensity | None = None
    intervals: IntervalSet | None = None
    zones: Zones = field(default_factory=Zones)
    load: Load | None = None
    cs_mps: float | None = None  # the critical speed the session was judged against
    error: str | None = None  # the analysis failed on this session: why (everything else is unknown)


def analyse_session(session: Session, settings: AnalysisSettings, estimated_cs: float | None = None,
                    efforts: Efforts | None = None) -> SessionAnalysis:  # fmt: skip
    """Pure; never raises for a session's data (an `error` analysis instead). `efforts`: already known ones."""
    key = settings.key(estimated_cs)
    try:
        with np.errstate(all="ignore"):
            return _analyse(session, settings, settings.thresholds(estimated_cs), key, efforts)
    except Exception as exc:  # one odd session degrades itself, never the athlete
        return SessionAnalysis(key, efforts or Efforts(), error=f"{type(exc).__name__}: {exc}")


def _analyse(session: Session, settings: AnalysisSettings, th: Thresholds, key: str,
             efforts: Efforts | None) -> SessionAnalysis:  # fmt: skip
    grid = to_grid(session.samples)
    blocks = to_blocks(session, grid)
    found = detect_intervals(session, grid, th.cs_mps, settings.intervals) if session.is_run else None
    return SessionAnalysis(
        key=key,
        efforts=efforts or (best_efforts(grid) if session.is_run else Efforts()),
        intensity=classify(session, blocks, th, settings.intensity, intervals=found),
        intervals=found,
        zones=time_in_zones(blocks, th, settings.intensity, session.is_run),
        load=session_load(session, blocks, th),
        cs_mps=th.cs_mps,
    )


def analyse_sessions(sessions: Sequence[Session], settings: AnalysisSettings) -> dict[str, SessionAnalysis]:
    """Analyse sessions held in memory with their samples (plugin tests, runsync.testing): each judged against the
    critical speed estimated from these sessions' own best efforts as of its day, as the store's path does."""
    estimates: dict[date, float | None] = {}
    efforts = {s.id: efforts_of(s) for s in sessions if s.is_run}
    if settings.estimate_cs:
        rows = [EffortRow(s.local_date, e.best_3min_m, e.best_12min_m, s.distance_m, s.moving_s)
                for s in sessions if (e := efforts.get(s.id)) is not None]  # fmt: skip
        estimates = critical_speed_by_day(rows, [s.local_date for s in sessions])
    return {s.id: analyse_session(s, settings, estimates.get(s.local_date), efforts.get(s.id)) for s in sessions}


def efforts_of(session: Session) -> Efforts:
    """A run's best efforts alone (what an athlete with an estimated critical speed needs before its analysis)."""
    if not session.is_run:
        return Efforts()
    try:
        with np.errstate(all="ignore"):
            return best_efforts(to_grid(session.samples))
    except Exception:  # the full analysis will name what is wrong with this session
        return Efforts()


# --- stored as JSON: compact arrays, read back for every session an audit looks at ---------------------------


def to_json(analysis: SessionAnalysis) -> str:
    level, sets, zones, load = analysis.intensity, analysis.intervals, analysis.zones, analysis.load
    data = {
        "intensity": [level.level, list(level.basis), level.reason] if level else None,
        "intervals": [[[r.start_t, r.end_t, r.distance_m, r.duration_s] for r in sets.reps], list(sets.rests_s),
                      sets.basis] if sets else None,  # fmt: skip
        "zones": [zones.hr_s, zones.hr_basis, zones.pace_s, zones.easy_s, zones.basis_s, zones.easy_basis],
        "load": [load.value, load.basis] if load else None,
        "cs_mps": analysis.cs_mps,
        "error": analysis.error,
    }
    return json.dumps(data, separators=(",", ":"), default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__}")


def from_json(key: str, efforts: Efforts, text: str) -> SessionAnalysis:
    data = json.loads(text)
    level, sets, zones, load = data.get("intensity"), data.get("intervals"), data.get("zones"), data.get("load")
    return SessionAnalysis(
        key=key,
        efforts=efforts,
        intensity=Intensity(level[0], tuple(level[1]), level[2]) if level else None,
        intervals=IntervalSet(tuple(Rep(*r) for r in sets[0]), tuple(sets[1]), sets[2]) if sets else None,
        zones=Zones(_tuple(zones[0]), zones[1], _tuple(zones[2]), *zones[3:]) if zones else Zones(),
        load=Load(*load) if load else None,
        cs_mps=data.get("cs_mps"),
        error=data.get("error"),
    )


def _tuple(values: list[float] | None) -> tuple[float, ...] | None:
    return tuple(values) if values is not None else None
