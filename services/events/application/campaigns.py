"""Campaign use cases: each runs in one unit of work; what it records is mapped in ``publishing``."""

from __future__ import annotations

from pydantic import AwareDatetime, Field, field_validator

from services.events.application.ports import EventsUnitOfWork, Places
from services.events.application.publishing import campaign_created
from services.events.domain.campaign import DEFAULT_TIMEZONE, NATIONAL, BoothConfirmation, Campaign
from services.events.locale import _
from shared.contracts.identity import Role
from shared.platform.calls import Call
from shared.platform.clock import Clock
from shared.platform.commands import Command
from shared.platform.errors import Conflict, NotFound


class CreateCampaign(Command):
    campaign_id: str = Field(description="Short id, e.g. quang-ngai-2026", examples=["quang-ngai-2026"],
                             pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,99}$")
    year: int = Field(ge=2022, le=2100)
    theme: str = Field(min_length=3, max_length=500)
    organizer: str = Field(min_length=2, max_length=300, examples=["Sở Khoa học và Công nghệ tỉnh Quảng Ngãi"])
    locality: str = Field(min_length=2, max_length=200, examples=["Quảng Ngãi"])
    timezone: str = DEFAULT_TIMEZONE
    # a time without its zone would be read as the server's: refused (RFC 3339 with an offset or Z)
    window_start: AwareDatetime | None = Field(default=None, description="Default: 1 October 00:00 local")
    window_end: AwareDatetime | None = Field(default=None, description="Default: 10 October 23:59:59 local")
    booth_confirmation: BoothConfirmation = "auto"
    booths_per_business: int | None = Field(
        default=None, ge=1, le=1000, description="Booths one business may hold on one day (unset = no limit)")
    locality_code: str | None = Field(
        default=None, pattern=r"^(VN|P[0-9]{2}|W[0-9]{5})$", examples=["W21211", "P51"],
        description="Its place in the locality tree (the identity service's codes): organizers of that place and "
                    "of the places above it manage the campaign; unset = a national campaign")

    @field_validator("campaign_id", mode="before")
    @classmethod
    def _exact_id(cls, value: object) -> object:
        if isinstance(value, str) and value != value.strip():
            raise ValueError(_("The id may hold no whitespace"))
        return value


class CampaignExists(Conflict):
    code = "campaign_exists"


async def create_campaign(uow: EventsUnitOfWork, cmd: CreateCampaign, *, call: Call, clock: Clock,
                          places: Places) -> Campaign:
    """An organizer of the campaign's place (or above it) creates it."""
    place = (cmd.locality_code, await places.lineage(cmd.locality_code)) if cmd.locality_code else None
    call.require(Role.ORGANIZER, place[1] if place else NATIONAL)
    now = clock.now()
    campaign = Campaign.create(
        id=cmd.campaign_id, year=cmd.year, theme=cmd.theme, organizer=cmd.organizer, locality=cmd.locality,
        timezone=cmd.timezone, window_start=cmd.window_start, window_end=cmd.window_end,
        booth_confirmation=cmd.booth_confirmation, booths_per_business=cmd.booths_per_business, now=now,
        place=place,
    )
    async with uow:
        repo = uow.campaigns
        if await repo.get(campaign.id) is not None:
            raise CampaignExists(
                _("Campaign {campaign_id} already exists", campaign_id=campaign.id),
                campaign_id=campaign.id,
            )
        await repo.add(campaign)
        uow.record(campaign_created(campaign, call, now))
        await uow.commit()
    return campaign


async def get_campaign(uow: EventsUnitOfWork, campaign_id: str) -> Campaign:
    async with uow:
        campaign = await uow.campaigns.get(campaign_id)
    if campaign is None:
        raise NotFound(_("No campaign {campaign_id}", campaign_id=campaign_id))
    return campaign


async def list_campaigns(uow: EventsUnitOfWork, *, year: int | None, limit: int, offset: int) -> list[Campaign]:
    async with uow:
        return await uow.campaigns.list(year=year, limit=limit, offset=offset)


async def campaigns_of(uow: EventsUnitOfWork, call: Call, *, shown: int = 200
                       ) -> tuple[list[tuple[Campaign, set[Role]]], int]:
    """The campaigns the signed-in account acts on, newest first, each with the roles it acts in there
    (an organizer's: every one but the operator's); at most ``shown`` of them, and how many there are."""
    async with uow:
        found = await uow.campaigns.list(limit=100_000)
    mine = [(c, roles) for c in found
            if (roles := {r for r in Role if r is not Role.OPERATOR and call.may(r, c.scope_path)})]
    return mine[:shown], len(mine)
