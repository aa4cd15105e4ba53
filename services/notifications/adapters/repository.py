"""Storage of the contact directory, workshops, reminders and notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.adapters.orm import campaigns, contacts, notifications, reminders, workshops
from shared.platform.db import upsert


def _rows(result: sa.Result) -> list[dict[str, Any]]:
    return [dict(r) for r in result.mappings()]


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self, table: sa.Table):  # type: ignore[no-untyped-def]
        return (postgresql.insert if self.session.bind.dialect.name == "postgresql" else sqlite.insert)(table)

    async def _one(self, query: sa.Select) -> dict[str, Any] | None:
        row = (await self.session.execute(query)).mappings().first()
        return dict(row) if row else None

    async def put_campaign(self, values: dict[str, Any]) -> None:
        await upsert(self.session, campaigns, values, ["campaign_id"])

    async def campaign(self, campaign_id: str | None) -> dict[str, Any] | None:
        if campaign_id is None:
            return None
        return await self._one(sa.select(campaigns).where(campaigns.c.campaign_id == campaign_id))

    async def campaigns_open_at(self, moment: dt.datetime) -> list[dict[str, Any]]:
        return _rows(await self.session.execute(sa.select(campaigns).where(
            campaigns.c.window_start <= moment, campaigns.c.window_end >= moment)))

    # --- contacts -------------------------------------------------------------------------------
    async def contact(self, contact_id: str) -> dict[str, Any] | None:
        return await self._one(sa.select(contacts).where(contacts.c.contact_id == contact_id))

    async def contacts_by_id(self, ids: list[str], *, hold: bool = False) -> dict[str, dict[str, Any]]:
        """``hold``: keep the rows from changing until this transaction ends (PostgreSQL ``FOR SHARE``;
        SQLite has one writer anyway). Planning holds them, so an erasure committing meanwhile either
        waits and then redacts what was planned, or goes first and nothing is planned."""
        found: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), 2_000):
            query = sa.select(contacts).where(contacts.c.contact_id.in_(ids[i:i + 2_000]))
            rows = await self.session.execute(query.with_for_update(read=True) if hold else query)
            found.update({r["contact_id"]: dict(r) for r in rows.mappings()})
        return found

    async def put_contact(self, values: dict[str, Any]) -> None:
        stmt = self._insert(contacts).values(**values)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=["contact_id"], set_={k: stmt.excluded[k] for k in values if k != "contact_id"}))

    async def update_contact(self, contact_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(sa.update(contacts).where(contacts.c.contact_id == contact_id).values(**values))

    async def erase_contact(self, contact_id: str, now: dt.datetime) -> None:
        """Keep a tombstone without personal data, so later events about this id are known to need nothing."""
        await self.session.execute(sa.update(contacts).where(contacts.c.contact_id == contact_id).values(
            opted_out=True, erased=True, channels=[], updated_at=now))

    async def digest_readers(self, campaign_id: str) -> list[dict[str, Any]]:
        return _rows(await self.session.execute(sa.select(contacts).where(
            contacts.c.campaign_id == campaign_id, contacts.c.wants_digest.is_(True),
            contacts.c.opted_out.is_(False))))

    async def participants_of(self, campaign_id: str) -> list[dict[str, Any]]:
        return _rows(await self.session.execute(sa.select(contacts).where(
            contacts.c.campaign_id == campaign_id, contacts.c.kind == "participant",
            contacts.c.opted_out.is_(False))))

    # --- workshops ---------------------------------------------------------------------------------
    async def workshop(self, workshop_id: str) -> dict[str, Any] | None:
        return await self._one(sa.select(workshops).where(workshops.c.workshop_id == workshop_id))

    async def put_workshop(self, values: dict[str, Any]) -> None:
        stmt = self._insert(workshops).values(**values)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=["workshop_id"], set_={k: stmt.excluded[k] for k in values if k != "workshop_id"}))

    async def workshops_between(self, campaign_id: str, start: dt.datetime, end: dt.datetime) -> list[dict]:
        return _rows(await self.session.execute(sa.select(workshops).where(
            workshops.c.campaign_id == campaign_id, workshops.c.status == "scheduled",
            workshops.c.start >= start, workshops.c.start < end).order_by(workshops.c.start)))

    # --- reminders ------------------------------------------------------------------------------------
    async def put_reminders(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            stmt = self._insert(reminders).values(**row)
            await self.session.execute(stmt.on_conflict_do_update(
                index_elements=["workshop_id", "participant_id", "minutes_before"],
                set_={"due_at": stmt.excluded.due_at, "status": stmt.excluded.status,
                      "seat_number": stmt.excluded.seat_number, "seat_id": stmt.excluded.seat_id}))

    async def cancel_reminders(self, workshop_id: str, participant_id: str | None = None) -> None:
        where = [reminders.c.workshop_id == workshop_id]
        if participant_id:
            where.append(reminders.c.participant_id == participant_id)
        await self.session.execute(sa.update(reminders).where(*where).values(status="cancelled"))

    async def cancel_reminders_of(self, participant_id: str) -> None:
        await self.session.execute(sa.update(reminders).where(reminders.c.participant_id == participant_id)
                                   .values(status="cancelled"))

    async def reminders_of(self, workshop_id: str) -> list[dict[str, Any]]:
        return _rows(await self.session.execute(sa.select(reminders).where(reminders.c.workshop_id == workshop_id)))

    async def seat_holders(self, workshop_id: str) -> list[str]:
        """Who holds a seat, as this service learnt it from the seat events (in stream order)."""
        rows = await self.session.execute(sa.select(reminders.c.participant_id).distinct().where(
            reminders.c.workshop_id == workshop_id, reminders.c.status != "cancelled")
            .order_by(reminders.c.participant_id))
        return list(rows.scalars())

    async def move_reminders(self, workshop_id: str, minutes: int, due_at: dt.datetime, status: str) -> None:
        """Every live reminder of a workshop at one offset follows it, in one statement."""
        await self.session.execute(sa.update(reminders).where(
            reminders.c.workshop_id == workshop_id, reminders.c.minutes_before == minutes,
            reminders.c.status != "cancelled").values(due_at=due_at, status=status))

    async def move_reminder(self, workshop_id: str, participant_id: str, minutes: int, due_at: dt.datetime,
                            status: str) -> None:
        await self.session.execute(sa.update(reminders).where(
            reminders.c.workshop_id == workshop_id, reminders.c.participant_id == participant_id,
            reminders.c.minutes_before == minutes).values(due_at=due_at, status=status))

    async def due_reminders(self, now: dt.datetime, limit: int) -> list[dict[str, Any]]:
        return _rows(await self.session.execute(sa.select(reminders).where(
            reminders.c.status == "scheduled", reminders.c.due_at <= now).order_by(reminders.c.due_at).limit(limit)))

    async def finish_reminder(self, r: dict[str, Any]) -> None:
        await self.move_reminder(r["workshop_id"], r["participant_id"], r["minutes_before"], r["due_at"], "done")

    # --- notifications ----------------------------------------------------------------------------------
    async def add_notifications(self, rows: list[dict[str, Any]]) -> int:
        """Insert, skipping any already planned for the same cause, recipient and channel."""
        added = 0
        # executemany of one cached statement (SQLAlchemy batches it as multi-row VALUES); compiling a
        # fresh 500-row VALUES statement per chunk cost more than the inserts themselves
        stmt = self._insert(notifications).on_conflict_do_nothing(
            index_elements=["dedup_key", "recipient_id", "channel"]).returning(notifications.c.id)
        for i in range(0, len(rows), 2_000):
            added += len((await self.session.execute(stmt, rows[i:i + 2_000])).all())
        return added

    async def pending_changes(self, workshop_id: str) -> dict[tuple[str, str], dict[str, Any]]:
        """Change notices for a workshop still waiting out their quiet period, by (recipient, channel)."""
        rows = await self.session.execute(sa.select(notifications).where(
            notifications.c.dedup_key.like(f"workshop-change:{workshop_id}:%"),
            notifications.c.status == "pending", notifications.c.attempts == 0))
        return {(r["recipient_id"], r["channel"]): dict(r) for r in rows.mappings()}

    async def update_notification(self, notification_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(sa.update(notifications).where(notifications.c.id == notification_id)
                                   .values(**values))

    async def notification(self, notification_id: str) -> dict[str, Any] | None:
        return await self._one(sa.select(notifications).where(notifications.c.id == notification_id))

    @staticmethod
    def _claimable(now: dt.datetime) -> sa.ColumnElement[bool]:
        """Due and waiting, or claimed by a replica whose claim ran out (it stopped or stalled)."""
        return sa.or_(
            sa.and_(notifications.c.status == "pending", notifications.c.next_attempt_at <= now),
            sa.and_(notifications.c.status == "sending", notifications.c.claim_until < now))

    async def claim_due(self, now: dt.datetime, limit: int, replica: str, until: dt.datetime) -> list[dict[str, Any]]:
        """Take due notifications for sending until ``until``. The UPDATE re-checks the condition, so
        of two replicas racing for a row only one gets it (row lock on PostgreSQL, BEGIN IMMEDIATE
        on SQLite)."""
        ids = (await self.session.execute(sa.select(notifications.c.id).where(self._claimable(now))
                                          .order_by(notifications.c.next_attempt_at).limit(limit))).scalars().all()
        if not ids:
            return []
        claimed = (await self.session.execute(
            sa.update(notifications).where(notifications.c.id.in_(ids), self._claimable(now))
            .values(status="sending", claimed_by=replica, claim_until=until, updated_at=now)
            .returning(notifications.c.id))).scalars().all()
        return _rows(await self.session.execute(sa.select(notifications).where(notifications.c.id.in_(claimed))))

    async def release_claims_of(self, replica: str, now: dt.datetime) -> int:
        """At start: what this replica was sending when it died goes back to the queue at once (same
        id, so the same idempotency key); other replicas' claims run out on their own."""
        result = await self.session.execute(sa.update(notifications).where(
            notifications.c.status == "sending", notifications.c.claimed_by == replica)
            .values(status="pending", claimed_by=None, claim_until=None, updated_at=now))
        return result.rowcount or 0

    async def record_outcome(self, notification_id: str, replica: str, values: dict[str, Any]) -> bool:
        """Write the outcome only while this replica still holds the claim."""
        result = await self.session.execute(sa.update(notifications).where(
            notifications.c.id == notification_id, notifications.c.status == "sending",
            notifications.c.claimed_by == replica).values(**values, claimed_by=None, claim_until=None))
        return bool(result.rowcount)

    async def record_sent(self, ids: list[str], replica: str, now: dt.datetime) -> set[str]:
        """Mark many as sent in a few statements, each only while this replica holds its claim;
        returns those recorded."""
        recorded: set[str] = set()
        for i in range(0, len(ids), 500):
            result = await self.session.execute(sa.update(notifications).where(
                notifications.c.id.in_(ids[i:i + 500]), notifications.c.status == "sending",
                notifications.c.claimed_by == replica).values(
                status="sent", attempts=notifications.c.attempts + 1, sent_at=now, last_error=None, updated_at=now,
                claimed_by=None, claim_until=None).returning(notifications.c.id))
            recorded.update(result.scalars())
        return recorded

    async def promo_count_since(self, recipient_id: str, since: dt.datetime) -> int:
        return int((await self.session.execute(sa.select(sa.func.count()).where(
            notifications.c.recipient_id == recipient_id, notifications.c.klass == "promo",
            notifications.c.status != "suppressed", notifications.c.created_at >= since))).scalar_one())

    async def suppress_unsent_for(self, recipient_id: str, reason: str, now: dt.datetime) -> None:
        await self.session.execute(sa.update(notifications).where(
            notifications.c.recipient_id == recipient_id, notifications.c.status.in_(["pending", "sending"]))
            .values(status="suppressed", last_error=reason, updated_at=now))

    async def notification_ids_for(self, recipient_id: str) -> list[str]:
        return list((await self.session.execute(sa.select(notifications.c.id).where(
            notifications.c.recipient_id == recipient_id))).scalars().all())

    async def redact_for(self, recipient_id: str, now: dt.datetime) -> None:
        """Erasure: the text of every message to this person goes; the log keeps ids and outcomes."""
        await self.suppress_unsent_for(recipient_id, "erased", now)
        await self.session.execute(sa.update(notifications).where(notifications.c.recipient_id == recipient_id)
                                   .values(subject="[đã xóa / erased]", body="[đã xóa / erased]", updated_at=now))

    async def query(self, *, cause: str | None, recipient: str | None, status: str | None, campaign: str | None,
                    limit: int, offset: int) -> list[dict[str, Any]]:
        query = sa.select(notifications).order_by(notifications.c.created_at.desc(), notifications.c.id)
        if cause:
            query = query.where(notifications.c.cause_event_id == cause)
        if recipient:
            query = query.where(notifications.c.recipient_id == recipient)
        if status:
            query = query.where(notifications.c.status == status)
        if campaign:
            query = query.where(notifications.c.campaign_id == campaign)
        return _rows(await self.session.execute(query.limit(limit).offset(offset)))

    async def counts_by_status(self) -> dict[str, int]:
        rows = await self.session.execute(sa.select(notifications.c.status, sa.func.count())
                                          .group_by(notifications.c.status))
        return {s: int(n) for s, n in rows.all()}
