"""Contracts published by the events service (campaigns, workshops, seats, banners)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.contracts.envelope import event_contract
from shared.contracts.streams import rpc_subject

# Vietnam's one time zone: a campaign's own unless it names another (every local time is the campaign's)
CAMPAIGN_TIMEZONE = "Asia/Ho_Chi_Minh"


class CampaignCreated(BaseModel):
    model_config = ConfigDict(frozen=True)
    campaign_id: str
    year: int = Field(ge=2022, le=2100)
    theme: str
    organizer: str
    locality: str
    timezone: str = CAMPAIGN_TIMEZONE
    window_start: AwareDatetime
    window_end: AwareDatetime
    booth_confirmation: Literal["auto", "approval"] = "auto"
    booths_per_business: int | None = Field(default=None, ge=1,
        description="Booths per business per day; None: no limit")
    locality_code: str | None = Field(default=None, description="Its place in the locality tree (W21211, P51 …)")
    scope_path: list[str] = Field(default_factory=lambda: ["VN"],
                                  description="The scopes whose grants reach it: its place and those above, "
                                              "and campaign:<id>")


# request-reply: does this campaign exist? (args {"campaign_id"}; not found = error code "not_found")
CAMPAIGN_GET_RPC = "rpc.events.campaign.get"

CAMPAIGN_CREATED = event_contract(
    "events.campaign.created", 1, CampaignCreated, "A campaign was created with its window and booth mode"
)


# --- request-reply: check-in tickets, for the one service that sends them to people -----------------
# A ticket admits its holder at the door, so it travels on no stream: notifications asks for it when
# the message leaves (its NATS user is the only one allowed to publish here).
SEAT_TICKETS_RPC = rpc_subject("events", "seat_tickets.get")


class SeatTicketsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seat_ids: list[str] = Field(min_length=1, max_length=1000)


class SeatTicket(BaseModel):
    model_config = ConfigDict(frozen=True)
    seat_id: str
    token: str = Field(description="What the QR code holds: the signed check-in token")
    code: str = Field(description="The same ticket as a short code to type at the door, e.g. 7KQ2M-X9F4D")


class SeatTicketsReply(BaseModel):
    model_config = ConfigDict(frozen=True)
    tickets: list[SeatTicket] = Field(description="Only seats still confirmed have a ticket")


class SeatHolder(BaseModel):
    model_config = ConfigDict(frozen=True)
    participant_id: str
    seat_status: Literal["confirmed", "waitlisted"]


class WorkshopScheduled(BaseModel):
    model_config = ConfigDict(frozen=True)
    workshop_id: str
    campaign_id: str
    title: str
    kind: str
    room_id: str
    room_name: str
    start: AwareDatetime
    end: AwareDatetime
    speakers: list[str]
    capacity: int
    audience: str | None = None


class WorkshopRescheduled(BaseModel):
    """Names every seat holder, so each can be told."""

    model_config = ConfigDict(frozen=True)
    workshop_id: str
    campaign_id: str
    title: str
    room_id: str
    room_name: str
    previous_start: AwareDatetime
    previous_end: AwareDatetime
    start: AwareDatetime
    end: AwareDatetime
    holders: list[SeatHolder]


class WorkshopCancelled(BaseModel):
    model_config = ConfigDict(frozen=True)
    workshop_id: str
    campaign_id: str
    title: str
    start: AwareDatetime
    end: AwareDatetime
    reason: str
    holders: list[SeatHolder]


class SeatConfirmed(BaseModel):
    model_config = ConfigDict(frozen=True)
    seat_id: str
    workshop_id: str
    campaign_id: str
    participant_id: str
    seat_number: int


class SeatWaitlisted(BaseModel):
    model_config = ConfigDict(frozen=True)
    seat_id: str
    workshop_id: str
    campaign_id: str
    participant_id: str
    position: int


class SeatCancelled(BaseModel):
    model_config = ConfigDict(frozen=True)
    seat_id: str
    workshop_id: str
    campaign_id: str
    participant_id: str
    reason: str


class SeatPromoted(BaseModel):
    model_config = ConfigDict(frozen=True)
    seat_id: str
    workshop_id: str
    campaign_id: str
    participant_id: str
    seat_number: int


class BannerPlacementPlanned(BaseModel):
    model_config = ConfigDict(frozen=True)
    placement_id: str
    campaign_id: str
    site_id: str
    site_name: str
    spot: int
    slogan: str
    first_day: dt.date
    last_day: dt.date


class BannerPlacementChanged(BaseModel):
    model_config = ConfigDict(frozen=True)
    placement_id: str
    campaign_id: str
    site_id: str
    spot: int
    status: Literal["installed", "removed"]
    by: str
    at: AwareDatetime


WORKSHOP_SCHEDULED = event_contract(
    "events.workshop.scheduled", 1, WorkshopScheduled, "A workshop (seminar, talk, training) was scheduled"
)
WORKSHOP_RESCHEDULED = event_contract(
    "events.workshop.rescheduled", 1, WorkshopRescheduled, "A workshop moved; every seat holder is named"
)
WORKSHOP_CANCELLED = event_contract(
    "events.workshop.cancelled", 1, WorkshopCancelled, "A workshop was cancelled; every seat is freed"
)
SEAT_CONFIRMED = event_contract("events.seat.confirmed", 1, SeatConfirmed, "A participant holds a seat")
SEAT_WAITLISTED = event_contract("events.seat.waitlisted", 1, SeatWaitlisted, "The workshop is full: on the waitlist")
SEAT_CANCELLED = event_contract("events.seat.cancelled", 1, SeatCancelled, "A seat or waitlist place was given up")
SEAT_PROMOTED = event_contract("events.seat.promoted", 1, SeatPromoted, "A waiting participant got a freed seat")
BANNER_PLACEMENT_PLANNED = event_contract(
    "events.banner_placement.planned", 1, BannerPlacementPlanned, "A banner is planned on a spot for a period"
)
BANNER_PLACEMENT_INSTALLED = event_contract(
    "events.banner_placement.installed", 1, BannerPlacementChanged, "A banner was put up"
)
BANNER_PLACEMENT_REMOVED = event_contract(
    "events.banner_placement.removed", 1, BannerPlacementChanged, "A banner was taken down"
)
