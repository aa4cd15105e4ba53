"""Business use cases: register once per campaign, read, update the contact, list, export."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from services.registration.application.commands import RegisterBusiness, UpdateBusinessContact
from services.registration.application.context import Call, Deps, campaign_for, holder_or, known_campaign
from services.registration.application.publishing import business_events, contacts_viewed
from services.registration.application.sign_ups import first_reply
from services.registration.domain.business import Business, already_registered
from services.registration.domain.errors import BusinessNotFound, DuplicateBusiness
from services.registration.locale import _
from shared.contracts.identity import Role
from shared.web.csv_export import to_csv, to_xlsx

PUBLIC_FIELDS = ("id", "campaign_id", "legal_name", "tax_code", "province", "sector", "contact_person", "email",
                 "phone", "created_at", "updated_at")


def public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in PUBLIC_FIELDS}


async def register_business(deps: Deps, campaign_id: str, cmd: RegisterBusiness, call: Call,
                            idempotency_key: str | None = None) -> dict[str, Any]:
    """The business registered (a retry with the same Idempotency-Key gets the same one). Whoever signs
    in with its email or mobile number holds it; nothing is handed out to keep."""
    now = deps.clock.now()
    business_id = str(uuid.uuid4())
    async with deps.uow() as uow:
        repo = uow.records
        await known_campaign(repo, campaign_id)
        if first := await first_reply(repo, "business", campaign_id, idempotency_key, cmd, business_id, now):
            earlier = await repo.business(first)
            assert earlier is not None
            return public(earlier)
        existing = await repo.business_by_tax_code(campaign_id, cmd.tax_code)
        try:
            business = Business.register(business_id, campaign_id, cmd.model_dump(), now=now,
                                         registered_as=existing["id"] if existing else None)
        except DuplicateBusiness as exc:
            deps.metrics.registered("business", "duplicate")
            assert existing is not None
            raise await _second_claimant(deps, exc, existing, "vi") from None
        if not await repo.add_business(business):  # the same tax code registered at the same moment
            deps.metrics.registered("business", "duplicate")
            raise already_registered(cmd.tax_code) from None
        uow.record(*business_events(business.events, call, now))
        await uow.commit()
    deps.metrics.registered("business", "accepted")
    return public(business.state())


async def _second_claimant(deps: Deps, refused: DuplicateBusiness, existing: dict[str, Any],
                           language: str) -> DuplicateBusiness:
    """The tax code is taken: a sign-in link goes to the contact the business registered with (the
    claimant learns no contact), and the answer says so, and whom to ask if that is not them."""
    sent = deps.sign_in_links is not None and await deps.sign_in_links.send(
        existing["email"], language, f"{deps.public_url}/my")
    message = (_("Tax code {tax_code} is already registered in this campaign. A sign-in link went to the email "
                 "it was registered with; if that is not yours, ask the campaign's organizer to move the record "
                 "to your contact.", tax_code=existing["tax_code"]) if sent else refused.message)
    return DuplicateBusiness(message, **refused.details, sign_in_link_sent=sent)


async def get_business(deps: Deps, business_id: str, call: Call) -> dict[str, Any]:
    async with deps.uow() as uow:
        row = await uow.records.business(business_id)
        if row is None:
            raise BusinessNotFound()
        await holder_or(uow.records, call, "business", business_id, row["campaign_id"])
    return public(row)


async def update_contact(deps: Deps, business_id: str, cmd: UpdateBusinessContact, call: Call) -> dict[str, Any]:
    now = deps.clock.now()
    async with deps.uow() as uow:
        business = await uow.records.business_for_decision(business_id)
        if business is None:
            raise BusinessNotFound()
        await holder_or(uow.records, call, "business", business_id, business.campaign_id)
        if call.holds("business", business_id):
            business.update_contact(cmd.contact_person, cmd.email, cmd.phone, now)
        else:  # an organizer moves the record to another contact: the old holder's access ends
            business.move_to(cmd.contact_person, cmd.email, cmd.phone, now)
        await uow.records.save_business(business)
        uow.record(*business_events(business.events, call, now))
        await uow.commit()
    return public(business.state())


async def list_businesses(deps: Deps, campaign_id: str, call: Call, *, listing: str | None = "businesses",
                          **filters: Any) -> tuple[list[dict], int]:
    """The businesses with their contact details, for an organizer where the campaign lies; the
    viewing is recorded (``registration.contacts.viewed``: who, which list, how many) unless only the
    names are shown (``listing=None``)."""
    async with deps.uow() as uow:
        await campaign_for(uow.records, call, campaign_id, Role.ORGANIZER)
        rows, total = await uow.records.list_businesses(campaign_id, **filters)
        if listing is not None:
            uow.record(contacts_viewed(call, deps.clock.now(), campaign_id, listing, len(rows)))
            await uow.commit()
    return [public(r) for r in rows], total


@dataclass(frozen=True)
class Reviewing:
    names: dict[str, str]  # business id -> legal name
    organizer: bool  # the caller also organizes the campaign: its businesses' contact details are shown to it


async def reviewing(deps: Deps, campaign_id: str, call: Call) -> Reviewing:
    """The businesses' legal names (public facts, no contact details), for whoever reviews the
    campaign's booth applications: its booth reviewers and organizers."""
    async with deps.uow() as uow:
        campaign = await campaign_for(uow.records, call, campaign_id, Role.BOOTH_REVIEWER)
        rows, _total = await uow.records.list_businesses(campaign_id, province=None, sector=None, q=None,
                                                         limit=500, offset=0)
    return Reviewing({r["id"]: r["legal_name"] for r in rows}, call.may(Role.ORGANIZER, campaign["scope_path"]))


async def export_businesses_csv(deps: Deps, campaign_id: str, call: Call) -> str:
    rows, _total = await list_businesses(deps, campaign_id, call, listing="businesses.csv", province=None,
                                         sector=None, q=None, limit=1_000_000, offset=0)
    return to_csv(PUBLIC_FIELDS, rows)


async def export_businesses_xlsx(deps: Deps, campaign_id: str, call: Call) -> bytes:
    rows, _total = await list_businesses(deps, campaign_id, call, listing="businesses.xlsx", province=None,
                                         sector=None, q=None, limit=1_000_000, offset=0)
    return to_xlsx(PUBLIC_FIELDS, rows, f"businesses {campaign_id}")
