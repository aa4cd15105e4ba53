"""Seats: reserve (confirmed up to capacity, then a waitlist in order), cancel, promote, check in.

Every decision over one workshop's seats runs under that workshop's lock; the unique seat number
per workshop is the database's guarantee that nobody gets a seat that is not there.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from services.events.application.commands import ChangeCapacity, CheckIn, ReserveSeat
from services.events.application.context import Deps
from services.events.application.ports import EventsUnitOfWork, ScheduleStore
from services.events.application.publishing import seat_events
from services.events.application.workshops import WorkshopNotFound, campaign_for, load_workshop, workshop_view
from services.events.domain.seat_list import (  # noqa: F401  (the refusals this module's callers catch)
    AlreadyCheckedIn,
    CapacityTooSmall,
    InvalidTicket,
    Seat,
    SeatList,
    WorkshopClosed,
)
from services.events.domain.seats import ACTIVE, SeatStatus, read_checkin_code, show_checkin_code
from services.events.locale import _
from shared.contracts.envelope import Envelope
from shared.contracts.events import SeatTicket, SeatTicketsReply
from shared.contracts.identity import Role
from shared.platform.auth import signed_token, verify_signed
from shared.platform.calls import Call, NotYours
from shared.platform.errors import NoSuchRecord, Unavailable, Unprocessable


class ParticipantUnknown(Unavailable):
    code = "participant_unknown"


class SeatNotFound(NoSuchRecord):
    pass


async def _seat_list(repo: ScheduleStore, workshop_id: str) -> SeatList:
    """The workshop's seats, read under its lock (every seat decision starts here)."""
    found = await repo.seat_list_for_decision(workshop_id)
    if found is None:
        raise WorkshopNotFound(_("No workshop {workshop_id}", workshop_id=workshop_id))
    return found


async def _holder_or_organizer(uow: EventsUnitOfWork, call: Call, participant_id: str, campaign_id: str) -> None:
    """The seat's own participant, or an organizer of the campaign's place; anyone else is told there is
    no such seat."""
    if call.holds("participant", participant_id):
        return
    campaign = await uow.campaigns.get(campaign_id) if call.claims is not None else None
    if campaign is None or not call.may(Role.ORGANIZER, campaign.scope_path):
        raise SeatNotFound()


async def _who_reserves(uow: EventsUnitOfWork, call: Call, named: str | None, campaign_id: str) -> str:
    """The participant a seat is reserved for: the caller's own record (a notice's link names it; signed
    in, the one it holds in this campaign), or the one an organizer of the campaign's place names."""
    if call.actor.kind == "participant" and call.actor.id:
        return call.actor.id
    if named is not None and call.holds("participant", named):
        return named
    if named is None:
        on_its_way = False
        for kind, held in sorted(call.holdings):
            person = await uow.schedule.participant(held) if kind == "participant" else None
            if person is not None and person["campaign_id"] == campaign_id:
                return held
            on_its_way = on_its_way or (kind == "participant" and person is None)
        if on_its_way:  # signed up a moment ago: the sign-up has not reached this service yet
            raise ParticipantUnknown(_("Your sign-up is on its way to this service; retry in a few seconds"),
                                     retry_after=5)
        if call.claims is None:
            raise NotYours(_("Only the participant or an organizer may reserve a seat"))
        raise Unprocessable(_("Sign up for this campaign first, or as an organizer name the participant "
                              "(participant_id)"), field="participant_id")
    await campaign_for(uow, call, campaign_id, Role.ORGANIZER)
    return named


