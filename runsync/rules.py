"""The rule API: a rule is a small pure class; `check(ctx)` yields Findings from what the RuleContext offers.

A rule never opens the store, reads the clock or prints: everything it may look at is on the context.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar

import pandas as pd

from runsync.config import Athlete, Config, integer, number
from runsync.errors import ConfigError
from runsync.model import Finding, Session
from runsync.training import (
    Intensity,
    IntensityParams,
    IntervalParams,
    IntervalSet,
    Thresholds,
    classify,
    daily_frame,
    detect_intervals,
    sessions_frame,
    thresholds_for,
    weekly_frame,
)

RESERVED_KEYS = ("enabled",)


class Rule:
    """Subclass with `id`, `description`, `defaults` (every config key with its default) and `check(ctx)`."""

    id: ClassVar[str] = ""
    description: ClassVar[str] = ""
    defaults: ClassVar[dict[str, Any]] = {}
    # inclusive (low, high) for numeric keys; a numeric key not listed must be finite and >= 0
    limits: ClassVar[dict[str, tuple[float | None, float | None]]] = {}

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        raise NotImplementedError

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
    """What a rule sees: the athlete, their sessions (list and frames by local date), the rule's config, `now`."""

    athlete: Athlete
    session_list: list[Session]
    config: dict[str, Any] = field(default_factory=dict)
    now: datetime | None = None
    week_start: int = 0  # 0 = Monday
    thresholds: Thresholds | None = None
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.session_list = sorted(self.session_list, key=lambda s: s.start)
        if self.thresholds is None:
            self.thresholds = thresholds_for(self.athlete, self.session_list)

    def session(self, session_id: str) -> Session:
        return self._by_id[session_id]

    @cached_property
    def _by_id(self) -> dict[str, Session]:
        return {s.id: s for s in self.session_list}

    @cached_property
    def sessions(self) -> pd.DataFrame:
        """One row per session indexed by local date: id, sport, is_run, is_strength, distance_m, intensity, ..."""
        return sessions_frame(self.session_list, self.intensity)

    @cached_property
    def days(self) -> pd.DataFrame:
        """Every local day: distance_m, moving_s, runs, easy, moderate, hard, strength, load, acute, chronic, acwr."""
        last = max(self.sessions.index, default=None)
        if self.now and last is not None:
            last = max(last, self.now.astimezone(self.athlete.tz).date())
        return daily_frame(self.sessions, last=last)

    @cached_property
    def weeks(self) -> pd.DataFrame:
        return weekly_frame(self.sessions, self.days, self.week_start)

    def laps(self, session_id: str) -> pd.DataFrame:
        return pd.DataFrame([vars(lap) for lap in self.session(session_id).laps])

    def samples(self, session_id: str) -> pd.DataFrame | None:
        return self.session(session_id).samples

    def intervals(self, session: Session, params: IntervalParams | None = None) -> IntervalSet | None:
        key = ("intervals", session.id, params)
        if key not in self._cache:
            self._cache[key] = self._degradable(session, lambda: detect_intervals(session, self.thresholds.cs_mps,
                                                                                  params))  # fmt: skip
        return self._cache[key]

    def intensity(self, session: Session, params: IntensityParams | None = None) -> Intensity | None:
        key = ("intensity", session.id, params)
        if key not in self._cache:
            found = self.intervals(session) if session.is_run else None
            self._cache[key] = self._degradable(session, lambda: classify(session, self.thresholds, params,
                                                                          intervals=found))  # fmt: skip
        return self._cache[key]

    def _degradable(self, session: Session, compute: Any) -> Any:
        """One odd session degrades that session (None: unknown, the error kept by id), never the athlete."""
        try:
            return compute()
        except Exception as exc:
            self._cache.setdefault("degraded", {})[session.id] = f"{type(exc).__name__}: {exc}"
            return None


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
