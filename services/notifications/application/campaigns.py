"""Campaigns as the notifications service needs them: name, place and local time zone."""

from __future__ import annotations

from services.notifications.application.ports import NotificationsUnitOfWork
from shared.contracts.envelope import Envelope
from shared.contracts.events import CampaignCreated


async def on_campaign_created(uow: NotificationsUnitOfWork, _event: Envelope, payload: CampaignCreated) -> None:
    values = payload.model_dump(include={"campaign_id", "theme", "locality", "organizer", "timezone",
                                         "window_start", "window_end", "scope_path"})
    await uow.notices.put_campaign(values)
