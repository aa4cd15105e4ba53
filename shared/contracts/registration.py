"""Contracts published by the registration service (businesses, booth applications, participants).

Events carry ids, never a name, email or phone number (Personal Data Protection Law 91/2025/QH15:
no copies of personal data in streams, other services' tables, or dead letters). The one service
that must reach people asks for their contact details when it sends, over request-reply
(``CONTACT_DETAILS_RPC``), and keeps none of them.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.envelope import event_contract
from shared.contracts.streams import rpc_subject

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


class BusinessContactUpdated(_Frozen):
    """The contact person, email or phone changed; the new ones are asked for when needed."""

    business_id: str
    campaign_id: str


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


class BoothApplicationReopened(_Frozen):
    """Approval campaigns: booths came free that could serve a waitlisted application; it waits for the
    organizer's decision again (pending), instead of being confirmed without one."""

    application_id: str
    business_id: str
    campaign_id: str


class ParticipantRegistered(_Frozen):
    participant_id: str
    campaign_id: str
    locality: str | None
    language: Language
    channels: list[Channel]
    consent_purposes: list[str]
    consented_at: dt.datetime
    wants_digest: bool = False


class ParticipantUpdated(_Frozen):
    participant_id: str
    campaign_id: str
    language: Language
    channels: list[Channel]
    locality: str | None
    wants_digest: bool
    # set when the purposes changed (e.g. promotions withdrawn by an SMS reply or one-click unsubscribe)
    consent_purposes: list[str] | None = None


class ParticipantOptedOut(_Frozen):
    participant_id: str
    campaign_id: str


class ParticipantErased(_Frozen):
    """Drop every copy of this participant's personal data."""

    participant_id: str
    campaign_id: str


class ContactsViewed(_Frozen):
    """Someone saw a list of people's contact details (personal data law 91/2025/QH15): who (the
    envelope's actor), which list, how many rows — never the rows."""

    campaign_id: str
    listing: Literal["businesses", "businesses.csv", "businesses.xlsx"]
    rows: int


BUSINESS_REGISTERED = event_contract(
    "registration.business.registered", 2, BusinessRegistered, "A business registered for a campaign"
)
BUSINESS_CONTACT_UPDATED = event_contract(
    "registration.business.contact_updated", 2, BusinessContactUpdated, "A business changed its contact"
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
BOOTH_APPLICATION_REOPENED = event_contract(
    "registration.booth_application.reopened", 1, BoothApplicationReopened,
    "A waitlisted application can be served again and waits for the organizer's approval",
)
PARTICIPANT_REGISTERED = event_contract(
    "registration.participant.registered", 2, ParticipantRegistered, "A participant signed up with consent"
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
CONTACTS_VIEWED = event_contract(
    "registration.contacts.viewed", 1, ContactsViewed, "Someone viewed or exported a list of contact details"
)


# --- request-reply: contact details, for the one service that sends to people --------------------
CONTACT_DETAILS_RPC = rpc_subject("registration", "contact_details.get")


class ContactDetailsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[str] = Field(min_length=1, max_length=1000, description="Business or participant ids")


class ContactDetails(_Frozen):
    id: str
    kind: Literal["business", "participant"]
    name: str | None
    email: str | None
    phone: str | None
    reachable: bool = Field(description="False once the person opted out or asked for erasure")
    promotions: bool = Field(default=True, description="Still consents to promotional messages")
    unsubscribe_url: str | None = Field(default=None, description="One-click unsubscribe from promotions (RFC 8058)")


class ContactDetailsReply(BaseModel):
    """Only ids the registration service knows appear; an erased participant appears unreachable."""

    contacts: list[ContactDetails]


# The records a signed-in person holds through the contacts it proved: asked with that person's own
# access token (the envelope's), so a service learns the holdings of its caller and of nobody else.
# The events service uses it for "my seats" and for a seat reserved by a signed-in person.
HOLDINGS_RPC = rpc_subject("registration", "holdings.mine")


class Holdings(_Frozen):
    businesses: list[str] = Field(default_factory=list, description="Business ids")
    participants: list[str] = Field(default_factory=list, description="Participant ids")
