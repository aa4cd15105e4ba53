"""Commands over NATS request-reply, beside HTTP, over the same use cases.

Request: ``{"access_token": ..., "correlation_id": ..., "args": {...}}`` on ``rpc.<service>.<command>``
(outside every stream). The caller is who the access token says (verified by the service, as on
HTTP); without one, a trusted internal service. The body never names its actor.
Reply: ``{"ok": true, "result": ...}`` or ``{"ok": false, "error": {"code", "message", "message_en", ...}}``
— a typed error, never silence.
Who may publish on ``rpc.<service>.>`` is decided by NATS permissions (trusted internal callers).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream.nats import NatsBroker, NatsMessage
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import to_jsonable_python

from shared.contracts.envelope import Actor
from shared.contracts.streams import rpc_subject
from shared.platform.calls import Call
from shared.platform.db import constraint_violated, database_unavailable
from shared.platform.errors import AppError, ConcurrentChange, error_body, field_problems
from shared.platform.i18n import Text, _

log = logging.getLogger("dxday.rpc")

RpcFunction = Callable[[Any, Call], Awaitable[Any]]
# who the request's access token stands for (else a trusted internal caller); raises Unauthorized
Callers = Callable[[str | None, str | None], Awaitable[Call]]


async def internal_caller(token: str | None, correlation_id: str | None) -> Call:
    """A service whose commands are only for the other services: a token adds nothing."""
    return Call(Actor(kind="system"), correlation_id)


class RpcRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    access_token: str | None = Field(default=None, max_length=4096)
    correlation_id: str | None = Field(default=None, max_length=200)
    args: dict[str, Any] = Field(default_factory=dict)


async def _undecoded(_msg: Any) -> None:
    return None


class RpcUnavailable(Exception):
    """The service asked did not answer (no responders, a timeout) or refused; ``code`` says which."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


async def ask(connection: Any, subject: str, args: dict[str, Any], timeout_s: float = 5.0, *,
              access_token: str | None = None) -> Any:
    """Request-reply to another service: its ``result``, or :class:`RpcUnavailable`. ``access_token``:
    the caller's, when the command acts for the person who called here."""
    request = RpcRequest(args=args, access_token=access_token).model_dump_json().encode()
    try:
        reply = await connection.request(subject, request, timeout=timeout_s)
    except Exception as exc:  # no responders, timeout, disconnected
        raise RpcUnavailable(type(exc).__name__, str(exc)) from exc
    body = json.loads(reply.data)
    if not body.get("ok"):
        raise RpcUnavailable(str(body.get("error", {}).get("code", "error")))
    return body["result"]


def error_reply(code: str, message: Text, **extra: Any) -> dict[str, Any]:
    return {"ok": False, **error_body(code, message, **extra)}


# Every command registered in this process, by subject: what the AsyncAPI document lists (``make docs``).
CATALOGUE: dict[str, type[BaseModel] | None] = {}


def register_rpc(broker: NatsBroker, service: str, command: str, args_model: type[BaseModel] | None,
                 fn: RpcFunction, callers: Callers = internal_caller) -> str:
    subject = rpc_subject(service, command)
    CATALOGUE[subject] = args_model

    # decoder: the body is validated here, once; FastStream's own JSON decoding of a hostile body
    # (20,000 levels deep) would fail before any reply could be sent
    @broker.subscriber(subject, queue=f"{service}-rpc", title=f"rpc:{subject}", decoder=_undecoded)
    async def handle(msg: NatsMessage) -> dict[str, Any]:
        return await dispatch(msg.raw_message.data, args_model, fn, callers)

    return subject


async def dispatch(data: bytes, args_model: type[BaseModel] | None, fn: RpcFunction,
                   callers: Callers = internal_caller) -> dict[str, Any]:
    try:
        request = RpcRequest.model_validate_json(data)
        args = args_model.model_validate(request.args) if args_model else request.args
    except ValidationError as exc:
        return error_reply("validation_failed", _("The request is not valid"), fields=field_problems(exc.errors()))
    try:
        result = await fn(args, await callers(request.access_token, request.correlation_id))
    except AppError as exc:
        return {"ok": False, "error": exc.body()["error"]}
    except Exception as exc:  # the caller gets an answer; the detail stays in our log
        if database_unavailable(exc):
            return error_reply("database_unavailable",
                               _("The database is unreachable for now; nothing was recorded, please retry"))
        if any(constraint_violated(exc, sqlstate=s) for s in ("23505", "23503", "23514")):
            return {"ok": False, "error": ConcurrentChange().body()["error"]}
        log.exception("rpc command failed")
        return error_reply("internal_error", _("Internal error, please retry"))
    return {"ok": True, "result": to_jsonable_python(result)}
