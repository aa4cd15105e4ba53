"""Campaign storage on the unit of work's session."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.events.adapters.orm import campaigns
from services.events.domain.campaign import Campaign


class CampaignRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, campaign_id: str) -> Campaign | None:
        row = (await self.session.execute(sa.select(campaigns).where(campaigns.c.id == campaign_id))).first()
        return _campaign(row) if row else None

    async def add(self, campaign: Campaign) -> None:
        await self.session.execute(sa.insert(campaigns).values(**vars(campaign)))

    async def list(self, *, year: int | None = None, limit: int = 100, offset: int = 0) -> list[Campaign]:
        query = sa.select(campaigns).order_by(campaigns.c.year.desc(), campaigns.c.id).limit(limit).offset(offset)
        if year is not None:
            query = query.where(campaigns.c.year == year)
        return [_campaign(r) for r in (await self.session.execute(query)).all()]


def _campaign(row: sa.Row) -> Campaign:
    return Campaign(**row._asdict())
