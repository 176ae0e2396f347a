"""intervals.icu's records as runsync's: a wellness record as a WellnessDay, a calendar event as a PlannedWorkout.

Wellness fields (intervals.icu → runsync): restingHR → resting_hr, hrv (rMSSD, ms) → hrv_rmssd_ms, hrvSDNN,
sleepSecs, sleepScore, sleepQuality (1 great .. 4 poor), weight (kg), spO2, readiness, and the subjective soreness,
fatigue, stress, mood, motivation (1 good .. 4 bad). A planned workout is a key session when its intensity is at
least KEY_INTENSITY % of threshold, it lasts KEY_MINUTES or more (the long run), or its name or description says
intervals, tempo, threshold, a long run, a race or reps ("6x800").
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from runsync.model import PlannedWorkout, WellnessDay
from runsync.sources.files.track import sport_of

SOURCE = "intervals"
WELLNESS_MAP = {"restingHR": "resting_hr", "hrv": "hrv_rmssd_ms", "hrvSDNN": "hrv_sdnn_ms", "sleepSecs": "sleep_s",
                "sleepScore": "sleep_score", "sleepQuality": "sleep_quality", "weight": "weight_kg",
                "spO2": "spo2_pct", "readiness": "readiness", "soreness": "soreness", "fatigue": "fatigue",
                "stress": "stress", "mood": "mood", "motivation": "motivation"}  # fmt: skip
KEY_INTENSITY = 82.0  # a planned workout at or above this % of threshold is a key session ...
KEY_MINUTES = 90.0  # ... and so is one this long (the long run)
KEY_WORDS = re.compile(r"\b(key|intervals?|tempo|threshold|long run|race|reps|fartlek|\d+\s*x\s*\d+)", re.I)


def wellness_day(record: dict[str, Any], athlete: str) -> WellnessDay | None:
    try:
        day = date.fromisoformat(str(record.get("id") or "")[:10])
    except ValueError:
        return None
    values = {ours: number(record.get(theirs)) for theirs, ours in WELLNESS_MAP.items()}
    if values["sleep_quality"] is not None and not 1 <= values["sleep_quality"] <= 4:
        values["sleep_quality"] = None
    return WellnessDay(athlete, day, **values)


def planned_workout(event: dict[str, Any], athlete: str) -> PlannedWorkout | None:
    if event.get("category") not in (None, "WORKOUT") or event.get("id") is None:
        return None
    try:
        day = date.fromisoformat(str(event.get("start_date_local") or "")[:10])
    except ValueError:
        return None
    moving, intensity = number(event.get("moving_time")), number(event.get("icu_intensity"))
    words = f"{event.get('name') or ''} {event.get('description') or ''}"
    key = ((intensity is not None and intensity >= KEY_INTENSITY) or (moving or 0) >= KEY_MINUTES * 60
           or bool(KEY_WORDS.search(words)))  # fmt: skip
    done = event.get("paired_activity_id")
    return PlannedWorkout(athlete=athlete, source=SOURCE, id=str(event["id"]), day=day,
                          sport=sport_of(str(event.get("type") or ""), "other"), name=event.get("name"),
                          description=(str(event.get("description"))[:2000] if event.get("description") else None),
                          moving_s=moving, distance_m=number(event.get("distance")),
                          load=number(event.get("icu_training_load")), intensity=intensity, key=key,
                          done=str(done) if done else None)  # fmt: skip


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value == value and abs(value) != float("inf") else None
