"""The demo squad and the FIT writers behind it (fit-tool stays out of the core): `runsync demo`, the tests' planted
activities, and the benchmarks' squads."""

from runsync.demo.squad import BALANCED_ATHLETE, DEMO_ATHLETE, PLAN, SQUAD, first_demo_day, setup_demo, write_demo_files

__all__ = ["BALANCED_ATHLETE", "DEMO_ATHLETE", "PLAN", "SQUAD", "first_demo_day", "setup_demo", "write_demo_files"]
