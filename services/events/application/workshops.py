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
from services.events.application.ports import CampaignStore, ScheduleStore
from services.events.application.publishing import event
from services.events.domain.campaign import Campaign
from services.events.domain.schedule import Slot, conflicts
from services.events.domain.seat_list import refuse_above_room as refuse_room
from services.events.domain.seats import SeatStatus
from shared.calls import Call
from shared.contracts.events import (
    WORKSHOP_CANCELLED,
    WORKSHOP_RESCHEDULED,
    WORKSHOP_SCHEDULED,
    SeatHolder,
    WorkshopCancelled,
    WorkshopRescheduled,
    WorkshopScheduled,
)
from shared.errors import ConcurrentChange, Conflict, NotFound, Unprocessable


class ScheduleConflict(Conflict):
    code = "schedule_conflict"


class RoomExists(Conflict):
    code = "room_exists"


class WorkshopNotFound(NotFound):
    code = "workshop_not_found"


class RoomNotFound(Unprocessable):
    code = "room_not_found"


class WorkshopCancelledAlready(Conflict):
    code = "workshop_cancelled"


def refuse_above_room(capacity: int, room: dict[str, Any]) -> None:
    refuse_room(capacity, room["seats"], room["name"])


async def campaign_of(repo: CampaignStore, campaign_id: str) -> Campaign:
    campaign = await repo.get(campaign_id)
    if campaign is None:
        raise NotFound(f"Không tìm thấy chiến dịch {campaign_id}", f"No campaign {campaign_id}")
    return campaign


async def create_room(deps: Deps, campaign_id: str, cmd: CreateRoom, call: Call) -> dict[str, Any]:
    call.require_organizer()
    async with deps.uow() as uow:
        await campaign_of(uow.campaigns, campaign_id)
        repo = uow.schedule
        if await repo.room_by_name(campaign_id, cmd.name):
            raise RoomExists(f"Phòng \u201c{cmd.name}\u201d đã có", f"Room \u201c{cmd.name}\u201d exists")
        room = {"id": str(uuid.uuid4()), "campaign_id": campaign_id, "name": cmd.name, "seats": cmd.seats,
                "created_at": deps.clock.now()}
        await repo.add_room(room)
        await uow.commit()
    return room


async def list_rooms(deps: Deps, campaign_id: str) -> list[dict[str, Any]]:
    async with deps.uow() as uow:
        return await uow.schedule.rooms_of(campaign_id)


def _refuse_if(found: list[Any]) -> None:
    if found:
        raise ScheduleConflict(
            "Không thể xếp lịch: " + "; ".join(c.message for c in found),
            "Cannot schedule: " + "; ".join(c.message_en for c in found),
            conflicts=[c.as_dict() for c in found],
        )


async def schedule_workshop(deps: Deps, campaign_id: str, cmd: ScheduleWorkshop, call: Call) -> dict[str, Any]:
    call.require_organizer()
    now = deps.clock.now()
    async with deps.uow() as uow:
        campaign = await campaign_of(uow.campaigns, campaign_id)
        repo = uow.schedule
        room = await repo.room(cmd.room_id)
        if room is None or room["campaign_id"] != campaign_id:
            raise RoomNotFound("Phòng không thuộc chiến dịch này", "No such room in this campaign", field="room_id")
        refuse_above_room(cmd.capacity or room["seats"], room)
        await repo.lock(f"schedule:{campaign_id}")
        workshop_id = str(uuid.uuid4())
        slot = Slot(workshop_id, cmd.title, room["id"], cmd.start, cmd.end, tuple(cmd.speakers))
        _refuse_if(conflicts(slot, await repo.slots_between(campaign_id, cmd.start, cmd.end),
                             (campaign.window_start, campaign.window_end)))
        row = {"id": workshop_id, "campaign_id": campaign_id, "room_id": room["id"], "title": cmd.title,
               "kind": cmd.kind, "start": cmd.start, "end": cmd.end, "speakers": list(cmd.speakers),
               "capacity": cmd.capacity or room["seats"], "audience": cmd.audience, "status": "scheduled",
               "cancel_reason": None, "created_at": now, "updated_at": now}
        await repo.add_workshop(row)
        await repo.offer_seats(workshop_id, 1, row["capacity"])
        uow.record(event(WORKSHOP_SCHEDULED, WorkshopScheduled(
            workshop_id=workshop_id, campaign_id=campaign_id, title=cmd.title, kind=cmd.kind, room_id=room["id"],
            room_name=room["name"], start=cmd.start, end=cmd.end, speakers=list(cmd.speakers),
            capacity=row["capacity"], audience=cmd.audience), call, now, campaign_id))
        await uow.commit()
        return await workshop_view(repo, workshop_id)


