"""`runsync status`: per athlete and source the last sync, the files that still fail, the token state; and whether
a sync holds the writer lock. Read only: nothing is fetched and nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from runsync.config import Athlete, Config
from runsync.config.secrets import Secrets
from runsync.store import Store

JSON_VERSION = 1


def collect_status(store: Store, config: Config, secrets: Callable[[], Secrets], now: datetime) -> dict[str, Any]:
    from runsync.store.jobs import JobQueue

    counts = store.athletes_with_sessions()
    failing = store.raw_records(status="error")
    queue = JobQueue(store)
    athletes = []
    for athlete in config.athletes.values():
        athletes.append({
            "athlete": athlete.id,
            "name": athlete.name,
            "sessions": counts.get(athlete.id, 0),
            "sources": source_states(store, athlete, secrets, now),
            "failing_files": [{"path": r.path, "reason": r.error, "since": r.fetched_at}
                              for r in failing if r.athlete == athlete.id],
            "jobs": queue.athlete_jobs(athlete.id),
        })  # fmt: skip
    return {"version": JSON_VERSION, "database": store.where, "lock": "held" if store.db.lock_held() else "free",
            "jobs": queue.summary(), "athletes": athletes}  # fmt: skip


def source_states(store: Store, athlete: Athlete, secrets: Callable[[], Secrets],
                  now: datetime) -> list[dict[str, Any]]:  # fmt: skip
    found = []
    if athlete.fit_dirs:
        found.append({"source": "fit", "last_sync": store.state(athlete.id, "fit", "last_sync"),
                      "folders": [str(d) for d in athlete.fit_dirs],
                      "missing_folders": [str(d) for d in athlete.fit_dirs if not d.is_dir()]})  # fmt: skip
    if athlete.strava:
        from runsync.sources.strava.sync import strava_state  # stravalib loads only when an athlete uses Strava

        found.append(strava_state(store, athlete, secrets, now))
    if athlete.garmin:
        from runsync.sources.garmin.sync import garmin_state

        found.append(garmin_state(store, athlete, secrets))
    if athlete.intervals is not None:
        from runsync.sources.intervals.sync import intervals_state

        found.append(intervals_state(store, athlete, secrets))
    return found


def status_json(status: dict[str, Any]) -> str:
    return json.dumps(status, indent=2)


def status_text(status: dict[str, Any]) -> str:
    lines = [f"database {status['database']} (writer lock {status['lock']})"]
    if status["jobs"]:
        lines.append("jobs: " + ", ".join(f"{n} {what}" for what, n in sorted(status["jobs"].items())))
    for a in status["athletes"]:
        lines.append(f"{a['athlete']} ({a['name']}): {a['sessions']} sessions")
        for src in a["sources"]:
            lines.append(f"  {src['source']}: " + ", ".join(source_words(src)))
        for f in a["failing_files"]:
            lines.append(f"  failing since {f['since'][:10]}: {f['path']}: {f['reason']}")
        jobs = a["jobs"]
        if jobs["queued"] or jobs["running"]:
            lines.append(f"  jobs: {jobs['queued']} queued, {jobs['running']} running")
        for job in jobs["failed"]:
            what = f"{job['kind']} {job['object_id']}" if job["object_id"] else job["kind"]
            lines.append(f"  job {job['job']} ({job['source']} {what}) failed {(job['at'] or '')[:16]}: {job['error']}")
    if not status["athletes"]:
        lines.append("no athletes configured: run `runsync init`")
    return "\n".join(lines)


def source_line(src: dict[str, Any]) -> str:
    """'fit: /watch' or 'strava (last sync …, 0 pending, token ok)' (runsync athletes)."""
    if src["source"] == "fit":
        return "fit: " + ", ".join(src["folders"])
    return f"{src['source']} ({', '.join(source_words(src))})"


def source_words(src: dict[str, Any]) -> list[str]:
    words = [f"last sync {src['last_sync']}" if src.get("last_sync") else "never synced"]
    if src["source"] == "fit":
        words += [f"folder missing: {d}" for d in src["missing_folders"]]
    else:
        if "pending" in src:
            words.append(f"{src['pending']} pending")
        if not src["history_complete"]:
            words.append("history incomplete")
        words.append(f"token {src['token']}")
        if src.get("strava_only"):
            words.append(f"{src['strava_only']} received from Strava, not available")
        if src.get("app_capacity"):
            words.append("app: {connected} of {limit} athletes".format(**src["app_capacity"]))
        if src.get("problem"):
            words.append(src["problem"])
    return words
