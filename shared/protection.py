"""HTTP protections every service shares: security headers, CORS, and rate limits on public forms and
on failed tokens (HTTP 429 with Retry-After and the usual error body)."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

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
    return JSONResponse({"error": {"code": "rate_limited", "message": "Quá nhiều yêu cầu, vui lòng thử lại sau",
                                   "message_en": "Too many requests; retry later"}}, status_code=429)


def install_protection(app: FastAPI, *, forms_per_minute: int, failed_tokens_per_minute: int,
                       cors_origins: list[str]) -> None:
    forms = SlidingWindow(forms_per_minute)
    failures = SlidingWindow(failed_tokens_per_minute)

    @app.middleware("http")
    async def protect(request: Request, call_next: Callable[[Request], Any]) -> Response:
        client = request.client.host if request.client else "unknown"
        if failures.blocked(client):
            response: Response = too_many()
            response.headers["Retry-After"] = str(failures.retry_after(client))
        elif request.method == "POST" and "authorization" not in request.headers and not forms.allow(client):
            response = too_many()  # public forms (sign-ups) without a token
            response.headers["Retry-After"] = str(forms.retry_after(client))
        else:
            response = await call_next(request)
            if response.status_code == 401:
                failures.note(client)  # guessing tokens costs the guesser
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/docs"):
            response.headers.setdefault("Content-Security-Policy", API_CSP)
        return response

    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_credentials=False,
                           allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-Id"])
