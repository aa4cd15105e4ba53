"""The events commands over NATS request-reply (``rpc.events.*``)."""

from __future__ import annotations

from typing import Any

from faststream.nats import NatsBroker

from services.events.application import campaigns, seats, workshops
from services.events.application.commands import (
    CancelWorkshop,
    RescheduleWorkshop,
    ReserveSeat,
    ScheduleWorkshop,
)
from services.events.application.context import Deps
from shared.contracts.envelope import Actor
from shared.contracts.events import SeatTicketsReply, SeatTicketsRequest
from shared.platform.calls import Call
from shared.platform.commands import Command
from shared.platform.rpc import register_rpc


class ScheduleArgs(ScheduleWorkshop):
    campaign_id: str


class RescheduleArgs(RescheduleWorkshop):
    workshop_id: str


class CancelArgs(CancelWorkshop):
    workshop_id: str


class ReserveArgs(ReserveSeat):
    workshop_id: str


class CampaignRef(Command):
    campaign_id: str


class SeatRef(Command):
    seat_id: str


def register(broker: NatsBroker, deps: Deps) -> list[str]:
    def call(actor: Actor, cid: str | None) -> Call:
        return Call(actor=actor, correlation_id=cid)

    async def create_campaign(a: campaigns.CreateCampaign, actor: Actor, cid: str | None) -> Any:
        created = await campaigns.create_campaign(deps.uow(), a, call=call(actor, cid), clock=deps.clock,
                                                  places=deps.places)
        return {"campaign_id": created.id}

    async def get_campaign(a: CampaignRef, actor: Actor, cid: str | None) -> Any:
        found = await campaigns.get_campaign(deps.uow(), a.campaign_id)
        return {"campaign_id": found.id, "year": found.year, "locality": found.locality}

    async def schedule(a: ScheduleArgs, actor: Actor, cid: str | None) -> Any:
        cmd = ScheduleWorkshop.model_validate(a.model_dump(exclude={"campaign_id"}))
        return await workshops.schedule_workshop(deps, a.campaign_id, cmd, call(actor, cid))

    async def reschedule(a: RescheduleArgs, actor: Actor, cid: str | None) -> Any:
        cmd = RescheduleWorkshop.model_validate(a.model_dump(exclude={"workshop_id"}))
        return await workshops.reschedule_workshop(deps, a.workshop_id, cmd, call(actor, cid))

    async def cancel(a: CancelArgs, actor: Actor, cid: str | None) -> Any:
        return await workshops.cancel_workshop(deps, a.workshop_id, CancelWorkshop(reason=a.reason), call(actor, cid))

    async def reserve(a: ReserveArgs, actor: Actor, cid: str | None) -> Any:
        return await seats.reserve_seat(deps, a.workshop_id, ReserveSeat(participant_id=a.participant_id),
                                        call(actor, cid))

    async def cancel_seat(a: SeatRef, actor: Actor, cid: str | None) -> Any:
        return await seats.cancel_seat(deps, a.seat_id, call(actor, cid))

    async def seat_tickets(a: SeatTicketsRequest, actor: Actor, cid: str | None) -> SeatTicketsReply:
        return await seats.tickets(deps, a.seat_ids)

    return [
        register_rpc(broker, "events", "seat_tickets.get", SeatTicketsRequest, seat_tickets),
        register_rpc(broker, "events", "campaign.create", campaigns.CreateCampaign, create_campaign),
        register_rpc(broker, "events", "campaign.get", CampaignRef, get_campaign),
        register_rpc(broker, "events", "workshop.schedule", ScheduleArgs, schedule),
        register_rpc(broker, "events", "workshop.reschedule", RescheduleArgs, reschedule),
        register_rpc(broker, "events", "workshop.cancel", CancelArgs, cancel),
        register_rpc(broker, "events", "seat.reserve", ReserveArgs, reserve),
        register_rpc(broker, "events", "seat.cancel", SeatRef, cancel_seat),
    ]
