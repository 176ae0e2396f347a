"""Training load per session, always with its basis.

- "hr": Banister's TRIMP, Σ minutes × HRr × 0.64·e^(1.92·HRr), HRr = (HR − resting) / (max − resting), second by
  second, so hard reps count for what they were (not the session's average).
- "pace" (runs without heart rate): the same weighting over relative speed, HRr-equivalent = 0.9 × speed / critical
  speed (threshold ≈ 90 % of heart-rate reserve), second by second: an interval session is not averaged away, the
  known weakness of loads from average pace.
- "rpe" (sessions logged by hand): session-RPE × minutes (Foster 2001).
None when a session has none of these (no heart rate with max and resting HR, no pace for a run, no RPE).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runsync.analysis.intensity import Thresholds
from runsync.analysis.stream import Blocks
from runsync.model import Session

TRIMP_A, TRIMP_B = 0.64, 1.92
THRESHOLD_HRR = 0.9  # heart-rate reserve at critical speed, for the pace load's HRr-equivalent


@dataclass(frozen=True)
class Load:
    value: float
    basis: str  # hr | pace | rpe


def session_load(session: Session, blocks: Blocks, th: Thresholds) -> Load | None:
    if session.rpe is not None and session.moving_s:
        return Load(round(session.rpe * session.moving_s / 60, 1), "rpe")
    if th.max_hr and th.resting_hr and th.max_hr > th.resting_hr:
        hrr = (blocks.hr - th.resting_hr) / (th.max_hr - th.resting_hr)
        found = _trimp(hrr, blocks.duration_s)
        if found is not None:
            return Load(found, "hr")
    if session.is_run and th.cs_mps:
        equivalent = THRESHOLD_HRR * blocks.speed_mps / th.cs_mps
        found = _trimp(np.where(blocks.moving, equivalent, 0.0), blocks.duration_s)  # standing still: no load
        if found is not None:
            return Load(found, "pace")
    return None


def _trimp(hrr: np.ndarray, seconds: np.ndarray) -> float | None:
    known = np.isfinite(hrr) & (seconds > 0)
    if seconds[known].sum() < 0.5 * seconds[seconds > 0].sum() or not known.any():
        return None  # most of the session without the signal: no load rather than a wrong one
    r = np.clip(hrr[known], 0.0, 1.2)
    return round(float(np.sum(seconds[known] / 60 * r * TRIMP_A * np.exp(TRIMP_B * r))), 1)
