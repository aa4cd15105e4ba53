"""The SeatList aggregate (services/events/domain/seat_list.py): every transition and its refusals,
and the domain events each records."""

from __future__ import annotations

import datetime as dt

import pytest

from services.events.domain.seat_list import (
    AlreadyCheckedIn,
    CapacityAboveRoom,
    CapacityTooSmall,
    InvalidTicket,
    Seat,
    SeatCancelled,
    SeatConfirmed,
    SeatList,
    SeatPromoted,
    SeatWaitlisted,
    WorkshopClosed,
    WorkshopStatus,
)
from services.events.domain.seats import SeatStatus

NOW = dt.datetime(2026, 10, 1, 1, 0, tzinfo=dt.UTC)


def seats(capacity: int = 2, taken: set[int] | None = None, waiting: int = 0,
          status: WorkshopStatus = WorkshopStatus.SCHEDULED) -> SeatList:
    return SeatList("w1", "c1", capacity, status, NOW + dt.timedelta(hours=3), set(taken or ()), waiting)


def new(pid: str) -> Seat:
    return Seat(f"s-{pid}", "w1", "c1", pid, SeatStatus.CANCELLED)


def test_the_lowest_free_seat_then_the_end_of_the_line():
    s = seats(capacity=2, taken={1})
    first, second, third = (s.reserve(new(p), NOW) for p in ("a", "b", "c"))
    assert (first.status, first.seat_number) == (SeatStatus.CONFIRMED, 2)
    assert (second.status, third.status) == (SeatStatus.WAITLISTED, SeatStatus.WAITLISTED)
    assert [type(e) for e in s.events] == [SeatConfirmed, SeatWaitlisted, SeatWaitlisted]
    assert [e.position for e in s.events[1:]] == [1, 2] and s.waiting == 2


def test_nobody_jumps_the_line_even_when_a_seat_is_free():
    s = seats(capacity=3, taken={1}, waiting=4)  # a seat freed, its promotion not yet run
    assert s.reserve(new("a"), NOW).status is SeatStatus.WAITLISTED
    assert s.events[-1].position == 5


@pytest.mark.parametrize(("status", "ends"), [(WorkshopStatus.CANCELLED, 3), (WorkshopStatus.SCHEDULED, 0)])
def test_a_cancelled_or_finished_workshop_takes_no_reservation(status, ends):
    s = SeatList("w1", "c1", 5, status, NOW + dt.timedelta(hours=ends), set(), 0)
    with pytest.raises(WorkshopClosed):
        s.reserve(new("a"), NOW)
    assert s.events == []


def test_a_cancelled_seat_goes_to_the_first_waiting_in_order():
    s = seats(capacity=1, taken={1}, waiting=2)
    holder = Seat("s1", "w1", "c1", "p1", SeatStatus.CONFIRMED, 1)
    line = [Seat("s2", "w1", "c1", "p2", SeatStatus.WAITLISTED), Seat("s3", "w1", "c1", "p3", SeatStatus.WAITLISTED)]
    assert s.cancel(holder, "hủy") is True
    moved = s.promote(line)
    assert [m.id for m in moved] == ["s2"] and line[0].seat_number == 1 and line[1].status is SeatStatus.WAITLISTED
    assert [type(e) for e in s.events] == [SeatCancelled, SeatPromoted] and s.waiting == 1
    assert s.cancel(holder, "again") is False  # cancelling twice changes nothing and records nothing
    assert len(s.events) == 2


def test_a_cancelled_workshop_promotes_nobody():
    s = seats(capacity=2, waiting=1, status=WorkshopStatus.CANCELLED)
    assert s.promote([Seat("s2", "w1", "c1", "p2", SeatStatus.WAITLISTED)]) == [] and s.events == []


@pytest.mark.parametrize(("capacity", "error"), [(25, CapacityAboveRoom), (1, CapacityTooSmall), (2, None), (20, None)])
def test_capacity_stays_between_the_confirmed_seats_and_the_room(capacity, error):
    s = seats(capacity=5, taken={1, 2})
    if error:
        with pytest.raises(error):
            s.resize(capacity, 20, "Hội trường")
        assert s.capacity == 5
    else:
        s.resize(capacity, 20, "Hội trường")
        assert s.capacity == capacity


def test_a_ticket_admits_once_and_only_for_a_confirmed_seat():
    seat = Seat("s1", "w1", "c1", "p1", SeatStatus.CONFIRMED, 1)
    assert SeatList.check_in(seat, NOW).attended_at == NOW
    with pytest.raises(AlreadyCheckedIn) as again:
        SeatList.check_in(seat, NOW + dt.timedelta(minutes=5))
    assert again.value.details["first_used_at"] == NOW.isoformat()
    with pytest.raises(InvalidTicket):
        SeatList.check_in(Seat("s2", "w1", "c1", "p2", SeatStatus.WAITLISTED), NOW)
