"""The campaign windows this service learns from the events service."""

from __future__ import annotations

from typing import Any

from services.registration.application.ports import RegistrationUnitOfWork
from services.registration.locale import _
from shared.contracts.envelope import Envelope
from shared.contracts.events import CampaignCreated
from shared.platform.errors import Unavailable


class CampaignUnknown(Unavailable):
    code = "campaign_unknown"


async def on_campaign_created(uow: RegistrationUnitOfWork, event: Envelope, payload: CampaignCreated) -> None:
    await uow.records.put_campaign({
        "campaign_id": payload.campaign_id, "year": payload.year, "timezone": payload.timezone,
        "window_start": payload.window_start, "window_end": payload.window_end,
        "booth_confirmation": payload.booth_confirmation, "booths_per_business": payload.booths_per_business,
        "scope_path": payload.scope_path,
        "updated_at": event.occurred_at,
    })


async def campaign_window(uow: RegistrationUnitOfWork, campaign_id: str) -> dict[str, Any]:
    async with uow:
        row = await uow.records.campaign(campaign_id)
    if row is None:
        # Retryable: the campaign may exist in the events service and not have reached us yet.
        raise CampaignUnknown(
            _("Campaign {campaign_id} is not known here (yet); retry in a few seconds", campaign_id=campaign_id),
            campaign_id=campaign_id,
        )
    return row
