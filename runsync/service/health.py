"""What `runsync serve` answers at /healthz and /metrics, read from the store at the moment of the request.

/healthz (JSON): `status` "ok", "degraded" (the store answers but no worker's heartbeat is fresh, or a job has
waited over an hour) or "down" (the store cannot be reached, or its schema is not this runsync's); HTTP 200 unless
down (503), so a proxy keeps the webhook up while workers are away. `checks`: database, schema, workers (fresh and
stale heartbeats), queue (jobs by status, the oldest queued job's age).

/metrics (Prometheus' text format, prometheus_client): jobs by status, the job wait and run time of the jobs done in
the last hour, the Strava rate budget left per window, the athletes whose Garmin or intervals.icu history is still
being walked under the per-run download budget (neither service documents a call budget), each source's oldest
last-successful-sync age, files failing, workers alive. Neither names an athlete: the per-source figures are the
worst athlete's, unlabelled.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from runsync.config import Config
from runsync.errors import RunsyncError
from runsync.store import Store
from runsync.store.migrations import MIGRATIONS

STALE_AFTER = 3  # heartbeats missed before a worker counts as gone
SLOW_QUEUE_S = 3600.0  # a queued job ready for this long makes the service degraded
SOURCES = ("fit", "strava", "garmin", "intervals")


def _at(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Health:
    status: str = "ok"
    checks: dict[str, Any] = field(default_factory=dict)

    @property
    def http_status(self) -> int:
        return 503 if self.status == "down" else 200

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "checks": self.checks}


def health(store: Store, config: Config, now: datetime) -> Health:
    found = Health()
    try:
        version = store.db.schema_version()
        found.checks["database"] = "reachable"
        found.checks["schema"] = {"version": version, "current": version == len(MIGRATIONS)}
        if version != len(MIGRATIONS):
            found.status = "down"
        fresh, stale = workers(store, config)
        found.checks["workers"] = {"fresh": fresh, "stale": stale}
        counts, oldest = queue_state(store, now)
        found.checks["queue"] = {"jobs": counts, "oldest_queued_s": oldest}
        if found.status == "ok" and (not fresh or (oldest is not None and oldest > SLOW_QUEUE_S)):
            found.status = "degraded"
    except RunsyncError as error:
        found.status, found.checks["database"] = "down", f"unreachable: {str(error).split(';')[0]}"
    return found


def workers(store: Store, config: Config) -> tuple[int, int]:
    """Workers whose heartbeat (wall-clock time) is fresh, or who are running the job their heartbeat named (a long
    history walk), and the others."""
    now = datetime.now(UTC)
    limit = timedelta(seconds=config.queue.heartbeat_s * STALE_AFTER)
    rows = store.db.rows("SELECT w.seen_at, EXISTS (SELECT 1 FROM jobs j WHERE j.id = w.job_id AND j.status = "
                         "'running' AND j.worker = w.name) FROM workers w")  # fmt: skip
    fresh = sum(1 for seen, running in rows if running or ((at := _at(seen)) is not None and now - at <= limit))
    return fresh, len(rows) - fresh


def queue_state(store: Store, now: datetime) -> tuple[dict[str, int], float | None]:
    counts = {r[0]: int(r[1]) for r in store.db.rows("SELECT status, COUNT(*) FROM jobs GROUP BY status")}
    row = store.db.rows("SELECT MIN(created_at) FROM jobs WHERE status = 'queued' AND not_before <= ?",
                        (now.timestamp(),))  # fmt: skip
    created = _at(row[0][0]) if row and row[0][0] else None
    return counts, None if created is None else round(max((now - created).total_seconds(), 0.0), 1)


def metric_families(store: Store, config: Config, now: datetime) -> Iterator[Any]:
    """The metrics as prometheus_client families (a custom collector: read at scrape time)."""
    from prometheus_client.core import GaugeMetricFamily

    jobs = GaugeMetricFamily("runsync_jobs", "Jobs in the queue by status", labels=["status"])
    counts, oldest = queue_state(store, now)
    for status in ("queued", "running", "done", "failed"):
        jobs.add_metric([status], counts.get(status, 0))
    yield jobs
    yield GaugeMetricFamily("runsync_oldest_queued_job_age_seconds", "Age of the oldest job ready to run",
                            value=oldest or 0.0)  # fmt: skip
    wait, run = job_latency(store, now)
    latency = GaugeMetricFamily("runsync_job_latency_seconds", "Mean wait (created to started) and run (started to "
                                "finished) of the jobs finished in the last hour", labels=["phase"])  # fmt: skip
    latency.add_metric(["wait"], wait)
    latency.add_metric(["run"], run)
    yield latency
    budget = GaugeMetricFamily("runsync_rate_budget_remaining", "API calls left in the current rate window",
                               labels=["service", "window"])  # fmt: skip
    for service, span, used, limit in store.db.rows("SELECT service, span, used, lim FROM rate_budget"):
        if limit is not None:
            budget.add_metric([service, span], max(int(limit) - int(used), 0))
    yield budget
    ages = GaugeMetricFamily("runsync_last_sync_age_seconds", "Per source, the longest time since an athlete's "
                             "last successful sync", labels=["source"])  # fmt: skip
    for source, age in last_sync_ages(store, now).items():
        ages.add_metric([source], age)
    yield ages
    walking = GaugeMetricFamily("runsync_history_incomplete", "Athletes whose history is still being fetched "
                                "under the per-run download budget", labels=["source"])  # fmt: skip
    for source in ("garmin", "intervals"):
        left = store.db.rows("SELECT COUNT(*) FROM sync_state WHERE source = ? AND key = 'backfill_before' AND "
                             "value IS NOT NULL AND value <> 'null'", (source,))  # fmt: skip
        walking.add_metric([source], left[0][0])
    yield walking
    failing = store.db.rows("SELECT COUNT(*) FROM raw WHERE status = 'error'")
    yield GaugeMetricFamily("runsync_files_failing", "Files and activities that fail to read", value=failing[0][0])
    fresh, _stale = workers(store, config)
    yield GaugeMetricFamily("runsync_workers_alive", "Workers with a fresh heartbeat", value=fresh)


def job_latency(store: Store, now: datetime) -> tuple[float, float]:
    since = (now - timedelta(hours=1)).astimezone(UTC).isoformat(timespec="seconds")
    rows = store.db.rows("SELECT created_at, started_at, finished_at FROM jobs WHERE status = 'done' AND "
                         "finished_at >= ? ORDER BY id DESC LIMIT 1000", (since,))  # fmt: skip
    waits, runs = [], []
    for created, started, finished in rows:
        c, s, f = _at(created), _at(started), _at(finished)
        if c and s:
            waits.append(max((s - c).total_seconds(), 0.0))
        if s and f:
            runs.append(max((f - s).total_seconds(), 0.0))
    return (sum(waits) / len(waits) if waits else 0.0), (sum(runs) / len(runs) if runs else 0.0)


def last_sync_ages(store: Store, now: datetime) -> dict[str, float]:
    found: dict[str, float] = {}
    for source, value in store.db.rows("SELECT source, value FROM sync_state WHERE key = 'last_sync'"):
        moment = _at(str(value).strip('"')) if value else None
        if moment is not None and source in SOURCES:
            found[source] = max(found.get(source, 0.0), round((now - moment).total_seconds(), 1))
    return found


def metrics_text(store: Store, config: Config, now: datetime) -> bytes:
    from prometheus_client import CollectorRegistry, generate_latest

    class Collector:
        def collect(self) -> Iterator[Any]:
            yield from metric_families(store, config, now)

    registry = CollectorRegistry(auto_describe=False)
    registry.register(Collector())  # type: ignore[arg-type]
    return generate_latest(registry)
