"""HTTP edge helpers: the error body every service answers with."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from shared.errors import AppError, Unavailable


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def on_app_error(_request: Request, exc: AppError) -> JSONResponse:
        headers = {"Retry-After": "5"} if isinstance(exc, Unavailable) else None
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p != "body"),
                "message": e["msg"],
                "type": e["type"],
            }
            for e in exc.errors()
        ]
        return JSONResponse(
            {
                "error": {
                    "code": "validation_failed",
                    "message": "Dữ liệu không hợp lệ",
                    "message_en": "The request is not valid",
                    "fields": fields,
                }
            },
            status_code=422,
        )
