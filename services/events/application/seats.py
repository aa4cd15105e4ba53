"""Seats: reserve (confirmed up to capacity, then a waitlist in order), cancel, promote, check in.

Every decision over one workshop's seats runs under that workshop's lock; the unique seat number
per workshop is the database's guarantee that nobody gets a seat that is not there.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from services.events.application.commands import ChangeCapacity, CheckIn, ReserveSeat
from services.events.application.context import Deps, event
from services.events.application.ports import ScheduleStore
from services.events.application.workshops import load_workshop, refuse_above_room, workshop_view
from services.events.domain.seats import ACTIVE, SeatStatus, free_seat_number, read_checkin_code, show_checkin_code
from shared.auth import signed_token, verify_signed
from shared.calls import Call
from shared.contracts.envelope import Envelope
from shared.contracts.events import (
    SEAT_CANCELLED,
    SEAT_CONFIRMED,
    SEAT_PROMOTED,
    SEAT_WAITLISTED,
    SeatCancelled,
    SeatConfirmed,
    SeatPromoted,
    SeatTicket,
    SeatTicketsReply,
    SeatWaitlisted,
)
from shared.errors import Conflict, NoSuchRecord, Unavailable, Unprocessable


class CapacityTooSmall(Conflict):
    code = "capacity_below_confirmed"


class ParticipantUnknown(Unavailable):
    code = "participant_unknown"


class SeatNotFound(NoSuchRecord):
    pass


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"


class InvalidTicket(Unprocessable):
    code = "invalid_ticket"


class WorkshopClosed(Conflict):
    code = "workshop_closed"


def _ids(seat: dict[str, Any]) -> dict[str, str]:
    return {"seat_id": seat["id"], "workshop_id": seat["workshop_id"], "campaign_id": seat["campaign_id"],
            "participant_id": seat["participant_id"]}


async def reserve_seat(deps: Deps, workshop_id: str, cmd: ReserveSeat, call: Call) -> dict[str, Any]:
    participant_id = cmd.participant_id if call.is_organizer and cmd.participant_id else call.actor.id
    if not participant_id:
        call.require_organizer()  # neither a participant nor an organizer naming one
        raise Unprocessable("Ban tổ chức cần ghi rõ người tham dự (participant_id)",
                            "An organizer reserving a seat must name the participant (participant_id)",
                            field="participant_id")
    call.require_self_or_organizer("participant", participant_id)
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.schedule
        workshop = await load_workshop(repo, workshop_id, for_decision=True)
        if workshop["status"] != "scheduled" or workshop["end"] <= now:
            raise WorkshopClosed("Hội thảo không còn nhận đăng ký", "The workshop takes no more reservations")
        person = await repo.participant(participant_id)
        if person is None or person["campaign_id"] != workshop["campaign_id"]:
            raise ParticipantUnknown(
                "Chưa có thông tin người tham dự này; thử lại sau ít giây",
                "This participant is not known here (yet); retry in a few seconds",
            )
        seat = await repo.seat_of(workshop_id, participant_id)
        if seat is not None and SeatStatus(seat["status"]) in ACTIVE:
            return await seat_view(repo, seat["id"], deps.checkin_secret)  # reserving twice is one reservation
        number = free_seat_number(await repo.taken_seat_numbers(workshop_id), workshop["capacity"])
        if number is not None and await repo.seats_in(workshop_id, {SeatStatus.WAITLISTED}):
            number = None  # people are already waiting: join the end of the line
        status = SeatStatus.CONFIRMED if number is not None else SeatStatus.WAITLISTED
        values = {"status": status.value, "seat_number": number, "updated_at": now}
        if seat is None:
            seat = {"id": str(uuid.uuid4()), "workshop_id": workshop_id, "campaign_id": workshop["campaign_id"],
                    "participant_id": participant_id, "attended_at": None, "created_at": now, **values}
            await repo.add_seat(seat)
        else:  # came back after cancelling: a new place at the end of the line
            await repo.update_seat(seat["id"], values)
            seat = {**seat, **values}
        stored = await repo.seat(seat["id"])
        assert stored is not None
        if status is SeatStatus.CONFIRMED:
            uow.record(event(SEAT_CONFIRMED, SeatConfirmed(**_ids(seat), seat_number=number),
                             call, now, seat["campaign_id"]))
        else:
            position = await repo.waitlist_position(workshop_id, stored["seq"])
            uow.record(event(SEAT_WAITLISTED, SeatWaitlisted(**_ids(seat), position=position),
                             call, now, seat["campaign_id"]))
        await uow.commit()
        view = await seat_view(repo, seat["id"], deps.checkin_secret)
    deps.metrics.seat_outcome(status.value)
    return view


async def cancel_seat(deps: Deps, seat_id: str, call: Call) -> dict[str, Any]:
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.schedule
        seat = await _load_seat(repo, seat_id, for_decision=True)
        call.require_self_or_organizer("participant", seat["participant_id"])
        events = await _give_up(repo, seat, call, now, "Người tham dự hủy chỗ / Cancelled by the participant")
        uow.record(*events)
        await uow.commit()
        return await seat_view(repo, seat_id, deps.checkin_secret)


async def _give_up(repo: ScheduleStore, seat: dict[str, Any], call: Call, now: dt.datetime,
                   reason: str) -> list[Envelope]:
    if SeatStatus(seat["status"]) not in ACTIVE:
        return []
    was_confirmed = seat["status"] == SeatStatus.CONFIRMED.value
    await repo.update_seat(seat["id"], {"status": SeatStatus.CANCELLED.value, "seat_number": None,
                                        "updated_at": now})
    events = [event(SEAT_CANCELLED, SeatCancelled(**_ids(seat), reason=reason), call, now, seat["campaign_id"])]
    if was_confirmed:
        workshop = await load_workshop(repo, seat["workshop_id"])
        events += await promote_waitlist(repo, workshop, call, now)
    return events


async def promote_waitlist(repo: ScheduleStore, workshop: dict[str, Any], call: Call,
                           now: dt.datetime) -> list[Envelope]:
    """Freed seats go to the first waiting, in order."""
    if workshop["status"] != "scheduled":
        return []
    events: list[Envelope] = []
    taken = await repo.taken_seat_numbers(workshop["id"])
    for waiting in await repo.seats_in(workshop["id"], {SeatStatus.WAITLISTED}):
        number = free_seat_number(taken, workshop["capacity"])
        if number is None:
            break
        taken.add(number)
        await repo.update_seat(waiting["id"], {"status": SeatStatus.CONFIRMED.value, "seat_number": number,
                                               "updated_at": now})
        events.append(event(SEAT_PROMOTED, SeatPromoted(**_ids(waiting), seat_number=number),
                            call, now, waiting["campaign_id"]))
    return events


async def release_participant(repo: ScheduleStore, participant_id: str, call: Call,
                              now: dt.datetime) -> list[Envelope]:
    """An erased participant gives up every seat (and its place goes to the next in line)."""
    events: list[Envelope] = []
    # one workshop lock after the other, always in the same order (no two erasures deadlock)
    for found in sorted(await repo.active_seats_of_participant(participant_id), key=lambda s: s["workshop_id"]):
        seat = await repo.seat_for_decision(found["id"])
        if seat is not None:
            events += await _give_up(repo, seat, call, now, "Dữ liệu cá nhân đã xóa / Personal data erased")
    return events


async def change_capacity(deps: Deps, workshop_id: str, cmd: ChangeCapacity, call: Call) -> dict[str, Any]:
    call.require_organizer()
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.schedule
        row = await load_workshop(repo, workshop_id, for_decision=True)
        room = await repo.room(row["room_id"])
        assert room is not None  # a workshop's room is never removed
        refuse_above_room(cmd.capacity, room)
        confirmed = len(await repo.seats_in(workshop_id, {SeatStatus.CONFIRMED}))
        if cmd.capacity < confirmed:
            raise CapacityTooSmall(
                f"Đã có {confirmed} chỗ được xác nhận; không thể giảm xuống {cmd.capacity}",
                f"{confirmed} seats are confirmed; capacity cannot drop to {cmd.capacity}",
                confirmed=confirmed,
            )
        if cmd.capacity < row["capacity"]:
            await repo.renumber_confirmed(workshop_id)
            await repo.withdraw_seats_above(workshop_id, cmd.capacity)
        else:
            await repo.offer_seats(workshop_id, row["capacity"] + 1, cmd.capacity)
        await repo.update_workshop(workshop_id, {"capacity": cmd.capacity, "updated_at": now})
        uow.record(*await promote_waitlist(repo, {**row, "capacity": cmd.capacity}, call, now))
        await uow.commit()
        return await workshop_view(repo, workshop_id)


async def _load_seat(repo: ScheduleStore, seat_id: str, *, for_decision: bool = False) -> dict[str, Any]:
    """The seat; ``for_decision``: read under its workshop's lock (see the repository)."""
    seat = await (repo.seat_for_decision(seat_id) if for_decision else repo.seat(seat_id))
    if seat is None:
        raise SeatNotFound()
    return seat


