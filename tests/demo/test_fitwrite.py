import io
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import fitdecode

from runsync.demo.fitwrite import (
    ActivitySpec,
    LiftSet,
    Segment,
    easy_run,
    intervals,
    strength_session,
    write_activity,
    write_file,
)

START = datetime(2026, 10, 6, 6, 15, tzinfo=UTC)


def read(data: bytes) -> dict[str, list[dict[str, Any]]]:
    messages: dict[str, list[dict[str, Any]]] = {}
    with fitdecode.FitReader(io.BytesIO(data)) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                messages.setdefault(frame.name, []).append({f.name: f.value for f in frame.fields})
    return messages


def paused_run() -> ActivitySpec:
    segments = (Segment(600, 3.0, 145), Segment(120, hr=110, paused=True), Segment(600, 3.0, 150))
    return ActivitySpec(START, 3600, segments=segments)


def test_a_pause_counts_in_elapsed_time_but_not_in_timer_time() -> None:
    fit = read(write_activity(paused_run()))
    (session,) = fit["session"]
    assert session["total_elapsed_time"] == 1320
    assert session["total_timer_time"] == 1200
    assert fit["activity"][0]["total_timer_time"] == 1200
    assert len(fit["record"]) == 1200


def test_a_pause_is_bracketed_by_timer_stop_all_and_start_events() -> None:
    events = [(e["event_type"], e["timestamp"] - START) for e in read(write_activity(paused_run()))["event"]]
    assert events == [
        ("start", timedelta(0)),
        ("stop_all", timedelta(seconds=600)),
        ("start", timedelta(seconds=720)),
        ("stop_all", timedelta(seconds=1320)),
    ]


def test_no_records_are_written_while_the_timer_is_paused() -> None:
    times = [(r["timestamp"] - START).total_seconds() for r in read(write_activity(paused_run()))["record"]]
    assert not [t for t in times if 600 < t <= 720]


def test_session_distance_is_the_last_record_distance_and_the_sum_of_the_laps() -> None:
    fit = read(write_activity(easy_run(START, 3600, 5.5, 330, 140)))
    total = fit["session"][0]["total_distance"]
    assert math.isclose(total, 5500, rel_tol=0.02)
    assert total == fit["record"][-1]["distance"]
    assert math.isclose(sum(lap["total_distance"] for lap in fit["lap"]), total, abs_tol=0.1)


def test_auto_laps_split_every_kilometre_with_a_distance_trigger() -> None:
    laps = read(write_activity(easy_run(START, 3600, 5.5, 330, 140)))["lap"]
    assert [lap["lap_trigger"] for lap in laps] == ["distance"] * 5 + ["session_end"]
    assert all(995 < lap["total_distance"] < 1005 for lap in laps[:5])
    assert {lap["intensity"] for lap in laps} == {"active"}


def test_structured_intervals_write_active_and_rest_laps_with_manual_triggers() -> None:
    spec = intervals(START, 3600, 4, 400, 80, [90, 60, 45])
    fit = read(write_activity(spec))
    laps = fit["lap"]
    assert [lap["intensity"] for lap in laps] == ["warmup"] + ["active", "rest"] * 3 + ["active", "cooldown"]
    assert [lap["lap_trigger"] for lap in laps] == ["manual"] * 8 + ["session_end"]
    assert [lap["total_elapsed_time"] for lap in laps if lap["intensity"] == "rest"] == [90, 60, 45]
    assert all(390 < lap["total_distance"] < 410 for lap in laps if lap["intensity"] == "active")
    assert fit["session"][0]["num_laps"] == 9


def test_a_standing_rest_is_mostly_auto_paused_so_its_timer_time_is_short() -> None:
    laps = read(write_activity(intervals(START, 3600, 2, 400, 80, [120])))["lap"]
    rest = laps[2]
    assert (rest["total_elapsed_time"], rest["total_timer_time"]) == (120, 5)


def test_a_jog_rest_keeps_the_timer_running() -> None:
    laps = read(write_activity(intervals(START, 3600, 2, 400, 80, [120], rest_kind="jog")))["lap"]
    assert laps[2]["total_timer_time"] == laps[2]["total_elapsed_time"] == 120


def test_rep_laps_carry_the_heart_rate_and_speed_of_the_rep() -> None:
    laps = read(write_activity(intervals(START, 3600, 4, 1000, 200, [90, 90, 90], rest_kind="jog")))["lap"]
    reps = [lap for lap in laps if lap["intensity"] == "active"]
    assert all(math.isclose(lap["avg_speed"], 5.0, rel_tol=0.01) for lap in reps)
    assert all(165 < lap["avg_heart_rate"] <= lap["max_heart_rate"] < 185 for lap in reps)


def test_local_timestamp_is_the_session_end_shifted_by_the_utc_offset() -> None:
    fit = read(write_activity(paused_run()))
    end = fit["session"][0]["timestamp"]
    assert fit["activity"][0]["local_timestamp"].replace(tzinfo=None) == (end + timedelta(hours=1)).replace(tzinfo=None)


def test_local_timestamp_is_omitted_when_the_offset_is_unknown() -> None:
    spec = ActivitySpec(START, None, segments=(Segment(60, 3.0, 140),))
    assert "local_timestamp" not in read(write_activity(spec))["activity"][0]


