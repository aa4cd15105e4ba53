"""The one place where the events service's changes become integration events (contract envelopes):
domain events of the aggregates, mapped here; and the envelope every other change is recorded with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from services.events.domain import banners, workshop
from services.events.domain import seat_list as domain
from services.events.domain.campaign import Campaign
from shared.contracts import events as contracts
from shared.contracts.envelope import Envelope, EventContract, make_envelope
from shared.platform.calls import Call

SERVICE = "events"


def event(contract: EventContract[Any], payload: BaseModel, call: Call, now: datetime, campaign_id: str) -> Envelope:
    return make_envelope(contract, payload, producer=SERVICE, actor=call.actor, occurred_at=now,
                         campaign_id=campaign_id, correlation_id=call.correlation_id)


def campaign_created(campaign: Campaign, call: Call, now: datetime) -> Envelope:
    return event(contracts.CAMPAIGN_CREATED, contracts.CampaignCreated(
        campaign_id=campaign.id, year=campaign.year, theme=campaign.theme, organizer=campaign.organizer,
        locality=campaign.locality, timezone=campaign.timezone, window_start=campaign.window_start,
        window_end=campaign.window_end, booth_confirmation=campaign.booth_confirmation,
        booths_per_business=campaign.booths_per_business, locality_code=campaign.locality_code,
        scope_path=list(campaign.scope_path)), call, now, campaign.id)


def _ids(seat: domain.Seat) -> dict[str, str]:
    return {"seat_id": seat.id, "workshop_id": seat.workshop_id, "campaign_id": seat.campaign_id,
            "participant_id": seat.participant_id}


def seat_events(recorded: list[domain.SeatEvent], call: Call, now: datetime) -> list[Envelope]:
    """What a seat list recorded, as the contracts other services read, in the order it happened."""
    out: list[Envelope] = []
    for e in recorded:
        match e:
            case domain.SeatConfirmed(seat=seat, seat_number=number):
                made = event(contracts.SEAT_CONFIRMED, contracts.SeatConfirmed(**_ids(seat), seat_number=number),
                             call, now, seat.campaign_id)
            case domain.SeatWaitlisted(seat=seat, position=position):
                made = event(contracts.SEAT_WAITLISTED, contracts.SeatWaitlisted(**_ids(seat), position=position),
                             call, now, seat.campaign_id)
            case domain.SeatCancelled(seat=seat, reason=reason):
                made = event(contracts.SEAT_CANCELLED, contracts.SeatCancelled(**_ids(seat), reason=reason),
                             call, now, seat.campaign_id)
            case domain.SeatPromoted(seat=seat, seat_number=number):
                made = event(contracts.SEAT_PROMOTED, contracts.SeatPromoted(**_ids(seat), seat_number=number),
                             call, now, seat.campaign_id)
        out.append(made)
    return out


def placement_events(recorded: list[banners.Planned | banners.Moved], call: Call, now: datetime) -> list[Envelope]:
    out: list[Envelope] = []
    for e in recorded:
        p = e.placement
        match e:
            case banners.Planned(site_name=site_name):
                made = event(contracts.BANNER_PLACEMENT_PLANNED, contracts.BannerPlacementPlanned(
                    placement_id=p.id, campaign_id=p.campaign_id, site_id=p.site_id, site_name=site_name, spot=p.spot,
                    slogan=p.slogan, first_day=p.first_day, last_day=p.last_day), call, now, p.campaign_id)
            case banners.Moved(to=to, by=by, at=at):
                contract = (contracts.BANNER_PLACEMENT_INSTALLED if to is banners.PlacementStatus.INSTALLED
                            else contracts.BANNER_PLACEMENT_REMOVED)
                made = event(contract, contracts.BannerPlacementChanged(
                    placement_id=p.id, campaign_id=p.campaign_id, site_id=p.site_id, spot=p.spot, status=to.value,
                    by=by, at=at), call, now, p.campaign_id)
        out.append(made)
    return out


def _holders(holders: list[tuple[str, str]]) -> list[contracts.SeatHolder]:
    return [contracts.SeatHolder(participant_id=pid, seat_status=status) for pid, status in holders]  # type: ignore[arg-type]


def workshop_events(recorded: list[workshop.Scheduled | workshop.Rescheduled | workshop.Cancelled], call: Call,
                    now: datetime) -> list[Envelope]:
    out: list[Envelope] = []
    for e in recorded:
        w = e.workshop
        match e:
            case workshop.Scheduled():
                made = event(contracts.WORKSHOP_SCHEDULED, contracts.WorkshopScheduled(
                    workshop_id=w.id, campaign_id=w.campaign_id, title=w.title, kind=w.kind, room_id=w.room_id,
                    room_name=w.room_name, start=w.start, end=w.end, speakers=list(w.speakers), capacity=w.capacity,
                    audience=w.audience), call, now, w.campaign_id)
            case workshop.Rescheduled(previous_start=previous_start, previous_end=previous_end, holders=holders):
                made = event(contracts.WORKSHOP_RESCHEDULED, contracts.WorkshopRescheduled(
                    workshop_id=w.id, campaign_id=w.campaign_id, title=w.title, room_id=w.room_id,
                    room_name=w.room_name, previous_start=previous_start, previous_end=previous_end, start=w.start,
                    end=w.end, holders=_holders(holders)), call, now, w.campaign_id)
            case workshop.Cancelled(holders=holders):
                made = event(contracts.WORKSHOP_CANCELLED, contracts.WorkshopCancelled(
                    workshop_id=w.id, campaign_id=w.campaign_id, title=w.title, start=w.start, end=w.end,
                    reason=w.cancel_reason or "", holders=_holders(holders)), call, now, w.campaign_id)
        out.append(made)
    return out