async def reserve_seat(deps: Deps, workshop_id: str, cmd: ReserveSeat, call: Call) -> dict[str, Any]:
    """A participant reserves its own seat; an organizer of the campaign's place, one for a participant
    it names."""
    if call.actor.kind == "system":
        raise NotYours(_("Only the participant or an organizer may reserve a seat"))
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.schedule
        seats = await _seat_list(repo, workshop_id)
        participant_id = await _who_reserves(uow, call, cmd.participant_id, seats.campaign_id)
        person = await repo.participant(participant_id)
        if person is None or person["campaign_id"] != seats.campaign_id:
            raise ParticipantUnknown(
                _("This participant is not known here (yet); retry in a few seconds"),
            )
        held = await repo.held_by(workshop_id, participant_id)
        if held is not None and held.status in ACTIVE:
            return await seat_view(repo, held.id, deps.checkin_secret)  # reserving twice is one reservation
        seat = held or Seat(str(uuid.uuid4()), workshop_id, seats.campaign_id, participant_id, SeatStatus.CANCELLED)
        seats.reserve(seat, now)  # came back after cancelling: a new place, as anyone new
        await repo.save_seats([seat] if held else [], now, new=None if held else seat)
        uow.record(*seat_events(seats.events, call, now))
        await uow.commit()
        view = await seat_view(repo, seat.id, deps.checkin_secret)
    deps.metrics.seat_outcome(seat.status.value)
    return view


async def cancel_seat(deps: Deps, seat_id: str, call: Call) -> dict[str, Any]:
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.schedule
        seat = await repo.seat_for_decision(seat_id)
        if seat is None:
            raise SeatNotFound()
        await _holder_or_organizer(uow, call, seat.participant_id, seat.campaign_id)
        await _give_up(repo, seat, "Người tham dự hủy chỗ / Cancelled by the participant", call, now, uow)
        await uow.commit()
        return await seat_view(repo, seat_id, deps.checkin_secret)


async def _give_up(repo: ScheduleStore, seat: Seat, reason: str, call: Call, now: dt.datetime,
                   uow: EventsUnitOfWork) -> None:
    """Under the workshop's lock (held by the caller): the seat goes, the first waiting moves up."""
    seats = await _seat_list(repo, seat.workshop_id)
    was_confirmed = seat.status is SeatStatus.CONFIRMED
    if not seats.cancel(seat, reason):
        return
    moved = seats.promote(await repo.waiting_line(seat.workshop_id)) if was_confirmed else []
    await repo.save_seats([seat, *moved], now)
    uow.record(*seat_events(seats.events, call, now))


async def promote_waitlist(repo: ScheduleStore, workshop_id: str, call: Call, now: dt.datetime) -> list[Envelope]:
    """Freed seats (a larger capacity) go to the first waiting, in order."""
    seats = await _seat_list(repo, workshop_id)
    moved = seats.promote(await repo.waiting_line(workshop_id))
    await repo.save_seats(moved, now)
    return seat_events(seats.events, call, now)


async def release_participant(repo: ScheduleStore, participant_id: str, call: Call, now: dt.datetime,
                              uow: EventsUnitOfWork) -> None:
    """An erased participant gives up every seat (and its place goes to the next in line)."""
    # one workshop lock after the other, always in the same order (no two erasures deadlock)
    for found in sorted(await repo.active_seats_of_participant(participant_id), key=lambda s: s["workshop_id"]):
        seat = await repo.seat_for_decision(found["id"])
        if seat is not None:
            await _give_up(repo, seat, "Dữ liệu cá nhân đã xóa / Personal data erased", call, now, uow)


async def change_capacity(deps: Deps, workshop_id: str, cmd: ChangeCapacity, call: Call) -> dict[str, Any]:
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.schedule
        seats = await _seat_list(repo, workshop_id)
        row = await load_workshop(repo, workshop_id)
        await campaign_for(uow, call, row["campaign_id"], Role.SCHEDULER)
        room = await repo.room(row["room_id"])
        assert room is not None  # a workshop's room is never removed
        before = seats.capacity
        seats.resize(cmd.capacity, room["seats"], room["name"])
        if cmd.capacity < before:
            await repo.renumber_confirmed(workshop_id)
            await repo.withdraw_seats_above(workshop_id, cmd.capacity)
        else:
            await repo.offer_seats(workshop_id, before + 1, cmd.capacity)
        await repo.update_workshop(workshop_id, {"capacity": cmd.capacity, "updated_at": now})
        uow.record(*await promote_waitlist(repo, workshop_id, call, now))
        await uow.commit()
        return await workshop_view(repo, workshop_id)


async def _load_seat(repo: ScheduleStore, seat_id: str) -> dict[str, Any]:
    seat = await repo.seat(seat_id)
    if seat is None:
        raise SeatNotFound()
    return seat


