"""Storage of businesses, the booth plan, applications and participants on the unit of work's session."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.registration.adapters.orm import (
    booth_allocations,
    booth_applications,
    booth_days,
    booths,
    businesses,
    campaign_windows,
    participant_contacts,
    participants,
    record_contacts,
    sign_up_keys,
    venues,
)
from services.registration.domain.booth_application import BoothApplication
from services.registration.domain.booths import OPEN, Allocation, ApplicationStatus, BoothRef
from services.registration.domain.business import Business
from services.registration.domain.participant import Participant
from shared.contracts.identity import contact_digest
from shared.platform.db import constraint_violated, serialise, upsert


def business_of_row(row: dict[str, Any]) -> Business:
    """The one mapping from a business row to the aggregate."""
    return Business(**{c.name: row[c.name] for c in businesses.columns})


def participant_of_row(row: dict[str, Any]) -> Participant:
    """The one mapping from a participant row to the aggregate."""
    return Participant(**{k: row[k] for k in PARTICIPANT_COLUMNS})


PARTICIPANT_COLUMNS = tuple(c.name for c in participants.columns)


def application_of_row(row: dict[str, Any]) -> BoothApplication:
    """The one mapping from a booth application row to the aggregate."""
    return BoothApplication(
        id=row["id"], campaign_id=row["campaign_id"], business_id=row["business_id"],
        days=[dt.date.fromisoformat(d) for d in row["days"]], quantity=int(row["quantity"]),
        booth_code=row["booth_code"], status=ApplicationStatus(row["status"]), reason=row["reason"], seq=row["seq"])


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _one(self, query: sa.Select) -> dict[str, Any] | None:
        row = (await self.session.execute(query)).mappings().first()
        return dict(row) if row else None

    # --- campaigns (read model) ----------------------------------------------------------
    async def put_campaign(self, values: dict[str, Any]) -> None:
        await upsert(self.session, campaign_windows, values, ["campaign_id"])

    async def campaign(self, campaign_id: str) -> dict[str, Any] | None:
        return await self._one(sa.select(campaign_windows).where(campaign_windows.c.campaign_id == campaign_id))

    async def lock_campaign_booths(self, campaign_id: str) -> None:
        await serialise(self.session, f"booths:{campaign_id}")

    async def application_for_decision(self, application_id: str) -> BoothApplication | None:
        """The application as it is once its campaign's booth lock is held. Every decision over an
        application loads it here, so two requests can never both act on a copy read before the other
        committed (the campaign an application belongs to never changes, so it is read first)."""
        campaign_id = (await self.session.execute(
            sa.select(booth_applications.c.campaign_id).where(booth_applications.c.id == application_id)
        )).scalar_one_or_none()
        if campaign_id is None:
            return None
        await self.lock_campaign_booths(campaign_id)
        row = await self.application(application_id)
        return application_of_row(row) if row else None

    # --- businesses ----------------------------------------------------------------------
    async def business(self, business_id: str) -> dict[str, Any] | None:
        return await self._one(sa.select(businesses).where(businesses.c.id == business_id))

    async def business_by_tax_code(self, campaign_id: str, tax_code: str) -> dict[str, Any] | None:
        return await self._one(
            sa.select(businesses).where(businesses.c.campaign_id == campaign_id, businesses.c.tax_code == tax_code)
        )

    async def _index_contacts(self, kind: str, record_id: str, *contacts: str | None, again: bool = False) -> None:
        if again:
            await self.session.execute(sa.delete(record_contacts).where(
                record_contacts.c.kind == kind, record_contacts.c.record_id == record_id))
        digests = {contact_digest(c) for c in contacts if c}
        if digests:
            await self.session.execute(sa.insert(record_contacts), [
                {"kind": kind, "record_id": record_id, "digest": d} for d in sorted(digests)])

    async def held_by(self, digests: tuple[str, ...]) -> frozenset[tuple[str, str]]:
        """The records registered with any of these contacts: (kind, id)."""
        if not digests:
            return frozenset()
        rows = await self.session.execute(sa.select(record_contacts.c.kind, record_contacts.c.record_id).where(
            record_contacts.c.digest.in_(digests)))
        return frozenset((kind, record_id) for kind, record_id in rows)

    async def business_for_decision(self, business_id: str) -> Business | None:
        """The business with its row locked (``FOR UPDATE``): two contact changes apply one after the other."""
        row = await self._one(sa.select(businesses).where(businesses.c.id == business_id).with_for_update())
        return business_of_row(row) if row is not None else None

    async def add_business(self, business: Business) -> bool:
        """False when the campaign holds this tax code already (registered by a request that committed
        while this one ran); the transaction must then be rolled back."""
        try:
            await self.session.execute(sa.insert(businesses).values(**business.state()))
        except sa.exc.IntegrityError as exc:
            if constraint_violated(exc):
                return False
            raise
        await self._index_contacts("business", business.id, business.email, business.phone)
        return True

    async def save_business(self, business: Business) -> None:
        values = business.state()
        del values["id"]
        await self.session.execute(sa.update(businesses).where(businesses.c.id == business.id).values(**values))
        await self._index_contacts("business", business.id, business.email, business.phone, again=True)

    async def list_businesses(
        self, campaign_id: str, *, province: str | None, sector: str | None, q: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        where = [businesses.c.campaign_id == campaign_id]
        if province:
            where.append(businesses.c.province == province)
        if sector:
            where.append(businesses.c.sector == sector)
        if q:
            where.append(sa.or_(businesses.c.legal_name.contains(q, autoescape=True),
                                businesses.c.tax_code.contains(q, autoescape=True)))  # "%" is a letter here
        total = (await self.session.execute(sa.select(sa.func.count()).where(*where))).scalar_one()
        rows = await self.session.execute(
            sa.select(businesses).where(*where).order_by(businesses.c.created_at, businesses.c.id)
            .limit(limit).offset(offset)
        )
        return [dict(r) for r in rows.mappings()], int(total)

    # --- booth plan ------------------------------------------------------------------------
    async def add_venue(self, values: dict[str, Any]) -> None:
        await self.session.execute(sa.insert(venues).values(**values))

    async def add_booth(self, values: dict[str, Any], days: list[dt.date]) -> None:
        await self.session.execute(sa.insert(booths).values(**values))
        if days:
            await self.session.execute(sa.insert(booth_days), [{"booth_id": values["id"], "day": d} for d in days])

    async def booth_codes(self, campaign_id: str) -> set[str]:
        rows = await self.session.execute(sa.select(booths.c.code).where(booths.c.campaign_id == campaign_id))
        return set(rows.scalars())

    async def venues_with_booths(self, campaign_id: str) -> list[dict[str, Any]]:
        venue_rows = (
            await self.session.execute(
                sa.select(venues).where(venues.c.campaign_id == campaign_id).order_by(venues.c.created_at)
            )
        ).mappings().all()
        booth_rows = (
            await self.session.execute(
                sa.select(booths, booth_days.c.day, booth_allocations.c.application_id)
                .join(booth_days, booth_days.c.booth_id == booths.c.id)
                .outerjoin(
                    booth_allocations,
                    sa.and_(booth_allocations.c.booth_id == booths.c.id, booth_allocations.c.day == booth_days.c.day),
                )
                .where(booths.c.campaign_id == campaign_id)
                .order_by(booths.c.code, booth_days.c.day)
            )
        ).mappings().all()
        by_booth: dict[str, dict[str, Any]] = {}
        for r in booth_rows:
            booth = by_booth.setdefault(
                r["id"], {"booth_id": r["id"], "venue_id": r["venue_id"], "code": r["code"], "size": r["size"],
                          "days": []},
            )
            booth["days"].append({"day": r["day"], "free": r["application_id"] is None})
        return [
            {**dict(v), "booths": [b for b in by_booth.values() if b["venue_id"] == v["id"]]} for v in venue_rows
        ]

    async def booths_open(self, campaign_id: str, days: list[dt.date], booth_code: str | None) -> dict[dt.date, int]:
        """How many booths (or whether the named one) are open on each of these days, free or not."""
        query = (
            sa.select(booth_days.c.day, sa.func.count())
            .join(booths, booth_days.c.booth_id == booths.c.id)
            .where(booths.c.campaign_id == campaign_id, booth_days.c.day.in_(days))
            .group_by(booth_days.c.day)
        )
        if booth_code is not None:
            query = query.where(booths.c.code == booth_code)
        counts = {d: 0 for d in days}
        counts.update({day: n for day, n in (await self.session.execute(query)).all()})
        return counts

    async def free_booths(self, campaign_id: str, days: list[dt.date], *, booth_code: str | None = None,
                          enough: int | None = None) -> dict[dt.date, list[BoothRef]]:
        """Free booths on each day (only the named one, if given). ``enough``: for a single day, the
        first so many by code are all a choice can use, so no more are read."""
        taken = sa.select(booth_allocations.c.booth_id).where(
            booth_allocations.c.booth_id == booths.c.id, booth_allocations.c.day == booth_days.c.day
        )
        query = (
            sa.select(booths.c.id, booths.c.code, booths.c.venue_id, booth_days.c.day)
            .join(booth_days, booth_days.c.booth_id == booths.c.id)
            .where(booths.c.campaign_id == campaign_id, booth_days.c.day.in_(days), ~sa.exists(taken))
        )
        if booth_code is not None:
            query = query.where(booths.c.code == booth_code)
        if enough is not None and len(days) == 1:
            query = query.order_by(booths.c.code, booths.c.id).limit(enough)
        result: dict[dt.date, list[BoothRef]] = {d: [] for d in days}
        for r in (await self.session.execute(query)).all():
            result[r.day].append(BoothRef(code=r.code, booth_id=r.id, venue_id=r.venue_id))
        return result

    # --- applications ----------------------------------------------------------------------
    async def application(self, application_id: str) -> dict[str, Any] | None:
        return await self._one(sa.select(booth_applications).where(booth_applications.c.id == application_id))

    async def application_by_key(self, business_id: str, key: str) -> dict[str, Any] | None:
        return await self._one(
            sa.select(booth_applications).where(
                booth_applications.c.business_id == business_id, booth_applications.c.idempotency_key == key
            )
        )

    async def add_application(self, app: BoothApplication, idempotency_key: str | None, now: dt.datetime) -> None:
        await self.session.execute(sa.insert(booth_applications).values(
            id=app.id, campaign_id=app.campaign_id, business_id=app.business_id,
            days=[d.isoformat() for d in app.days], quantity=app.quantity, booth_code=app.booth_code,
            status=app.status.value, reason=app.reason, idempotency_key=idempotency_key, created_at=now,
            updated_at=now))

    async def save_application(self, app: BoothApplication, now: dt.datetime) -> None:
        """What a transition changed: the status and its reason."""
        await self.set_status(app.id, app.status, app.reason, now)

    async def set_status(self, application_id: str, status: ApplicationStatus, reason: str | None,
                         now: dt.datetime) -> None:
        await self.session.execute(
            sa.update(booth_applications).where(booth_applications.c.id == application_id)
            .values(status=status.value, reason=reason, updated_at=now)
        )

    async def allocate(self, campaign_id: str, application_id: str, quantity: int,
                       allocations: list[Allocation]) -> None:
        """Each booth-day in its slot 1..quantity: the schema refuses a slot beyond the quantity or taken twice."""
        slots: dict[dt.date, int] = {}
        rows = []
        for a in allocations:
            slots[a.day] = slots.get(a.day, 0) + 1
            rows.append({"booth_id": a.booth.booth_id, "day": a.day, "application_id": application_id,
                         "campaign_id": campaign_id, "slot": slots[a.day], "quantity": quantity})
        await self.session.execute(sa.insert(booth_allocations), rows)

    async def allocations_of(self, application_id: str) -> list[Allocation]:
        rows = await self.session.execute(
            sa.select(booths.c.id, booths.c.code, booths.c.venue_id, booth_allocations.c.day)
            .join(booths, booths.c.id == booth_allocations.c.booth_id)
            .where(booth_allocations.c.application_id == application_id)
            .order_by(booth_allocations.c.day, booths.c.code)
        )
        return [Allocation(BoothRef(code=r.code, booth_id=r.id, venue_id=r.venue_id), r.day) for r in rows.all()]

    async def free_allocations(self, application_id: str) -> None:
        await self.session.execute(
            sa.delete(booth_allocations).where(booth_allocations.c.application_id == application_id)
        )

    async def open_applications_of(self, business_id: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(sa.select(booth_applications).where(
            booth_applications.c.business_id == business_id,
            booth_applications.c.status.in_([s.value for s in OPEN])))
        return [dict(r) for r in rows.mappings()]

    async def applications_in(self, campaign_id: str, status: ApplicationStatus) -> list[BoothApplication]:
        """The campaign's applications in this status, in the order they came."""
        rows = await self.session.execute(
            sa.select(booth_applications)
            .where(booth_applications.c.campaign_id == campaign_id, booth_applications.c.status == status.value)
            .order_by(booth_applications.c.seq)
        )
        return [application_of_row(dict(r)) for r in rows.mappings()]

    async def waitlist_position(self, campaign_id: str, seq: int) -> int:
        ahead = await self.session.execute(
            sa.select(sa.func.count()).where(
                booth_applications.c.campaign_id == campaign_id,
                booth_applications.c.status == ApplicationStatus.WAITLISTED.value,
                booth_applications.c.seq < seq,
            )
        )
        return int(ahead.scalar_one()) + 1

    async def list_applications(self, campaign_id: str, status: str | None, limit: int,
                                offset: int) -> list[dict[str, Any]]:
        query = sa.select(booth_applications).where(booth_applications.c.campaign_id == campaign_id)
        if status:
            query = query.where(booth_applications.c.status == status)
        rows = await self.session.execute(query.order_by(booth_applications.c.seq).limit(limit).offset(offset))
        return [dict(r) for r in rows.mappings()]

    async def applications_of_business(self, business_id: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            sa.select(booth_applications).where(booth_applications.c.business_id == business_id)
            .order_by(booth_applications.c.seq)
        )
        return [dict(r) for r in rows.mappings()]

    async def booth_counts(self, campaign_id: str) -> tuple[int, int, int]:
        """(booth-days open, booth-days allocated, applications waiting) for the occupancy gauges."""
        open_days = (
            await self.session.execute(
                sa.select(sa.func.count()).select_from(booth_days.join(booths, booths.c.id == booth_days.c.booth_id))
                .where(booths.c.campaign_id == campaign_id)
            )
        ).scalar_one()
        taken = (
            await self.session.execute(
                sa.select(sa.func.count()).where(booth_allocations.c.campaign_id == campaign_id)
            )
        ).scalar_one()
        waiting = (
            await self.session.execute(
                sa.select(sa.func.count()).where(
                    booth_applications.c.campaign_id == campaign_id,
                    booth_applications.c.status == ApplicationStatus.WAITLISTED.value,
                )
            )
        ).scalar_one()
        return int(open_days), int(taken), int(waiting)

    # --- sign-ups sent again with the same Idempotency-Key ----------------------------------------
    async def claim_sign_up_key(self, values: dict[str, Any]) -> dict[str, Any] | None:
        """Take the key for this sign-up; if a sign-up holds it already, wait for it to commit (PostgreSQL
        makes a conflicting insert wait) and return its row instead."""
        insert = postgresql.insert if self.session.bind.dialect.name == "postgresql" else sqlite.insert
        result = await self.session.execute(insert(sign_up_keys).values(**values).on_conflict_do_nothing())
        if result.rowcount:
            return None
        return await self._one(sa.select(sign_up_keys).where(
            sign_up_keys.c.scope == values["scope"], sign_up_keys.c.key == values["key"]))

    async def prune_sign_up_keys(self, before: dt.datetime) -> None:
        await self.session.execute(sa.delete(sign_up_keys).where(sign_up_keys.c.created_at < before))

    async def forget_sign_up_keys(self, subject_id: str) -> None:
        await self.session.execute(sa.delete(sign_up_keys).where(sign_up_keys.c.subject_id == subject_id))

    # --- participants ------------------------------------------------------------------------
    async def contact_rows(self, ids: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(businesses, participants) among these ids, with what it takes to reach them."""
        found_b = await self.session.execute(sa.select(
            businesses.c.id, businesses.c.contact_person, businesses.c.email, businesses.c.phone)
            .where(businesses.c.id.in_(ids)))
        found_p = await self.session.execute(sa.select(
            participants.c.id, participants.c.name, participants.c.email, participants.c.phone,
            participants.c.opted_out_at, participants.c.erased_at, participants.c.consent_purposes)
            .where(participants.c.id.in_(ids)))
        return [dict(r) for r in found_b.mappings()], [dict(r) for r in found_p.mappings()]

    async def participants_with_phone(self, phone: str) -> list[str]:
        rows = await self.session.execute(sa.select(participants.c.id).where(
            participants.c.phone == phone, participants.c.erased_at.is_(None)))
        return list(rows.scalars())

    async def participant_for_decision(self, participant_id: str) -> Participant | None:
        """The participant with its row locked (``FOR UPDATE``): an erasure, an opt-out, a preference
        change and a withdrawn consent of one person are decided one after the other, on what is stored."""
        row = await self._one(sa.select(participants).where(participants.c.id == participant_id).with_for_update())
        return participant_of_row(row) if row is not None else None

    async def participant(self, participant_id: str) -> dict[str, Any] | None:
        return await self._one(sa.select(participants).where(participants.c.id == participant_id))

    async def participant_with_contact(self, campaign_id: str, *contacts: str | None) -> str | None:
        """The participant of the campaign who signed up with one of these contacts, if any."""
        digests = sorted({contact_digest(c) for c in contacts if c})
        if not digests:
            return None
        return await self.session.scalar(sa.select(participant_contacts.c.participant_id).where(
            participant_contacts.c.campaign_id == campaign_id, participant_contacts.c.digest.in_(digests)).limit(1))

    async def _claim_contacts(self, person: Participant, *, again: bool = False) -> bool:
        """False when another participant of the campaign holds one of the person's contacts (it signed up
        at the same moment on another replica); the transaction must then be rolled back."""
        if again:
            await self.session.execute(sa.delete(participant_contacts).where(
                participant_contacts.c.participant_id == person.id))
        digests = sorted({contact_digest(c) for c in (person.email, person.phone) if c})
        if not digests:
            return True
        try:
            await self.session.execute(sa.insert(participant_contacts), [
                {"campaign_id": person.campaign_id, "digest": d, "participant_id": person.id} for d in digests])
        except sa.exc.IntegrityError as exc:
            if constraint_violated(exc):
                return False
            raise
        return True

    async def add_participant(self, person: Participant) -> bool:
        """False when one of its contacts is taken in the campaign (nothing else was written)."""
        if not await self._claim_contacts(person):
            return False
        await self.session.execute(sa.insert(participants).values(**person.state()))
        await self._index_contacts("participant", person.id, person.email, person.phone)
        return True

    async def save_participant(self, person: Participant) -> bool:
        """One UPDATE of the row with what the aggregate now holds; False when a new contact of the person
        is another participant's in the campaign."""
        values = person.state()
        del values["id"]
        if not await self._claim_contacts(person, again=True):
            return False
        await self.session.execute(sa.update(participants).where(participants.c.id == person.id).values(**values))
        await self._index_contacts("participant", person.id, person.email, person.phone, again=True)
        return True
