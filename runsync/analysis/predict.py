"""Race predictions from the athlete's own best efforts, by two models shown side by side.

The best 3- and 12-minute distances of the runs in the `WINDOW_DAYS` (90) days up to a day give the critical speed
model (Monod & Scherrer; Jones et al. 2019): distance = CS × time + D', so CS = (d12 − d3) / 540 s and a race of D
takes (D − D') / CS. Riegel's exponent (1981) carries the best 12 minutes to D: t = 720 s × (D / d12)^1.06. Both
are for races from 5 km to the half marathon (the CS model overrates speed beyond about an hour, Riegel's from a
12-minute effort beyond that); each prediction says which efforts it rests on and when they were run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

WINDOW_DAYS = 90
RIEGEL = 1.06
RACES = (("5 km", 5000.0), ("10 km", 10000.0), ("half marathon", 21097.5))
SHORT_S, LONG_S = 180, 720


@dataclass(frozen=True)
class Best:
    distance_m: float
    seconds: int
    day: date


@dataclass(frozen=True)
class Prediction:
    race: str
    distance_m: float
    cs_s: float | None  # the critical speed model's time (None: no credible CS from these efforts)
    riegel_s: float


@dataclass(frozen=True)
class RaceOutlook:
    as_of: date
    best_3min: Best | None
    best_12min: Best
    cs_mps: float | None
    d_prime_m: float | None
    predictions: tuple[Prediction, ...]
    cs_trend: tuple[tuple[date, float | None], ...] = ()  # (week's last day, CS as of it), oldest first


def race_outlook(efforts: Sequence[tuple[date, float | None, float | None]], until: date,
                 trend_days: Sequence[date] = ()) -> RaceOutlook | None:  # fmt: skip
    """From (local day, best 3-min m, best 12-min m) of each run: the predictions as of `until`, and CS as of each
    of `trend_days`; None without a 12-minute effort in the window."""
    short, long = _bests(efforts, until)
    if long is None:
        return None
    cs, d_prime = _model(short, long)
    predictions = tuple(Prediction(name, metres, (metres - d_prime) / cs if cs and d_prime is not None else None,
                                   LONG_S * (metres / long.distance_m) ** RIEGEL)
                        for name, metres in RACES)  # fmt: skip
    trend = tuple((day, _model(*_bests(efforts, day))[0]) for day in trend_days)
    return RaceOutlook(until, short, long, cs, d_prime, predictions, trend)


def _bests(efforts: Sequence[tuple[date, float | None, float | None]], until: date) -> tuple[Best | None, Best | None]:
    first = until - timedelta(days=WINDOW_DAYS - 1)
    inside = [e for e in efforts if first <= e[0] <= until]
    short = max(((d, m) for d, m, _ in inside if m), key=lambda x: x[1], default=None)
    long = max(((d, m) for d, _, m in inside if m), key=lambda x: x[1], default=None)
    return (Best(short[1], SHORT_S, short[0]) if short else None, Best(long[1], LONG_S, long[0]) if long else None)


def _model(short: Best | None, long: Best | None) -> tuple[float | None, float | None]:
    """(CS m/s, D' m) from the two efforts; None when they do not make a credible pair (D' ≤ 0: the 12 minutes
    were run as hard per minute as the 3, i.e. the 3 were not a best effort)."""
    if short is None or long is None:
        return None, None
    cs = (long.distance_m - short.distance_m) / (LONG_S - SHORT_S)
    d_prime = short.distance_m - cs * SHORT_S
    return (cs, d_prime) if cs > 0 and d_prime > 0 else (None, None)
