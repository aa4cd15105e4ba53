"""HTTP API of the events service: requests -> commands -> use cases; nothing decided here."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field

from services.events.application import audit, banners, public, seats, workshops
from services.events.application import campaigns as uc
from services.events.application.commands import (
    CancelWorkshop,
    ChangeCapacity,
    CheckIn,
    CreateRoom,
    DefineBannerSite,
    MovePlacement,
    PlanPlacement,
    RescheduleWorkshop,
    ReserveSeat,
    ScheduleWorkshop,
)
from services.events.application.context import Deps
from services.events.domain.banners import PlacementStatus
from services.events.domain.campaign import Campaign
from services.events.entrypoints.access import callers_of
from shared.platform.http import attachment, http_callers
from shared.platform.service import ServiceRuntime


class CampaignOut(BaseModel):
    campaign_id: str
    year: int
    theme: str
    organizer: str
    locality: str
    timezone: str
    window_start: dt.datetime
    window_end: dt.datetime
    booth_confirmation: str
    booths_per_business: int | None

    @classmethod
    def of(cls, c: Campaign) -> "CampaignOut":
        return cls(
            campaign_id=c.id, year=c.year, theme=c.theme, organizer=c.organizer, locality=c.locality,
            timezone=c.timezone, window_start=c.local(c.window_start), window_end=c.local(c.window_end),
            booth_confirmation=c.booth_confirmation, booths_per_business=c.booths_per_business,
        )


class RoomOut(BaseModel):
    id: str
    campaign_id: str
    name: str
    seats: int


class WorkshopOut(BaseModel):
    workshop_id: str
    campaign_id: str
    title: str
    kind: str
    room_id: str
    room_name: str
    start: dt.datetime
    end: dt.datetime
    speakers: list[str]
    capacity: int
    audience: str | None
    status: str
    cancel_reason: str | None
    confirmed: int
    waitlisted: int
    attended: int
    seats_left: int


class DayScheduleOut(BaseModel):
    campaign_id: str
    day: dt.date
    timezone: str
    days: list[dt.date]
    theme: str
    workshops: list[WorkshopOut]


class SeatOut(BaseModel):
    seat_id: str
    workshop_id: str
    campaign_id: str
    participant_id: str
    status: str
    seat_number: int | None
    waitlist_position: int | None
    attended_at: dt.datetime | None
    checkin_token: str | None = Field(description="What the seat's QR code holds (confirmed seats only)")
    checkin_code: str | None = Field(description="The same ticket as a code to type at the door")


class MySeatOut(SeatOut):
    workshop: WorkshopOut


class SeatListItem(BaseModel):
    seat_id: str
    participant_id: str
    status: str
    seat_number: int | None
    attended_at: dt.datetime | None


class CheckInOut(BaseModel):
    seat_id: str
    workshop_id: str
    seat_number: int | None
    checked_in_at: dt.datetime
    attended: int


class SiteOut(BaseModel):
    id: str
    campaign_id: str
    name: str
    kind: str
    address: str
    spots: int


class PlacementOut(BaseModel):
    id: str
    campaign_id: str
    site_id: str
    site_name: str | None = None
    spot: int
    slogan: str
    first_day: dt.date
    last_day: dt.date
    status: str
    planned_by: str
    installed_by: str | None
    installed_at: dt.datetime | None
    removed_by: str | None
    removed_at: dt.datetime | None


class AuditLineOut(BaseModel):
    occurred_at: dt.datetime = Field(description="when it happened, in the campaign's time zone")
    event: str = Field(description="what happened: the event's subject (registration.booth_application.confirmed …)")
    actor_kind: str = Field(description="account, business, participant, operator or system")
    actor_id: str | None = Field(description="the account id (or the business's, the participant's)")
    actor_name: str | None = Field(description="the name the account goes by (the identity service's)")
    api_key: str | None = Field(description="the API key's id, when an integration acted with one")
    about: str | None = Field(description="the id of the record the event is about")
    event_id: str
    correlation_id: str


class AuditTrailOut(BaseModel):
    campaign_id: str
    lines: list[AuditLineOut] = Field(description="the latest first")
    older: str | None = Field(description="pass as ``before`` for the next (older) page; null: no more")


ICS = "text/calendar; charset=utf-8"


def build_router(runtime: ServiceRuntime, deps: Deps) -> APIRouter:
    router = APIRouter()

    _anyone, Someone = http_callers(callers_of(runtime))

    def base_url(_request: Request) -> str:
        """The configured address, never the request's Host header (which anyone can set)."""
        return runtime.settings.base_url_of("events")

    # --- campaigns ------------------------------------------------------------------------------
    @router.post("/campaigns", status_code=status.HTTP_201_CREATED, response_model=CampaignOut,
                 tags=["campaigns"], summary="Create a campaign (organizer)")
    async def create_campaign(cmd: uc.CreateCampaign, call: Someone) -> CampaignOut:
        campaign = await uc.create_campaign(runtime.uow(), cmd, call=call, clock=runtime.clock, places=deps.places)
        return CampaignOut.of(campaign)

    @router.get("/campaigns/{campaign_id}", response_model=CampaignOut, tags=["campaigns"])
    async def read_campaign(campaign_id: str) -> CampaignOut:
        return CampaignOut.of(await uc.get_campaign(runtime.uow(), campaign_id))

    @router.get("/campaigns", response_model=list[CampaignOut], tags=["campaigns"])
    async def list_campaigns(year: int | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                             offset: Annotated[int, Query(ge=0)] = 0) -> list[CampaignOut]:
        found = await uc.list_campaigns(runtime.uow(), year=year, limit=limit, offset=offset)
        return [CampaignOut.of(c) for c in found]

    @router.get("/campaigns/{campaign_id}/audit", response_model=AuditTrailOut, tags=["campaigns"],
                summary="Who did what and when in the campaign, from every service's events (its organizers)")
    async def audit_trail(campaign_id: str, call: Someone, before: Annotated[str | None, Query(max_length=200)] = None,
                          limit: Annotated[int, Query(ge=1, le=1000)] = audit.PAGE_LINES) -> AuditTrailOut:
        trail = await audit.trail_of(deps, campaign_id, call, before=before, limit=limit)
        lines = [AuditLineOut(**{**line, "occurred_at": trail.campaign.local(line["occurred_at"]),
                                 "event": line["subject"]}) for line in trail.lines]
        return AuditTrailOut(campaign_id=campaign_id, lines=lines, older=trail.older)

    # --- rooms and workshops -----------------------------------------------------------------------
    @router.post("/campaigns/{campaign_id}/rooms", status_code=201, response_model=RoomOut, tags=["workshops"],
                 summary="Add a room (organizer)")
    async def create_room(campaign_id: str, cmd: CreateRoom, call: Someone) -> dict[str, Any]:
        return await workshops.create_room(deps, campaign_id, cmd, call)

    @router.get("/campaigns/{campaign_id}/rooms", response_model=list[RoomOut], tags=["workshops"])
    async def list_rooms(campaign_id: str) -> list[dict[str, Any]]:
        return await workshops.list_rooms(deps, campaign_id)

    @router.post("/campaigns/{campaign_id}/workshops", status_code=201, response_model=WorkshopOut,
                 tags=["workshops"], summary="Schedule a workshop (organizer); 409 lists every conflict",
                 responses={409: {"description": "room taken, speaker busy, outside the window, end before start"}})
    async def schedule(campaign_id: str, cmd: ScheduleWorkshop, call: Someone) -> dict[str, Any]:
        return await workshops.schedule_workshop(deps, campaign_id, cmd, call)

    @router.get("/campaigns/{campaign_id}/workshops", response_model=list[WorkshopOut], tags=["workshops"],
                summary="Every workshop of the campaign in time order, local times")
    async def list_workshops(campaign_id: str, include_cancelled: bool = False) -> list[dict[str, Any]]:
        return await public.list_workshops(deps, campaign_id, include_cancelled)

    @router.get("/workshops/{workshop_id}", response_model=WorkshopOut, tags=["workshops"])
    async def read_workshop(workshop_id: str) -> dict[str, Any]:
        return await workshops.get_workshop(deps, workshop_id)

    @router.post("/workshops/{workshop_id}/reschedule", response_model=WorkshopOut, tags=["workshops"],
                 summary="Move a workshop (organizer); every seat holder is told")
    async def reschedule(workshop_id: str, cmd: RescheduleWorkshop, call: Someone) -> dict[str, Any]:
        return await workshops.reschedule_workshop(deps, workshop_id, cmd, call)

    @router.post("/workshops/{workshop_id}/cancel", response_model=WorkshopOut, tags=["workshops"],
                 summary="Cancel a workshop (organizer); frees every seat and tells every holder")
    async def cancel(workshop_id: str, cmd: CancelWorkshop, call: Someone) -> dict[str, Any]:
        return await workshops.cancel_workshop(deps, workshop_id, cmd, call)

    @router.put("/workshops/{workshop_id}/capacity", response_model=WorkshopOut, tags=["workshops"],
                summary="Change capacity (organizer); never below the confirmed seats")
    async def capacity(workshop_id: str, cmd: ChangeCapacity, call: Someone) -> dict[str, Any]:
        return await seats.change_capacity(deps, workshop_id, cmd, call)

    # --- seats -------------------------------------------------------------------------------------
    @router.post("/workshops/{workshop_id}/seats", status_code=201, response_model=SeatOut, tags=["seats"],
                 summary="Reserve a seat (participant token): confirmed, or waitlisted in order")
    async def reserve(workshop_id: str, call: Someone, cmd: ReserveSeat | None = None) -> dict[str, Any]:
        return await seats.reserve_seat(deps, workshop_id, cmd or ReserveSeat(), call)

    @router.get("/workshops/{workshop_id}/seats", response_model=list[SeatListItem], tags=["seats"],
                summary="Who is coming (organizer)")
    async def seat_list(workshop_id: str, call: Someone) -> list[dict[str, Any]]:
        return await seats.seat_list(deps, workshop_id, call)

    @router.get("/me/seats", response_model=list[MySeatOut], tags=["seats"],
                summary="Your seats, in every campaign, soonest first (a signed-in person, or a participant token)")
    async def my_seats(call: Someone) -> list[dict[str, Any]]:
        return await seats.my_seats(deps, call)

    @router.get("/seats/{seat_id}", response_model=SeatOut, tags=["seats"])
    async def read_seat(seat_id: str, call: Someone) -> dict[str, Any]:
        return await seats.get_seat(deps, seat_id, call)

    @router.post("/seats/{seat_id}/cancel", response_model=SeatOut, tags=["seats"],
                 summary="Give up a seat; the first waiting gets it")
    async def cancel_seat(seat_id: str, call: Someone) -> dict[str, Any]:
        return await seats.cancel_seat(deps, seat_id, call)

    @router.post("/checkin", response_model=CheckInOut, tags=["seats"],
                 summary="Staff at the door scan a seat's QR token (organizer token); once only",
                 responses={409: {"description": "already used: the body says when"}})
    async def checkin(cmd: CheckIn, call: Someone) -> dict[str, Any]:
        return await seats.check_in(deps, cmd, call)

    # --- banners -------------------------------------------------------------------------------------
    @router.post("/campaigns/{campaign_id}/banner-sites", status_code=201, response_model=SiteOut,
                 tags=["banners"], summary="A banner site: supermarket, commercial centre, square (organizer)")
    async def define_site(campaign_id: str, cmd: DefineBannerSite, call: Someone) -> dict[str, Any]:
        return await banners.define_site(deps, campaign_id, cmd, call)

    @router.get("/campaigns/{campaign_id}/banner-sites", response_model=list[SiteOut], tags=["banners"])
    async def list_sites(campaign_id: str) -> list[dict[str, Any]]:
        return await banners.list_sites(deps, campaign_id)

    @router.post("/campaigns/{campaign_id}/banner-placements", status_code=201, response_model=PlacementOut,
                 tags=["banners"], summary="Plan a banner on a spot for a period (organizer)")
    async def plan(campaign_id: str, cmd: PlanPlacement, call: Someone) -> dict[str, Any]:
        return await banners.plan_placement(deps, campaign_id, cmd, call)

    @router.get("/campaigns/{campaign_id}/banner-placements", response_model=list[PlacementOut], tags=["banners"])
    async def list_placements(campaign_id: str, status: PlacementStatus | None = None) -> list[dict[str, Any]]:
        return await banners.list_placements(deps, campaign_id, status.value if status else None)

    @router.post("/banner-placements/{placement_id}/install", response_model=PlacementOut, tags=["banners"])
    async def install(placement_id: str, cmd: MovePlacement, call: Someone) -> dict[str, Any]:
        return await banners.move_placement(deps, placement_id, PlacementStatus.INSTALLED, cmd, call)

    @router.post("/banner-placements/{placement_id}/remove", response_model=PlacementOut, tags=["banners"])
    async def remove(placement_id: str, cmd: MovePlacement, call: Someone) -> dict[str, Any]:
        return await banners.move_placement(deps, placement_id, PlacementStatus.REMOVED, cmd, call)

    # --- public schedule ---------------------------------------------------------------------------------
    @router.get("/campaigns/{campaign_id}/schedule", response_model=DayScheduleOut, tags=["schedule"],
                summary="The day's workshops in local time (default: the first campaign day)")
    async def schedule_of_day(campaign_id: str, day: dt.date | None = None) -> dict[str, Any]:
        return await public.schedule_of_day(deps, campaign_id, day)

    @router.get("/campaigns/{campaign_id}/calendar.ics", tags=["schedule"], response_class=Response,
                summary="iCal feed of the whole campaign, with a reminder alarm")
    async def campaign_ics(campaign_id: str, request: Request) -> Response:
        body = await public.campaign_calendar(deps, campaign_id, base_url(request))
        return Response(body, media_type=ICS,
                        headers=attachment(f"{campaign_id}.ics"))

    @router.get("/workshops/{workshop_id}/calendar.ics", tags=["schedule"], response_class=Response,
                summary="iCal file of one workshop, with a reminder alarm")
    async def workshop_ics(workshop_id: str, request: Request) -> Response:
        body = await public.workshop_calendar(deps, workshop_id, base_url(request))
        return Response(body, media_type=ICS,
                        headers=attachment(f"workshop-{workshop_id}.ics"))

    return router
