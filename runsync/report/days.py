"""The athlete's days beyond the sessions, for people and programs: wellness (`runsync wellness`) and the planned
workouts beside what was done (`runsync plan`), as a table, JSON (version 1) or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from runsync.model import WELLNESS_FIELDS, PlannedWorkout, WellnessDay, format_distance
from runsync.report.export import TABLE_WIDTH, format_duration, rich_text

if TYPE_CHECKING:
    from runsync.analysis.plan import PlanWeek
    from runsync.analysis.wellness import WellnessWeek
    from runsync.report.model import AthleteReport

JSON_VERSION = 1
WELLNESS_COLUMNS = (("rest HR", "resting_hr", "{:.0f}"), ("HRV", "hrv_rmssd_ms", "{:.0f}"),
                    ("sleep", "sleep_s", None), ("sleep score", "sleep_score", "{:.0f}"),
                    ("weight", "weight_kg", "{:.1f}"), ("readiness", "readiness", "{:.0f}"),
                    ("soreness", "soreness", "{:.0f}"), ("fatigue", "fatigue", "{:.0f}"),
                    ("stress", "stress", "{:.0f}"),
                    ("mood", "mood", "{:.0f}"), ("motivation", "motivation", "{:.0f}"))  # fmt: skip
PLAN_FIELDS = ("athlete", "date", "id", "source", "sport", "name", "moving_s", "distance_m", "load", "intensity",
               "key", "done")  # fmt: skip


def wellness_to_dict(day: WellnessDay) -> dict[str, Any]:
    values = {k: round(v, 2) for k, v in day.values().items()}
    return {"athlete": day.athlete, "date": day.day.isoformat(), **values, "sources": list(day.sources)}


def wellness_days_json(days: list[WellnessDay]) -> str:
    return json.dumps({"version": JSON_VERSION, "days": [wellness_to_dict(d) for d in days]}, indent=2)


def wellness_csv(days: list[WellnessDay]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=("athlete", "date", *WELLNESS_FIELDS, "sources"), lineterminator="\n")
    writer.writeheader()
    for day in days:
        writer.writerow(wellness_to_dict(day) | {"sources": " ".join(day.sources)})
    return out.getvalue().rstrip("\n")


def _cell(value: float | None, style: str | None) -> str:
    if value is None:
        return "-"
    return hours_minutes(value) if style is None else style.format(value)


def hours_minutes(seconds: float) -> str:
    """7:19 (hours:minutes: a night's sleep)."""
    minutes = int(round(seconds / 60))
    return f"{minutes // 60}:{minutes % 60:02d}"


def wellness_table(days: list[WellnessDay], *, width: int | None = None, colour: bool = False) -> str:
    """One row per athlete-day; only the columns some day has (a watch without HRV shows no HRV column)."""
    from rich.table import Table

    if not days:
        return "no wellness days stored (intervals.icu and Garmin Connect send them with each sync)"
    shown = [c for c in WELLNESS_COLUMNS if any(getattr(d, c[1]) is not None for d in days)]
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold" if colour else "")
    for name in ("date", "athlete", *(c[0] for c in shown)):
        table.add_column(name, justify="left" if name in ("date", "athlete") else "right", no_wrap=True)
    for day in days:
        table.add_row(day.day.isoformat(), day.athlete, *(_cell(getattr(day, key), style) for _, key, style in shown))
    return _render(table, width, colour)


def plan_rows(planned: list[PlannedWorkout], done: dict[str, str]) -> list[dict[str, Any]]:
    """Each planned workout with what was done for it (`done`: planned id → the session that did it)."""
    return [{"athlete": p.athlete, "date": p.day.isoformat(), "id": p.id, "source": p.source, "sport": p.sport,
             "name": p.name, "moving_s": p.moving_s, "distance_m": p.distance_m, "load": p.load,
             "intensity": p.intensity, "key": p.key, "done": done.get(p.id)} for p in planned]  # fmt: skip


def plan_rows_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps({"version": JSON_VERSION, "planned": rows}, indent=2)


def plan_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=PLAN_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().rstrip("\n")


def plan_table(rows: list[dict[str, Any]], units: str = "km", *, width: int | None = None,
               colour: bool = False) -> str:  # fmt: skip
    from rich.table import Table

    if not rows:
        return "no planned workouts stored (intervals.icu's calendar is read with each sync)"
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold" if colour else "")
    for name in ("date", "athlete", "sport", "planned", "time", "distance", "load", "key", "done"):
        table.add_column(name, justify="right" if name in ("time", "distance", "load") else "left", no_wrap=True)
    for r in rows:
        table.add_row(r["date"], r["athlete"], r["sport"], r["name"] or "-", format_duration(r["moving_s"]),
                      format_distance(r["distance_m"], units), "-" if r["load"] is None else f"{r['load']:.0f}",
                      "key" if r["key"] else "", r["done"] or "-")
    return _render(table, width, colour)


def _render(table: Any, width: int | None, colour: bool) -> str:
    return rich_text(lambda console: console.print(table), width or TABLE_WIDTH, colour)


# --- in the weekly report -------------------------------------------------------------------------


def _against(value: float | None, baseline: float | None, show: Callable[[float], str]) -> str | None:
    if value is None:
        return None
    return show(value) + (f" (60-day {show(baseline)})" if baseline is not None else "")


def day_rows(a: AthleteReport) -> list[tuple[str, str]]:
    """'Wellness': the week's means against the 60 days before; 'Plan': planned vs done; 'Key sessions'."""
    found = []
    w = a.wellness
    if w is not None:
        parts = [_against(w.resting_hr, w.resting_hr_baseline, lambda v: f"{v:.0f} bpm"),
                 _against(w.hrv_rmssd_ms, w.hrv_baseline_ms, lambda v: f"{v:.0f} ms"),
                 _against(w.sleep_s, w.sleep_baseline_s, hours_minutes)]  # fmt: skip
        words = [f"{label} {part}" for label, part in zip(("resting HR", "HRV", "sleep"), parts, strict=True) if part]
        if w.weight_kg is not None:
            words.append(f"weight {w.weight_kg:.1f} kg")
        if w.hrv is not None and w.hrv.suppressed:
            words.append("HRV's 7-day mean below its usual range")
        found.append(("Wellness", (", ".join(words) or f"{w.days} days recorded") + " (week's means)"))
        whole = lambda v: f"{v:.0f}"  # noqa: E731
        series = [(label, [row[i] for row in w.trend], show) for i, label, show in
                  ((1, "resting HR", whole), (2, "HRV", whole), (3, "sleep", hours_minutes))]  # fmt: skip
        trend = [f"{label} {' → '.join('-' if v is None else show(v) for v in values)}" for label, values, show in
                 series if len(values) > 1 and sum(v is not None for v in values) > 1]  # fmt: skip
        if trend:
            found.append(("Wellness trend", ", ".join(trend) + f" (weekly means, last {len(w.trend)} weeks)"))
    p = a.plan
    if p is not None:
        parts = [f"{p.done} of {p.planned} workouts done"]
        if p.planned_distance_m:
            done, planned = format_distance(p.done_distance_m, a.units), format_distance(p.planned_distance_m, a.units)
            parts.append(f"distance {done} of {planned} ({p.distance_pct:.0f} %)")
        if p.planned_s:
            parts.append(f"time {hours_minutes(p.done_s)} of {hours_minutes(p.planned_s)} ({p.time_pct:.0f} %)")
        if p.load_pct is not None:
            parts.append(f"load {p.done_load:.0f} of {p.planned_load:.0f} ({p.load_pct:.0f} %, intervals.icu's)")
        found.append(("Plan", ", ".join(parts)))
        if p.key_planned:
            keys = [f"{len(p.key_planned) - len(p.key_missed) - len(p.key_changed)} of {len(p.key_planned)} done"]
            keys += [f"missed {w.name or w.sport} ({w.day:%a})" for w in p.key_missed]
            keys += [f"{w.name or w.sport} ({w.day:%a}) run easy" for w, _ in p.key_changed]
            found.append(("Key sessions", ", ".join(keys)))
    return found


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def wellness_json(w: WellnessWeek) -> dict[str, Any]:
    """The week's means and their 60-day baselines (added under version 1), and Plews' HRV reading."""
    found: dict[str, Any] = {"days": w.days, "resting_hr": _r(w.resting_hr),
                             "resting_hr_baseline": _r(w.resting_hr_baseline),
                             "hrv_rmssd_ms": _r(w.hrv_rmssd_ms), "hrv_baseline_ms": _r(w.hrv_baseline_ms),
                             "sleep_s": _r(w.sleep_s, 0), "sleep_baseline_s": _r(w.sleep_baseline_s, 0),
                             "weight_kg": _r(w.weight_kg)}  # fmt: skip
    found["trend"] = [{"week": week.isoformat(), "resting_hr": _r(rhr), "hrv_rmssd_ms": _r(hrv),
                       "sleep_s": _r(sleep, 0)} for week, rhr, hrv, sleep in w.trend]  # fmt: skip
    if w.hrv is not None:
        found["ln_rmssd"] = {"rolling_7d": round(w.hrv.rolling, 3), "baseline": round(w.hrv.baseline, 3),
                             "swc_floor": round(w.hrv.floor, 3), "suppressed": w.hrv.suppressed}  # fmt: skip
    return found


def plan_json(p: PlanWeek) -> dict[str, Any]:
    """Planned vs done in the chosen week (added under version 1); load on intervals.icu's scale."""
    return {"planned": p.planned, "done": p.done, "planned_distance_m": round(p.planned_distance_m, 1),
            "done_distance_m": round(p.done_distance_m, 1), "planned_s": round(p.planned_s), "done_s": round(p.done_s),
            "planned_load": _r(p.planned_load), "done_load": _r(p.done_load),
            "key_planned": [w.id for w in p.key_planned], "key_missed": [w.id for w in p.key_missed],
            "key_done_easy": [{"planned": w.id, "session": s.id} for w, s in p.key_changed]}  # fmt: skip