async def get_seat(deps: Deps, seat_id: str, call: Call) -> dict[str, Any]:
    async with deps.uow() as uow:
        repo = uow.schedule
        seat = await _load_seat(repo, seat_id)
        call.require_self_or_organizer("participant", seat["participant_id"])
        return await seat_view(repo, seat_id, deps.checkin_secret)


async def seat_view(repo: ScheduleStore, seat_id: str, secret: str) -> dict[str, Any]:
    seat = await _load_seat(repo, seat_id)
    confirmed = seat["status"] == SeatStatus.CONFIRMED.value
    position = (await repo.waitlist_position(seat["workshop_id"], seat["seq"])
                if seat["status"] == SeatStatus.WAITLISTED.value else None)
    return {
        "seat_id": seat["id"], "workshop_id": seat["workshop_id"], "campaign_id": seat["campaign_id"],
        "participant_id": seat["participant_id"], "status": seat["status"], "seat_number": seat["seat_number"],
        "waitlist_position": position, "attended_at": seat["attended_at"],
        # the QR code shown at the door, and the same ticket as a code to type: only a confirmed seat has one
        "checkin_token": ticket_token(secret, seat["id"]) if confirmed else None,
        "checkin_code": show_checkin_code(seat["checkin_code"]) if confirmed and seat["checkin_code"] else None,
    }


