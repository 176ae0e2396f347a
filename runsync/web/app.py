"""The webhook endpoint, a small ASGI app (starlette) served by uvicorn: `runsync serve`.

It faces the internet and Strava signs nothing, so every request is hostile until shown otherwise:
- GET /strava/webhook answers Strava's subscription handshake only when `hub.verify_token` is the configured
  `[strava] verify_token` (compared in constant time); the challenge is echoed back only if it is a short token.
- POST /strava/webhook reads at most MAX_BODY_BYTES (more is refused before it is read), parses the event field
  by field, and stores it with its job in one transaction before answering 200 (runsync.sources.strava.events:
  only our subscription id and athletes who authorised us get in, each event once). The work happens in workers;
  the answer takes a few milliseconds.
- Each source address may send BURST requests at once and RATE a second after that (a token bucket; behind a
  reverse proxy the address is the client's, from X-Forwarded-For, only when the proxy is named with
  --forwarded-allow-ips). Past that: 429, nothing read, nothing stored.
- Nothing a request carries is logged (no query strings: the verify token travels in one).
- GET /healthz and GET /metrics: the store's and the queue's health, Prometheus' metrics (runsync.service.health).
"""

from __future__ import annotations

import hmac
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from runsync.config import Config
from runsync.errors import ConfigError, RunsyncError
from runsync.sources.strava.events import MAX_BODY_BYTES, BadEvent, accept_event, parse_event
from runsync.store import Store

log = logging.getLogger("runsync.web")
CHALLENGE = re.compile(r"[A-Za-z0-9_.~-]{1,255}")
BURST, RATE = 300, 20.0  # requests per source address: at once, then per second
MAX_ADDRESSES = 10_000  # addresses remembered by the rate limiter (the oldest are forgotten)


class RateLimiter:
    """A token bucket per source address, in memory, bounded in size."""

    def __init__(self, burst: int = BURST, rate: float = RATE, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.rate, self.clock = burst, rate, clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.lock = threading.Lock()

    def allow(self, address: str) -> bool:
        now = self.clock()
        with self.lock:
            tokens, at = self.buckets.pop(address, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            allowed = tokens >= 1.0
            self.buckets[address] = (tokens - 1.0 if allowed else tokens, now)
            while len(self.buckets) > MAX_ADDRESSES:
                self.buckets.popitem(last=False)
        return allowed


class _TooLarge(Exception):
    pass


async def read_capped(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, refused as soon as it is longer than `limit` (by its Content-Length, or while it streams)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _TooLarge
    return bytes(body)


def create_app(store: Store, config: Config, *, limiter: RateLimiter | None = None,
               clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Starlette:  # fmt: skip
    """The app over an open store. One store connection serves every request, one request at a time (each is a
    few milliseconds); a database that cannot be reached answers 503 so Strava retries the delivery later."""
    verify_token = config.strava.verify_token or ""
    limiter = limiter or RateLimiter()
    db_lock = threading.Lock()

    def accept(event: Any) -> str:
        with db_lock:
            return accept_event(store, config, event)

    def limited(request: Request) -> Response | None:
        address = request.client.host if request.client else "unknown"
        if limiter.allow(address):
            return None
        return PlainTextResponse("too many requests\n", status_code=429, headers={"Retry-After": "5"})

    async def handshake(request: Request) -> Response:
        if (refused := limited(request)) is not None:
            return refused
        params = request.query_params
        token, challenge = params.get("hub.verify_token", ""), params.get("hub.challenge", "")
        if (params.get("hub.mode") != "subscribe" or not verify_token
                or not hmac.compare_digest(token.encode(), verify_token.encode())):  # fmt: skip
            log.warning("webhook handshake refused (wrong verify token or mode)")
            return PlainTextResponse("forbidden\n", status_code=403)
        if not CHALLENGE.fullmatch(challenge):
            return PlainTextResponse("bad challenge\n", status_code=400)
        log.info("webhook handshake answered")
        return JSONResponse({"hub.challenge": challenge})

    async def event(request: Request) -> Response:
        if (refused := limited(request)) is not None:
            return refused
        try:
            parsed = parse_event(await read_capped(request))
        except _TooLarge:
            return PlainTextResponse("too large\n", status_code=413)
        except BadEvent as bad:
            log.info("webhook event refused: %s", bad)
            return PlainTextResponse("bad event\n", status_code=400)
        try:
            outcome = await run_in_threadpool(accept, parsed)
        except RunsyncError as error:  # the database is down or full: Strava retries a delivery not answered 200
            log.error("webhook event not stored: %s", error)
            return PlainTextResponse("try again later\n", status_code=503)
        log.info("webhook %s %s %s: %s", parsed.object_type, parsed.aspect_type, parsed.object_id, outcome)
        return JSONResponse({"status": outcome.split(":")[0]})

    def checked() -> Any:
        from runsync.service.health import health as read_health

        with db_lock:
            return read_health(store, config, clock())

    def scraped() -> bytes:
        from runsync.service.health import metrics_text

        with db_lock:
            return metrics_text(store, config, clock())

    async def health(_request: Request) -> Response:
        found = await run_in_threadpool(checked)
        return JSONResponse(found.as_json(), status_code=found.http_status)

    async def metrics(_request: Request) -> Response:
        try:
            body = await run_in_threadpool(scraped)
        except RunsyncError as error:
            log.error("metrics not read: %s", error)
            return PlainTextResponse("database unreachable\n", status_code=503)
        return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")

    return Starlette(routes=[
        Route("/strava/webhook", handshake, methods=["GET"]),
        Route("/strava/webhook", event, methods=["POST"]),
        Route("/healthz", health, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ])  # fmt: skip


def serve(store: Store, config: Config, *, host: str, port: int, forwarded_allow_ips: str | None,
          ready: Callable[[str], None] | None = None, clock: Callable[[], datetime] | None = None) -> None:  # fmt: skip
    """Serve until SIGTERM/SIGINT (uvicorn's graceful stop). The socket is bound here first, so a port in use is
    one clear line (exit 3), not a server's log."""
    import socket

    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"--host/--port: cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)  # connections wait in the backlog from now on, before the server's loop accepts them
    bound = sock.getsockname()[1]
    app = create_app(store, config, clock=clock or (lambda: datetime.now(UTC)))
    server = uvicorn.Server(uvicorn.Config(
        app, access_log=False, log_level="warning", server_header=False, proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips or "", limit_concurrency=200, timeout_keep_alive=5,
    ))  # fmt: skip
    if ready is not None:
        ready(f"http://{host}:{bound}/strava/webhook")
    server.run(sockets=[sock])
