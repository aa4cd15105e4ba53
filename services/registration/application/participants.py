"""Participants: sign up with explicit consent, change preferences, opt out, be erased."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid
from typing import Any

from services.registration.application.commands import RegisterParticipant, UpdateParticipant
from services.registration.application.context import Call, Deps, holder_or, known_campaign
from services.registration.application.ports import RegistrationStore, RegistrationUnitOfWork
from services.registration.application.publishing import participant_events
from services.registration.application.sign_ups import first_reply
from services.registration.domain.errors import AlreadySignedUp, ParticipantNotFound
from services.registration.domain.participant import Participant
from services.registration.locale import _
from shared.contracts.registration import (
    PARTICIPANT_REGISTERED,
    PARTICIPANT_UPDATED,
    ContactDetails,
    ContactDetailsReply,
)


def view(person: Participant | dict[str, Any]) -> dict[str, Any]:
    state = person.state() if isinstance(person, Participant) else person
    keys = ("id", "campaign_id", "name", "email", "phone", "locality", "language", "channels", "consent_purposes",
            "consent_text_version", "consented_at", "wants_digest", "opted_out_at", "erased_at", "created_at")
    return {k: state[k] for k in keys}


async def register_participant(deps: Deps, campaign_id: str, cmd: RegisterParticipant, call: Call,
                               idempotency_key: str | None = None) -> dict[str, Any]:
    """The participant signed up (a retry with the same Idempotency-Key gets the same one). Whoever signs
    in with its email or mobile number holds it."""
    now = deps.clock.now()
    participant_id = str(uuid.uuid4())
    async with deps.uow() as uow:
        repo = uow.records
        await known_campaign(repo, campaign_id)
        if first := await first_reply(repo, "participant", campaign_id, idempotency_key, cmd, participant_id, now):
            earlier = await repo.participant(first)
            assert earlier is not None  # the key's row goes with the person's erasure
            return view(earlier)
        person = Participant.sign_up(
            participant_id, campaign_id, name=cmd.name, email=cmd.email, phone=cmd.phone, locality=cmd.locality,
            language=cmd.language, channels=list(cmd.channels), purposes=list(cmd.consent.purposes),
            text_version=cmd.consent.text_version, wants_digest=cmd.wants_digest, now=now)
        taken = await repo.participant_with_contact(campaign_id, cmd.email, cmd.phone) is not None
        if taken or not await repo.add_participant(person):  # or signed up a moment ago on another replica
            refused = True
        else:
            refused = False
            uow.record(*participant_events(person.events, call, now))
            await uow.commit()
    if refused:
        deps.metrics.registered("participant", "duplicate")
        raise await _signed_up_already(deps, cmd)
    deps.metrics.registered("participant", "accepted")
    return view(person)


async def _signed_up_already(deps: Deps, cmd: RegisterParticipant) -> AlreadySignedUp:
    """One person per campaign and contact: no second record; a sign-in link goes to the contact given
    (it is the one the person signed up with), to see and change the sign-up and its seats."""
    contact = cmd.email or cmd.phone or ""
    sent = deps.sign_in_links is not None and await deps.sign_in_links.send(contact, cmd.language,
                                                                             f"{deps.public_url}/my")
    message = (_("You have signed up for this campaign already. A sign-in link went to {contact}: open it to see "
                 "your sign-up and your seats.", contact=contact) if sent else
               _("You have signed up for this campaign already with this email or mobile number."))
    return AlreadySignedUp(message, sign_in_link_sent=sent)


async def _for_decision(repo: RegistrationStore, participant_id: str, call: Call) -> Participant:
    """The person, row locked, when the caller is that person or an organizer where the campaign lies
    (else the same 404)."""
    person = await repo.participant_for_decision(participant_id)
    if person is None or person.erased:
        raise ParticipantNotFound()
    await holder_or(repo, call, "participant", participant_id, person.campaign_id)
    return person


async def get_participant(deps: Deps, participant_id: str, call: Call) -> dict[str, Any]:
    async with deps.uow() as uow:
        row = await uow.records.participant(participant_id)
        if row is None or row["erased_at"] is not None:
            raise ParticipantNotFound()
        await holder_or(uow.records, call, "participant", participant_id, row["campaign_id"])
    return view(row)


async def update_participant(deps: Deps, participant_id: str, cmd: UpdateParticipant, call: Call) -> dict[str, Any]:
    now = deps.clock.now()
    async with deps.uow() as uow:
        person = await _for_decision(uow.records, participant_id, call)
        person.change(cmd.model_dump(exclude_none=True), now)
        await _save(uow, person, call, now)
    return view(person)


async def opt_out(deps: Deps, participant_id: str, call: Call) -> dict[str, Any]:
    now = deps.clock.now()
    async with deps.uow() as uow:
        person = await _for_decision(uow.records, participant_id, call)
        if person.opt_out(now):
            await _save(uow, person, call, now)
    return view(person)


async def erase(deps: Deps, participant_id: str, call: Call) -> None:
    """Personal fields are removed for good; the erasure event tells the other services to drop theirs."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        person = await _for_decision(uow.records, participant_id, call)
        person.erase(now)
        await uow.records.forget_sign_up_keys(participant_id)  # a retried sign-up would find the person again
        # earlier events in our outbox carried the contact details: they go too
        await uow.forget_outbox([PARTICIPANT_REGISTERED.subject, PARTICIPANT_UPDATED.subject], participant_id)
        await _save(uow, person, call, now)
    if deps.scrub is not None:
        await deps.scrub()
    deps.metrics.registered("participant", "erased")


