"""Commands of the events service (HTTP bodies and NATS request arguments alike)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Literal

from pydantic import AwareDatetime, Field, field_validator, model_validator

from services.events.locale import _
from shared.platform.commands import Command

WorkshopKind = Literal["seminar", "talk", "training", "ceremony", "other"]
SiteKind = Literal["supermarket", "commercial_centre", "public_square", "other"]


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


class _Command(Command):
    """Unknown fields refused, strings bounded, no control characters (see shared.platform.commands)."""


class CreateRoom(_Command):
    name: str = Field(min_length=1, max_length=200, examples=["Hội trường A — Trung tâm Hội nghị tỉnh"])
    seats: int = Field(ge=1, le=100_000)

    _n = field_validator("name")(_nfc)


class ScheduleWorkshop(_Command):
    title: str = Field(min_length=3, max_length=300, examples=["Hội thảo Chuyển đổi số 2026"])
    kind: WorkshopKind = "seminar"
    room_id: str
    start: AwareDatetime = Field(examples=["2026-10-10T08:00:00+07:00"])
    end: AwareDatetime = Field(examples=["2026-10-10T11:30:00+07:00"])
    speakers: list[str] = Field(default_factory=list, max_length=30)
    capacity: int | None = Field(default=None, ge=1, le=100_000, description="Default: the room's seats")
    audience: str | None = Field(default=None, max_length=300)

    _n = field_validator("title")(_nfc)

    @field_validator("speakers")
    @classmethod
    def _speakers(cls, names: list[str]) -> list[str]:
        return [_nfc(n) for n in names if n.strip()]


class RescheduleWorkshop(_Command):
    start: AwareDatetime
    end: AwareDatetime
    room_id: str | None = Field(default=None, description="Move to another room as well")


class CancelWorkshop(_Command):
    reason: str = Field(min_length=3, max_length=500)


class ChangeCapacity(_Command):
    capacity: int = Field(ge=1, le=100_000)


class ReserveSeat(_Command):
    participant_id: str | None = Field(default=None, description="Organizer only: reserve for this participant")


class CheckIn(_Command):
    token: str = Field(min_length=10, max_length=200, description="What the QR code holds, or the check-in code "
                       "typed at the door (e.g. 7KQ2M-X9F4D; case, spaces and dashes do not matter)")


class DefineBannerSite(_Command):
    name: str = Field(min_length=2, max_length=200, examples=["Siêu thị Co.opmart Quảng Ngãi"])
    kind: SiteKind
    address: str = Field(min_length=2, max_length=300)
    spots: int = Field(ge=1, le=200)

    _n = field_validator("name", "address")(_nfc)


class PlanPlacement(_Command):
    site_id: str
    spot: int = Field(ge=1)
    slogan: str = Field(min_length=3, max_length=300, examples=["Chuyển đổi số vì một cuộc sống tốt đẹp hơn"])
    first_day: dt.date
    last_day: dt.date
    by: str = Field(min_length=2, max_length=200, description="Who plans it (name, unit)")

    _n = field_validator("slogan", "by")(_nfc)

    @model_validator(mode="after")
    def _ordered(self) -> PlanPlacement:
        if self.last_day < self.first_day:
            raise ValueError(_("The last day must not be before the first"))
        return self


class MovePlacement(_Command):
    by: str = Field(min_length=2, max_length=200, description="Who did it (name, unit)")

    _n = field_validator("by")(_nfc)