def ticket_token(secret: str, seat_id: str) -> str:
    return signed_token(secret, f"seat:{seat_id}")


async def my_seat(deps: Deps, workshop_id: str, call: Call) -> dict[str, Any] | None:
    """The signed-in participant's seat in this workshop, if they hold or wait for one."""
    if call.actor.kind != "participant" or call.actor.id is None:
        return None
    async with deps.uow() as uow:
        repo = uow.schedule
        seat = await repo.seat_of(workshop_id, call.actor.id)
        if seat is None or seat["status"] not in {s.value for s in ACTIVE}:
            return None
        return await seat_view(repo, seat["id"], deps.checkin_secret)


async def tickets(deps: Deps, seat_ids: list[str]) -> SeatTicketsReply:
    """The tickets of the seats still confirmed, for the messages that carry them (notifications)."""
    async with deps.uow() as uow:
        rows = await uow.schedule.confirmed_seats(sorted(set(seat_ids)))
    return SeatTicketsReply(tickets=[
        SeatTicket(seat_id=r["id"], token=ticket_token(deps.checkin_secret, r["id"]),
                   code=show_checkin_code(r["checkin_code"])) for r in rows if r["checkin_code"]])


async def _seat_of_ticket(repo: ScheduleStore, secret: str, ticket: str) -> str:
    """The seat a scanned QR token or a typed code admits."""
    value = verify_signed(secret, ticket)
    if value is not None and value.startswith("seat:"):
        return value.removeprefix("seat:")
    code = read_checkin_code(ticket)
    seat_id = await repo.seat_id_by_code(code) if code else None
    if seat_id is None:
        raise InvalidTicket("Mã QR hoặc mã vào cửa không hợp lệ", "The QR token or check-in code is not valid")
    return seat_id


async def check_in(deps: Deps, cmd: CheckIn, call: Call) -> dict[str, Any]:
    """Staff at the door scan the QR code or type the check-in code; attendance is marked once."""
    call.require_organizer()
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.schedule
        seat_id = await _seat_of_ticket(repo, deps.checkin_secret, cmd.token)
        seat = await _load_seat(repo, seat_id, for_decision=True)  # two scans at once: one check-in
        if seat["status"] != SeatStatus.CONFIRMED.value:
            raise InvalidTicket("Chỗ này không còn được xác nhận", "This seat is no longer confirmed")
        if seat["attended_at"] is not None:
            first = seat["attended_at"]
            campaign = await uow.campaigns.get(seat["campaign_id"])
            local = campaign.local(first) if campaign else first  # the time the door staff live in
            raise AlreadyCheckedIn(
                f"Vé đã được dùng lúc {local:%H:%M:%S, %d/%m/%Y}", f"Already used at {local:%H:%M:%S on %d/%m/%Y}",
                first_used_at=first.isoformat(),
            )
        await repo.update_seat(seat_id, {"attended_at": now, "updated_at": now})
        await uow.commit()
        workshop = await workshop_view(repo, seat["workshop_id"])
    return {"seat_id": seat_id, "workshop_id": seat["workshop_id"], "seat_number": seat["seat_number"],
            "checked_in_at": now, "attended": workshop["attended"]}


async def seat_list(deps: Deps, workshop_id: str, call: Call) -> list[dict[str, Any]]:
    """Who is coming (organizer): participant ids, status and seat numbers; no personal data here."""
    call.require_organizer()
    async with deps.uow() as uow:
        repo = uow.schedule
        await load_workshop(repo, workshop_id)
        rows = await repo.seats_in(workshop_id, {*ACTIVE})
        return [{"seat_id": s["id"], "participant_id": s["participant_id"], "status": s["status"],
                 "seat_number": s["seat_number"], "attended_at": s["attended_at"]} for s in rows]

