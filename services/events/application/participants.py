"""The participants this service learns from the registration service: ids, language, token hash.
Erasure drops the row and gives up the person's seats."""

from __future__ import annotations

from services.events.application.ports import EventsUnitOfWork
from services.events.application.seats import release_participant
from shared.contracts.envelope import Envelope
from shared.contracts.registration import (
    ParticipantErased,
    ParticipantOptedOut,
    ParticipantRegistered,
    ParticipantUpdated,
)
from shared.platform.calls import Call


async def on_registered(uow: EventsUnitOfWork, event: Envelope, p: ParticipantRegistered) -> None:
    await uow.schedule.put_participant({
        "participant_id": p.participant_id, "campaign_id": p.campaign_id, "language": p.language,
        "opted_out": False, "updated_at": event.occurred_at,
    })


async def on_updated(uow: EventsUnitOfWork, event: Envelope, p: ParticipantUpdated) -> None:
    # no row yet (erased already, or registration still to come): nothing to update
    await uow.schedule.set_participant(p.participant_id, {"language": p.language,
                                                                             "updated_at": event.occurred_at})


async def on_opted_out(uow: EventsUnitOfWork, event: Envelope, p: ParticipantOptedOut) -> None:
    await uow.schedule.set_participant(p.participant_id, {"opted_out": True,
                                                                             "updated_at": event.occurred_at})


async def on_erased(uow: EventsUnitOfWork, event: Envelope, p: ParticipantErased) -> None:
    repo = uow.schedule
    call = Call(actor=event.actor, correlation_id=event.correlation_id)
    await release_participant(repo, p.participant_id, call, event.occurred_at, uow)
    await repo.forget_participant(p.participant_id)
