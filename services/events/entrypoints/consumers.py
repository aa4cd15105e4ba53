"""What the events service consumes: contract -> use case, nothing more."""

from __future__ import annotations

import shared.contracts.events
import shared.contracts.identity
import shared.contracts.registration  # noqa: F401  (every contract declared: the trail takes them all)
from services.events.application import audit, participants
from shared.contracts.envelope import contracts_on
from shared.contracts.registration import (
    PARTICIPANT_ERASED,
    PARTICIPANT_OPTED_OUT,
    PARTICIPANT_REGISTERED,
    PARTICIPANT_UPDATED,
)
from shared.contracts.streams import DEAD_LETTERS, REGISTRATION, STREAMS, StreamSpec
from shared.platform.inbox import Subscription

# the streams the campaign's audit trail is read from: every service's that carries contracts
AUDITED: tuple[StreamSpec, ...] = tuple(s for s in STREAMS if s != DEAD_LETTERS and contracts_on(s))


def subscriptions() -> list[Subscription]:
    return [
        Subscription(service="events", name="registration", stream=REGISTRATION, handlers={
            PARTICIPANT_REGISTERED: participants.on_registered,
            PARTICIPANT_UPDATED: participants.on_updated,
            PARTICIPANT_OPTED_OUT: participants.on_opted_out,
            PARTICIPANT_ERASED: participants.on_erased,
        }),
        # the trail is read, not acted on: a line may wait a second, so its lines are written in large
        # batches (one commit each), away from the seat and schedule decisions on the same database
        *(Subscription(service="events", name=f"audit-{stream.subject_root}", stream=stream,
                       handlers=dict.fromkeys(contracts_on(stream), audit.on_event), batch_size=500,
                       fetch_wait_s=1.0) for stream in AUDITED),
    ]
