"""Banner placements (băng rôn, khẩu hiệu): one placement per spot at a time, planned -> installed -> removed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from services.events.locale import _
from shared.platform.errors import Conflict, Unprocessable


class PlacementStatus(StrEnum):
    PLANNED = "planned"
    INSTALLED = "installed"
    REMOVED = "removed"


NEXT: dict[PlacementStatus, set[PlacementStatus]] = {
    PlacementStatus.PLANNED: {PlacementStatus.INSTALLED, PlacementStatus.REMOVED},
    PlacementStatus.INSTALLED: {PlacementStatus.REMOVED},
    PlacementStatus.REMOVED: set(),
}
OCCUPYING = {PlacementStatus.PLANNED, PlacementStatus.INSTALLED}


def can_move(current: PlacementStatus, to: PlacementStatus) -> bool:
    return to in NEXT[current]


def periods_overlap(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> bool:
    """Inclusive day ranges: a banner up on 5 October and one from 5 October do clash."""
    return a[0] <= b[1] and b[0] <= a[1]


class SpotTaken(Conflict):
    code = "spot_taken"


class InvalidPlacement(Unprocessable):
    code = "invalid_placement"


class PlacementTransition(Conflict):
    code = "transition_not_allowed"


@dataclass(frozen=True)
class Planned:
    placement: BannerPlacement
    site_name: str


@dataclass(frozen=True)
class Moved:
    placement: BannerPlacement
    to: PlacementStatus
    by: str
    at: dt.datetime


@dataclass(eq=False)
class BannerPlacement:
    """One banner on one spot of a site for some days: planned -> installed -> removed, with who and when."""

    id: str
    campaign_id: str
    site_id: str
    spot: int
    slogan: str
    first_day: dt.date
    last_day: dt.date
    planned_by: str
    status: PlacementStatus = PlacementStatus.PLANNED
    installed_by: str | None = None
    installed_at: dt.datetime | None = None
    removed_by: str | None = None
    removed_at: dt.datetime | None = None
    events: list[Planned | Moved] = field(default_factory=list)

    @classmethod
    def plan(cls, placement_id: str, campaign_id: str, site: dict[str, Any], spot: int, slogan: str,
             days: tuple[dt.date, dt.date], by: str, window: tuple[dt.date, dt.date],
             occupying: list[dict[str, Any]]) -> BannerPlacement:
        """``occupying``: the spot's planned and installed placements, read under the site's lock."""
        if spot > site["spots"]:
            raise InvalidPlacement(_("The site has {site_spots} spots", site_spots=site['spots']),
                                   field="spot")
        (first_day, last_day), (first, last) = days, window
        if first_day < first or last_day > last:
            raise InvalidPlacement(_("The period must lie within {first}..{last}", first=first, last=last),
                                   field="first_day" if first_day < first else "last_day")
        clashes = [p for p in occupying if periods_overlap((p["first_day"], p["last_day"]), days)]
        if clashes:
            raise SpotTaken(_("The spot holds a banner in that period"),
                            conflicts=[{"placement_id": p["id"], "slogan": p["slogan"],
                                        "first_day": p["first_day"].isoformat(),
                                        "last_day": p["last_day"].isoformat()} for p in clashes])
        placement = cls(placement_id, campaign_id, site["id"], spot, slogan, first_day, last_day, by)
        placement.events.append(Planned(placement, site["name"]))
        return placement

    def move(self, to: PlacementStatus, by: str, now: dt.datetime) -> None:
        if not can_move(self.status, to):
            raise PlacementTransition(_("Cannot go from {status} to {to}",
                                        status=self.status, to=to), status=self.status.value)
        self.status = to
        if to is PlacementStatus.INSTALLED:
            self.installed_by, self.installed_at = by, now
        else:
            self.removed_by, self.removed_at = by, now
        self.events.append(Moved(self, to, by, now))
