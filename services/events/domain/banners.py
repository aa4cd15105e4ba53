"""Banner placements (băng rôn, khẩu hiệu): one placement per spot at a time, planned -> installed -> removed."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


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
