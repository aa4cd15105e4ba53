"""Contracts published by the events service (campaigns, workshops, seats, banners)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.contracts.envelope import event_contract


class CampaignCreated(BaseModel):
    model_config = ConfigDict(frozen=True)
    campaign_id: str
    year: int = Field(ge=2022, le=2100)
    theme: str
    organizer: str
    locality: str
    timezone: str = "Asia/Ho_Chi_Minh"
    window_start: AwareDatetime
    window_end: AwareDatetime
    booth_confirmation: Literal["auto", "approval"] = "auto"


CAMPAIGN_CREATED = event_contract(
    "events.campaign.created", 1, CampaignCreated, "A campaign was created with its window and booth mode"
)
