"""A simulated watch recording: 1 Hz samples, timer pauses and laps, from a plain activity description.

Pure (no FIT here): `runsync.demo.fitwrite` encodes a `Track`. Time runs in whole seconds: segment boundaries are
rounded, one sample per timer second, stamped at the end of that second.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

LOOP_M = 4000.0  # GPS track: a circular loop of this length
_M_PER_DEG = 111_320.0


class LiftSet(NamedTuple):
    duration_s: float
    reps: int
    weight_kg: float | None = None
    exercise: str | None = None  # FIT exercise_category name, e.g. "squat", "deadlift"


@dataclass(frozen=True)
class Segment:
    """A stretch of constant-ish effort. `paused`: the clock runs, the timer stops, no records."""

    duration_s: float
    speed_mps: float = 0.0
    hr: float = 120.0
    lap_intensity: str | None = None
    new_lap: bool = False
    paused: bool = False
    cadence_spm: float | None = None  # None: derived from speed for running and walking


@dataclass(frozen=True)
class ActivitySpec:
    start: datetime  # aware UTC
    utc_offset_s: int | None = 0  # None: no activity.local_timestamp
    sport: str = "running"
    sub_sport: str = "generic"
    segments: tuple[Segment, ...] = ()
    auto_lap_m: float | None = None  # laps every N metres (trigger distance) instead of segment laps
    strength_sets: tuple[LiftSet, ...] = ()
    set_rest_s: float = 90.0
    start_lat: float = 51.5007
    start_lon: float = -0.1246
    hr_noise: float = 2.0
    seed: int = 0
    heart_rate: bool = True  # False: a watch without a strap (no heart rate recorded)


@dataclass(frozen=True)
class Sample:
    t: int  # elapsed seconds since start
    distance_m: float
    speed_mps: float
    hr: int
    cadence_spm: float | None
    altitude_m: float


@dataclass
class Track:
    samples: list[Sample] = field(default_factory=list)
    pauses: list[tuple[int, int]] = field(default_factory=list)  # (stop t, restart t)
    lap_starts: list[tuple[int, str | None]] = field(default_factory=list)  # manual laps: (t, intensity)
    end_t: int = 0


def _segments(spec: ActivitySpec) -> tuple[Segment, ...]:
    if spec.segments or not spec.strength_sets:
        return spec.segments
    segments: list[Segment] = []
    for lift in spec.strength_sets:
        segments += [Segment(lift.duration_s, hr=128.0), Segment(spec.set_rest_s, hr=100.0)]
    return tuple(segments[:-1])


def simulate(spec: ActivitySpec) -> Track:
    """Deterministic for a given spec (seeded noise on speed, heart rate and cadence)."""
    rng = random.Random(spec.seed)
    track, t_float, hr = Track(), 0.0, 90.0
    for index, seg in enumerate(_segments(spec)):
        t0 = track.end_t
        t_float += seg.duration_s
        track.end_t = round(t_float)
        if index == 0 or seg.new_lap:
            track.lap_starts.append((t0, seg.lap_intensity))
        if seg.paused:
            track.pauses.append((t0, track.end_t))
        for t in range(t0 + 1, track.end_t + 1):
            hr += (seg.hr - hr) * (0.05 if seg.hr > hr else 0.025)  # heart rate lags effort
            if not seg.paused:
                track.samples.append(_sample(spec, seg, t, track, hr, rng))
    return track


def _sample(spec: ActivitySpec, seg: Segment, t: int, track: Track, hr: float, rng: random.Random) -> Sample:
    speed = max(0.0, seg.speed_mps * (1 + rng.gauss(0, 0.01)))
    distance = (track.samples[-1].distance_m if track.samples else 0.0) + speed
    beat = round(hr + rng.gauss(0, spec.hr_noise))
    return Sample(t, distance, speed, beat, _cadence(spec, seg, rng), _altitude(distance))


def _cadence(spec: ActivitySpec, seg: Segment, rng: random.Random) -> float | None:
    if seg.cadence_spm is not None:
        return seg.cadence_spm
    if spec.sport not in ("running", "walking") or seg.speed_mps <= 0:
        return None
    base = 100 + 8 * seg.speed_mps if seg.speed_mps < 2.0 else min(188.0, 150 + 8 * seg.speed_mps)
    return round(base + rng.gauss(0, 1.0))


def _altitude(distance_m: float) -> float:
    return 40.0 + 12.0 * math.sin(2 * math.pi * distance_m / LOOP_M)


def position(spec: ActivitySpec, distance_m: float) -> tuple[float, float]:
    radius = LOOP_M / (2 * math.pi)
    angle = distance_m / radius
    north, east = radius * (1 - math.cos(angle)), radius * math.sin(angle)
    lon_scale = _M_PER_DEG * math.cos(math.radians(spec.start_lat))
    return spec.start_lat + north / _M_PER_DEG, spec.start_lon + east / lon_scale


@dataclass(frozen=True)
class TrackLap:
    start_t: int
    end_t: int
    samples: list[Sample]
    start_distance_m: float
    intensity: str | None
    trigger: str


def laps(spec: ActivitySpec, track: Track) -> list[TrackLap]:
    """Segment laps (manual trigger) or auto-laps every `auto_lap_m`; the last lap ends the session."""
    starts = _auto_lap_starts(track, spec.auto_lap_m) if spec.auto_lap_m else track.lap_starts
    trigger = "distance" if spec.auto_lap_m else "manual"
    result, before = [], 0.0
    for index, (start_t, intensity) in enumerate(starts):
        last = index == len(starts) - 1
        end_t = track.end_t if last else starts[index + 1][0]
        samples = [s for s in track.samples if start_t < s.t <= end_t]
        result.append(TrackLap(start_t, end_t, samples, before, intensity, "session_end" if last else trigger))
        before = samples[-1].distance_m if samples else before
    return result


def _auto_lap_starts(track: Track, lap_m: float) -> list[tuple[int, str | None]]:
    starts: list[tuple[int, str | None]] = [(0, "active")]
    for sample in track.samples:
        if sample.distance_m >= len(starts) * lap_m and sample.t < track.end_t:
            starts.append((sample.t, "active"))
    return starts
