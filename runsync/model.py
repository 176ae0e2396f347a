"""The session model: one shape for every source. SI units, the unit in the field name.

`start` is always an aware UTC datetime; `utc_offset_s` is the athlete's offset from UTC at that instant
(from the FIT file's activity.local_timestamp, Strava's start_date_local, or the athlete's timezone), so the
local day of a session never depends on the machine's clock or a DST rule applied later.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

SPORTS = ("run", "trail_run", "treadmill_run", "strength", "ride", "swim", "walk", "other")
RUN_SPORTS = frozenset({"run", "trail_run", "treadmill_run"})
WORKOUT_TYPES = ("race", "long", "workout", "none")
LAP_INTENSITIES = ("active", "rest", "warmup", "cooldown", "recovery", "interval")
LAP_TRIGGERS = ("manual", "distance", "time", "position", "session_end")
SAMPLE_COLUMNS = ("t", "distance_m", "speed_mps", "hr", "cadence_spm", "altitude_m", "lat", "lon")
SEVERITIES = ("info", "warning", "alert")
METRES = {"km": 1000.0, "mi": 1609.344}  # per unit of distance an athlete reads in (config units)


def format_distance(metres: float | None, units: str = "km", digits: int = 1) -> str:
    """'42.0 km' or '26.1 mi'; '-' when unknown."""
    return "-" if metres is None else f"{metres / METRES[units]:.{digits}f} {units}"


def format_pace(seconds_per_km: float | None, units: str = "km", suffix: bool = True) -> str:
    """'4:05/km' or '6:34/mi' (min:s per unit); '-' when unknown or not a running pace."""
    if seconds_per_km is None or not 0 < seconds_per_km < 3600:
        return "-"
    minutes, seconds = divmod(round(seconds_per_km * METRES[units] / 1000), 60)
    return f"{minutes}:{seconds:02d}" + (f"/{units}" if suffix else "")


@dataclass(frozen=True)
class Source:
    """Where a session came from: `kind` fit | strava | manual; `id` the FIT content hash or the Strava id."""

    kind: str
    id: str
    name: str | None = None  # file path for FIT, activity name for Strava


@dataclass(frozen=True)
class Lap:
    start: datetime
    elapsed_s: float
    timer_s: float | None = None
    distance_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    avg_speed_mps: float | None = None
    intensity: str | None = None  # one of LAP_INTENSITIES, None when the device did not say
    trigger: str | None = None  # one of LAP_TRIGGERS


@dataclass(frozen=True)
class StrengthSet:
    start: datetime | None = None
    duration_s: float | None = None
    reps: int | None = None
    weight_kg: float | None = None
    exercise: str | None = None
    set_type: str = "active"  # active | rest


@dataclass(frozen=True, eq=False)
class Session:
    id: str
    athlete: str
    sport: str
    start: datetime
    utc_offset_s: int = 0
    timezone: str | None = None
    sub_sport: str | None = None
    name: str | None = None
    elapsed_s: float | None = None
    moving_s: float | None = None
    distance_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    elevation_gain_m: float | None = None
    workout_type: str = "none"
    rpe: float | None = None  # session RPE 0-10 (Foster's CR-10), given with a session logged by hand
    sources: tuple[Source, ...] = ()
    laps: tuple[Lap, ...] = ()
    sets: tuple[StrengthSet, ...] = ()
    samples: pd.DataFrame | None = field(default=None, repr=False)  # columns SAMPLE_COLUMNS, t = elapsed s

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError(f"session {self.id}: start must be timezone-aware UTC")
        if self.sport not in SPORTS:
            raise ValueError(f"session {self.id}: unknown sport {self.sport!r}")

    @cached_property  # a frozen dataclass may cache: cached_property writes the instance __dict__ directly
    def local_start(self) -> datetime:
        """Wall-clock start in the athlete's timezone (naive)."""
        return (self.start + timedelta(seconds=self.utc_offset_s)).replace(tzinfo=None)

    @cached_property
    def local_date(self) -> date:
        return self.local_start.date()

    @property
    def is_run(self) -> bool:
        return self.sport in RUN_SPORTS

    def replace(self, **changes: Any) -> Session:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Finding:
    """One thing a rule noticed, with the sessions and the data (`basis`) it rests on."""

    rule: str
    severity: str  # info | warning | alert
    athlete: str
    start: date  # local dates
    end: date
    title: str
    message: str
    sessions: tuple[str, ...] = ()
    basis: tuple[str, ...] = ()  # laps, stream, hr, pace, ...
    metrics: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"finding {self.rule}: severity must be one of {SEVERITIES}")

    @property
    def key(self) -> str:
        """Stable identity across audits, so a later report can tell new findings from old ones."""
        return f"{self.rule}|{self.athlete}|{self.start.isoformat()}|{self.end.isoformat()}|{','.join(self.sessions)}"


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """The JSON contract's shape (DESIGN.md): dates as ISO local dates, lists not tuples."""
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "athlete": finding.athlete,
        "start": finding.start.isoformat(),
        "end": finding.end.isoformat(),
        "title": finding.title,
        "message": finding.message,
        "sessions": list(finding.sessions),
        "basis": list(finding.basis),
        "metrics": _plain(finding.metrics),
    }


