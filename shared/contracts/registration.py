"""Contracts published by the registration service (businesses, booth applications, participants).

Contact details travel only where a consumer needs them to reach the person (the notifications
service's contact directory); an erasure event tells every consumer to drop its copy.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.envelope import event_contract

Language = Literal["vi", "en"]
Channel = Literal["email", "sms", "webhook", "file"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class BusinessRegistered(_Frozen):
    business_id: str
    campaign_id: str
    legal_name: str
    tax_code: str
    province: str
    sector: str
    contact_person: str
    email: str
    phone: str


class BusinessContactUpdated(_Frozen):
    business_id: str
    campaign_id: str
    contact_person: str
    email: str
    phone: str


class BoothAllocation(_Frozen):
    booth_code: str
    venue_id: str
    day: dt.date


class BoothApplicationSubmitted(_Frozen):
    application_id: str
    business_id: str
    campaign_id: str
    days: list[dt.date]
    quantity: int
    booth_code: str | None = None


class BoothApplicationConfirmed(_Frozen):
    application_id: str
    business_id: str
    campaign_id: str
    allocations: list[BoothAllocation]
    approved_by_organizer: bool = False


class BoothApplicationWaitlisted(_Frozen):
    application_id: str
    business_id: str
    campaign_id: str
    position: int = Field(ge=1)
    reason: str


class BoothApplicationRejected(_Frozen):
    application_id: str
    business_id: str
    campaign_id: str
    reason: str


class BoothApplicationCancelled(_Frozen):
    application_id: str
    business_id: str
    campaign_id: str
    freed: list[BoothAllocation]
    cancelled_by: Literal["business", "organizer"]


class BoothApplicationPromoted(_Frozen):
    application_id: str
    business_id: str
    campaign_id: str
    allocations: list[BoothAllocation]


class ParticipantRegistered(_Frozen):
    participant_id: str
    campaign_id: str
    name: str
    email: str | None
    phone: str | None
    locality: str | None
    language: Language
    channels: list[Channel]
    consent_purposes: list[str]
    consented_at: dt.datetime
    wants_digest: bool = False
    token_hash: str | None = Field(
        default=None, description="SHA-256 of the participant's access token, so other services can check it"
    )


class ParticipantUpdated(_Frozen):
    participant_id: str
    campaign_id: str
    language: Language
    channels: list[Channel]
    locality: str | None
    wants_digest: bool


class ParticipantOptedOut(_Frozen):
    participant_id: str
    campaign_id: str


class ParticipantErased(_Frozen):
    """Drop every copy of this participant's personal data."""

    participant_id: str
    campaign_id: str


BUSINESS_REGISTERED = event_contract(
    "registration.business.registered", 1, BusinessRegistered, "A business registered for a campaign"
)
BUSINESS_CONTACT_UPDATED = event_contract(
    "registration.business.contact_updated", 1, BusinessContactUpdated, "A business changed its contact"
)
BOOTH_APPLICATION_SUBMITTED = event_contract(
    "registration.booth_application.submitted", 1, BoothApplicationSubmitted, "A business applied for booths"
)
BOOTH_APPLICATION_CONFIRMED = event_contract(
    "registration.booth_application.confirmed", 1, BoothApplicationConfirmed, "Booths allocated to an application"
)
BOOTH_APPLICATION_WAITLISTED = event_contract(
    "registration.booth_application.waitlisted", 1, BoothApplicationWaitlisted, "No booth free: on the waitlist"
)
BOOTH_APPLICATION_REJECTED = event_contract(
    "registration.booth_application.rejected", 1, BoothApplicationRejected, "The organizer rejected an application"
)
BOOTH_APPLICATION_CANCELLED = event_contract(
    "registration.booth_application.cancelled", 1, BoothApplicationCancelled, "An application was cancelled"
)
BOOTH_APPLICATION_PROMOTED = event_contract(
    "registration.booth_application.promoted", 1, BoothApplicationPromoted, "A waitlisted application got booths"
)
PARTICIPANT_REGISTERED = event_contract(
    "registration.participant.registered", 1, ParticipantRegistered, "A participant signed up with consent"
)
PARTICIPANT_UPDATED = event_contract(
    "registration.participant.updated", 1, ParticipantUpdated, "A participant changed preferences"
)
PARTICIPANT_OPTED_OUT = event_contract(
    "registration.participant.opted_out", 1, ParticipantOptedOut, "A participant withdrew consent to be contacted"
)
PARTICIPANT_ERASED = event_contract(
    "registration.participant.erased", 1, ParticipantErased, "A participant's personal data must be erased"
)
