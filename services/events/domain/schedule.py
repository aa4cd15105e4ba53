"""Workshop scheduling rules: pure functions, time passed in.

Intervals are half-open [start, end): 09:00-10:00 and 10:00-11:00 touch and do not conflict.
A workshop lies inside the campaign window: it may end exactly at the window's end
(23:59:59 on 10 October local) but not a second later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from services.events.locale import _
from shared.platform.i18n import Text

ConflictKind = Literal["end_before_start", "outside_window", "room_taken", "speaker_busy"]


@dataclass(frozen=True)
class Slot:
    """A scheduled workshop as far as conflicts are concerned."""

    workshop_id: str
    title: str
    room_id: str
    start: datetime
    end: datetime
    speakers: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Clash:
    kind: ConflictKind
    text: Text
    workshop_id: str | None = None
    title: str | None = None
    speaker: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"kind": self.kind, "message": self.text.render("vi"), "message_en": self.text.render("en"),
                "workshop_id": self.workshop_id, "title": self.title, "speaker": self.speaker}


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def speaker_key(name: str) -> str:
    return " ".join(name.casefold().split())


def conflicts(candidate: Slot, others: list[Slot], window: tuple[datetime, datetime]) -> list[Clash]:
    """Every reason the candidate cannot be scheduled; empty when it can."""
    found: list[Clash] = []
    if candidate.end <= candidate.start:
        found.append(Clash("end_before_start", _("The end must be after the start")))
        return found
    window_start, window_end = window
    if candidate.start < window_start or candidate.end > window_end:
        found.append(Clash("outside_window", _("The time lies outside the campaign window")))
    mine = {speaker_key(s): s for s in candidate.speakers}
    for other in others:
        if other.workshop_id == candidate.workshop_id:
            continue
        if not overlaps(candidate.start, candidate.end, other.start, other.end):
            continue
        if other.room_id == candidate.room_id:
            found.append(Clash("room_taken", _("The room holds “{title}” at that time", title=other.title),
                                  workshop_id=other.workshop_id, title=other.title))
        for busy in sorted(set(mine) & {speaker_key(s) for s in other.speakers}):
            found.append(Clash("speaker_busy",
                                  _("Speaker {speaker} is at “{title}” then", speaker=mine[busy], title=other.title),
                                  workshop_id=other.workshop_id, title=other.title, speaker=mine[busy]))
    return found
