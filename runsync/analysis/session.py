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
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from typing import Any

import numpy as np

from runsync.analysis.efforts import EFFORTS_VERSION, EffortRow, Efforts, Estimate, best_efforts, estimates_by_day
from runsync.analysis.intensity import INTENSITY_LIMITS, Intensity, IntensityParams, Thresholds, classify
from runsync.analysis.intervals import INTERVAL_LIMITS, IntervalParams, IntervalSet, Rep, detect_intervals
from runsync.analysis.load import Load, session_load
from runsync.analysis.stream import to_blocks, to_grid
from runsync.analysis.zones import LTHR_ZONES, MAX_HR_ZONES, PACE_ZONES, Zones, time_in_zones
from runsync.config import Athlete, Config, integer, number
from runsync.errors import ConfigError
from runsync.model import Session

ANALYSIS_VERSION = 2  # bump when any analysis changes what it computes: every stored analysis is then recomputed
INTENSITY_RULE, INTERVAL_RULE = "missing-easy-days", "interval-sessions"  # the sections that hold the parameters
ESTIMATED = "critical speed estimated from best efforts"
ESTIMATED_HR = "max HR estimated from the highest seen"
NO_REFERENCE = "no reference yet"


@dataclass(frozen=True)
class AnalysisSettings:
    """What an athlete's analyses are computed with. `cs_mps` None (`estimate_cs`), or neither `max_hr` nor `lthr`
    (`estimate_hr`): each session is judged against the athlete's credible estimate as of that session's day
    (runsync.analysis.efforts.Estimate), or against no reference when there is none yet."""

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

    @property
    def estimate_hr(self) -> bool:
        return self.max_hr is None and self.lthr is None

    @property
    def estimates(self) -> bool:
        """Some reference comes from the athlete's history, so a session cannot be analysed on its own."""
        return self.estimate_cs or self.estimate_hr

    def thresholds(self, estimate: Estimate | None = None) -> Thresholds:
        estimate = estimate or Estimate()
        cs, cs_basis = (estimate.cs_mps, ESTIMATED) if self.estimate_cs else (self.cs_mps, self.cs_basis)
        max_hr, hr_basis = (estimate.max_hr, ESTIMATED_HR) if self.estimate_hr else (self.max_hr, "max HR")
        return Thresholds(max_hr, self.lthr, cs, cs_basis if cs else None, self.resting_hr,
                          hr_basis if max_hr else None)  # fmt: skip

    def key(self, estimate: Estimate | None = None) -> str:
        """The analysis key for a session judged with these settings (and this day's estimate, if estimated)."""
        return _key(self, estimate if self.estimates else None)

    def references(self, estimate: Estimate | None = None) -> tuple[str | None, str | None]:
        """What a run is judged against by heart rate and by pace, in words ('max HR 190 (config)', 'critical speed
        estimated from best efforts (4:05/km, up to 2026-10-12)'), None where there is nothing."""
        estimate = estimate or Estimate()
        hr = (f"max HR {self.max_hr:.0f} (config)" if self.max_hr else f"LTHR {self.lthr:.0f} (config)" if self.lthr
              else f"{ESTIMATED_HR} ({estimate.max_hr:.0f} bpm, up to {estimate.max_hr_from})" if estimate.max_hr
              else None)  # fmt: skip
        pace = (f"{self.cs_basis} {_pace(self.cs_mps)} (config)" if self.cs_mps
                else f"{ESTIMATED} ({_pace(estimate.cs_mps)}, up to {estimate.cs_from})" if estimate.cs_mps
                else None)  # fmt: skip
        return hr, pace


def intensity_basis(intensity: Intensity | None, references: tuple[str | None, str | None], is_run: bool) -> str | None:
    """How a run's intensity was told, in words: 'pace vs threshold pace 4:10/km (config)', 'heart rate vs max HR
    estimated ...', 'race', 'interval set (stream)', or, with nothing to judge it by, 'no reference yet'."""
    if not is_run:
        return None
    hr, pace = references
    if intensity is None:
        return "unknown: no heart rate or pace to judge by" if hr or pace else NO_REFERENCE
    kind = intensity.basis[0] if intensity.basis else ""
    if kind == "hr":
        return f"heart rate vs {hr}"
    if kind == "pace":
        return f"pace vs {pace}"
    return "race" if kind == "race" else f"interval set ({kind})"


