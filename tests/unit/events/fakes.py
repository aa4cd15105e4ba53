"""In-memory stand-ins for the events ports (services/events/application/ports.py): the same
answers as the SQL adapters for what the seat use cases ask, and nothing else."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from services.events.application.context import Deps, NoMetrics
from services.events.domain.campaign import Campaign
from services.events.domain.seat_list import Seat, SeatList, WorkshopStatus
from services.events.domain.seats import ACTIVE, SeatStatus
from shared.contracts.envelope import Envelope
from shared.platform.clock import FixedClock


class FakeSchedule:
    def __init__(self) -> None:
        self.workshops: dict[str, dict[str, Any]] = {}
        self.seats: dict[str, dict[str, Any]] = {}
        self.participants: dict[str, dict[str, Any]] = {}
        self._seq = itertools.count(1)
        self.locked: list[str] = []

    # workshops
    async def workshop(self, workshop_id: str) -> dict[str, Any] | None:
        return self.workshops.get(workshop_id)

    async def lock_workshop(self, workshop_id: str) -> None:
        self.locked.append(workshop_id)

    async def participant(self, participant_id: str) -> dict[str, Any] | None:
        return self.participants.get(participant_id)

    # seats
    async def seat(self, seat_id: str) -> dict[str, Any] | None:
        return dict(self.seats[seat_id]) if seat_id in self.seats else None

    async def seat_for_decision(self, seat_id: str) -> Seat | None:
        if seat_id not in self.seats:
            return None
        self.locked.append(self.seats[seat_id]["workshop_id"])
        return _seat(self.seats[seat_id])

    async def held_by(self, workshop_id: str, participant_id: str) -> Seat | None:
        row = await self.seat_of(workshop_id, participant_id)
        return _seat(row) if row else None

    async def seat_list_for_decision(self, workshop_id: str) -> SeatList | None:
        await self.lock_workshop(workshop_id)
        w = self.workshops.get(workshop_id)
        if w is None:
            return None
        return SeatList(w["id"], w["campaign_id"], w["capacity"], WorkshopStatus(w["status"]), w["end"],
                        taken=await self.taken_seat_numbers(workshop_id),
                        waiting=len(await self.seats_in(workshop_id, {SeatStatus.WAITLISTED})))

    async def waiting_line(self, workshop_id: str) -> list[Seat]:
        return [_seat(r) for r in await self.seats_in(workshop_id, {SeatStatus.WAITLISTED})]

    async def save_seats(self, changed: list[Seat], now: dt.datetime, *, new: Seat | None = None) -> None:
        if new is not None:
            await self.add_seat({"id": new.id, "workshop_id": new.workshop_id, "campaign_id": new.campaign_id,
                                 "participant_id": new.participant_id, "status": new.status.value,
                                 "seat_number": new.seat_number, "attended_at": None, "created_at": now,
                                 "updated_at": now})
        for seat in changed:
            await self.update_seat(seat.id, {"status": seat.status.value, "seat_number": seat.seat_number,
                                             "attended_at": seat.attended_at, "updated_at": now})

    async def seat_of(self, workshop_id: str, participant_id: str) -> dict[str, Any] | None:
        return next((dict(s) for s in self.seats.values()
                     if s["workshop_id"] == workshop_id and s["participant_id"] == participant_id), None)

    async def seat_id_by_code(self, code: str) -> str | None:
        return next((s["id"] for s in self.seats.values() if s["checkin_code"] == code), None)

    async def add_seat(self, values: dict[str, Any]) -> None:
        self.seats[values["id"]] = {"seq": next(self._seq), "checkin_code": None, **values}

    async def update_seat(self, seat_id: str, values: dict[str, Any]) -> None:
        self.seats[seat_id].update(values)

    async def taken_seat_numbers(self, workshop_id: str) -> set[int]:
        return {s["seat_number"] for s in self.seats.values()
                if s["workshop_id"] == workshop_id and s["seat_number"] is not None}

    async def seats_in(self, workshop_id: str, statuses: set[SeatStatus] = ACTIVE) -> list[dict[str, Any]]:
        return sorted((dict(s) for s in self.seats.values()
                       if s["workshop_id"] == workshop_id and s["status"] in {x.value for x in statuses}),
                      key=lambda s: s["seq"])

    async def waitlist_position(self, workshop_id: str, seq: int) -> int:
        return 1 + sum(1 for s in await self.seats_in(workshop_id, {SeatStatus.WAITLISTED}) if s["seq"] < seq)

    async def seat_counts(self, workshop_ids: list[str]) -> dict[str, dict[str, int]]:
        counts = {w: {"confirmed": 0, "waitlisted": 0, "attended": 0} for w in workshop_ids}
        for s in self.seats.values():
            if s["workshop_id"] in counts and s["status"] in ("confirmed", "waitlisted"):
                counts[s["workshop_id"]][s["status"]] += 1
                counts[s["workshop_id"]]["attended"] += s["attended_at"] is not None
        return counts


def _seat(row: dict[str, Any]) -> Seat:
    return Seat(row["id"], row["workshop_id"], row["campaign_id"], row["participant_id"], SeatStatus(row["status"]),
                row["seat_number"], row["attended_at"])


class FakeCampaigns:
    """Every campaign a national one of 2026, in Vietnam's time."""

    async def get(self, campaign_id: str) -> Campaign:
        import dataclasses

        made = Campaign.create(id="unit-campaign", year=2026, theme="Chuyển đổi số", organizer="Bộ KH&CN",
                               locality="Việt Nam", now=dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
        return dataclasses.replace(made, id=campaign_id, scope_path=["VN", f"campaign:{campaign_id}"])


class FakeUnitOfWork:
    """Keeps what a committed transaction recorded; an uncommitted one records nothing."""

    def __init__(self, schedule: FakeSchedule, published: list[Envelope]) -> None:
        self.schedule, self.campaigns, self.published = schedule, FakeCampaigns(), published
        self._pending: list[Envelope] = []

    async def __aenter__(self) -> FakeUnitOfWork:
        self._pending = []
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._pending = []

    def record(self, *events: Envelope) -> None:
        self._pending.extend(events)

    def on_commit(self, callback: Any) -> None:
        callback()

    async def commit(self) -> None:
        self.published.extend(self._pending)
        self._pending = []


NOW = dt.datetime(2026, 9, 20, 2, 0, tzinfo=dt.UTC)


def events_deps(schedule: FakeSchedule, published: list[Envelope]) -> Deps:
    return Deps(uow=lambda: FakeUnitOfWork(schedule, published), clock=FixedClock(NOW),  # type: ignore[arg-type]
                checkin_secret="unit-secret", metrics=NoMetrics(), calendar=lambda *a, **k: b"")


def workshop(workshop_id: str = "w1", capacity: int = 2) -> dict[str, Any]:
    start = NOW + dt.timedelta(days=20)
    return {"id": workshop_id, "campaign_id": "c1", "title": "Ký số", "kind": "seminar", "room_id": "r1",
            "room_name": "Hội trường", "start": start, "end": start + dt.timedelta(hours=2), "speakers": [],
            "capacity": capacity, "audience": None, "status": "scheduled", "cancel_reason": None}
