from datetime import date, timedelta

from runsync_plugins.mileage_ramp import MileageRamp

from runsync.testing import make_session, run_rule

MON = date(2026, 9, 7)


def weeks(kms: list[float], strength_days: tuple[int, ...] = ()) -> list:
    """Four runs a week (Mon/Wed/Fri/Sun) adding up to each week's km, plus strength on the given weekdays."""
    sessions = []
    for w, km in enumerate(kms):
        monday = MON + timedelta(weeks=w)
        for d, share in ((0, 0.2), (2, 0.25), (4, 0.2), (6, 0.35)):
            sessions.append(make_session(day=monday + timedelta(days=d), km=km * share))
        sessions += [make_session(day=monday + timedelta(days=d), sport="strength", km=None, minutes=30)
                     for d in strength_days]  # fmt: skip
    return sessions


def test_a_week_50_percent_above_the_baseline_with_no_strength_warns() -> None:
    [found] = run_rule(MileageRamp, weeks([40, 40, 40, 40, 60]))
    assert found.severity == "warning"
    assert found.metrics == {"week_start": "2026-10-05", "distance_m": 60000.0, "baseline_m": 40000.0,
                             "increase_pct": 50.0, "last_strength": None}  # fmt: skip


def test_strength_twice_a_week_keeps_the_rule_silent() -> None:
    assert run_rule(MileageRamp, weeks([40, 40, 40, 40, 60], strength_days=(1, 3))) == []


def test_strength_that_stopped_is_named_as_the_last_strength_date() -> None:
    sessions = weeks([40, 40, 40, 40, 60])
    sessions.append(make_session(day=MON + timedelta(days=8), sport="strength", km=None, minutes=30))
    [found] = run_rule(MileageRamp, sessions)
    assert found.metrics["last_strength"] == "2026-09-15"


def test_ratio_triggers_need_28_days_of_history() -> None:
    assert run_rule(MileageRamp, weeks([40, 40, 60])) == []


def test_a_run_over_10_percent_longer_than_the_previous_30_days_warns() -> None:
    sessions = weeks([40, 40, 40, 40]) + [make_session(day=MON + timedelta(weeks=4, days=6), km=18)]
    [found] = run_rule(MileageRamp, sessions)
    assert found.title.startswith("Longest run up 29 %") and found.metrics["baseline_m"] == 14000.0
