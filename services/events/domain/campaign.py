"""Campaigns: one per locality and year, with a window in local time (default 1-10 October)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.events.locale import _
from shared.contracts.events import CAMPAIGN_TIMEZONE
from shared.platform.errors import Unprocessable

DEFAULT_TIMEZONE = CAMPAIGN_TIMEZONE
NATIONAL = ("VN",)
CAMPAIGN_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")
BoothConfirmation = Literal["auto", "approval"]


class InvalidCampaign(Unprocessable):
    code = "invalid_campaign"


def default_window(year: int, timezone: str) -> tuple[datetime, datetime]:
    """1 October 00:00 to 10 October 23:59:59 local time."""
    tz = ZoneInfo(timezone)
    start = datetime(year, 10, 1, tzinfo=tz)
    end = datetime.combine(datetime(year, 10, 10), time(23, 59, 59), tzinfo=tz)
    return start, end


@dataclass(frozen=True)
class Campaign:
    id: str
    year: int
    theme: str
    organizer: str
    locality: str
    timezone: str
    window_start: datetime
    window_end: datetime
    booth_confirmation: BoothConfirmation
    created_at: datetime
    booths_per_business: int | None = None  # booths one business may hold on one day; None = no limit
    locality_code: str | None = None  # its place in the locality tree; None: a national campaign
    scope_path: list[str] = field(default_factory=lambda: list(NATIONAL))  # the scopes that reach it

    @classmethod
    def create(
        cls,
        *,
        id: str,
        year: int,
        theme: str,
        organizer: str,
        locality: str,
        now: datetime,
        timezone: str = DEFAULT_TIMEZONE,
        window_start: datetime | None = None,
        window_end: datetime | None = None,
        booth_confirmation: BoothConfirmation = "auto",
        booths_per_business: int | None = None,
        place: tuple[str, list[str]] | None = None,
    ) -> Campaign:
        """``place``: the locality code and its lineage (the place and those above it), if it has one."""
        if not CAMPAIGN_ID.match(id):
            raise InvalidCampaign(
                _("A campaign id is 3-64 lowercase letters, digits and dashes"),
                field="campaign_id",
            )
        try:
            tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidCampaign(
                _("Unknown time zone: {timezone}", timezone=timezone), field="timezone"
            ) from None
        default_start, default_end = default_window(year, timezone)
        start = (window_start or default_start).astimezone(tz)
        end = (window_end or default_end).astimezone(tz)
        if end <= start:
            raise InvalidCampaign(
                _("The window must end after it starts"),
                field="window_end",
            )
        if start.year != year and end.year != year:
            raise InvalidCampaign(
                _("The window must lie in the campaign's year {year}", year=year),
                field="window_start",
            )
        if end - start > timedelta(days=92):
            raise InvalidCampaign(
                _("A campaign window lasts at most 92 days"),
                field="window_end",
            )
        return cls(
            id=id, year=year, theme=theme.strip(), organizer=organizer.strip(), locality=locality.strip(),
            timezone=timezone, window_start=start, window_end=end,
            booth_confirmation=booth_confirmation, created_at=now, booths_per_business=booths_per_business,
            locality_code=place[0] if place else None,
            scope_path=[*(place[1] if place else NATIONAL), f"campaign:{id}"],
        )

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.timezone))

    def contains(self, moment: datetime) -> bool:
        return self.window_start <= moment <= self.window_end
