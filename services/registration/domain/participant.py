"""A participant (người tham dự) as an aggregate: signed up with explicit consent (channels and
purposes), preferences changed only so that every chosen channel keeps its contact, promotions
withdrawn (one click, an SMS reply), opted out of every message once, erased for good (Law
91/2025/QH15: the personal fields are gone, the record stays as a number). Each transition refuses
what is not allowed and records a domain event. Pure: time is passed in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from services.registration.domain.errors import ParticipantNotFound, TransitionNotAllowed
from services.registration.locale import _

PERSONAL_FIELDS = ("name", "email", "phone", "locality")
PROMOTIONS = "promotions"
CHANGEABLE = ("name", "email", "phone", "locality", "language", "channels", "wants_digest")


# --- domain events -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Registered:
    participant: Participant


@dataclass(frozen=True)
class Updated:
    participant: Participant
    consent_changed: bool = False  # the purposes changed (a withdrawn promotion): the event says which remain


@dataclass(frozen=True)
class OptedOut:
    participant: Participant


@dataclass(frozen=True)
class Erased:
    participant: Participant


ParticipantEvent = Registered | Updated | OptedOut | Erased


def channels_without_contact(channels: list[str], email: str | None, phone: str | None) -> list[str]:
    """The chosen channels that have no address to reach the person by (each must have one)."""
    return [c for c in channels if (c == "email" and not email) or (c == "sms" and not phone)]


@dataclass(eq=False)
class Participant:
    id: str
    campaign_id: str
    name: str | None
    email: str | None
    phone: str | None
    locality: str | None
    language: str
    channels: list[str]
    consent_purposes: list[str]
    consent_text_version: str
    consented_at: dt.datetime
    wants_digest: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    opted_out_at: dt.datetime | None = None
    erased_at: dt.datetime | None = None
    events: list[ParticipantEvent] = field(default_factory=list)

    @classmethod
    def sign_up(cls, participant_id: str, campaign_id: str, *, name: str, email: str | None, phone: str | None,
                locality: str | None, language: str, channels: list[str], purposes: list[str], text_version: str,
                wants_digest: bool, now: dt.datetime) -> Participant:
        """Consent is explicit: the command made sure something was chosen (``RegisterParticipant``)."""
        person = cls(participant_id, campaign_id, name, email, phone, locality, language, list(channels),
                     list(purposes), text_version, now, wants_digest, now, now)
        person._refuse_channels_without_contact(person.channels, email, phone)
        person.events.append(Registered(person))
        return person

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    @property
    def reachable(self) -> bool:
        """Whether any message may still go to this person."""
        return self.opted_out_at is None and not self.erased

    @property
    def wants_promotions(self) -> bool:
        return PROMOTIONS in self.consent_purposes

    def require_present(self) -> None:
        """An erased person is nobody: the same 404 as a record that never was."""
        if self.erased:
            raise ParticipantNotFound()

    @staticmethod
    def _refuse_channels_without_contact(channels: list[str], email: str | None, phone: str | None) -> None:
        if channels_without_contact(channels, email, phone):
            raise TransitionNotAllowed(_("A chosen channel lacks its contact"), field="channels")

    def change(self, changes: dict[str, Any], now: dt.datetime) -> None:
        """New preferences or contact details; every chosen channel keeps an address."""
        self.require_present()
        merged = {k: changes.get(k, getattr(self, k)) for k in CHANGEABLE}
        self._refuse_channels_without_contact(merged["channels"], merged["email"], merged["phone"])
        for k, v in merged.items():
            setattr(self, k, v)
        self.updated_at = now
        self.events.append(Updated(self))

    def withdraw_promotions(self, now: dt.datetime) -> bool:
        """No more promotional messages; service notices go on. False when there was nothing to withdraw."""
        if self.erased or not self.wants_promotions:
            return False
        self.consent_purposes = [p for p in self.consent_purposes if p != PROMOTIONS]
        self.updated_at = now
        self.events.append(Updated(self, consent_changed=True))
        return True

    def opt_out(self, now: dt.datetime) -> bool:
        """No message at all from now on, those waiting included; once (a second opt-out changes nothing)."""
        self.require_present()
        if self.opted_out_at is not None:
            return False
        self.opted_out_at = self.updated_at = now
        self.events.append(OptedOut(self))
        return True

    def erase(self, now: dt.datetime) -> None:
        """The personal fields go for good; an erased person also receives nothing."""
        self.require_present()
        for name in PERSONAL_FIELDS:
            setattr(self, name, None)
        self.erased_at = self.updated_at = now
        self.opted_out_at = self.opted_out_at or now
        self.events.append(Erased(self))

    def state(self) -> dict[str, Any]:
        """Every stored field (what the repository writes)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "events"}
