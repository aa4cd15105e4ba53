"""HTTP edge helpers: the error body every service answers with."""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from shared.platform.auth import bearer
from shared.platform.calls import Call
from shared.platform.db import constraint_violated, database_unavailable
from shared.platform.errors import AppError, ConcurrentChange, Unauthorized, Unavailable, error_body, field_problems
from shared.platform.i18n import _
from shared.platform.protection import API_CSP, SECURITY_HEADERS
from shared.platform.rpc import Callers

log = logging.getLogger("dxday.http")
DATABASE_UNAVAILABLE = error_body(
    "database_unavailable", _("The database is unreachable for now; nothing was recorded, please retry"))
INTERNAL_ERROR = error_body("internal_error", _("Internal error; the request was not recorded"))


# An answer made outside the middlewares (an unexpected error) carries the same security headers
HARDENED = {**SECURITY_HEADERS, "Content-Security-Policy": API_CSP}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def on_app_error(_request: Request, exc: AppError) -> JSONResponse:
        headers = {"Retry-After": "5"} if isinstance(exc, Unavailable) else None
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)

    # Answered inside the app, by class: Starlette re-raises what reaches its catch-all ``Exception``
    # handler after answering, and the server then drops the connection (a keep-alive client saw its
    # next request fail instead of reading the 503 of this one).
    @app.exception_handler(sa.exc.SQLAlchemyError)
    @app.exception_handler(OSError)
    @app.exception_handler(TimeoutError)
    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A database outage answers 503 with a clear body (the transaction rolled back: retry is safe).
        if database_unavailable(exc):
            log.warning("database unavailable during %s %s: %s", request.method, request.url.path,
                        type(exc).__name__)
            return JSONResponse(DATABASE_UNAVAILABLE, status_code=503, headers={"Retry-After": "5", **HARDENED})
        if any(constraint_violated(exc, sqlstate=s) for s in ("23505", "23503", "23514")):
            # the last guarantee held: the schema refused what a concurrent change made impossible
            log.warning("a constraint refused a write in %s %s", request.method, request.url.path)
            return JSONResponse(ConcurrentChange().body(), status_code=409, headers=HARDENED)
        log.error("unexpected error in %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(INTERNAL_ERROR, status_code=500, headers=HARDENED)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = field_problems(exc.errors(), skip=("body",))
        return JSONResponse(error_body("validation_failed", _("The request is not valid"), fields=fields),
                            status_code=422)


def attachment(filename: str) -> dict[str, str]:
    """A Content-Disposition header that no id can break: ASCII fallback plus the RFC 5987 form."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"}


def http_callers(callers: Callers) -> tuple[Any, Any]:
    """The two caller dependencies of a service's routes, from how it tells its callers (``callers``,
    as over NATS): ``Anyone`` — nobody in particular when no token comes — and ``Someone``, which
    refuses a request without an access token (401)."""

    async def caller(request: Request) -> Call:
        return await callers(bearer(request), request.headers.get("x-correlation-id"))

    async def signed_in(call: Call = Depends(caller)) -> Call:  # noqa: B008
        if call.actor.kind == "system":
            raise Unauthorized(_("An access token is required"))
        return call

    return Annotated[Call, Depends(caller)], Annotated[Call, Depends(signed_in)]
