"""Errors a user can act on: a stable code, a text from the catalogues, an HTTP status.

Services raise subclasses from their domain and application layers with a marked message
(``_("English id", name=value)``, see ``shared/platform/i18n.py``); HTTP and NATS entry points turn
them into the same machine-readable body: ``{"error": {"code", "message", "message_en", ...}}``,
``message`` in Vietnamese.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shared.platform.i18n import Joined, Text, _, placeholders, render

# pydantic's error types, as a person reads them (our own validators raise ValueError(_("...")))
FIELD_MESSAGES = {
    "missing": _("Required"),
    "string_too_short": _("Too short (at least {min_length} characters)"),
    "string_too_long": _("Too long (at most {max_length} characters)"),
    "too_short": _("Choose at least {min_length}"),
    "too_long": _("Choose at most {max_length}"),
    "literal_error": _("Not an allowed value"),
    "enum": _("Not an allowed value"),
    "int_parsing": _("Must be a whole number"),
    "int_type": _("Must be a whole number"),
    "greater_than_equal": _("At least {ge}"),
    "less_than_equal": _("At most {le}"),
    "date_from_datetime_parsing": _("Not a valid date"),
    "date_parsing": _("Not a valid date"),
    "datetime_parsing": _("Not a valid date and time"),
    "datetime_from_date_parsing": _("Not a valid date and time"),
    "extra_forbidden": _("Not a field of this request"),
}


def field_message(error: Mapping[str, Any]) -> Text | Joined | str:
    """One pydantic error as a text in both languages (pydantic's own English when it is none we know)."""
    ctx = error.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, ValueError) and cause.args and isinstance(cause.args[0], Text | Joined):
        return cause.args[0]
    known = FIELD_MESSAGES.get(error["type"])
    if known is not None:
        return Text(known.msgid, known.catalogue, {k: ctx[k] for k in placeholders(known.msgid) if k in ctx})
    if error["type"] == "value_error" and "email address" in str(error.get("msg", "")):
        return _("Not a valid email address")
    return str(error.get("msg", ""))


def field_problems(errors: Iterable[Mapping[str, Any]], *, skip: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """The ``fields`` of a 422 body: which field, why (Vietnamese ``message``, ``message_en``), pydantic's type."""
    found = []
    for e in errors:
        message = field_message(e)
        found.append({"field": ".".join(str(p) for p in e["loc"] if p not in skip),
                      "message": render(message, "vi"), "message_en": render(message, "en"), "type": e["type"]})
    return found


def error_body(code: str, message: Text | Joined, **extra: Any) -> dict[str, Any]:
    """The machine-readable error every entry point answers with: Vietnamese ``message``, ``message_en``."""
    return {"error": {"code": code, "message": message.render("vi"), "message_en": message.render("en"), **extra}}


class AppError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: Text | Joined, **details: Any) -> None:
        super().__init__(str(message))
        self.message = message
        self.details = details

    def message_in(self, lang: str) -> str:
        return self.message.render(lang)

    @property
    def message_vi(self) -> str:
        return self.message.render("vi")

    @property
    def message_en(self) -> str:
        return self.message.render("en")

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, **({"details": self.details} if self.details else {}))


class NotFound(AppError):
    status = 404
    code = "not_found"


class NoSuchRecord(NotFound):
    """A record that has an owner (business, application, participant, seat), missing or someone else's:
    the same code and the same words either way, so ids cannot be probed."""

    code = "not_found"

    def __init__(self) -> None:
        super().__init__(_("No such record"))


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
        super().__init__(_("The request met another change made at the same moment; nothing was recorded, "
                           "please send it again"))


class Unavailable(AppError):
    """Retryable: something this service learns from another one has not arrived yet."""

    status = 503
    code = "unavailable"
