"""HTTP API of the registration service."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from services.registration.application.campaigns import campaign_window
from shared.service import ServiceRuntime


class CampaignWindowOut(BaseModel):
    campaign_id: str
    year: int
    timezone: str
    window_start: datetime
    window_end: datetime
    booth_confirmation: str


def build_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter()

    @router.get("/campaigns/{campaign_id}", response_model=CampaignWindowOut, tags=["campaigns"],
                summary="The campaign window as this service knows it")
    async def read_campaign(campaign_id: str) -> dict[str, object]:
        return await campaign_window(runtime.uow(), campaign_id)

    return router
