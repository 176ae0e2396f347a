"""The rule API: a rule is a small pure class; `check(ctx)` yields Findings from what the RuleContext offers.

A rule never opens the store, reads the clock or prints: everything it may look at is on the context. Each
session's analysis (intensity, interval set, zones, load, best efforts) is computed once when it is stored and read
from there; a rule that wants the samples asks `ctx.samples(id)` (loaded lazily, only for that session).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from runsync.analysis import (
    AnalysisSettings,
    Intensity,
    IntensityParams,
    IntervalParams,
    IntervalSet,
    SessionAnalysis,
    Thresholds,
    analyse_session,
    daily_frame,
    sessions_frame,
    weekly_frame,
)
from runsync.analysis.session import analyse_sessions
from runsync.config import Athlete, Config, integer, number
from runsync.errors import ConfigError
from runsync.model import Finding, PlannedWorkout, Session, WellnessDay

if TYPE_CHECKING:
    import pandas as pd

    from runsync.analysis.calendar import Baseline

RESERVED_KEYS = ("enabled",)


@dataclass(frozen=True)
class SectionLine:
    """One line of a rule's report section: its local day, what it says, how it is coloured, a detail (a name)."""

    day: date
    text: str
    severity: str = "info"
    detail: str | None = None


@dataclass(frozen=True)
class ReportSection:
    """What a rule adds to an athlete's weekly report: a titled list of lines (`covers_info`: the rule's info
    findings are said by these lines, so the findings list leaves them out), and headline figures the report's
    header uses (`baseline`: what the week's distance is compared with; the first rule to give one is used)."""

    rule: str
    title: str = ""
    lines: tuple[SectionLine, ...] = ()
    covers_info: bool = False
    baseline: Baseline | None = None


class Rule:
    """Subclass with `id`, `description`, `defaults` (every config key with its default) and `check(ctx)`."""

    id: ClassVar[str] = ""
    description: ClassVar[str] = ""
    defaults: ClassVar[dict[str, Any]] = {}
    # inclusive (low, high) for numeric keys; a numeric key not listed must be finite and >= 0
    limits: ClassVar[dict[str, tuple[float | None, float | None]]] = {}
    # what the rule reads beyond sessions: "wellness" (ctx.wellness), "planned" (ctx.planned); `runsync rules` says
    # when the store holds none, as the rule is then silent
    needs: ClassVar[tuple[str, ...]] = ()

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        raise NotImplementedError

    def report_section(self, ctx: RuleContext, week: date, findings: list[Finding]) -> ReportSection | None:
        """What this rule adds to the weekly report of `week` (its first local day), from the same context it
        checked (its own config in ctx.config) and the findings it made that end in that week. None: nothing."""
        return None

    def finding(self, ctx: RuleContext, severity: str, sessions: Iterable[Session], **fields: Any) -> Finding:
        """A Finding for this rule and ctx's athlete; start/end default to the sessions' local dates."""
        chosen = list(sessions)
        dates = sorted(s.local_date for s in chosen)
        fields.setdefault("start", dates[0] if dates else ctx.now.date())
        fields.setdefault("end", dates[-1] if dates else fields["start"])
        return Finding(rule=self.id, severity=severity, athlete=ctx.athlete.id,
                       sessions=tuple(s.id for s in chosen), **fields)  # fmt: skip


