"""Sessions straight from a simulated recording (runsync.demo.track), without a FIT file in between: 1 s or
"smart" recording, GPS noise on speed and distance, auto-laps every 1 km or 1 mile. Fast enough for property tests."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from runsync.demo.track import ActivitySpec, Segment, laps, simulate
from runsync.model import Lap, Session, Source

START = datetime(2026, 10, 5, 6, 0, tzinfo=UTC)


def stream_session(spec: ActivitySpec, *, smart: bool = False, gps_noise: float = 0.0, seed: int = 0,
                   session_id: str = "sim-1") -> Session:  # fmt: skip
    """The session a watch would record of `spec`: samples, auto-laps (spec.auto_lap_m) or segment laps."""
    rng = random.Random(seed)
    track = simulate(spec)
    kept = _smart(track.samples, rng) if smart else track.samples
    noise = np.array([rng.gauss(0, gps_noise) for _ in track.samples])  # GPS: each second's speed a little off
    speed = np.array([s.speed_mps for s in track.samples]) * (1 + noise)
    distance = np.cumsum(np.clip(speed, 0, None))  # ... and the distance the watch sums from it
    index = {id(s): i for i, s in enumerate(track.samples)}
    picked = [index[id(s)] for s in kept]
    samples = pd.DataFrame({
        "t": [float(s.t) for s in kept],
        "distance_m": distance[picked],
        "speed_mps": np.clip(speed[picked], 0, None),
        "hr": [float(s.hr) for s in kept],
        "cadence_spm": [s.cadence_spm for s in kept],
        "altitude_m": [s.altitude_m for s in kept],
        "lat": np.nan,
        "lon": np.nan,
    })
    return Session(
        id=session_id, athlete="sim", sport="run", start=spec.start, elapsed_s=float(track.end_t),
        moving_s=float(len(track.samples)), distance_m=float(track.samples[-1].distance_m),
        laps=tuple(_lap(spec, lap) for lap in laps(spec, track)), samples=samples,
        sources=(Source("file", session_id),),
    )  # fmt: skip


def _smart(samples: list, rng: random.Random) -> list:
    """Garmin's "smart recording": a record when the speed changed by more than 10 %, else every 4-7 s."""
    kept, wait = [samples[0]], rng.randint(4, 7)
    for sample in samples[1:]:
        last = kept[-1]
        changed = abs(sample.speed_mps - last.speed_mps) > 0.1 * max(last.speed_mps, 0.5)
        if changed or sample.t - last.t >= wait or sample.t - last.t > 1 and sample is samples[-1]:
            kept.append(sample)
            wait = rng.randint(4, 7)
    return kept


def _lap(spec: ActivitySpec, lap) -> Lap:  # noqa: ANN001 - runsync.demo.track.TrackLap
    distance = (lap.samples[-1].distance_m - lap.start_distance_m) if lap.samples else 0.0
    return Lap(spec.start + timedelta(seconds=lap.start_t), float(lap.end_t - lap.start_t), float(len(lap.samples)),
               distance, intensity=lap.intensity, trigger=lap.trigger)  # fmt: skip


def steady(minutes: float, speed_mps: float, *, stops: int = 0, seed: int = 0) -> tuple[Segment, ...]:
    """A steady run with `stops` standing stops of 10-60 s (traffic lights) at random places in it."""
    rng = random.Random(seed)
    cuts = sorted(rng.uniform(0.05, 0.95) * minutes * 60 for _ in range(stops))
    segments: list[Segment] = []
    for before, after in zip([0.0, *cuts], [*cuts, minutes * 60], strict=True):
        if segments:
            segments.append(Segment(rng.uniform(10, 60), hr=120.0, paused=True))
        segments.append(Segment(after - before, speed_mps, 140.0))
    return tuple(segments)


def spec_of(segments: tuple[Segment, ...], auto_lap_m: float | None = 1000.0, seed: int = 0) -> ActivitySpec:
    return ActivitySpec(START, 0, segments=segments, auto_lap_m=auto_lap_m, seed=seed)
