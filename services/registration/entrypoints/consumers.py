"""What the registration service consumes: contract -> use case, nothing more."""

from __future__ import annotations

from services.registration.application.campaigns import on_campaign_created
from shared.contracts.events import CAMPAIGN_CREATED
from shared.contracts.streams import EVENTS
from shared.platform.inbox import Subscription


def subscriptions() -> list[Subscription]:
    return [
        Subscription(service="registration", name="events", stream=EVENTS,
                     handlers={CAMPAIGN_CREATED: on_campaign_created}),
    ]
