"""The Workshop aggregate (services/events/domain/workshop.py): scheduled inside the window, within its
room and without clashes; moved under the same rules, telling who held seats; cancelled once."""

from __future__ import annotations

import datetime as dt

import pytest

from services.events.domain.schedule import Slot
from services.events.domain.seat_list import CapacityAboveRoom, WorkshopStatus
from services.events.domain.workshop import (
    Cancelled,
    Rescheduled,
    ScheduleConflict,
    Scheduled,
    Workshop,
    WorkshopCancelledAlready,
)

VN = dt.timezone(dt.timedelta(hours=7))
WINDOW = (dt.datetime(2026, 10, 1, tzinfo=VN), dt.datetime(2026, 10, 10, 23, 59, 59, tzinfo=VN))
HALL = {"id": "r1", "name": "Hội trường A", "seats": 100}
SMALL = {"id": "r2", "name": "Phòng B", "seats": 10}


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, tzinfo=VN)


def scheduled(others: list[Slot] | None = None, capacity: int | None = None, room: dict | None = None) -> Workshop:
    return Workshop.schedule("w1", "c1", room or HALL, "Ký số", "seminar", at(5, 8), at(5, 10), ["TS. Minh"],
                             capacity, None, others or [], WINDOW)


def test_a_scheduled_workshop_takes_its_room_s_seats_unless_told_fewer():
    assert scheduled().capacity == 100 and scheduled(capacity=40).capacity == 40
    assert [type(e) for e in scheduled().events] == [Scheduled]


def test_more_seats_than_the_room_is_refused():
    with pytest.raises(CapacityAboveRoom):
        scheduled(capacity=101)


def test_a_clash_of_room_or_speaker_is_refused_with_every_reason():
    busy = [Slot("w0", "Khác", "r1", at(5, 9), at(5, 11), ("ts. minh",))]
    with pytest.raises(ScheduleConflict) as refused:
        scheduled(busy)
    assert {c["kind"] for c in refused.value.details["conflicts"]} == {"room_taken", "speaker_busy"}


def test_a_move_tells_the_old_time_and_the_holders():
    w = scheduled()
    w.events.clear()
    w.reschedule(HALL, at(6, 8), at(6, 10), [], WINDOW, [("p1", "confirmed"), ("p2", "waitlisted")])
    [moved] = w.events
    assert isinstance(moved, Rescheduled) and moved.previous_start == at(5, 8) and w.start == at(6, 8)
    assert moved.holders == [("p1", "confirmed"), ("p2", "waitlisted")]


def test_a_move_to_a_room_smaller_than_the_capacity_is_refused():
    w = scheduled(capacity=40)
    with pytest.raises(CapacityAboveRoom):
        w.reschedule(SMALL, at(6, 8), at(6, 10), [], WINDOW, [])
    assert w.room_id == "r1" and w.start == at(5, 8)


def test_a_workshop_is_cancelled_once_and_then_stays_put():
    w = scheduled()
    w.cancel("Mưa bão", [("p1", "confirmed")])
    assert w.status is WorkshopStatus.CANCELLED and isinstance(w.events[-1], Cancelled)
    for act in (lambda: w.cancel("again", []), lambda: w.reschedule(HALL, at(6, 8), at(6, 10), [], WINDOW, [])):
        with pytest.raises(WorkshopCancelledAlready):
            act()
