"""Campaigns as the notifications service needs them: name, place and local time zone."""

from __future__ import annotations

from services.notifications.adapters.orm import campaigns
from shared.contracts.envelope import Envelope
from shared.contracts.events import CampaignCreated
from shared.db import upsert
from shared.uow import UnitOfWork


async def on_campaign_created(uow: UnitOfWork, _event: Envelope, payload: CampaignCreated) -> None:
    values = payload.model_dump(include={"campaign_id", "theme", "locality", "organizer", "timezone",
                                         "window_start", "window_end"})
    await upsert(uow.session, campaigns, values, ["campaign_id"])
