"""HTTP API of the events service: translates requests to commands, nothing more."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel

from services.events.application import campaigns as uc
from services.events.application.demo import load_demo
from services.events.domain.campaign import Campaign
from shared.auth import require_organizer_token
from shared.contracts.envelope import Actor
from shared.service import ServiceRuntime


class CampaignOut(BaseModel):
    campaign_id: str
    year: int
    theme: str
    organizer: str
    locality: str
    timezone: str
    window_start: datetime
    window_end: datetime
    booth_confirmation: str

    @classmethod
    def of(cls, c: Campaign) -> "CampaignOut":
        return cls(
            campaign_id=c.id, year=c.year, theme=c.theme, organizer=c.organizer, locality=c.locality,
            timezone=c.timezone, window_start=c.local(c.window_start), window_end=c.local(c.window_end),
            booth_confirmation=c.booth_confirmation,
        )


def build_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter()

    def organizer(request: Request) -> Actor:
        require_organizer_token(request, runtime.settings.organizer_token)
        return Actor(kind="organizer")

    Organizer = Annotated[Actor, Depends(organizer)]

    @router.post("/campaigns", status_code=status.HTTP_201_CREATED, response_model=CampaignOut,
                 tags=["campaigns"], summary="Create a campaign (organizer)")
    async def create(cmd: uc.CreateCampaign, actor: Organizer, request: Request) -> CampaignOut:
        campaign = await uc.create_campaign(
            runtime.uow(), cmd, actor=actor, clock=runtime.clock,
            correlation_id=request.headers.get("x-correlation-id"),
        )
        return CampaignOut.of(campaign)

    @router.get("/campaigns/{campaign_id}", response_model=CampaignOut, tags=["campaigns"])
    async def read(campaign_id: str) -> CampaignOut:
        return CampaignOut.of(await uc.get_campaign(runtime.uow(), campaign_id))

    @router.get("/campaigns", response_model=list[CampaignOut], tags=["campaigns"])
    async def list_(
        year: int | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[CampaignOut]:
        found = await uc.list_campaigns(runtime.uow(), year=year, limit=limit, offset=offset)
        return [CampaignOut.of(c) for c in found]

    @router.post("/demo", tags=["operations"], summary="Load the demo campaign (organizer; idempotent)")
    async def demo(_actor: Organizer) -> dict[str, str]:
        return await load_demo(runtime.uow, clock=runtime.clock)

    return router
