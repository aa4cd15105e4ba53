"""Workshop conflict rules as a table: touching intervals, rooms, speakers, window edges in local time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.events.domain.campaign import default_window
from services.events.domain.schedule import Slot, conflicts

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WINDOW = default_window(2026, "Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


EXISTING = [
    Slot("w1", "Hội thảo Chuyển đổi số", "room-a", at("2026-10-10T09:00"), at("2026-10-10T10:00"),
         ("TS. Nguyễn Văn An",)),
]


def kinds(slot: Slot) -> list[str]:
    return [c.kind for c in conflicts(slot, EXISTING, WINDOW)]


@pytest.mark.parametrize(
    "room,start,end,speakers,expected",
    [
        ("room-a", "2026-10-10T10:00", "2026-10-10T11:00", (), []),  # touching after: fine
        ("room-a", "2026-10-10T08:00", "2026-10-10T09:00", (), []),  # touching before: fine
        ("room-a", "2026-10-10T09:30", "2026-10-10T10:30", (), ["room_taken"]),
        ("room-a", "2026-10-10T08:00", "2026-10-10T12:00", (), ["room_taken"]),  # encloses
        ("room-b", "2026-10-10T09:30", "2026-10-10T10:30", ("ts. nguyễn  văn an",), ["speaker_busy"]),
        ("room-b", "2026-10-10T10:00", "2026-10-10T11:00", ("TS. Nguyễn Văn An",), []),  # speaker free again
        ("room-a", "2026-10-10T09:15", "2026-10-10T09:45", ("TS. Nguyễn Văn An",), ["room_taken", "speaker_busy"]),
        ("room-b", "2026-10-10T11:00", "2026-10-10T10:00", (), ["end_before_start"]),
        ("room-b", "2026-10-10T11:00", "2026-10-10T11:00", (), ["end_before_start"]),
        # window edges, local time (UTC+7)
        ("room-b", "2026-10-10T22:00", "2026-10-10T23:59", (), []),
        ("room-b", "2026-10-10T22:00", "2026-10-10T23:59:59", (), []),
        ("room-b", "2026-10-10T23:00", "2026-10-11T00:01", (), ["outside_window"]),
        ("room-b", "2026-10-01T00:00", "2026-10-01T01:00", (), []),
        ("room-b", "2026-09-30T23:59:59", "2026-10-01T01:00", (), ["outside_window"]),
    ],
)
def test_conflict_rules(room: str, start: str, end: str, speakers: tuple[str, ...], expected: list[str]):
    assert kinds(Slot("new", "Tọa đàm", room, at(start), at(end), speakers)) == expected


def test_window_edge_holds_whatever_zone_the_times_are_written_in():
    utc = ZoneInfo("UTC")
    ends_at_edge = Slot("new", "t", "room-b", datetime(2026, 10, 10, 15, 0, tzinfo=utc),
                        datetime(2026, 10, 10, 16, 59, 59, tzinfo=utc))
    assert conflicts(ends_at_edge, [], WINDOW) == []
    one_second_late = Slot("new", "t", "room-b", ends_at_edge.start, ends_at_edge.end + timedelta(seconds=1))
    assert [c.kind for c in conflicts(one_second_late, [], WINDOW)] == ["outside_window"]


def test_a_workshop_does_not_conflict_with_itself_when_moved():
    moved = Slot("w1", "Hội thảo Chuyển đổi số", "room-a", at("2026-10-10T09:30"), at("2026-10-10T10:30"),
                 ("TS. Nguyễn Văn An",))
    assert conflicts(moved, EXISTING, WINDOW) == []
