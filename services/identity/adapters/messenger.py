"""Sign-in messages go out through the notifications service (request-reply), at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.identity.application.ports import MessengerUnavailable
from shared.contracts.notifications import SIGN_IN_MESSAGE_RPC, SignInMessage
from shared.platform.rpc import RpcUnavailable, ask


class NotificationsMessenger:
    def __init__(self, connection: Callable[[], Any], timeout_s: float = 10.0) -> None:
        self.connection = connection
        self.timeout_s = timeout_s

    async def send_sign_in(self, message: SignInMessage) -> None:
        try:
            await ask(self.connection(), SIGN_IN_MESSAGE_RPC, message.model_dump(), self.timeout_s)
        except RpcUnavailable as exc:
            raise MessengerUnavailable(exc.code) from None
