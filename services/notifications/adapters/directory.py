"""Contact details, asked of the registration service (request-reply) when a message leaves.

This service keeps no name, email or phone number: nothing to leak, nothing to erase here."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from shared.contracts.registration import CONTACT_DETAILS_RPC, ContactDetails, ContactDetailsReply
from shared.rpc import RpcRequest

CHUNK = 500


class DirectoryUnavailable(Exception):
    """The registration service did not answer; the messages wait and go out later."""


class RegistrationDirectory:
    def __init__(self, connection: Callable[[], Any], timeout_s: float = 5.0) -> None:
        self.connection = connection  # the service's NATS connection, once it is up
        self.timeout_s = timeout_s

    async def details(self, ids: list[str]) -> dict[str, ContactDetails]:
        found: dict[str, ContactDetails] = {}
        for i in range(0, len(ids), CHUNK):
            request = RpcRequest(args={"ids": ids[i:i + CHUNK]}).model_dump_json().encode()
            try:
                reply = await self.connection().request(CONTACT_DETAILS_RPC, request, timeout=self.timeout_s)
            except Exception as exc:  # no responders, timeout, disconnected
                raise DirectoryUnavailable(f"{type(exc).__name__}: {exc}") from exc
            body = json.loads(reply.data)
            if not body.get("ok"):
                raise DirectoryUnavailable(str(body.get("error", {}).get("code", "error")))
            found.update({c.id: c for c in ContactDetailsReply.model_validate(body["result"]).contacts})
        return found