@dataclass
class RuleContext:
    """What a rule sees: the athlete, their sessions (list and frames by local date) with each session's analysis,
    their wellness days and planned workouts (empty when no source gives them), the rule's config, and `now`.

    `analyses`: the stored analyses by session id (the audit passes them); without them (plugin tests) they are
    computed here from the sessions' samples with `settings`. `load_samples`: how `samples(id)` reaches samples
    the sessions were loaded without."""

    athlete: Athlete
    session_list: list[Session]
    config: dict[str, Any] = field(default_factory=dict)
    now: datetime | None = None
    week_start: int = 0  # 0 = Monday
    analyses: dict[str, SessionAnalysis] | None = None
    settings: AnalysisSettings | None = None
    load_samples: Callable[[str], pd.DataFrame | None] | None = field(default=None, repr=False)
    wellness: list[WellnessDay] = field(default_factory=list)  # the athlete's wellness days, oldest first
    planned: list[PlannedWorkout] = field(default_factory=list)  # their planned workouts, by day
    _shared: dict[Any, Any] = field(default_factory=dict, repr=False)  # frames and lookups, shared by for_rule()

    def __post_init__(self) -> None:
        self.session_list = sorted(self.session_list, key=lambda s: s.start)
        if self.settings is None:
            self.settings = AnalysisSettings.for_athlete(self.athlete)
        if self.analyses is None:
            self.analyses = analyse_sessions(self.session_list, self.settings)

    def for_rule(self, config: dict[str, Any]) -> RuleContext:
        """The same context (same analyses and frames) with another rule's config."""
        return dataclasses.replace(self, config=config)

    def _once(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._shared:
            self._shared[key] = compute()
        return self._shared[key]

    def session(self, session_id: str) -> Session:
        return self._once("by_id", lambda: {s.id: s for s in self.session_list})[session_id]

    def analysis(self, session: Session) -> SessionAnalysis | None:
        return self.analyses.get(session.id) if self.analyses else None

    def intensity_level(self, session: Session) -> str | None:
        """easy | moderate | hard, as the session's analysis judged it; None when it could not."""
        found = self.analysis(session)
        return found.intensity.level if found is not None and found.intensity is not None else None

    @property
    def thresholds(self) -> Thresholds:
        """The athlete's thresholds as of the last session (an estimated critical speed changes with time)."""
        last = next((a for s in reversed(self.session_list) if (a := self.analysis(s)) and a.estimate), None)
        return self.settings.thresholds(last.estimate if last else None)

    @property
    def sessions(self) -> pd.DataFrame:
        """One row per session indexed by local date: id, sport, is_run, distance_m, intensity, training_load, ..."""
        return self._once("sessions", lambda: sessions_frame(self.session_list, self.analysis))

    @property
    def days(self) -> pd.DataFrame:
        """Every local day: distance_m, moving_s, runs, easy, moderate, hard, strength, load, acute, chronic, acwr,
        training_load, time in zones."""

        def build() -> pd.DataFrame:
            last = max(self.sessions.index, default=None)
            if self.now and last is not None:
                last = max(last, self.now.astimezone(self.athlete.tz).date())
            return daily_frame(self.sessions, last=last)

        return self._once("days", build)

    @property
    def weeks(self) -> pd.DataFrame:
        return self._once("weeks", lambda: weekly_frame(self.sessions, self.days, self.week_start))

    @property
    def weekly_distance(self) -> dict[date, float]:
        """Running distance (m) per week start, every week of the span (0 for a week without runs)."""
        return self._once("weekly_distance", lambda: dict(zip(self.weeks.index, self.weeks["distance_m"].astype(float),
                                                              strict=True)))  # fmt: skip

    def distance_baseline(self, week: date, **span: int) -> Baseline | None:
        """The running distance `week` (its first local day) is compared with: the mean of full weeks before it
        (runsync.analysis.calendar.weekly_baseline; `span`: its `weeks` and `skip`), None under two such weeks."""
        from runsync.analysis.calendar import weekly_baseline

        runs = self.sessions.index[self.sessions["is_run"].to_numpy(dtype=bool)]
        return weekly_baseline(self.weekly_distance, week, first_run=min(runs) if len(runs) else None, **span)

    def laps(self, session_id: str) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([vars(lap) for lap in self.session(session_id).laps])

    def samples(self, session_id: str) -> pd.DataFrame | None:
        """The session's samples: in memory when the session was loaded with them, else loaded now (lazily)."""
        session = self.session(session_id)
        if session.samples is None and self.load_samples is not None:
            return self._once(f"samples:{session_id}", lambda: self.load_samples(session_id))
        return session.samples

    def intervals(self, session: Session, params: IntervalParams | None = None) -> IntervalSet | None:
        """The session's interval set from its analysis; other `params` than the analysis used recompute it."""
        if params is None or params == self.settings.intervals:
            found = self.analysis(session)
            return found.intervals if found else None
        return self._recomputed(session, dataclasses.replace(self.settings, intervals=params)).intervals

    def intensity(self, session: Session, params: IntensityParams | None = None) -> Intensity | None:
        """The session's intensity from its analysis; other `params` than the analysis used recompute it."""
        if params is None or params == self.settings.intensity:
            found = self.analysis(session)
            return found.intensity if found else None
        return self._recomputed(session, dataclasses.replace(self.settings, intensity=params)).intensity

    def _recomputed(self, session: Session, settings: AnalysisSettings) -> SessionAnalysis:
        def compute() -> SessionAnalysis:
            stored = self.analysis(session)
            with_samples = session.replace(samples=self.samples(session.id))
            return analyse_session(with_samples, settings, stored.estimate if stored else None)

        return self._once(f"recomputed:{session.id}:{hash(settings)}", compute)


def session_label(session: Session) -> str:
    """How a coach names a session: 'Tue 13 Oct 18:30 run "Tempo"' (local time)."""
    name = f' "{session.name}"' if session.name else ""
    return f"{session.local_start:%a %d %b %H:%M} {session.sport.replace('_', ' ')}{name}"


def params_from(config: dict[str, Any], cls: type) -> Any:
    """The dataclass `cls` (IntensityParams, IntervalParams) filled from the rule config keys it shares."""
    return cls(**{f.name: config[f.name] for f in fields(cls) if f.name in config})


def ensure_rule_sections_known(rule_ids: Iterable[str], config: Config) -> None:
    """Every [rules.<id>] names an installed rule: a typo must not silently leave a rule on its defaults."""
    known = set(rule_ids)
    for rule_id in config.rules:
        if rule_id not in known:
            where = str(config.path) if config.path else "config"
            raise ConfigError(f"{where}: rules.{rule_id}: no installed rule has this id "
                              f"(installed: {', '.join(sorted(known))})")  # fmt: skip


def rule_config(rule: Rule, config: Config) -> dict[str, Any]:
    """The rule's defaults overlaid by [rules.<id>]; an unknown key or a wrong type is a ConfigError."""
    where = str(config.path) if config.path else "config"
    merged = dict(rule.defaults)
    for key, value in config.rules.get(rule.id, {}).items():
        dotted = f"rules.{rule.id}.{key}"
        if key in RESERVED_KEYS:
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: {dotted}: expected true or false, got {value!r}")
            continue
        if key not in rule.defaults:
            known = ", ".join(sorted((*rule.defaults, *RESERVED_KEYS)))
            raise ConfigError(f"{where}: {dotted}: unknown key (known: {known})")
        merged[key] = _checked(value, rule.defaults[key], rule.limits.get(key, (0, None)), f"{where}: {dotted}")
    return merged


def _checked(value: Any, default: Any, limits: tuple[float | None, float | None], where: str) -> Any:
    if isinstance(default, bool) or isinstance(value, bool):
        ok = isinstance(value, bool) and isinstance(default, bool)
    elif isinstance(default, int | float):
        ok = isinstance(value, int | float) and (isinstance(default, float) or isinstance(value, int))
    else:
        ok = default is None or isinstance(value, type(default))
    if not ok:
        raise ConfigError(f"{where}: expected {type(default).__name__}, got {value!r}")
    if isinstance(default, int | float) and not isinstance(default, bool):
        key = number(*limits) if isinstance(default, float) else integer(*limits)
        problem = key.problem(value)
        if problem:
            raise ConfigError(f"{where}: {problem}")
    return float(value) if isinstance(default, float) else value


def is_enabled(rule: Rule, config: Config) -> bool:
    return bool(config.rules.get(rule.id, {}).get("enabled", True))
