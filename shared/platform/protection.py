"""HTTP protections every service shares: security headers, CORS, and rate limits on public forms and
on failed tokens (HTTP 429 with Retry-After and the usual error body)."""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from shared.platform.errors import error_body
from shared.platform.i18n import Text, _

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-site",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"


class SlidingWindow:
    """At most ``limit`` events per ``window`` seconds per key (client address)."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.events: dict[str, deque[float]] = defaultdict(deque)

    def _trim(self, key: str, now: float) -> deque[float]:
        q = self.events[key]
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def allow(self, key: str) -> bool:
        now = self.clock()
        q = self._trim(key, now)
        if len(q) >= self.limit:
            return False
        q.append(now)
        return True

    def blocked(self, key: str) -> bool:
        return len(self._trim(key, self.clock())) >= self.limit

    def note(self, key: str) -> None:
        self._trim(key, self.clock()).append(self.clock())

    def retry_after(self, key: str) -> int:
        q = self.events[key]
        return max(1, int(q[0] + self.window - self.clock()) + 1) if q else 1


def too_many() -> JSONResponse:
    return JSONResponse(error_body("rate_limited", _("Too many requests; retry later")), status_code=429)


def too_large(limit: int) -> Text:
    return _("The request body is larger than {limit} bytes", limit=limit)


CONTROL_IN_URL = re.compile(r"[\x00-\x1f\x7f]")


def _error(status: int, code: str, message: Text) -> tuple[dict[str, Any], bytes]:
    return {"type": "http.response.start", "status": status,
            "headers": [(b"content-type", b"application/json"), *[(k.lower().encode(), v.encode())
                                                                  for k, v in SECURITY_HEADERS.items()]]}, \
        json.dumps(error_body(code, message), ensure_ascii=False).encode()


class RequestLimits:
    """Raw ASGI, before anything reads the request: a body whose Content-Length is above
    ``max_body_bytes`` gets 413 (Starlette's body limit counts a streamed one), and a path or query holding a control
    character (``%00``...) gets 404 / 422 instead of reaching a database that cannot store it."""

    def __init__(self, app: Any, max_body_bytes: int) -> None:
        self.app, self.max = app, max_body_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if CONTROL_IN_URL.search(scope.get("path", "")):
            return await self._answer(send, 404, "not_found", _("Not found"))
        if CONTROL_IN_URL.search(unquote_plus(scope.get("query_string", b"").decode("latin-1"))):
            return await self._answer(send, 422, "validation_failed",
                                      _("A query parameter holds a control character"))
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max:
            return await self._too_large(send)
        await self.app(scope, receive, send)  # a body without Content-Length: counted as it streams in

    async def _too_large(self, send: Any) -> None:
        await self._answer(send, 413, "body_too_large", too_large(self.max))

    @staticmethod
    async def _answer(send: Any, status: int, code: str, message: Text) -> None:
        start, body = _error(status, code, message)
        start["headers"].append((b"content-length", str(len(body)).encode()))
        await send(start)
        await send({"type": "http.response.body", "body": body})


# Public sign-up forms and endpoints: limited per client address whatever header a request carries
SIGN_UPS = re.compile(r"^/(campaigns/[^/]+/(participants|businesses)|join/[^/]+|exhibit/[^/]+)/?$")


def credential_of(request: Request) -> str | None:
    """A fingerprint of the bearer credential a request carries, if any (not the session cookie: a page
    answered 401 for what was typed into it says nothing of the cookie beside it)."""
    import hashlib

    raw = request.headers.get("authorization")
    return hashlib.sha256(raw.encode()).hexdigest()[:32] if raw else None


def install_protection(app: FastAPI, *, forms_per_minute: int, failed_tokens_per_minute: int,
                       cors_origins: list[str], max_body_bytes: int = 1_048_576) -> None:
    forms = SlidingWindow(forms_per_minute)
    failures = SlidingWindow(failed_tokens_per_minute)  # per client address: wrong credentials
    failing = SlidingWindow(3)  # per credential: the same wrong token again and again

    @app.middleware("http")
    async def protect(request: Request, call_next: Callable[[Request], Any]) -> Response:
        client = request.client.host if request.client else "unknown"
        credential = credential_of(request)
        if credential is not None and failing.blocked(credential):
            response: Response = too_many()  # a credential that keeps failing: not even looked up
            response.headers["Retry-After"] = str(failing.retry_after(credential))
        elif request.method == "POST" and SIGN_UPS.match(request.url.path) and not forms.allow(client):
            response = too_many()  # sign-ups from one address, with or without an Authorization header
            response.headers["Retry-After"] = str(forms.retry_after(client))
        else:
            response = await call_next(request)
            if response.status_code == 401:
                # Guessing costs the guesser, never the people behind the same address: valid requests
                # and public pages still pass; only failing ones turn into 429 past the limit.
                over = failures.blocked(client)
                failures.note(client)
                if credential is not None:
                    failing.note(credential)
                if over:
                    response = too_many()
                    response.headers["Retry-After"] = str(failures.retry_after(client))
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/docs"):
            response.headers.setdefault("Content-Security-Policy", API_CSP)
        return response

    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=max_body_bytes)  # a streamed body, as it comes
    app.add_middleware(RequestLimits, max_body_bytes=max_body_bytes)  # added last: runs first

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code != 413:
            return await http_exception_handler(request, exc)
        _start, body = _error(413, "body_too_large", too_large(max_body_bytes))
        return JSONResponse(json.loads(body), status_code=413)
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_credentials=False,
                           allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-Id"])