async def get_seat(deps: Deps, seat_id: str, call: Call) -> dict[str, Any]:
    async with deps.uow() as uow:
        repo = uow.schedule
        seat = await _load_seat(repo, seat_id)
        await _holder_or_organizer(uow, call, seat["participant_id"], seat["campaign_id"])
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


def _participants_of(call: Call) -> list[str]:
    """The participant records the caller holds: its token's, or a signed-in person's."""
    own = [call.actor.id] if call.actor.kind == "participant" and call.actor.id else []
    return sorted({*own, *(i for k, i in call.holdings if k == "participant")})


async def my_seat(deps: Deps, workshop_id: str, call: Call) -> dict[str, Any] | None:
    """The signed-in participant's seat in this workshop, if they hold or wait for one."""
    async with deps.uow() as uow:
        repo = uow.schedule
        for participant_id in _participants_of(call):
            seat = await repo.seat_of(workshop_id, participant_id)
            if seat is not None and seat["status"] in {s.value for s in ACTIVE}:
                return await seat_view(repo, seat["id"], deps.checkin_secret)
    return None


async def my_seats(deps: Deps, call: Call) -> list[dict[str, Any]]:
    """Every seat the caller holds or waits for, in every campaign, soonest workshop first, each with its
    workshop (title, room, time): a signed-in person's "my seats"."""
    if call.actor.kind == "system":
        raise NotYours(_("Sign in to see your seats"))
    found = []
    async with deps.uow() as uow:
        repo = uow.schedule
        for seat_id in await repo.active_seats_of(_participants_of(call)):
            view = await seat_view(repo, seat_id, deps.checkin_secret)
            found.append({**view, "workshop": await workshop_view(repo, view["workshop_id"])})
    return sorted(found, key=lambda s: (s["workshop"]["start"], s["seat_id"]))


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
        raise InvalidTicket(_("The QR token or check-in code is not valid"))
    return seat_id


async def open_door(deps: Deps, campaign_id: str, call: Call) -> None:
    """The door page of a campaign, where seats are checked in: its check-in staff and organizers."""
    async with deps.uow() as uow:
        await campaign_for(uow, call, campaign_id, Role.CHECKIN_STAFF)


async def check_in(deps: Deps, cmd: CheckIn, call: Call, *, at_campaign: str | None = None) -> dict[str, Any]:
    """Staff at the door scan the QR code or type the check-in code; attendance is marked once. Only check-in
    staff (or an organizer) of the campaign's place: a ticket of another commune's workshop is refused."""
    if call.claims is None:
        raise NotYours(_("Only check-in staff may check seats in"))
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.schedule
        seat = await repo.seat_for_decision(await _seat_of_ticket(repo, deps.checkin_secret, cmd.token))
        if seat is None:
            raise SeatNotFound()
        if at_campaign is not None and seat.campaign_id != at_campaign:  # a door page admits its own tickets
            raise InvalidTicket(_("This ticket is for another campaign's workshop"))
        campaign = await campaign_for(uow, call, seat.campaign_id, Role.CHECKIN_STAFF)
        local = campaign.local(seat.attended_at) if campaign and seat.attended_at is not None else None
        SeatList.check_in(seat, now, local)
        await repo.save_seats([seat], now)
        await uow.commit()
        workshop = await workshop_view(repo, seat.workshop_id)
    return {"seat_id": seat.id, "workshop_id": seat.workshop_id, "seat_number": seat.seat_number,
            "checked_in_at": now, "attended": workshop["attended"]}


async def seat_list(deps: Deps, workshop_id: str, call: Call) -> list[dict[str, Any]]:
    """Who is coming (organizer): participant ids, status and seat numbers; no personal data here."""
    async with deps.uow() as uow:
        repo = uow.schedule
        row = await load_workshop(repo, workshop_id)
        await campaign_for(uow, call, row["campaign_id"], Role.ORGANIZER)
        rows = await repo.seats_in(workshop_id, {*ACTIVE})
        return [{"seat_id": s["id"], "participant_id": s["participant_id"], "status": s["status"],
                 "seat_number": s["seat_number"], "attended_at": s["attended_at"]} for s in rows]

