"""Errors a user can act on: a stable code, Vietnamese and English text, an HTTP status.

Services raise subclasses from their domain and application layers; HTTP and NATS entry points
turn them into the same machine-readable body: ``{"error": {"code", "message", "message_en", ...}}``.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message_vi: str, message_en: str, **details: Any) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en
        self.details = details

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.message_vi,
                "message_en": self.message_en,
                **({"details": self.details} if self.details else {}),
            }
        }


class NotFound(AppError):
    status = 404
    code = "not_found"


class NoSuchRecord(NotFound):
    """A record that has an owner (business, application, participant, seat), missing or someone else's:
    the same code and the same words either way, so ids cannot be probed."""

    code = "not_found"

    def __init__(self) -> None:
        super().__init__("Không tìm thấy hồ sơ", "No such record")


class Conflict(AppError):
    status = 409
    code = "conflict"


class Unprocessable(AppError):
    status = 422
    code = "invalid"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class ConcurrentChange(Conflict):
    """The database refused a write that a concurrent change made impossible (a unique, foreign-key or
    check constraint): nothing was recorded; sending the request again gets the current answer."""

    code = "concurrent_change"

    def __init__(self) -> None:
        super().__init__(
            "Yêu cầu trùng với một thay đổi khác cùng lúc; chưa có gì được ghi nhận, vui lòng gửi lại",
            "The request met another change made at the same moment; nothing was recorded, please send it again",
        )


class Unavailable(AppError):
    """Retryable: something this service learns from another one has not arrived yet."""

    status = 503
    code = "unavailable"
