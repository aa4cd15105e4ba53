"""Sign-in links sent through the identity service (request-reply) to a record's own contact."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from shared.contracts.identity import SIGN_IN_REQUEST_RPC, SignInRequestArgs
from shared.platform.rpc import RpcUnavailable, ask

log = logging.getLogger("dxday.registration")


class IdentitySignInLinks:
    def __init__(self, connection: Callable[[], Any], timeout_s: float = 5.0) -> None:
        self.connection = connection
        self.timeout_s = timeout_s

    async def send(self, contact: str, language: str, next_url: str) -> bool:
        args = SignInRequestArgs(contact=contact, language=language, next=next_url)
        try:
            await ask(self.connection(), SIGN_IN_REQUEST_RPC, args.model_dump(), self.timeout_s)
        except RpcUnavailable as exc:
            log.warning("sign-in link not sent: %s", exc.code)  # the code only, never the contact
            return False
        return True
