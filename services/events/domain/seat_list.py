"""The seats of one workshop as one aggregate: confirmed up to capacity, then a waiting line in order;
a freed seat goes to the first waiting; capacity stays between the confirmed count and the room; a
ticket checks in once. Each transition refuses what is not allowed and records a domain event.

Pure: the repository loads what a decision needs under the workshop's lock (the taken seat numbers,
how many wait, and — to promote — the waiting line in order) and saves what changed; time is passed in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from services.events.domain.seats import ACTIVE, SeatStatus, free_seat_number
from services.events.locale import _
from shared.platform.errors import Conflict, Unprocessable


class WorkshopStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class WorkshopClosed(Conflict):
    code = "workshop_closed"


class CapacityTooSmall(Conflict):
    code = "capacity_below_confirmed"


class CapacityAboveRoom(Conflict):
    code = "capacity_above_room"


def refuse_above_room(capacity: int, room_seats: int, room_name: str) -> None:
    """A workshop never offers more seats than its room holds."""
    if capacity > room_seats:
        raise CapacityAboveRoom(
            _("Room “{room_name}” holds {room_seats} seats, not {capacity}",
              room_name=room_name, room_seats=room_seats, capacity=capacity),
            field="capacity", room_seats=room_seats, capacity=capacity)


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"


class InvalidTicket(Unprocessable):
    code = "invalid_ticket"


@dataclass
class Seat:
    id: str
    workshop_id: str
    campaign_id: str
    participant_id: str
    status: SeatStatus
    seat_number: int | None = None
    attended_at: dt.datetime | None = None


# --- domain events -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SeatConfirmed:
    seat: Seat
    seat_number: int


@dataclass(frozen=True)
class SeatWaitlisted:
    seat: Seat
    position: int


@dataclass(frozen=True)
class SeatCancelled:
    seat: Seat
    reason: str


@dataclass(frozen=True)
class SeatPromoted:
    seat: Seat
    seat_number: int


SeatEvent = SeatConfirmed | SeatWaitlisted | SeatCancelled | SeatPromoted


@dataclass
class SeatList:
    workshop_id: str
    campaign_id: str
    capacity: int
    status: WorkshopStatus
    ends_at: dt.datetime
    taken: set[int]  # seat numbers held
    waiting: int  # how many are in the waiting line
    events: list[SeatEvent] = field(default_factory=list)

    def reserve(self, seat: Seat, now: dt.datetime) -> Seat:
        """A new (or returning) reservation: a seat if one is free and nobody waits, else the end of the line."""
        if self.status is not WorkshopStatus.SCHEDULED or self.ends_at <= now:
            raise WorkshopClosed(_("The workshop takes no more reservations"))
        number = free_seat_number(self.taken, self.capacity) if not self.waiting else None
        if number is not None:
            self.taken.add(number)
            seat.status, seat.seat_number = SeatStatus.CONFIRMED, number
            self.events.append(SeatConfirmed(seat, number))
        else:
            self.waiting += 1
            seat.status, seat.seat_number = SeatStatus.WAITLISTED, None
            self.events.append(SeatWaitlisted(seat, self.waiting))
        return seat

    def cancel(self, seat: Seat, reason: str) -> bool:
        """The holder gives the seat (or the place in line) up; False when there was nothing to give up.
        A freed seat is then offered with ``promote``."""
        if seat.status not in ACTIVE:
            return False
        if seat.status is SeatStatus.CONFIRMED and seat.seat_number is not None:
            self.taken.discard(seat.seat_number)
        else:
            self.waiting -= 1
        seat.status, seat.seat_number = SeatStatus.CANCELLED, None
        self.events.append(SeatCancelled(seat, reason))
        return True

    def promote(self, line: list[Seat]) -> list[Seat]:
        """Free seats go to the first of ``line`` (the waiting, in order); returns who moved up."""
        if self.status is not WorkshopStatus.SCHEDULED:
            return []
        moved: list[Seat] = []
        for seat in line:
            number = free_seat_number(self.taken, self.capacity)
            if number is None:
                break
            self.taken.add(number)
            self.waiting -= 1
            seat.status, seat.seat_number = SeatStatus.CONFIRMED, number
            self.events.append(SeatPromoted(seat, number))
            moved.append(seat)
        return moved

    def resize(self, capacity: int, room_seats: int, room_name: str) -> None:
        """A new capacity, never above the room nor below the seats already confirmed."""
        refuse_above_room(capacity, room_seats, room_name)
        if capacity < len(self.taken):
            raise CapacityTooSmall(
                _("{len_taken} seats are confirmed; capacity cannot drop to {capacity}",
                  len_taken=len(self.taken), capacity=capacity),
                confirmed=len(self.taken))
        self.capacity = capacity

    @staticmethod
    def check_in(seat: Seat, now: dt.datetime, local: dt.datetime | None = None) -> Seat:
        """A confirmed seat's ticket admits once. ``local``: when it was first used, in the campaign's
        time, for the refusal's message."""
        if seat.status is not SeatStatus.CONFIRMED:
            raise InvalidTicket(_("This seat is no longer confirmed"))
        if seat.attended_at is not None:
            first = local or seat.attended_at
            raise AlreadyCheckedIn(
                _("Already used at {first:%H:%M:%S on %d/%m/%Y}", first=first),
                first_used_at=seat.attended_at.isoformat())
        seat.attended_at = now
        return seat