async def _save(uow: RegistrationUnitOfWork, person: Participant, call: Call, now: dt.datetime) -> None:
    if not await uow.records.save_participant(person):
        raise AlreadySignedUp(_("This email or mobile number belongs to another participant of the campaign"))
    uow.record(*participant_events(person.events, call, now))
    await uow.commit()


async def contact_details(deps: Deps, ids: list[str]) -> ContactDetailsReply:
    """For the notifications service, at send time: how to reach these people, and whether we still may."""
    async with deps.uow() as uow:
        found_b, found_p = await uow.records.contact_rows(ids)
    contacts = [ContactDetails(id=b["id"], kind="business", name=b["contact_person"], email=b["email"],
                               phone=b["phone"], reachable=True) for b in found_b]
    contacts += [ContactDetails(id=p["id"], kind="participant", name=p["name"], email=p["email"], phone=p["phone"],
                                reachable=p["opted_out_at"] is None and p["erased_at"] is None,
                                promotions="promotions" in (p["consent_purposes"] or []),
                                unsubscribe_url=f"{deps.public_url}/unsubscribe/{unsubscribe_token(deps, p['id'])}")
                 for p in found_p]
    return ContactDetailsReply(contacts=contacts)


def unsubscribe_token(deps: Deps, participant_id: str) -> str:
    mac = hmac.new(deps.unsubscribe_key, f"unsubscribe:{participant_id}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{participant_id}.{mac}"


def participant_of_unsubscribe_token(deps: Deps, token: str) -> str | None:
    participant_id, _sep, _mac = token.partition(".")
    if participant_id and hmac.compare_digest(unsubscribe_token(deps, participant_id).encode(), token.encode()):
        return participant_id
    return None


async def withdraw_promotions(deps: Deps, participant_ids: list[str], call: Call) -> int:
    """No more promotional messages for these people (one-click unsubscribe, an SMS reply "TU CHOI");
    service notices go on. Returns how many had consented to promotions."""
    now = deps.clock.now()
    changed = 0
    async with deps.uow() as uow:
        for participant_id in sorted(set(participant_ids)):  # rows locked in one order: no deadlock
            person = await uow.records.participant_for_decision(participant_id)
            if person is not None and person.withdraw_promotions(now):
                await uow.records.save_participant(person)
                uow.record(*participant_events(person.events, call, now))
                changed += 1
        await uow.commit()
    return changed


async def withdraw_promotions_by_sms(deps: Deps, phone: str, call: Call) -> int:
    """The SMS gateway's signed "TU CHOI" reply: the promotions of that phone's participants end."""
    async with deps.uow() as uow:
        people = await uow.records.participants_with_phone(phone)
    return await withdraw_promotions(deps, people, call)
