"""Booth allocation rules: pure functions over what is free, no I/O.

An application asks for ``quantity`` booths on each of its days, or one named booth on its days.
It is all or nothing: either every day gets its booths or the application waits. The same booth is
preferred across all the days, so a business does not move its stand every morning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class ApplicationStatus(StrEnum):
    PENDING = "pending"  # waiting for the organizer (approval mode)
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


OPEN = {ApplicationStatus.PENDING, ApplicationStatus.CONFIRMED, ApplicationStatus.WAITLISTED}


@dataclass(frozen=True, order=True)
class BoothRef:
    code: str
    booth_id: str
    venue_id: str


@dataclass(frozen=True)
class Allocation:
    booth: BoothRef
    day: dt.date


def allocate(
    days: list[dt.date], quantity: int, free: dict[dt.date, list[BoothRef]], booth_code: str | None = None
) -> list[Allocation] | None:
    """Booths for every day, or None when some day cannot be served."""
    per_day = {day: sorted(b for b in free.get(day, []) if booth_code is None or b.code == booth_code) for day in days}
    if any(len(per_day[day]) < quantity for day in days):
        return None
    free_every_day = set.intersection(*(set(per_day[day]) for day in days)) if days else set()
    steady = sorted(free_every_day)[:quantity]
    allocations: list[Allocation] = []
    for day in days:
        chosen = list(steady)
        chosen += [b for b in per_day[day] if b not in steady][: quantity - len(chosen)]
        allocations += [Allocation(b, day) for b in chosen]
    return allocations


def days_over_limit(
    held: dict[dt.date, int], days: list[dt.date], quantity: int, limit: int | None
) -> list[dt.date]:
    """Days on which this application would give the business more booths than the campaign allows.
    ``held`` counts the booths its open applications already ask for, day by day."""
    if limit is None:
        return []
    return [d for d in days if held.get(d, 0) + quantity > limit]


def days_outside(days: list[dt.date], first: dt.date, last: dt.date) -> list[dt.date]:
    return [d for d in days if not first <= d <= last]
