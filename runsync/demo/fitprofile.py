"""The part of the FIT profile runsync writes (the demo's and the tests' activity files): each message's global
number and the fields used, in the profile's order, with base type, scale and offset; and the enums by name.

Taken from the FIT SDK profile (as the fit-tool package ships it, version 21.21); tests/demo/test_fitwrite.py checks
that files written with it are byte for byte the ones fit-tool writes for the same messages.
"""

from __future__ import annotations

from typing import NamedTuple


class FieldSpec(NamedTuple):
    name: str
    number: int
    base_type: str
    scale: float = 1
    offset: float = 0


PROFILE: dict[str, tuple[int, tuple[FieldSpec, ...]]] = {
    "file_id": (0, (
        FieldSpec("type", 0, "ENUM", 1, 0),
        FieldSpec("manufacturer", 1, "UINT16", 1, 0),
        FieldSpec("product", 2, "UINT16", 1, 0),
        FieldSpec("serial_number", 3, "UINT32Z", 1, 0),
        FieldSpec("time_created", 4, "UINT32", 0.001, -631065600000),
    )),
    "device_info": (23, (
        FieldSpec("timestamp", 253, "UINT32", 0.001, -631065600000),
        FieldSpec("device_index", 0, "UINT8", 1, 0),
        FieldSpec("manufacturer", 2, "UINT16", 1, 0),
        FieldSpec("serial_number", 3, "UINT32Z", 1, 0),
        FieldSpec("product", 4, "UINT16", 1, 0),
        FieldSpec("software_version", 5, "UINT16", 100, 0),
    )),
    "event": (21, (
        FieldSpec("timestamp", 253, "UINT32", 0.001, -631065600000),
        FieldSpec("event", 0, "ENUM", 1, 0),
        FieldSpec("event_type", 1, "ENUM", 1, 0),
        FieldSpec("timer_trigger", 3, "UINT32", 1, 0),
    )),
    "record": (20, (
        FieldSpec("timestamp", 253, "UINT32", 0.001, -631065600000),
        FieldSpec("position_lat", 0, "SINT32", 11930464.711111112, 0),
        FieldSpec("position_long", 1, "SINT32", 11930464.711111112, 0),
        FieldSpec("heart_rate", 3, "UINT8", 1, 0),
        FieldSpec("cadence", 4, "UINT8", 1, 0),
        FieldSpec("distance", 5, "UINT32", 100, 0),
        FieldSpec("speed", 6, "UINT16", 1000, 0),
        FieldSpec("fractional_cadence", 53, "UINT8", 128, 0),
        FieldSpec("enhanced_speed", 73, "UINT32", 1000, 0),
        FieldSpec("enhanced_altitude", 78, "UINT32", 5, 500),
    )),
    "lap": (19, (
        FieldSpec("message_index", 254, "UINT16", 1, 0),
        FieldSpec("timestamp", 253, "UINT32", 0.001, -631065600000),
        FieldSpec("event", 0, "ENUM", 1, 0),
        FieldSpec("event_type", 1, "ENUM", 1, 0),
        FieldSpec("start_time", 2, "UINT32", 0.001, -631065600000),
        FieldSpec("total_elapsed_time", 7, "UINT32", 1000, 0),
        FieldSpec("total_timer_time", 8, "UINT32", 1000, 0),
        FieldSpec("total_distance", 9, "UINT32", 100, 0),
        FieldSpec("avg_speed", 13, "UINT16", 1000, 0),
        FieldSpec("avg_heart_rate", 15, "UINT8", 1, 0),
        FieldSpec("max_heart_rate", 16, "UINT8", 1, 0),
        FieldSpec("intensity", 23, "ENUM", 1, 0),
        FieldSpec("lap_trigger", 24, "ENUM", 1, 0),
        FieldSpec("sport", 25, "ENUM", 1, 0),
        FieldSpec("enhanced_avg_speed", 110, "UINT32", 1000, 0),
    )),
    "set": (225, (
        FieldSpec("timestamp", 254, "UINT32", 0.001, -631065600000),
        FieldSpec("duration", 0, "UINT32", 1000, 0),
        FieldSpec("repetitions", 3, "UINT16", 1, 0),
        FieldSpec("weight", 4, "UINT16", 16, 0),
        FieldSpec("set_type", 5, "UINT8", 1, 0),
        FieldSpec("start_time", 6, "UINT32", 0.001, -631065600000),
        FieldSpec("category", 7, "UINT16", 1, 0),
        FieldSpec("message_index", 10, "UINT16", 1, 0),
    )),
    "session": (18, (
        FieldSpec("message_index", 254, "UINT16", 1, 0),
        FieldSpec("timestamp", 253, "UINT32", 0.001, -631065600000),
        FieldSpec("event", 0, "ENUM", 1, 0),
        FieldSpec("event_type", 1, "ENUM", 1, 0),
        FieldSpec("start_time", 2, "UINT32", 0.001, -631065600000),
        FieldSpec("sport", 5, "ENUM", 1, 0),
        FieldSpec("sub_sport", 6, "ENUM", 1, 0),
        FieldSpec("total_elapsed_time", 7, "UINT32", 1000, 0),
        FieldSpec("total_timer_time", 8, "UINT32", 1000, 0),
        FieldSpec("total_distance", 9, "UINT32", 100, 0),
        FieldSpec("avg_speed", 14, "UINT16", 1000, 0),
        FieldSpec("avg_heart_rate", 16, "UINT8", 1, 0),
        FieldSpec("max_heart_rate", 17, "UINT8", 1, 0),
        FieldSpec("total_ascent", 22, "UINT16", 1, 0),
        FieldSpec("first_lap_index", 25, "UINT16", 1, 0),
        FieldSpec("num_laps", 26, "UINT16", 1, 0),
        FieldSpec("enhanced_avg_speed", 124, "UINT32", 1000, 0),
    )),
    "activity": (34, (
        FieldSpec("timestamp", 253, "UINT32", 0.001, -631065600000),
        FieldSpec("total_timer_time", 0, "UINT32", 1000, 0),
        FieldSpec("num_sessions", 1, "UINT16", 1, 0),
        FieldSpec("type", 2, "ENUM", 1, 0),
        FieldSpec("event", 3, "ENUM", 1, 0),
        FieldSpec("event_type", 4, "ENUM", 1, 0),
        FieldSpec("local_timestamp", 5, "UINT32", 1, 0),
    )),
}