async def load_workshop(repo: ScheduleStore, workshop_id: str, *, for_decision: bool = False) -> dict[str, Any]:
    """The workshop; ``for_decision``: read under its lock (see the repository)."""
    row = await (repo.workshop_for_decision(workshop_id) if for_decision else repo.workshop(workshop_id))
    if row is None:
        raise WorkshopNotFound(f"Không tìm thấy hội thảo {workshop_id}", f"No workshop {workshop_id}")
    return row


def _holders(seats: list[dict[str, Any]]) -> list[SeatHolder]:
    return [SeatHolder(participant_id=s["participant_id"], seat_status=s["status"]) for s in seats]


async def reschedule_workshop(deps: Deps, workshop_id: str, cmd: RescheduleWorkshop, call: Call) -> dict[str, Any]:
    call.require_organizer()
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.schedule
        row = await load_workshop(repo, workshop_id, for_decision=True)
        if row["status"] != "scheduled":
            raise WorkshopCancelledAlready("Hội thảo đã bị hủy", "The workshop is cancelled")
        campaign = await campaign_of(uow.campaigns, row["campaign_id"])
        room = await repo.room(cmd.room_id or row["room_id"])
        if room is None or room["campaign_id"] != row["campaign_id"]:
            raise RoomNotFound("Phòng không thuộc chiến dịch này", "No such room in this campaign", field="room_id")
        refuse_above_room(row["capacity"], room)  # moved to a smaller room: lower the capacity first
        await repo.lock(f"schedule:{row['campaign_id']}")
        slot = Slot(workshop_id, row["title"], room["id"], cmd.start, cmd.end, tuple(row["speakers"]))
        _refuse_if(conflicts(slot, await repo.slots_between(row["campaign_id"], cmd.start, cmd.end),
                             (campaign.window_start, campaign.window_end)))
        await repo.update_workshop(workshop_id, {"start": cmd.start, "end": cmd.end, "room_id": room["id"],
                                                 "updated_at": now})
        uow.record(event(WORKSHOP_RESCHEDULED, WorkshopRescheduled(
            workshop_id=workshop_id, campaign_id=row["campaign_id"], title=row["title"], room_id=room["id"],
            room_name=room["name"], previous_start=row["start"], previous_end=row["end"], start=cmd.start,
            end=cmd.end, holders=_holders(await repo.seats_in(workshop_id))), call, now, row["campaign_id"]))
        await uow.commit()
        return await workshop_view(repo, workshop_id)


async def cancel_workshop(deps: Deps, workshop_id: str, cmd: CancelWorkshop, call: Call) -> dict[str, Any]:
    """Cancelling frees every seat; the one event names every holder."""
    call.require_organizer()
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.schedule
        row = await load_workshop(repo, workshop_id, for_decision=True)
        if row["status"] != "scheduled":
            raise WorkshopCancelledAlready("Hội thảo đã bị hủy", "The workshop is cancelled already")
        holders = await repo.seats_in(workshop_id)
        for seat in holders:
            await repo.update_seat(seat["id"], {"status": SeatStatus.CANCELLED.value, "seat_number": None,
                                                "updated_at": now})
        await repo.update_workshop(workshop_id, {"status": "cancelled", "cancel_reason": cmd.reason,
                                                 "updated_at": now})
        if await repo.seats_in(workshop_id):  # checked in the same transaction: no seat outlives it
            raise ConcurrentChange()
        uow.record(event(WORKSHOP_CANCELLED, WorkshopCancelled(
            workshop_id=workshop_id, campaign_id=row["campaign_id"], title=row["title"], start=row["start"],
            end=row["end"], reason=cmd.reason, holders=_holders(holders)), call, now, row["campaign_id"]))
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
