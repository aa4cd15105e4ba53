"""Storage of rooms, workshops, seats, the participants read model and banners."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.events.adapters.orm import (
    banner_placements,
    banner_sites,
    participants,
    rooms,
    seat_slots,
    seats,
    workshops,
)
from services.events.domain.banners import BannerPlacement, PlacementStatus
from services.events.domain.schedule import Slot
from services.events.domain.seat_list import Seat, SeatList, WorkshopStatus
from services.events.domain.seats import ACTIVE, SeatStatus
from services.events.domain.workshop import Workshop
from shared.platform.db import serialise, upsert


def seat_of_row(row: dict[str, Any]) -> Seat:
    """The one mapping from a seat row to the aggregate's ``Seat``."""
    return Seat(id=row["id"], workshop_id=row["workshop_id"], campaign_id=row["campaign_id"],
                participant_id=row["participant_id"], status=SeatStatus(row["status"]),
                seat_number=row["seat_number"], attended_at=row["attended_at"])


def workshop_of_row(row: dict[str, Any]) -> Workshop:
    """The one mapping from a workshop row (with its room's name) to the aggregate."""
    return Workshop(id=row["id"], campaign_id=row["campaign_id"], room_id=row["room_id"], room_name=row["room_name"],
                    title=row["title"], kind=row["kind"], start=row["start"], end=row["end"],
                    speakers=list(row["speakers"]), capacity=row["capacity"], audience=row["audience"],
                    status=WorkshopStatus(row["status"]), cancel_reason=row["cancel_reason"])


def _workshop_values(w: Workshop) -> dict[str, Any]:
    return {"id": w.id, "campaign_id": w.campaign_id, "room_id": w.room_id, "title": w.title, "kind": w.kind,
            "start": w.start, "end": w.end, "speakers": list(w.speakers), "capacity": w.capacity,
            "audience": w.audience, "status": w.status.value, "cancel_reason": w.cancel_reason}


def placement_of_row(row: dict[str, Any]) -> BannerPlacement:
    """The one mapping from a banner placement row to the aggregate."""
    return BannerPlacement(
        id=row["id"], campaign_id=row["campaign_id"], site_id=row["site_id"], spot=row["spot"], slogan=row["slogan"],
        first_day=row["first_day"], last_day=row["last_day"], planned_by=row["planned_by"],
        status=PlacementStatus(row["status"]), installed_by=row["installed_by"], installed_at=row["installed_at"],
        removed_by=row["removed_by"], removed_at=row["removed_at"])


def _placement_values(p: BannerPlacement) -> dict[str, Any]:
    return {"id": p.id, "campaign_id": p.campaign_id, "site_id": p.site_id, "spot": p.spot, "slogan": p.slogan,
            "first_day": p.first_day, "last_day": p.last_day, "status": p.status.value, "planned_by": p.planned_by,
            "installed_by": p.installed_by, "installed_at": p.installed_at, "removed_by": p.removed_by,
            "removed_at": p.removed_at}


def _rows(result: sa.Result) -> list[dict[str, Any]]:
    return [dict(r) for r in result.mappings()]


class ScheduleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _one(self, query: sa.Select) -> dict[str, Any] | None:
        row = (await self.session.execute(query)).mappings().first()
        return dict(row) if row else None

    async def lock(self, name: str) -> None:
        await serialise(self.session, name)

    # --- rooms ------------------------------------------------------------------------------
    async def add_room(self, values: dict[str, Any]) -> None:
        await self.session.execute(sa.insert(rooms).values(**values))

    async def room(self, room_id: str) -> dict[str, Any] | None:
        return await self._one(sa.select(rooms).where(rooms.c.id == room_id))

    async def room_by_name(self, campaign_id: str, name: str) -> dict[str, Any] | None:
        return await self._one(sa.select(rooms).where(rooms.c.campaign_id == campaign_id, rooms.c.name == name))

    async def rooms_of(self, campaign_id: str) -> list[dict[str, Any]]:
        return _rows(await self.session.execute(
            sa.select(rooms).where(rooms.c.campaign_id == campaign_id).order_by(rooms.c.name)))

    # --- workshops ----------------------------------------------------------------------------
    async def add_workshop(self, workshop: Workshop, now: dt.datetime) -> None:
        await self.session.execute(sa.insert(workshops).values(**_workshop_values(workshop), created_at=now,
                                                               updated_at=now))

    async def save_workshop(self, workshop: Workshop, now: dt.datetime) -> None:
        await self.session.execute(sa.update(workshops).where(workshops.c.id == workshop.id)
                                   .values(**_workshop_values(workshop), updated_at=now))

    async def workshop(self, workshop_id: str) -> dict[str, Any] | None:
        return await self._one(
            sa.select(workshops, rooms.c.name.label("room_name"))
            .join(rooms, rooms.c.id == workshops.c.room_id).where(workshops.c.id == workshop_id)
        )

    async def lock_workshop(self, workshop_id: str) -> None:
        """Serialise every decision over one workshop: its status, schedule, capacity and seats."""
        await self.lock(f"workshop:{workshop_id}")

    async def workshop_for_decision(self, workshop_id: str) -> Workshop | None:
        """The workshop as it is once its lock is held. Every decision over a workshop or its seats
        loads it (or its seat list) under this lock, so no request acts on a copy read before another
        one committed."""
        await self.lock_workshop(workshop_id)
        row = await self.workshop(workshop_id)
        return workshop_of_row(row) if row else None

    async def seat_for_decision(self, seat_id: str) -> Seat | None:
        """The seat as it is once its workshop's lock is held (a seat never changes workshop, so that
        is read first)."""
        workshop_id = (await self.session.execute(
            sa.select(seats.c.workshop_id).where(seats.c.id == seat_id))).scalar_one_or_none()
        if workshop_id is None:
            return None
        await self.lock_workshop(workshop_id)
        row = await self.seat(seat_id)
        return seat_of_row(row) if row else None

    async def held_by(self, workshop_id: str, participant_id: str) -> Seat | None:
        """This participant's seat in this workshop, whatever its state (one row per person)."""
        row = await self.seat_of(workshop_id, participant_id)
        return seat_of_row(row) if row else None

    async def seat_list_for_decision(self, workshop_id: str) -> SeatList | None:
        """What a seat decision needs, read under the workshop's lock: capacity and status, the seat
        numbers held and how many wait (a count, not the line: a full workshop may have thousands)."""
        await self.lock_workshop(workshop_id)
        row = await self.workshop(workshop_id)
        if row is None:
            return None
        waiting = (await self.session.execute(sa.select(sa.func.count()).where(
            seats.c.workshop_id == workshop_id, seats.c.status == SeatStatus.WAITLISTED.value))).scalar_one()
        return SeatList(workshop_id=row["id"], campaign_id=row["campaign_id"], capacity=row["capacity"],
                        status=WorkshopStatus(row["status"]), ends_at=row["end"],
                        taken=await self.taken_seat_numbers(workshop_id), waiting=int(waiting))

    async def waiting_line(self, workshop_id: str) -> list[Seat]:
        """The waiting, in the order they joined."""
        return [seat_of_row(r) for r in await self.seats_in(workshop_id, {SeatStatus.WAITLISTED})]

    async def save_seats(self, changed: list[Seat], now: dt.datetime, *, new: Seat | None = None) -> None:
        """Write what the seat list decided: a new reservation, and the seats whose state moved."""
        if new is not None:
            await self.add_seat({"id": new.id, "workshop_id": new.workshop_id, "campaign_id": new.campaign_id,
                                 "participant_id": new.participant_id, "status": new.status.value,
                                 "seat_number": new.seat_number, "attended_at": None, "created_at": now,
                                 "updated_at": now})
        for seat in changed:
            await self.update_seat(seat.id, {"status": seat.status.value, "seat_number": seat.seat_number,
                                             "attended_at": seat.attended_at, "updated_at": now})

    async def seat_id_by_code(self, code: str) -> str | None:
        """The seat a typed check-in code belongs to (a code never changes seat)."""
        return (await self.session.execute(
            sa.select(seats.c.id).where(seats.c.checkin_code == code))).scalar_one_or_none()

    async def confirmed_seats(self, seat_ids: list[str]) -> list[dict[str, Any]]:
        return _rows(await self.session.execute(sa.select(seats.c.id, seats.c.checkin_code).where(
            seats.c.id.in_(seat_ids), seats.c.status == SeatStatus.CONFIRMED.value)))

    async def update_workshop(self, workshop_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(sa.update(workshops).where(workshops.c.id == workshop_id).values(**values))

    async def slots_between(self, campaign_id: str, start: dt.datetime, end: dt.datetime) -> list[Slot]:
        """Scheduled workshops of the campaign that overlap [start, end)."""
        result = await self.session.execute(
            sa.select(workshops).where(
                workshops.c.campaign_id == campaign_id, workshops.c.status == "scheduled",
                workshops.c.start < end, workshops.c.end > start,
            )
        )
        return [Slot(r["id"], r["title"], r["room_id"], r["start"], r["end"], tuple(r["speakers"]))
                for r in result.mappings()]

    async def workshops_of(self, campaign_id: str, *, start: dt.datetime | None = None,
                           end: dt.datetime | None = None, include_cancelled: bool = False) -> list[dict[str, Any]]:
        query = (
            sa.select(workshops, rooms.c.name.label("room_name"))
            .join(rooms, rooms.c.id == workshops.c.room_id)
            .where(workshops.c.campaign_id == campaign_id)
            .order_by(workshops.c.start, rooms.c.name)
        )
        if start is not None and end is not None:
            query = query.where(workshops.c.start < end, workshops.c.end > start)
        if not include_cancelled:
            query = query.where(workshops.c.status == "scheduled")
        return _rows(await self.session.execute(query))

    # --- seats ---------------------------------------------------------------------------------
    async def seat(self, seat_id: str) -> dict[str, Any] | None:
        return await self._one(sa.select(seats).where(seats.c.id == seat_id))

    async def seat_of(self, workshop_id: str, participant_id: str) -> dict[str, Any] | None:
        return await self._one(
            sa.select(seats).where(seats.c.workshop_id == workshop_id, seats.c.participant_id == participant_id))

    async def active_seats_of(self, participant_ids: list[str]) -> list[str]:
        """The ids of the seats these participants hold or wait for."""
        if not participant_ids:
            return []
        rows = await self.session.execute(sa.select(seats.c.id).where(
            seats.c.participant_id.in_(participant_ids), seats.c.status.in_([s.value for s in ACTIVE])))
        return list(rows.scalars())

    async def add_seat(self, values: dict[str, Any]) -> None:
        await self.session.execute(sa.insert(seats).values(**values))

    async def update_seat(self, seat_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(sa.update(seats).where(seats.c.id == seat_id).values(**values))

    async def taken_seat_numbers(self, workshop_id: str) -> set[int]:
        result = await self.session.execute(
            sa.select(seats.c.seat_number).where(seats.c.workshop_id == workshop_id, seats.c.seat_number.is_not(None)))
        return set(result.scalars())

    async def seats_in(self, workshop_id: str, statuses: set[SeatStatus] = ACTIVE) -> list[dict[str, Any]]:
        return _rows(await self.session.execute(
            sa.select(seats).where(seats.c.workshop_id == workshop_id,
                                   seats.c.status.in_([s.value for s in statuses])).order_by(seats.c.seq)))

    async def waitlist_position(self, workshop_id: str, seq: int) -> int:
        ahead = await self.session.execute(sa.select(sa.func.count()).where(
            seats.c.workshop_id == workshop_id, seats.c.status == SeatStatus.WAITLISTED.value, seats.c.seq < seq))
        return int(ahead.scalar_one()) + 1

    async def seat_counts(self, workshop_ids: list[str]) -> dict[str, dict[str, int]]:
        """Per workshop: confirmed, waitlisted, attended."""
        counts = {w: {"confirmed": 0, "waitlisted": 0, "attended": 0} for w in workshop_ids}
        if not workshop_ids:
            return counts
        result = await self.session.execute(
            sa.select(seats.c.workshop_id, seats.c.status, sa.func.count(), sa.func.count(seats.c.attended_at))
            .where(seats.c.workshop_id.in_(workshop_ids)).group_by(seats.c.workshop_id, seats.c.status))
        for workshop_id, status, n, attended in result.all():
            if status in counts[workshop_id]:
                counts[workshop_id][status] = int(n)
            counts[workshop_id]["attended"] += int(attended)
        return counts

    async def active_seats_of_participant(self, participant_id: str) -> list[dict[str, Any]]:
        return _rows(await self.session.execute(
            sa.select(seats).where(seats.c.participant_id == participant_id,
                                   seats.c.status.in_([s.value for s in ACTIVE]))))

    async def offer_seats(self, workshop_id: str, first: int, last: int) -> None:
        """Seat numbers first..last become available (capacity grows)."""
        if last >= first:
            await self.session.execute(sa.insert(seat_slots), [{"workshop_id": workshop_id, "seat_number": n}
                                                               for n in range(first, last + 1)])

    async def withdraw_seats_above(self, workshop_id: str, capacity: int) -> None:
        """Capacity shrinks; a seat still held above it makes the database refuse (foreign key)."""
        await self.session.execute(sa.delete(seat_slots).where(
            seat_slots.c.workshop_id == workshop_id, seat_slots.c.seat_number > capacity))

    async def renumber_confirmed(self, workshop_id: str) -> None:
        """Close the gaps in seat numbers (1..n), so a smaller capacity can hold everyone confirmed."""
        confirmed = await self.seats_in(workshop_id, {SeatStatus.CONFIRMED})
        await self.session.execute(
            sa.update(seats).where(seats.c.workshop_id == workshop_id, seats.c.status == "confirmed")
            .values(seat_number=None))
        for number, seat in enumerate(confirmed, start=1):
            await self.update_seat(seat["id"], {"seat_number": number})

    # --- participants read model ---------------------------------------------------------------
    async def participant(self, participant_id: str) -> dict[str, Any] | None:
        return await self._one(sa.select(participants).where(participants.c.participant_id == participant_id))

    async def put_participant(self, values: dict[str, Any]) -> None:
        await upsert(self.session, participants, values, ["participant_id"])

    async def set_participant(self, participant_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(
            sa.update(participants).where(participants.c.participant_id == participant_id).values(**values))

    async def forget_participant(self, participant_id: str) -> None:
        await self.session.execute(sa.delete(participants).where(participants.c.participant_id == participant_id))

    # --- banners --------------------------------------------------------------------------------
    async def add_site(self, values: dict[str, Any]) -> None:
        await self.session.execute(sa.insert(banner_sites).values(**values))

    async def site(self, site_id: str) -> dict[str, Any] | None:
        return await self._one(sa.select(banner_sites).where(banner_sites.c.id == site_id))

    async def sites_of(self, campaign_id: str) -> list[dict[str, Any]]:
        return _rows(await self.session.execute(
            sa.select(banner_sites).where(banner_sites.c.campaign_id == campaign_id).order_by(banner_sites.c.name)))

    async def add_placement(self, placement: BannerPlacement, now: dt.datetime) -> None:
        await self.session.execute(sa.insert(banner_placements).values(**_placement_values(placement),
                                                                       created_at=now))

    async def placement(self, placement_id: str) -> dict[str, Any] | None:
        return await self._one(sa.select(banner_placements).where(banner_placements.c.id == placement_id))

    async def placement_for_decision(self, placement_id: str) -> BannerPlacement | None:
        """The placement with its row locked (``FOR UPDATE``): two crews marking it at once are one."""
        row = await self._one(sa.select(banner_placements).where(banner_placements.c.id == placement_id)
                              .with_for_update())
        return placement_of_row(row) if row else None

    async def save_placement(self, placement: BannerPlacement) -> None:
        await self.session.execute(sa.update(banner_placements).where(banner_placements.c.id == placement.id)
                                   .values(**_placement_values(placement)))

    async def placements_on_spot(self, site_id: str, spot: int, statuses: list[str]) -> list[dict[str, Any]]:
        return _rows(await self.session.execute(sa.select(banner_placements).where(
            banner_placements.c.site_id == site_id, banner_placements.c.spot == spot,
            banner_placements.c.status.in_(statuses))))

    async def placements_of(self, campaign_id: str, status: str | None) -> list[dict[str, Any]]:
        query = (sa.select(banner_placements, banner_sites.c.name.label("site_name"))
                 .join(banner_sites, banner_sites.c.id == banner_placements.c.site_id)
                 .where(banner_placements.c.campaign_id == campaign_id)
                 .order_by(banner_sites.c.name, banner_placements.c.spot, banner_placements.c.first_day))
        if status:
            query = query.where(banner_placements.c.status == status)
        return _rows(await self.session.execute(query))
