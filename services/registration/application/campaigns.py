"""The campaign windows this service learns from the events service."""

from __future__ import annotations

import sqlalchemy as sa

from services.registration.adapters.orm import campaign_windows
from shared.contracts.envelope import Envelope
from shared.contracts.events import CampaignCreated
from shared.db import upsert
from shared.errors import Unavailable
from shared.uow import UnitOfWork


class CampaignUnknown(Unavailable):
    code = "campaign_unknown"


async def on_campaign_created(uow: UnitOfWork, event: Envelope, payload: CampaignCreated) -> None:
    await upsert(
        uow.session,
        campaign_windows,
        {
            "campaign_id": payload.campaign_id,
            "year": payload.year,
            "timezone": payload.timezone,
            "window_start": payload.window_start,
            "window_end": payload.window_end,
            "booth_confirmation": payload.booth_confirmation,
            "booths_per_business": payload.booths_per_business,
            "updated_at": event.occurred_at,
        },
        ["campaign_id"],
    )


async def campaign_window(uow: UnitOfWork, campaign_id: str) -> dict[str, object]:
    async with uow:
        row = (
            await uow.session.execute(
                sa.select(campaign_windows).where(campaign_windows.c.campaign_id == campaign_id)
            )
        ).first()
    if row is None:
        # Retryable: the campaign may exist in the events service and not have reached us yet.
        raise CampaignUnknown(
            f"Chưa có thông tin chiến dịch {campaign_id}; thử lại sau ít giây",
            f"Campaign {campaign_id} is not known here (yet); retry in a few seconds",
            campaign_id=campaign_id,
        )
    return row._asdict()


