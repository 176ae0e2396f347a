"""Builders for the activities that tests and the demo plant: easy, long, tempo, interval and strength sessions.

Paces are seconds per km, heart rates bpm; each returns an `ActivitySpec` for `runsync.demo.fitwrite.write_activity`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from runsync.demo.track import ActivitySpec, LiftSet, Segment

EASY_PACE_S_PER_KM = 330.0


def _speed(pace_s_per_km: float) -> float:
    return 1000.0 / pace_s_per_km


def _run(km: float, pace_s_per_km: float, hr: float, intensity: str | None = None) -> Segment:
    return Segment(km * pace_s_per_km, _speed(pace_s_per_km), hr, intensity, new_lap=intensity is not None)


def easy_run(
    start: datetime, utc_offset_s: int | None, km: float, pace_s_per_km: float, hr: float, *, seed: int = 0
) -> ActivitySpec:
    """Steady run with 1 km auto-laps."""
    segments = (_run(km, pace_s_per_km, hr),)
    return ActivitySpec(start, utc_offset_s, segments=segments, auto_lap_m=1000.0, seed=seed)


def long_run(
    start: datetime, utc_offset_s: int | None, km: float, pace_s_per_km: float, hr: float, *, seed: int = 0
) -> ActivitySpec:
    """Easy-paced long run whose heart rate drifts up ~6 bpm in the second half; 1 km auto-laps."""
    segments = (_run(km / 2, pace_s_per_km, hr), _run(km / 2, pace_s_per_km, hr + 6))
    return ActivitySpec(start, utc_offset_s, segments=segments, auto_lap_m=1000.0, seed=seed)


def tempo_run(
    start: datetime,
    utc_offset_s: int | None,
    tempo_km: float,
    tempo_pace_s_per_km: float,
    *,
    tempo_hr: float = 168.0,
    easy_hr: float = 140.0,
    warmup_km: float = 2.0,
    cooldown_km: float = 2.0,
    seed: int = 0,
) -> ActivitySpec:
    """Warm-up, a continuous tempo block and a cool-down, each its own manual lap."""
    segments = (
        _run(warmup_km, EASY_PACE_S_PER_KM, easy_hr, "warmup"),
        _run(tempo_km, tempo_pace_s_per_km, tempo_hr, "active"),
        _run(cooldown_km, EASY_PACE_S_PER_KM, easy_hr, "cooldown"),
    )
    return ActivitySpec(start, utc_offset_s, segments=segments, seed=seed)


def intervals(
    start: datetime,
    utc_offset_s: int | None,
    reps: int,
    rep_m: float,
    rep_pace_s_per_km: float | Sequence[float],
    rests_s: Sequence[float],
    *,
    rest_kind: str = "standing",
    structured_laps: bool = True,
    auto_lap_m: float | None = None,
    rep_hr: float = 176.0,
    easy_hr: float = 140.0,
    warmup_km: float = 2.0,
    cooldown_km: float = 1.5,
    seed: int = 0,
) -> ActivitySpec:
    """Warm-up, `reps` × `rep_m` with `rests_s` between (one per gap), cool-down.

    `rep_pace_s_per_km` is one pace or one per rep (to plant a fade). A standing rest is a few seconds' walk
    and then an auto-pause, so it shows in elapsed time only; a jog rest keeps the timer running.
    `structured_laps` gives every rep and rest its own lap (active/rest); otherwise one lap, or auto-laps.
    """
    paces = [rep_pace_s_per_km] * reps if isinstance(rep_pace_s_per_km, int | float) else list(rep_pace_s_per_km)
    if len(paces) != reps or len(rests_s) != reps - 1:
        raise ValueError(f"{reps} reps need {reps} paces and {reps - 1} rests")
    segments = [_run(warmup_km, EASY_PACE_S_PER_KM, easy_hr, "warmup")]
    for index, pace in enumerate(paces):
        segments.append(_run(rep_m / 1000, pace, rep_hr, "active"))
        if index < reps - 1:
            segments += _rest(rests_s[index], rest_kind)
    segments.append(_run(cooldown_km, EASY_PACE_S_PER_KM, easy_hr, "cooldown"))
    if not structured_laps:
        segments = [Segment(s.duration_s, s.speed_mps, s.hr, paused=s.paused) for s in segments]
    return ActivitySpec(start, utc_offset_s, segments=tuple(segments), auto_lap_m=auto_lap_m, seed=seed)


def _rest(rest_s: float, rest_kind: str) -> list[Segment]:
    if rest_kind == "jog":
        return [Segment(rest_s, 2.2, 135.0, "rest", new_lap=True)]
    if rest_kind != "standing":
        raise ValueError(f"rest_kind must be 'standing' or 'jog', got {rest_kind!r}")
    walk_s = min(5.0, rest_s)
    return [Segment(walk_s, 0.7, 125.0, "rest", new_lap=True), Segment(rest_s - walk_s, hr=110.0, paused=True)]


def strength_session(
    start: datetime,
    utc_offset_s: int | None,
    sets: Sequence[LiftSet | tuple[float, int, float | None, str | None]],
    *,
    rest_s: float = 90.0,
    seed: int = 0,
) -> ActivitySpec:
    """A gym session: active sets of (duration_s, reps, weight_kg, exercise category) with `rest_s` between."""
    lifts = tuple(LiftSet(*lift) for lift in sets)
    return ActivitySpec(
        start,
        utc_offset_s,
        sport="training",
        sub_sport="strength_training",
        strength_sets=lifts,
        set_rest_s=rest_s,
        seed=seed,
    )