SPORT = {
    "generic": 0, "running": 1, "cycling": 2, "transition": 3, "fitness_equipment": 4, "swimming": 5, "basketball":
    6, "soccer": 7, "tennis": 8, "american_football": 9, "training": 10, "walking": 11, "cross_country_skiing": 12,
    "alpine_skiing": 13, "snowboarding": 14, "rowing": 15, "mountaineering": 16, "hiking": 17, "multisport": 18,
    "paddling": 19, "flying": 20, "e_biking": 21, "motorcycling": 22, "boating": 23, "driving": 24, "golf": 25,
    "hang_gliding": 26, "horseback_riding": 27, "hunting": 28, "fishing": 29, "inline_skating": 30, "rock_climbing":
    31, "sailing": 32, "ice_skating": 33, "sky_diving": 34, "snowshoeing": 35, "snowmobiling": 36,
    "stand_up_paddleboarding": 37, "surfing": 38, "wakeboarding": 39, "water_skiing": 40, "kayaking": 41, "rafting":
    42, "windsurfing": 43, "kitesurfing": 44, "tactical": 45, "jumpmaster": 46, "boxing": 47, "floor_climbing": 48,
    "baseball": 49, "diving": 53, "shooting": 56, "winter_sport": 58, "grinding": 59, "hiit": 62, "video_gaming":
    63, "racket": 64, "wheelchair_push_walk": 65, "wheelchair_push_run": 66, "meditation": 67, "para_sport": 68,
    "disc_golf": 69, "team_sport": 70, "cricket": 71, "rugby": 72, "hockey": 73, "lacrosse": 74, "volleyball": 75,
    "water_tubing": 76, "wakesurfing": 77, "water_sport": 78, "archery": 79, "mixed_martial_arts": 80,
    "motor_sports": 81, "snorkeling": 82, "dance": 83, "jump_rope": 84, "pool_apnea": 85, "mobility": 86,
    "geocaching": 87, "canoeing": 88, "all": 254,
}
SUB_SPORT = {
    "generic": 0, "treadmill": 1, "street": 2, "trail": 3, "track": 4, "spin": 5, "indoor_cycling": 6, "road": 7,
    "mountain": 8, "downhill": 9, "recumbent": 10, "cyclocross": 11, "hand_cycling": 12, "track_cycling": 13,
    "indoor_rowing": 14, "elliptical": 15, "stair_climbing": 16, "lap_swimming": 17, "open_water": 18,
    "flexibility_training": 19, "strength_training": 20, "warm_up": 21, "match": 22, "exercise": 23, "challenge":
    24, "indoor_skiing": 25, "cardio_training": 26, "indoor_walking": 27, "e_bike_fitness": 28, "bmx": 29,
    "casual_walking": 30, "speed_walking": 31, "bike_to_run_transition": 32, "run_to_bike_transition": 33,
    "swim_to_bike_transition": 34, "atv": 35, "motocross": 36, "backcountry": 37, "resort": 38, "rc_drone": 39,
    "wingsuit": 40, "whitewater": 41, "skate_skiing": 42, "yoga": 43, "pilates": 44, "indoor_running": 45,
    "gravel_cycling": 46, "e_bike_mountain": 47, "commuting": 48, "mixed_surface": 49, "navigate": 50, "track_me":
    51, "map": 52, "single_gas_diving": 53, "multi_gas_diving": 54, "gauge_diving": 55, "apnea_diving": 56,
    "apnea_hunting": 57, "virtual_activity": 58, "obstacle": 59, "breathing": 62, "ccr_diving": 63, "sail_race": 65,
    "expedition": 66, "ultra": 67, "indoor_climbing": 68, "bouldering": 69, "hiit": 70, "indoor_grinding": 71,
    "hunting_with_dogs": 72, "amrap": 73, "emom": 74, "tabata": 75, "esport": 77, "triathlon": 78, "duathlon": 79,
    "brick": 80, "swim_run": 81, "adventure_race": 82, "trucker_workout": 83, "pickleball": 84, "padel": 85,
    "indoor_wheelchair_walk": 86, "indoor_wheelchair_run": 87, "indoor_hand_cycling": 88, "field": 90, "ice": 91,
    "ultimate": 92, "platform": 93, "squash": 94, "badminton": 95, "racquetball": 96, "table_tennis": 97,
    "overland": 98, "trolling_motor": 99, "fly_canopy": 110, "fly_paraglide": 111, "fly_paramotor": 112,
    "fly_pressurized": 113, "fly_navigate": 114, "fly_timer": 115, "fly_altimeter": 116, "fly_wx": 117, "fly_vfr":
    118, "fly_ifr": 119, "dynamic_apnea": 121, "enduro": 123, "rucking": 124, "rally": 125, "pool_triathlon": 126,
    "e_bike_enduro": 127, "all": 254,
}
EXERCISE_CATEGORY = {
    "bench_press": 0, "calf_raise": 1, "cardio": 2, "carry": 3, "chop": 4, "core": 5, "crunch": 6, "curl": 7,
    "deadlift": 8, "flye": 9, "hip_raise": 10, "hip_stability": 11, "hip_swing": 12, "hyperextension": 13,
    "lateral_raise": 14, "leg_curl": 15, "leg_raise": 16, "lunge": 17, "olympic_lift": 18, "plank": 19, "plyo": 20,
    "pull_up": 21, "push_up": 22, "row": 23, "shoulder_press": 24, "shoulder_stability": 25, "shrug": 26, "sit_up":
    27, "squat": 28, "total_body": 29, "triceps_extension": 30, "warm_up": 31, "run": 32, "bike": 33,
    "cardio_sensors": 34, "move": 35, "pose": 36, "banded_exercises": 37, "battle_rope": 38, "elliptical": 39,
    "floor_climb": 40, "indoor_bike": 41, "indoor_row": 42, "ladder": 43, "sandbag": 44, "sled": 45,
    "sledge_hammer": 46, "stair_stepper": 47, "suspension": 49, "tire": 50, "run_indoor": 52, "bike_outdoor": 53,
    "unknown": 65534,
}
LAP_TRIGGER = {
    "manual": 0, "time": 1, "distance": 2, "position_start": 3, "position_lap": 4, "position_waypoint": 5,
    "position_marked": 6, "session_end": 7, "fitness_equipment": 8,
}
INTENSITY = {
    "active": 0, "rest": 1, "warmup": 2, "cooldown": 3, "recovery": 4, "interval": 5, "other": 6,
}
EVENT = {"timer": 0, "lap": 9, "session": 8, "activity": 26}
EVENT_TYPE = {"start": 0, "stop": 1, "stop_all": 4}
TIMER_TRIGGER = {"manual": 0, "auto": 1}
SET_TYPE = {"rest": 0, "active": 1}
FILE_ACTIVITY, MANUFACTURER_GARMIN, GARMIN_FR965, ACTIVITY_MANUAL = 4, 1, 4315, 0
