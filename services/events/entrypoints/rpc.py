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
from shared.contracts.events import SeatTicketsReply, SeatTicketsRequest
from shared.platform.calls import Call
from shared.platform.commands import Command
from shared.platform.rpc import Callers, register_rpc


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


def register(broker: NatsBroker, deps: Deps, callers: Callers) -> list[str]:
    async def create_campaign(a: campaigns.CreateCampaign, call: Call) -> Any:
        created = await campaigns.create_campaign(deps.uow(), a, call=call, clock=deps.clock,
                                                  places=deps.places)
        return {"campaign_id": created.id}

    async def get_campaign(a: CampaignRef, call: Call) -> Any:
        found = await campaigns.get_campaign(deps.uow(), a.campaign_id)
        return {"campaign_id": found.id, "year": found.year, "locality": found.locality}

    async def schedule(a: ScheduleArgs, call: Call) -> Any:
        cmd = ScheduleWorkshop.model_validate(a.model_dump(exclude={"campaign_id"}))
        return await workshops.schedule_workshop(deps, a.campaign_id, cmd, call)

    async def reschedule(a: RescheduleArgs, call: Call) -> Any:
        cmd = RescheduleWorkshop.model_validate(a.model_dump(exclude={"workshop_id"}))
        return await workshops.reschedule_workshop(deps, a.workshop_id, cmd, call)

    async def cancel(a: CancelArgs, call: Call) -> Any:
        return await workshops.cancel_workshop(deps, a.workshop_id, CancelWorkshop(reason=a.reason), call)

    async def reserve(a: ReserveArgs, call: Call) -> Any:
        return await seats.reserve_seat(deps, a.workshop_id, ReserveSeat(participant_id=a.participant_id),
                                        call)

    async def cancel_seat(a: SeatRef, call: Call) -> Any:
        return await seats.cancel_seat(deps, a.seat_id, call)

    async def seat_tickets(a: SeatTicketsRequest, call: Call) -> SeatTicketsReply:
        return await seats.tickets(deps, a.seat_ids)

    return [
        register_rpc(broker, "events", "seat_tickets.get", SeatTicketsRequest, seat_tickets),
        register_rpc(broker, "events", "campaign.create", campaigns.CreateCampaign, create_campaign, callers),
        register_rpc(broker, "events", "campaign.get", CampaignRef, get_campaign),
        register_rpc(broker, "events", "workshop.schedule", ScheduleArgs, schedule, callers),
        register_rpc(broker, "events", "workshop.reschedule", RescheduleArgs, reschedule, callers),
        register_rpc(broker, "events", "workshop.cancel", CancelArgs, cancel, callers),
        register_rpc(broker, "events", "seat.reserve", ReserveArgs, reserve, callers),
        register_rpc(broker, "events", "seat.cancel", SeatRef, cancel_seat, callers),
    ]
