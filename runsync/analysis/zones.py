"""Time in zones per session: five heart-rate zones (from LTHR, else from max HR) and five pace zones (from critical
speed), and the time below the first threshold (the 80/20 check: Seiler 2010).

HR zones count every second with a heart rate; pace zones and easy time count moving seconds (> 0.5 m/s).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runsync.analysis.intensity import IntensityParams, Thresholds, easy_time
from runsync.analysis.stream import Blocks

# upper bounds of zones 1-4 (zone 5 is everything above), as fractions of the reference
LTHR_ZONES = (0.85, 0.90, 0.95, 1.00)  # Friel's running zones: 1 < 85 %, 2 85-89 %, 3 90-94 %, 4 95-99 %, 5 ≥ 100 %
MAX_HR_ZONES = (0.60, 0.70, 0.80, 0.90)  # % of max HR: 1 < 60, 2 60-69, 3 70-79, 4 80-89, 5 ≥ 90
PACE_ZONES = (0.80, 0.88, 0.95, 1.02)  # of critical speed: easy, steady, tempo, threshold, above threshold


@dataclass(frozen=True)
class Zones:
    hr_s: tuple[float, ...] | None = None  # seconds in HR zones 1-5
    hr_basis: str | None = None  # "lthr" | "max_hr"
    pace_s: tuple[float, ...] | None = None  # seconds in pace zones 1-5 (runs only)
    easy_s: float | None = None  # moving seconds below the first threshold ...
    basis_s: float | None = None  # ... out of these moving seconds (with HR, or with pace when there is no HR)
    easy_basis: str | None = None  # "hr" | "pace"


def time_in_zones(blocks: Blocks, th: Thresholds, params: IntensityParams, is_run: bool) -> Zones:
    hr_s, hr_basis = _hr_zones(blocks, th)
    pace_s = _zones(blocks.speed_mps, blocks.duration_s * blocks.moving, th.cs_mps, PACE_ZONES) if is_run else None
    easy = easy_time(blocks, th, params, is_run)
    if easy is None:
        return Zones(hr_s, hr_basis, pace_s)
    return Zones(hr_s, hr_basis, pace_s, round(easy.easy_s, 1), round(easy.basis_s, 1), easy.basis)


def _hr_zones(blocks: Blocks, th: Thresholds) -> tuple[tuple[float, ...] | None, str | None]:
    if th.lthr:
        return _zones(blocks.hr, blocks.duration_s, th.lthr, LTHR_ZONES), "lthr"
    if th.max_hr:
        return _zones(blocks.hr, blocks.duration_s, th.max_hr, MAX_HR_ZONES), "max_hr"
    return None, None


def _zones(values: np.ndarray, seconds: np.ndarray, reference: float | None,
           bounds: tuple[float, ...]) -> tuple[float, ...] | None:  # fmt: skip
    known = np.isfinite(values) & (seconds > 0)
    if not reference or not known.any():
        return None
    zone = np.searchsorted(np.array(bounds) * reference, values[known], side="right")
    return tuple(round(float(s), 1) for s in np.bincount(zone, weights=seconds[known], minlength=5))
