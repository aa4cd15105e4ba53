"""A sign-in link and code, sent at once on the channel asked for: not planned, not held by quiet
hours, not written to the delivery log or its CSV, not logged. A channel that fails answers the
identity service's request with an error, and the person asks again."""

from __future__ import annotations

import uuid

from services.notifications.application.ports import ChannelError, Outgoing, Texts, Transport
from services.notifications.locale import _
from shared.contracts.events import CAMPAIGN_TIMEZONE
from shared.contracts.notifications import SignInMessage
from shared.platform.errors import Unavailable

TEMPLATE = "sign_in"


class ChannelDown(Unavailable):
    code = "channel_unavailable"


async def send_sign_in_message(channels: dict[str, Transport], texts: Texts, message: SignInMessage, *,
                               sms_brand: str, sms_diacritics: bool) -> None:
    context = {"name": message.name, "link": message.link, "code": message.code, "minutes": message.valid_minutes}
    subject, body = texts.render(TEMPLATE, message.language, CAMPAIGN_TIMEZONE, context)
    if message.channel == "sms":
        body = texts.render_sms(TEMPLATE, message.language, CAMPAIGN_TIMEZONE, context, brand=sms_brand,
                                diacritics=sms_diacritics)
    transport = channels.get(message.channel)
    if transport is None:
        raise ChannelDown(_("The {channel} channel is not available", channel=message.channel))
    try:
        await transport.send(Outgoing(notification_id=f"sign-in-{uuid.uuid4()}", channel=message.channel,
                                      to=message.to, subject=subject, body=body, language=message.language,
                                      template=TEMPLATE, recipient_id=message.account_id))
    except ChannelError as exc:  # the reason may hold the address: it is not repeated
        raise ChannelDown(_("The {channel} channel is not available", channel=message.channel),
                          permanent=exc.permanent) from None
