"""The one place where the registration service's changes become integration events (contract
envelopes): the domain events of booth applications and participants, mapped here; and the envelope
every other change is recorded with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from services.registration.domain import booth_application as domain
from services.registration.domain import business as firms
from services.registration.domain import participant as people
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


def participant_events(recorded: list[people.ParticipantEvent], call: Call, now: datetime) -> list[Envelope]:
    """What participants recorded: no contact detail leaves in an event but the sign-up's channels."""
    out: list[Envelope] = []
    for e in recorded:
        p = e.participant
        match e:
            case people.Registered():
                envelope = event(contracts.PARTICIPANT_REGISTERED, contracts.ParticipantRegistered(
                    participant_id=p.id, campaign_id=p.campaign_id, locality=p.locality, language=p.language,
                    channels=list(p.channels), consent_purposes=list(p.consent_purposes),
                    consented_at=p.consented_at, wants_digest=p.wants_digest,
                ), call.signing_up("participant", p.id), now, p.campaign_id)
            case people.Updated(consent_changed=consent_changed):
                envelope = event(contracts.PARTICIPANT_UPDATED, contracts.ParticipantUpdated(
                    participant_id=p.id, campaign_id=p.campaign_id, language=p.language, channels=list(p.channels),
                    locality=p.locality, wants_digest=p.wants_digest,
                    **({"consent_purposes": list(p.consent_purposes)} if consent_changed else {}),
                ), call, now, p.campaign_id)
            case people.OptedOut():
                envelope = event(contracts.PARTICIPANT_OPTED_OUT, contracts.ParticipantOptedOut(
                    participant_id=p.id, campaign_id=p.campaign_id), call, now, p.campaign_id)
            case people.Erased():
                envelope = event(contracts.PARTICIPANT_ERASED, contracts.ParticipantErased(
                    participant_id=p.id, campaign_id=p.campaign_id), call, now, p.campaign_id)
        out.append(envelope)
    return out


def business_events(recorded: list[firms.BusinessEvent], call: Call, now: datetime) -> list[Envelope]:
    """Ids and the public facts of a business; its contact details stay here."""
    out: list[Envelope] = []
    for e in recorded:
        b = e.business
        match e:
            case firms.Registered():
                envelope = event(contracts.BUSINESS_REGISTERED, contracts.BusinessRegistered(
                    business_id=b.id, campaign_id=b.campaign_id, legal_name=b.legal_name, tax_code=b.tax_code,
                    province=b.province, sector=b.sector), call.signing_up("business", b.id), now, b.campaign_id)
            case firms.ContactUpdated():
                envelope = event(contracts.BUSINESS_CONTACT_UPDATED, contracts.BusinessContactUpdated(
                    business_id=b.id, campaign_id=b.campaign_id), call, now, b.campaign_id)
        out.append(envelope)
    return out


def contacts_viewed(call: Call, now: datetime, campaign_id: str, listing: str, rows: int) -> Envelope:
    """Viewing a list of contact details is itself recorded: who, which list, how many rows."""
    return event(contracts.CONTACTS_VIEWED, contracts.ContactsViewed(campaign_id=campaign_id, listing=listing,
                                                                     rows=rows), call, now, campaign_id)