def no_reference_advice(athlete: Athlete, runs: int) -> str:
    """What to set when runs have no intensity reference (no configured threshold, no credible estimate yet)."""
    return (f"{runs} run{'' if runs == 1 else 's'} of {athlete.name} could not be judged easy, moderate or hard: no "
            f"reference yet (no race or hard effort to estimate one from). Set athletes.{athlete.id}.threshold_pace "
            f'(e.g. "4:30/km"), critical_speed or max_hr in the config.')


def _pace(speed_mps: float) -> str:
    seconds = round(1000 / speed_mps)
    return f"{seconds // 60}:{seconds % 60:02d}/km"


@functools.lru_cache(maxsize=4096)
def _key(settings: AnalysisSettings, estimate: Estimate | None) -> str:
    """Cached: a squad's sessions share a handful of keys."""
    inputs = {"v": ANALYSIS_VERSION, "efforts": EFFORTS_VERSION, "th": asdict(settings.thresholds(estimate)),
              "ref": settings.references(estimate),
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
    max_hr: float | None = None  # the max HR it was judged against (configured or estimated)
    intensity_basis: str | None = None  # how the intensity was told, in words (runs only; see intensity_basis())
    estimate: Estimate | None = None  # the estimate it was judged with (athletes without configured thresholds)
    error: str | None = None  # the analysis failed on this session: why (everything else is unknown)


def analyse_session(session: Session, settings: AnalysisSettings, estimate: Estimate | None = None,
                    efforts: Efforts | None = None) -> SessionAnalysis:  # fmt: skip
    """Pure; never raises for a session's data (an `error` analysis instead). `efforts`: already known ones."""
    key = settings.key(estimate)
    try:
        with np.errstate(all="ignore"):
            analysis = _analyse(session, settings, settings.thresholds(estimate), key, efforts)
            used = estimate if settings.estimates else None
            told = intensity_basis(analysis.intensity, settings.references(estimate), session.is_run)
            return replace(analysis, intensity_basis=told, estimate=used)
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
        max_hr=th.max_hr,
    )


def analyse_sessions(sessions: Sequence[Session], settings: AnalysisSettings) -> dict[str, SessionAnalysis]:
    """Analyse sessions held in memory with their samples (plugin tests, runsync.testing): each judged against the
    estimates from these sessions' own best efforts and heart rates as of its day, as the store's path does."""
    estimates: dict[date, Estimate] = {}
    efforts = {s.id: efforts_of(s) for s in sessions if s.is_run}
    if settings.estimates:
        rows = [effort_row(s.local_date, e, s.distance_m, s.moving_s, s.avg_hr, s.max_hr, s.workout_type)
                for s in sessions if (e := efforts.get(s.id)) is not None]  # fmt: skip
        estimates = estimates_by_day(rows, [s.local_date for s in sessions])
    return {s.id: analyse_session(s, settings, estimates.get(s.local_date), efforts.get(s.id)) for s in sessions}


def effort_row(day: date, efforts: Efforts, distance_m: float | None, moving_s: float | None, avg_hr: float | None,
               max_hr: float | None, workout_type: str | None) -> EffortRow:  # fmt: skip
    return EffortRow(day, efforts.best_3min_m, efforts.best_12min_m, distance_m, moving_s, avg_hr, max_hr,
                     workout_type == "race")  # fmt: skip


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
        "max_hr": analysis.max_hr,
        "intensity_basis": analysis.intensity_basis,
        "estimate": _estimate_json(analysis.estimate),
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
        max_hr=data.get("max_hr"),
        intensity_basis=data.get("intensity_basis"),
        estimate=_estimate_from(data.get("estimate")),
        error=data.get("error"),
    )


def _estimate_json(estimate: Estimate | None) -> list[Any] | None:
    if estimate is None:
        return None
    return [estimate.cs_mps, _iso(estimate.cs_from), estimate.max_hr, _iso(estimate.max_hr_from)]


def _estimate_from(data: list[Any] | None) -> Estimate | None:
    if not data:
        return None
    return Estimate(data[0], _day(data[1]), data[2], _day(data[3]))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _tuple(values: list[float] | None) -> tuple[float, ...] | None:
    return tuple(values) if values is not None else None
