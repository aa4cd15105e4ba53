"""What the events service consumes: contract -> use case, nothing more."""

from __future__ import annotations

from services.events.application import participants
from shared.contracts.registration import (
    PARTICIPANT_ERASED,
    PARTICIPANT_OPTED_OUT,
    PARTICIPANT_REGISTERED,
    PARTICIPANT_UPDATED,
)
from shared.contracts.streams import REGISTRATION
from shared.platform.inbox import Subscription


def subscriptions() -> list[Subscription]:
    return [
        Subscription(service="events", name="registration", stream=REGISTRATION, handlers={
            PARTICIPANT_REGISTERED: participants.on_registered,
            PARTICIPANT_UPDATED: participants.on_updated,
            PARTICIPANT_OPTED_OUT: participants.on_opted_out,
            PARTICIPANT_ERASED: participants.on_erased,
        }),
    ]
