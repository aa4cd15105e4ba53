"""The notifications commands over NATS request-reply (``rpc.notifications.*``)."""

from __future__ import annotations

from faststream.nats import NatsBroker

from services.notifications.application.ports import Texts, Transport
from services.notifications.application.sign_in_messages import send_sign_in_message
from shared.contracts.notifications import SIGN_IN_MESSAGE_RPC, SignInMessage
from shared.platform.calls import Call
from shared.platform.rpc import register_rpc


def register(broker: NatsBroker, channels: dict[str, Transport], texts: Texts, *, sms_brand: str,
             sms_diacritics: bool) -> list[str]:
    async def sign_in_message(message: SignInMessage, call: Call) -> dict[str, bool]:
        await send_sign_in_message(channels, texts, message, sms_brand=sms_brand, sms_diacritics=sms_diacritics)
        return {"sent": True}

    service, command = SIGN_IN_MESSAGE_RPC.split(".", 2)[1:]
    return [register_rpc(broker, service, command, SignInMessage, sign_in_message)]
