"""The one place where the registration service's changes become integration events (contract
envelopes): the domain events of booth applications, mapped here; and the envelope every other change
is recorded with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from services.registration.domain import booth_application as domain
from services.registration.domain.booths import Allocation
from shared.contracts import registration as contracts
from shared.contracts.envelope import Envelope, EventContract, make_envelope
from shared.platform.calls import Call

SERVICE = "registration"


def event(contract: EventContract[Any], payload: BaseModel, call: Call, now: datetime, campaign_id: str) -> Envelope:
    return make_envelope(contract, payload, producer=SERVICE, actor=call.actor, occurred_at=now,
                         campaign_id=campaign_id, correlation_id=call.correlation_id)


def allocations(found: list[Allocation]) -> list[contracts.BoothAllocation]:
    return [contracts.BoothAllocation(booth_code=a.booth.code, venue_id=a.booth.venue_id, day=a.day) for a in found]


def _ids(app: domain.BoothApplication) -> dict[str, str]:
    return {"application_id": app.id, "business_id": app.business_id, "campaign_id": app.campaign_id}


def application_events(recorded: list[domain.ApplicationEvent], call: Call, now: datetime) -> list[Envelope]:
    """What applications recorded, as the contracts other services read, in the order it happened."""
    out: list[Envelope] = []
    for e in recorded:
        app = e.application
        match e:
            case domain.Submitted():
                contract, payload = contracts.BOOTH_APPLICATION_SUBMITTED, contracts.BoothApplicationSubmitted(
                    **_ids(app), days=app.days, quantity=app.quantity, booth_code=app.booth_code)
            case domain.Confirmed(allocations=found, approved_by_organizer=approved):
                contract, payload = contracts.BOOTH_APPLICATION_CONFIRMED, contracts.BoothApplicationConfirmed(
                    **_ids(app), allocations=allocations(found), approved_by_organizer=approved)
            case domain.Waitlisted(position=position, reason=reason):
                contract, payload = contracts.BOOTH_APPLICATION_WAITLISTED, contracts.BoothApplicationWaitlisted(
                    **_ids(app), position=position, reason=reason)
            case domain.Promoted(allocations=found):
                contract, payload = contracts.BOOTH_APPLICATION_PROMOTED, contracts.BoothApplicationPromoted(
                    **_ids(app), allocations=allocations(found))
            case domain.Reopened():
                contract, payload = contracts.BOOTH_APPLICATION_REOPENED, contracts.BoothApplicationReopened(
                    **_ids(app))
            case domain.Rejected(reason=reason):
                contract, payload = contracts.BOOTH_APPLICATION_REJECTED, contracts.BoothApplicationRejected(
                    **_ids(app), reason=reason)
            case domain.Cancelled(freed=freed, by_organizer=by_organizer):
                contract, payload = contracts.BOOTH_APPLICATION_CANCELLED, contracts.BoothApplicationCancelled(
                    **_ids(app), freed=allocations(freed), cancelled_by="organizer" if by_organizer else "business")
        out.append(event(contract, payload, call, now, app.campaign_id))
    return out