def test_running_cadence_is_written_as_realistic_strides_per_minute() -> None:
    records = read(write_activity(easy_run(START, 0, 2, 300, 145)))["record"]
    steps = [2 * (r["cadence"] + r["fractional_cadence"]) for r in records]
    assert all(165 <= spm <= 190 for spm in steps)


def test_positions_move_along_the_track_as_far_as_the_distance_says() -> None:
    records = read(write_activity(easy_run(START, 0, 3, 300, 145)))["record"]
    semicircle = 180 / 2**31
    lat, lon = zip(*[(r["position_lat"] * semicircle, r["position_long"] * semicircle) for r in records], strict=True)
    step = math.hypot(lat[101] - lat[100], (lon[101] - lon[100]) * math.cos(math.radians(lat[100]))) * 111_320
    assert math.isclose(step, records[101]["distance"] - records[100]["distance"], rel_tol=0.05)


def test_a_treadmill_run_has_no_positions() -> None:
    spec = ActivitySpec(START, 0, sub_sport="treadmill", segments=(Segment(60, 3.0, 140),))
    fit = read(write_activity(spec))
    assert "position_lat" not in fit["record"][0]
    assert fit["session"][0]["sub_sport"] == "treadmill"


def test_strength_sets_read_back_with_reps_weight_and_category() -> None:
    spec = strength_session(START, 3600, [LiftSet(40, 10, 60.0, "squat"), (35, 8, 82.5, "deadlift")], rest_s=90)
    fit = read(write_activity(spec))
    sets = fit["set"]
    assert [s["set_type"] for s in sets] == ["active", "rest", "active"]
    assert [s["duration"] for s in sets] == [40, 90, 35]
    assert [(s["repetitions"], s["weight"], s["category"]) for s in sets[::2]] == [
        (10, 60.0, "squat"),
        (8, 82.5, "deadlift"),
    ]
    session = fit["session"][0]
    assert (session["sport"], session["sub_sport"], session["total_elapsed_time"]) == (
        "training",
        "strength_training",
        165,
    )


def test_the_file_says_it_is_a_garmin_activity() -> None:
    file_id = read(write_activity(paused_run()))["file_id"][0]
    assert (file_id["type"], file_id["manufacturer"], file_id["time_created"]) == ("activity", "garmin", START)


def test_the_same_spec_always_writes_the_same_bytes(tmp_path: Path) -> None:
    spec = intervals(START, 3600, 4, 400, [78, 79, 80, 84], [90, 60, 45], seed=7)
    assert write_file(spec, tmp_path / "a.fit").read_bytes() == write_activity(spec)


def fit_tool_bytes(messages: list) -> bytes:
    """The same messages encoded by fit-tool (a test dependency only): its message classes, definitions and CRC."""
    import struct

    from fit_tool.definition_message import DefinitionMessage
    from fit_tool.fit_file_header import FitFileHeader
    from fit_tool.profile.messages import (
        activity_message,
        device_info_message,
        event_message,
        file_id_message,
        lap_message,
        record_message,
        session_message,  # fmt: skip
        set_message,
    )
    from fit_tool.record import Record
    from fit_tool.utils.crc import crc16

    classes = {"file_id": file_id_message.FileIdMessage, "device_info": device_info_message.DeviceInfoMessage,
               "event": event_message.EventMessage, "record": record_message.RecordMessage,
               "lap": lap_message.LapMessage, "set": set_message.SetMessage,
               "session": session_message.SessionMessage, "activity": activity_message.ActivityMessage}  # fmt: skip
    body, definitions = [], {}
    for name, local_id, values in messages:
        message = classes[name](local_id=local_id)
        for field, value in values.items():
            if value is not None:
                setattr(message, field, value)
        definition = DefinitionMessage.from_data_message(message)
        encoded = Record.from_message(definition).to_bytes()
        if definitions.get(local_id) != encoded:
            definitions[local_id] = encoded
            body.append(encoded)
        message.set_definition_message(definition)
        body.append(Record.from_message(message).to_bytes())
    data = b"".join(body)
    header = FitFileHeader(records_size=len(data), gen_crc=True).to_bytes()
    return header + data + struct.pack("<H", crc16(header + data))


def test_runsyncs_own_encoder_writes_the_same_bytes_as_fit_tool(tmp_path: Path) -> None:
    """The demo's files are written without a FIT library; fit-tool (the FIT SDK's profile) is the reference."""
    from runsync.demo.fitwrite import activity_messages
    from runsync.demo.squad import demo_jobs

    every = [spec for spec, _ in demo_jobs(tmp_path, date(2026, 10, 5), "Europe/Berlin")]
    specs = every[::10] + [s for s in every if s.strength_sets][:1]  # a spread of them: fit-tool is slow
    specs += [paused_run(), easy_run(START, None, 5.0, 330, 140), intervals(START, None, 8, 400, 85, [90] * 7)]
    specs += [strength_session(START, 3600, [(60.0, 10, 40.0, "squat"), (45.0, 12, None, None)])]
    specs += [ActivitySpec(START, 3600, sub_sport="treadmill", segments=(Segment(900, 3.1, 150),))]
    assert len(specs) >= 9
    for spec in specs:
        assert write_activity(spec) == fit_tool_bytes(activity_messages(spec))
