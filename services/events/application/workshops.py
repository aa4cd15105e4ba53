"""Rooms and workshops: schedule, reschedule and cancel with conflict checks, in one place."""

from __future__ import annotations

import uuid
from typing import Any

from services.events.application.commands import (
    CancelWorkshop,
    CreateRoom,
    RescheduleWorkshop,
    ScheduleWorkshop,
)
from services.events.application.context import Deps
from services.events.application.ports import CampaignStore, EventsUnitOfWork, ScheduleStore
from services.events.application.publishing import workshop_events
from services.events.domain.campaign import Campaign
from services.events.domain.seats import SeatStatus
from services.events.domain.workshop import (  # noqa: F401  (the refusals, as callers know them)
    ScheduleConflict,
    Workshop,
    WorkshopCancelledAlready,
)
from services.events.locale import _
from shared.contracts.identity import Role
from shared.platform.calls import Call
from shared.platform.errors import ConcurrentChange, Conflict, NotFound, Unprocessable


class RoomExists(Conflict):
    code = "room_exists"


class WorkshopNotFound(NotFound):
    code = "workshop_not_found"


class RoomNotFound(Unprocessable):
    code = "room_not_found"


async def campaign_of(repo: CampaignStore, campaign_id: str) -> Campaign:
    campaign = await repo.get(campaign_id)
    if campaign is None:
        raise NotFound(_("No campaign {campaign_id}", campaign_id=campaign_id))
    return campaign


async def campaign_for(uow: EventsUnitOfWork, call: Call, campaign_id: str, role: Role) -> Campaign:
    """The campaign, when the caller acts in ``role`` where it lies (its place or above, or the campaign)."""
    campaign = await campaign_of(uow.campaigns, campaign_id)
    call.require(role, campaign.scope_path)
    return campaign


async def open_board(deps: Deps, campaign_id: str, call: Call) -> None:
    """The events board of a campaign (workshops, banners, their exports): its organizers."""
    async with deps.uow() as uow:
        await campaign_for(uow, call, campaign_id, Role.ORGANIZER)


async def create_room(deps: Deps, campaign_id: str, cmd: CreateRoom, call: Call) -> dict[str, Any]:
    async with deps.uow() as uow:
        await campaign_for(uow, call, campaign_id, Role.SCHEDULER)
        repo = uow.schedule
        if await repo.room_by_name(campaign_id, cmd.name):
            raise RoomExists(_("Room “{cmd_name}” exists", cmd_name=cmd.name))
        room = {"id": str(uuid.uuid4()), "campaign_id": campaign_id, "name": cmd.name, "seats": cmd.seats,
                "created_at": deps.clock.now()}
        await repo.add_room(room)
        await uow.commit()
    return room


async def list_rooms(deps: Deps, campaign_id: str) -> list[dict[str, Any]]:
    async with deps.uow() as uow:
        return await uow.schedule.rooms_of(campaign_id)


async def schedule_workshop(deps: Deps, campaign_id: str, cmd: ScheduleWorkshop, call: Call) -> dict[str, Any]:
    now = deps.clock.now()
    async with deps.uow() as uow:
        campaign = await campaign_for(uow, call, campaign_id, Role.SCHEDULER)
        repo = uow.schedule
        room = await _room_of(repo, campaign_id, cmd.room_id)
        await repo.lock(f"schedule:{campaign_id}")  # the slots it might clash with are read under the lock
        workshop = Workshop.schedule(
            str(uuid.uuid4()), campaign_id, room, cmd.title, cmd.kind, cmd.start, cmd.end, list(cmd.speakers),
            cmd.capacity, cmd.audience, await repo.slots_between(campaign_id, cmd.start, cmd.end),
            (campaign.window_start, campaign.window_end))
        await repo.add_workshop(workshop, now)
        await repo.offer_seats(workshop.id, 1, workshop.capacity)
        uow.record(*workshop_events(workshop.events, call, now))
        await uow.commit()
        return await workshop_view(repo, workshop.id)


async def _room_of(repo: ScheduleStore, campaign_id: str, room_id: str) -> dict[str, Any]:
    room = await repo.room(room_id)
    if room is None or room["campaign_id"] != campaign_id:
        raise RoomNotFound(_("No such room in this campaign"), field="room_id")
    return room