def finding_from_dict(data: dict[str, Any]) -> Finding:
    return Finding(
        rule=data["rule"],
        severity=data["severity"],
        athlete=data["athlete"],
        start=date.fromisoformat(data["start"]),
        end=date.fromisoformat(data["end"]),
        title=data["title"],
        message=data["message"],
        sessions=tuple(data["sessions"]),
        basis=tuple(data["basis"]),
        metrics=dict(data["metrics"]),
    )


def _plain(value: Any) -> Any:
    """Metrics as JSON values: dates → ISO strings, numpy numbers → Python numbers, tuples → lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


WELLNESS_FIELDS = ("resting_hr", "hrv_rmssd_ms", "hrv_sdnn_ms", "sleep_s", "sleep_score", "sleep_quality",
                   "weight_kg", "spo2_pct", "readiness", "soreness", "fatigue", "stress", "mood",
                   "motivation")  # fmt: skip


@dataclass(frozen=True)
class WellnessDay:
    """What the watch (or the athlete) recorded of one local day outside the sessions. `sources`: where each value
    came from (intervals, garmin), in the order they win. Subjective scores keep intervals.icu's scale: soreness,
    fatigue, stress 1 (good) to 4 (bad); mood and motivation 1 (good) to 4 (bad); sleep_quality 1 (great) to 4
    (poor); sleep_score and readiness 0-100."""

    athlete: str
    day: date
    resting_hr: float | None = None
    hrv_rmssd_ms: float | None = None
    hrv_sdnn_ms: float | None = None
    sleep_s: float | None = None
    sleep_score: float | None = None
    sleep_quality: float | None = None
    weight_kg: float | None = None
    spo2_pct: float | None = None
    readiness: float | None = None
    soreness: float | None = None
    fatigue: float | None = None
    stress: float | None = None
    mood: float | None = None
    motivation: float | None = None
    sources: tuple[str, ...] = ()

    def values(self) -> dict[str, float]:
        """The fields recorded that day (None left out)."""
        return {k: v for k in WELLNESS_FIELDS if (v := getattr(self, k)) is not None}


@dataclass(frozen=True)
class PlannedWorkout:
    """A workout on the athlete's calendar (intervals.icu's planned WORKOUT events): its local day, sport and what
    it asks for. `key`: a session the week is built around (a workout with intervals, a tempo, a long run), as the
    planner marked or as its intensity and length say. `done`: the service's paired activity id, when it has one."""

    athlete: str
    source: str
    id: str
    day: date
    sport: str
    name: str | None = None
    description: str | None = None
    moving_s: float | None = None
    distance_m: float | None = None
    load: float | None = None
    intensity: float | None = None  # % of threshold, as intervals.icu computes it from the workout's steps
    key: bool = False
    done: str | None = None
