"""What every events use case is given: a unit of work, a clock, metrics and the check-in key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from services.events.application.ports import AccountNames, CalendarWriter, EventsUnitOfWork, Places
from services.events.locale import _
from shared.platform.clock import Clock
from shared.platform.errors import Unavailable


class EventsMetricsPort(Protocol):
    def workshop_state(self, campaign_id: str, workshops: int, seats: int, confirmed: int, waiting: int) -> None: ...
    def placements(self, campaign_id: str, by_status: dict[str, int]) -> None: ...
    def seat_outcome(self, outcome: str) -> None: ...


class NoMetrics:
    def workshop_state(self, campaign_id: str, workshops: int, seats: int, confirmed: int, waiting: int) -> None:
        pass

    def placements(self, campaign_id: str, by_status: dict[str, int]) -> None:
        pass

    def seat_outcome(self, outcome: str) -> None:
        pass


class PlacesUnavailable(Unavailable):
    code = "places_unavailable"


class NoPlaces:
    """Where no identity service answers: a campaign can only be national."""

    async def lineage(self, code: str) -> list[str]:
        raise PlacesUnavailable(_("The locality tree cannot be reached just now; please try again"))


class NoNames:
    """Where no identity service answers: who acted reads as an account id."""

    async def of(self, account_ids: list[str]) -> dict[str, str]:
        return {}


@dataclass
class Deps:
    uow: Callable[[], EventsUnitOfWork]
    clock: Clock
    checkin_secret: str
    metrics: EventsMetricsPort
    calendar: CalendarWriter
    places: Places = field(default_factory=NoPlaces)
    names: AccountNames = field(default_factory=NoNames)
