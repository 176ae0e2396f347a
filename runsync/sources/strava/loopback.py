"""The OAuth redirect on a loopback port: one request carrying `code` (or `error`) and our `state`."""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

from runsync.errors import AuthError, TemporaryError, UsageError

_PAGE = "<!doctype html><title>runsync</title><p>{}</p>"


class _Handler(BaseHTTPRequestHandler):
    server: RedirectCatcher

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        done = self.server.accept(query)
        body = _PAGE.format("Authorised: you can close this tab." if done else "Not authorised; see the terminal.")
        self.send_response(200 if done else 400)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: object) -> None:  # the query holds the code: never log it
        return None


class RedirectCatcher(HTTPServer):
    """Listens on 127.0.0.1:`port` (0: any free port) until the browser comes back from Strava."""

    def __init__(self, port: int, state: str) -> None:
        try:
            super().__init__(("127.0.0.1", port), _Handler)
        except OSError as exc:
            raise UsageError(
                f"strava.redirect_port: cannot listen on 127.0.0.1:{port} ({exc.strerror}); "
                "choose another port or finish with --code"
            ) from None
        self.state = state
        self.query: dict[str, str] | None = None

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/authorized"

    def accept(self, query: dict[str, str]) -> bool:
        if query.get("state") != self.state or not ("code" in query or "error" in query):
            return False  # a stray request (favicon, another tab): keep waiting
        self.query = query
        return "code" in query

    def wait(self, timeout_s: float = 300.0) -> tuple[str, str | None]:
        """The authorisation code and the scope the athlete granted."""
        deadline = time.monotonic() + timeout_s
        self.timeout = 1.0
        try:
            while self.query is None and time.monotonic() < deadline:
                self.handle_request()
        finally:
            self.server_close()
        if self.query is None:
            raise TemporaryError("no answer from the browser in time; run the command again or use --code")
        if "error" in self.query:
            raise AuthError(f"Strava did not authorise runsync ({self.query['error']})")
        return self.query["code"], self.query.get("scope")