async def load_workshop(repo: ScheduleStore, workshop_id: str) -> dict[str, Any]:
    row = await repo.workshop(workshop_id)
    if row is None:
        raise WorkshopNotFound(_("No workshop {workshop_id}", workshop_id=workshop_id))
    return row


async def _decide(repo: ScheduleStore, workshop_id: str) -> Workshop:
    """The workshop read under its lock (see the repository)."""
    workshop = await repo.workshop_for_decision(workshop_id)
    if workshop is None:
        raise WorkshopNotFound(_("No workshop {workshop_id}", workshop_id=workshop_id))
    return workshop


def _holders(seats: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(s["participant_id"], s["status"]) for s in seats]


async def reschedule_workshop(deps: Deps, workshop_id: str, cmd: RescheduleWorkshop, call: Call) -> dict[str, Any]:
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.schedule
        workshop = await _decide(repo, workshop_id)
        campaign = await campaign_for(uow, call, workshop.campaign_id, Role.SCHEDULER)
        room = await _room_of(repo, workshop.campaign_id, cmd.room_id or workshop.room_id)
        await repo.lock(f"schedule:{workshop.campaign_id}")
        others = await repo.slots_between(workshop.campaign_id, cmd.start, cmd.end)
        workshop.reschedule(room, cmd.start, cmd.end, others, (campaign.window_start, campaign.window_end),
                            _holders(await repo.seats_in(workshop_id)))
        await repo.save_workshop(workshop, now)
        uow.record(*workshop_events(workshop.events, call, now))
        await uow.commit()
        return await workshop_view(repo, workshop_id)


async def cancel_workshop(deps: Deps, workshop_id: str, cmd: CancelWorkshop, call: Call) -> dict[str, Any]:
    """Cancelling frees every seat; the one event names every holder."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.schedule
        workshop = await _decide(repo, workshop_id)
        await campaign_for(uow, call, workshop.campaign_id, Role.SCHEDULER)
        holders = await repo.seats_in(workshop_id)
        workshop.cancel(cmd.reason, _holders(holders))
        for seat in holders:
            await repo.update_seat(seat["id"], {"status": SeatStatus.CANCELLED.value, "seat_number": None,
                                                "updated_at": now})
        await repo.save_workshop(workshop, now)
        if await repo.seats_in(workshop_id):  # checked in the same transaction: no seat outlives it
            raise ConcurrentChange()
        uow.record(*workshop_events(workshop.events, call, now))
        await uow.commit()
        return await workshop_view(repo, workshop_id)


async def get_workshop(deps: Deps, workshop_id: str) -> dict[str, Any]:
    async with deps.uow() as uow:
        repo = uow.schedule
        await load_workshop(repo, workshop_id)
        return await workshop_view(repo, workshop_id)


async def workshop_view(repo: ScheduleStore, workshop_id: str) -> dict[str, Any]:
    row = await load_workshop(repo, workshop_id)
    counts = (await repo.seat_counts([workshop_id]))[workshop_id]
    return _view(row, counts)


def _view(row: dict[str, Any], counts: dict[str, int]) -> dict[str, Any]:
    return {
        "workshop_id": row["id"], "campaign_id": row["campaign_id"], "title": row["title"], "kind": row["kind"],
        "room_id": row["room_id"], "room_name": row["room_name"], "start": row["start"], "end": row["end"],
        "speakers": row["speakers"], "capacity": row["capacity"], "audience": row["audience"],
        "status": row["status"], "cancel_reason": row["cancel_reason"], "confirmed": counts["confirmed"],
        "waitlisted": counts["waitlisted"], "attended": counts["attended"],
        "seats_left": max(0, row["capacity"] - counts["confirmed"]) if row["status"] == "scheduled" else 0,
    }


async def workshops_view(repo: ScheduleStore, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts = await repo.seat_counts([r["id"] for r in rows])
    return [_view(r, counts[r["id"]]) for r in rows]


async def report_workshops(deps: Deps, campaign_id: str) -> None:
    async with deps.uow() as uow:
        repo = uow.schedule
        views = await workshops_view(repo, await repo.workshops_of(campaign_id))
    deps.metrics.workshop_state(campaign_id, len(views), sum(v["capacity"] for v in views),
                                sum(v["confirmed"] for v in views), sum(v["waitlisted"] for v in views))
