"""The campaign's audit trail on the unit of work's session."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.events.adapters.orm import audit_trail


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> None:
        # the consumer's inbox has claimed the event id: it is written once
        await self.session.execute(sa.insert(audit_trail).values(**values))

    async def of_campaign(self, campaign_id: str, *, limit: int | None,
                          before: tuple[dt.datetime, str] | None = None) -> list[dict[str, Any]]:
        """The latest first; ``before``: (occurred_at, event_id) of the last line already shown."""
        t = audit_trail.c
        query = sa.select(audit_trail).where(t.campaign_id == campaign_id)
        if before is not None:
            at, event_id = before
            query = query.where(sa.or_(t.occurred_at < at, sa.and_(t.occurred_at == at, t.event_id < event_id)))
        query = query.order_by(t.occurred_at.desc(), t.event_id.desc())
        if limit is not None:
            query = query.limit(limit)
        return [dict(r._mapping) for r in (await self.session.execute(query)).all()]
