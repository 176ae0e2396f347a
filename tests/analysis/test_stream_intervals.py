"""Interval sets seen in the speed stream alone (1 km / 1 mile auto-laps): every rep is found, the last one after
the shortest rest and a faded one included, with its rest (±3 s) and pace (±3 %); steady runs, fartlek and hills
stay quiet. Expected values come from what was planted, never from runsync's output."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runsync.analysis import detect_intervals, to_grid
from runsync.demo.workouts import intervals
from tests.analysis.streams import START, spec_of, steady, stream_session

EASY_MPS = 1000 / 330
CS_MPS = 1000 / 250
LOW_CS_MPS = 1.2 * EASY_MPS  # an estimate from easy running alone: a cool-down sits above 0.80 × it
REFERENCES = st.sampled_from([LOW_CS_MPS, CS_MPS])


def _detected(session, cs_mps):  # noqa: ANN001, ANN202
    return detect_intervals(session, to_grid(session.samples), cs_mps)


@st.composite
def interval_sets(draw):  # noqa: ANN001, ANN201
    reps = draw(st.integers(4, 12))
    rep_m = draw(st.sampled_from([200, 300, 400, 600, 800, 1000, 1200, 1600]))
    first_rest = draw(st.integers(30, 240))
    shrinking = draw(st.booleans())
    step = draw(st.floats(0.0, 0.08)) if shrinking else 0.0
    rests = [max(30.0, round(first_rest * (1 - step * i))) for i in range(reps - 1)]
    fade = draw(st.floats(0.0, 0.10))
    pace = draw(st.floats(190.0, 240.0))  # s/km: a club runner's reps
    paces = [pace * (1 + fade * max(0, i - (reps - 1) * 2 / 3) / max(1, (reps - 1) / 3)) for i in range(reps)]
    rest_kind = draw(st.sampled_from(["standing", "jog"]))
    auto_lap = draw(st.sampled_from([1000.0, 1609.344]))
    smart = draw(st.booleans())
    noise = draw(st.sampled_from([0.0, 0.02, 0.04]))
    return reps, rep_m, rests, paces, rest_kind, auto_lap, smart, noise


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(interval_sets(), REFERENCES, st.integers(0, 10_000))
def test_every_rep_of_a_stream_only_set_is_found_with_its_rest_and_pace(planted, cs_mps, seed):
    reps, rep_m, rests, paces, rest_kind, auto_lap, smart, noise = planted
    spec = intervals(START, 0, reps, rep_m, paces, rests, rest_kind=rest_kind, structured_laps=False,
                     auto_lap_m=auto_lap, seed=seed)  # fmt: skip
    found = _detected(stream_session(spec, smart=smart, gps_noise=noise, seed=seed), cs_mps)
    assert found is not None, "no interval set found"
    assert found.basis == "stream"
    assert len(found.reps) == reps
    for measured, planted_rest in zip(found.rests_s, rests, strict=True):
        assert abs(measured - planted_rest) <= 3, (found.rests_s, rests)
    for measured, planted_pace in zip(found.paces_s_per_km, paces, strict=True):
        # smart recording writes a record every 4-7 s on a steady stretch: a rep's edges are known to ±1 s, which
        # for a 40-s 200 m is more than 3 %; the tolerance is then what 1.5 s does to that rep's pace
        edge = 1.5 / (rep_m / 1000 * planted_pace) if smart else 0.0
        assert abs(measured - planted_pace) <= max(0.03, edge) * planted_pace, (found.paces_s_per_km, paces)


def test_the_last_rep_after_the_shortest_rest_and_a_fade_is_kept():
    """The regression: 8 × 400 m, 1 km auto-laps, rests 90 → 45 s, the last reps fading: 8 reps, 7 rests."""
    paces = [200.0] * 5 + [207.5, 212.5, 220.0]
    rests = [90, 80, 70, 60, 55, 50, 45]
    spec = intervals(START, 0, 8, 400, paces, rests, structured_laps=False, auto_lap_m=1000.0, seed=3)
    for cs_mps in (LOW_CS_MPS, CS_MPS):  # a low estimate (the easy cool-down above 0.8 × it), a configured one
        found = _detected(stream_session(spec), cs_mps)
        assert found is not None and len(found.reps) == 8
        assert [round(r) for r in found.rests_s] == [round(r + 0.5) for r in rests] or all(
            abs(a - b) <= 3 for a, b in zip(found.rests_s, rests, strict=True))
        assert found.paces_s_per_km[-1] > found.paces_s_per_km[0] * 1.07


@settings(max_examples=40, deadline=None)
@given(st.floats(20, 90), st.floats(2.6, 4.4), st.integers(0, 6), REFERENCES,
       st.booleans(), st.integers(0, 10_000))  # fmt: skip
def test_steady_runs_with_stops_are_no_interval_set(minutes, speed, stops, cs_mps, smart, seed):
    segments = steady(minutes, speed, stops=stops, seed=seed)
    running = [s.duration_s for s in segments if not s.paused]
    if _looks_planned(running) and _looks_planned([s.duration_s for s in segments if s.paused]):
        return  # stops that happen to cut even blocks with even rests are a set of cruise intervals
    spec = spec_of(segments, seed=seed)
    assert _detected(stream_session(spec, smart=smart, gps_noise=0.02, seed=seed), cs_mps) is None


LADDER_S = (20, 30, 45, 66, 96, 140, 205, 300)  # each ≥ 1.45 × the one before: no 4 of them are alike


@settings(max_examples=40, deadline=None)
@given(st.permutations(LADDER_S), st.lists(st.floats(4.4, 5.2), min_size=8, max_size=8),
       st.lists(st.floats(20, 300), min_size=8, max_size=8), REFERENCES, st.integers(0, 10_000))  # fmt: skip
def test_fartlek_with_surges_of_every_length_is_no_interval_set(durations, speeds, recoveries, cs_mps, seed):
    """Surges of every length (20 s to 5 min, in any order) at varied speeds with random easy running between: no
    planned set (≥ 4 similar reps with steady or steadily changing recoveries)."""
    from runsync.demo.track import Segment

    segments = [Segment(600, EASY_MPS, 140.0)]
    for duration, speed, recovery in zip(durations, speeds, recoveries, strict=True):
        segments += [Segment(duration, speed, 165.0), Segment(recovery, EASY_MPS, 145.0)]
    found = _detected(stream_session(spec_of(tuple(segments), seed=seed), seed=seed), cs_mps)
    assert found is None


def _looks_planned(values: list[float]) -> bool:
    """Any 4 in a row within ±40 % of their median: stops that happen to cut even blocks are not a control."""
    for i in range(len(values) - 3):
        window = sorted(values[i : i + 4])
        middle = (window[1] + window[2]) / 2
        if all(abs(v - middle) <= 0.4 * middle for v in window):
            return True
    return False


def test_hill_repeats_without_a_fast_pace_are_not_a_400m_set_at_easy_effort():
    """A hilly easy run (speed dips to 75 % up every hill, back to easy down): no set."""
    from runsync.demo.track import Segment

    segments = [Segment(600, EASY_MPS, 140.0)]
    for i in range(8):
        segments += [Segment(90 + 7 * i, EASY_MPS * 0.75, 155.0), Segment(120, EASY_MPS * 1.05, 140.0)]
    assert _detected(stream_session(spec_of(tuple(segments))), LOW_CS_MPS) is None
    assert _detected(stream_session(spec_of(tuple(segments))), CS_MPS) is None
