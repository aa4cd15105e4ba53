"""A business (doanh nghiệp) as an aggregate: one per campaign and tax code, its public facts
(name, tax code, province, sector) told to the other services, its contact kept here. Pure: what
is already registered is read by the caller and passed in; time is passed in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from services.registration.domain.errors import DuplicateBusiness
from services.registration.locale import _


# --- domain events -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Registered:
    business: Business


@dataclass(frozen=True)
class ContactUpdated:
    business: Business


BusinessEvent = Registered | ContactUpdated


def already_registered(tax_code: str, existing_id: str | None = None) -> DuplicateBusiness:
    """A campaign knows a tax code once (the database's unique key is the last guarantee)."""
    details = {"existing_id": existing_id} if existing_id else {}
    return DuplicateBusiness(_("Tax code {tax_code} is already registered in this campaign", tax_code=tax_code),
                             field="tax_code", **details)


@dataclass(eq=False)
class Business:
    id: str
    campaign_id: str
    legal_name: str
    tax_code: str
    province: str
    sector: str
    contact_person: str
    email: str
    phone: str
    created_at: dt.datetime
    updated_at: dt.datetime
    events: list[BusinessEvent] = field(default_factory=list)

    @classmethod
    def register(cls, business_id: str, campaign_id: str, facts: dict[str, Any], *,
                 now: dt.datetime, registered_as: str | None) -> Business:
        """``registered_as``: the id of the business this campaign already has with that tax code, if any."""
        if registered_as is not None:
            raise already_registered(facts["tax_code"], registered_as)
        business = cls(business_id, campaign_id, facts["legal_name"], facts["tax_code"], facts["province"],
                       facts["sector"], facts["contact_person"], facts["email"], facts["phone"], now, now)
        business.events.append(Registered(business))
        return business

    def update_contact(self, contact_person: str, email: str, phone: str, now: dt.datetime) -> None:
        self.contact_person, self.email, self.phone, self.updated_at = contact_person, email, phone, now
        self.events.append(ContactUpdated(self))

    def move_to(self, contact_person: str, email: str, phone: str, now: dt.datetime) -> None:
        """The organizer gives the record to the right contact (a second claimant was the real one): the
        old contact holds it no more, and whoever signs in with the new contact holds it."""
        self.update_contact(contact_person, email, phone, now)

    def state(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "events"}
