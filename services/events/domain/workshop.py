"""A workshop (hội thảo, tập huấn) as an aggregate: scheduled without clashing with another one of
its room or speakers, inside the campaign window and within its room's seats; moved under the same
rules; cancelled once. Each transition refuses what is not allowed and records a domain event.

Pure: the slots it might clash with are read by the repository under the campaign's schedule lock;
time is passed in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from services.events.domain.schedule import Clash, Slot, conflicts
from services.events.domain.seat_list import WorkshopStatus, refuse_above_room
from services.events.locale import _
from shared.platform.errors import Conflict
from shared.platform.i18n import Joined


class ScheduleConflict(Conflict):
    code = "schedule_conflict"


class WorkshopCancelledAlready(Conflict):
    code = "workshop_cancelled"


def refuse_clashes(found: list[Clash]) -> None:
    if found:
        raise ScheduleConflict(
            _("Cannot schedule: {reasons}", reasons=Joined(tuple(c.text for c in found))),
            conflicts=[c.as_dict() for c in found],
        )


Holders = list[tuple[str, str]]  # (participant id, seat status) of everyone holding or awaiting a seat


@dataclass(frozen=True)
class Scheduled:
    workshop: Workshop


@dataclass(frozen=True)
class Rescheduled:
    workshop: Workshop
    previous_start: dt.datetime
    previous_end: dt.datetime
    holders: Holders


@dataclass(frozen=True)
class Cancelled:
    workshop: Workshop
    holders: Holders


@dataclass(eq=False)
class Workshop:
    id: str
    campaign_id: str
    room_id: str
    room_name: str
    title: str
    kind: str
    start: dt.datetime
    end: dt.datetime
    speakers: list[str]
    capacity: int
    audience: str | None = None
    status: WorkshopStatus = WorkshopStatus.SCHEDULED
    cancel_reason: str | None = None
    events: list[Scheduled | Rescheduled | Cancelled] = field(default_factory=list)

    def slot(self, room_id: str, start: dt.datetime, end: dt.datetime) -> Slot:
        return Slot(self.id, self.title, room_id, start, end, tuple(self.speakers))

    @classmethod
    def schedule(cls, workshop_id: str, campaign_id: str, room: dict[str, Any], title: str, kind: str,
                 start: dt.datetime, end: dt.datetime, speakers: list[str], capacity: int | None,
                 audience: str | None, others: list[Slot], window: tuple[dt.datetime, dt.datetime]) -> Workshop:
        seats = capacity or room["seats"]
        refuse_above_room(seats, room["seats"], room["name"])
        workshop = cls(workshop_id, campaign_id, room["id"], room["name"], title, kind, start, end, list(speakers),
                       seats, audience)
        refuse_clashes(conflicts(workshop.slot(room["id"], start, end), others, window))
        workshop.events.append(Scheduled(workshop))
        return workshop

    def reschedule(self, room: dict[str, Any], start: dt.datetime, end: dt.datetime, others: list[Slot],
                   window: tuple[dt.datetime, dt.datetime], holders: Holders) -> None:
        if self.status is not WorkshopStatus.SCHEDULED:
            raise WorkshopCancelledAlready(_("The workshop is cancelled"))
        refuse_above_room(self.capacity, room["seats"], room["name"])  # a smaller room: lower the capacity first
        refuse_clashes(conflicts(self.slot(room["id"], start, end), others, window))
        previous = (self.start, self.end)
        self.room_id, self.room_name, self.start, self.end = room["id"], room["name"], start, end
        self.events.append(Rescheduled(self, *previous, holders))

    def cancel(self, reason: str, holders: Holders) -> None:
        """Every seat goes with it (the caller frees them); the one event names every holder."""
        if self.status is not WorkshopStatus.SCHEDULED:
            raise WorkshopCancelledAlready(_("The workshop is cancelled already"))
        self.status, self.cancel_reason = WorkshopStatus.CANCELLED, reason
        self.events.append(Cancelled(self, holders))
