"""Commands of the registration service: the same models validate HTTP bodies and NATS requests."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import EmailStr, Field, field_validator, model_validator

from services.registration.domain import validation
from services.registration.locale import _
from shared.contracts.registration import Channel, Language
from shared.platform.commands import Command

ConsentPurpose = Literal["service_notices", "reminders", "digest", "promotions"]
CONSENT_TEXT_VERSION = "2026-01"


class _Command(Command):
    """Unknown fields refused, strings bounded, no control characters (see shared.platform.commands)."""


def _text(value: str) -> str:
    return validation.text(value)


class RegisterBusiness(_Command):
    legal_name: str = Field(min_length=2, max_length=300, examples=["Công ty Cổ phần Công nghệ Sông Trà"])
    tax_code: str = Field(description="10 digits, 13 as NNNNNNNNNN-NNN, or a 12-digit personal id",
                          examples=["0100233488"])
    province: str = Field(min_length=2, max_length=100, examples=["Quảng Ngãi"])
    sector: str = Field(min_length=2, max_length=200, examples=["Phần mềm"])
    contact_person: str = Field(min_length=2, max_length=200, examples=["Nguyễn Thị Lan"])
    email: EmailStr
    phone: str = Field(description="Vietnamese mobile; stored as +84...", examples=["0912 345 678"])

    _texts = field_validator("legal_name", "province", "sector", "contact_person")(_text)

    @field_validator("tax_code")
    @classmethod
    def _tax_code(cls, value: str) -> str:
        return validation.tax_code(value, dt.date.today().year)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return validation.mobile_phone(value)


class UpdateBusinessContact(_Command):
    contact_person: str = Field(min_length=2, max_length=200)
    email: EmailStr
    phone: str

    _texts = field_validator("contact_person")(_text)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return validation.mobile_phone(value)


class BoothSpec(_Command):
    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,19}$", examples=["A01"])
    size: str = Field(default="3x3 m", max_length=40)
    days: list[dt.date] = Field(min_length=1, max_length=31, description="Campaign days the booth is open")


class DefineVenue(_Command):
    name: str = Field(min_length=2, max_length=200, examples=["Khu trưng bày Quảng trường Phạm Văn Đồng"])
    address: str = Field(min_length=2, max_length=300)
    booths: list[BoothSpec] = Field(min_length=1, max_length=500)

    _texts = field_validator("name", "address")(_text)

    @model_validator(mode="after")
    def _unique_codes(self) -> DefineVenue:
        codes = [b.code for b in self.booths]
        if len(set(codes)) != len(codes):
            raise ValueError(_("Booth codes repeat"))
        return self


class ApplyForBooths(_Command):
    days: list[dt.date] = Field(min_length=1, max_length=31, examples=[["2026-10-09", "2026-10-10"]])
    quantity: int = Field(default=1, ge=1, le=20, description="Booths wanted on each day")
    booth_code: str | None = Field(default=None, description="A named booth instead of any free one")

    @field_validator("days")
    @classmethod
    def _distinct(cls, days: list[dt.date]) -> list[dt.date]:
        if len(set(days)) != len(days):
            raise ValueError(_("A day is listed twice"))
        return sorted(days)

    @model_validator(mode="after")
    def _named_booth_is_one(self) -> ApplyForBooths:
        if self.booth_code is not None and self.quantity != 1:
            raise ValueError(_("A named booth means quantity 1"))
        return self


class RejectApplication(_Command):
    reason: str = Field(min_length=3, max_length=500)


class Consent(_Command):
    accepted: bool = Field(description="The person ticked the consent box themselves")
    purposes: list[ConsentPurpose] = Field(min_length=1, max_length=4)
    text_version: str = CONSENT_TEXT_VERSION

    @field_validator("accepted")
    @classmethod
    def _must_accept(cls, accepted: bool) -> bool:
        if not accepted:
            raise ValueError(
                _("Explicit consent is required to be contacted")
            )
        return accepted


class RegisterParticipant(_Command):
    name: str = Field(min_length=2, max_length=200, examples=["Trần Văn Minh"])
    email: EmailStr | None = None
    phone: str | None = None
    locality: str | None = Field(default=None, max_length=200, examples=["Xã Tịnh Khê"])
    language: Language = "vi"
    channels: list[Channel] = Field(min_length=1, max_length=4, examples=[["email"]])
    consent: Consent
    wants_digest: bool = False

    _texts = field_validator("name")(_text)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return validation.mobile_phone(value) if value else None

    @classmethod
    def from_form(cls, values: dict[str, Any]) -> RegisterParticipant:
        """What a sign-up form gives: consent is given by ticking a channel and a purpose oneself (the
        page pre-ticks nothing); the digest is a purpose like the others."""
        purposes = list(values.get("purposes") or [])
        channels = list(values.get("channels") or [])
        return cls.model_validate({
            "name": values.get("name", ""), "email": values.get("email") or None,
            "phone": values.get("phone") or None, "locality": values.get("locality") or None,
            "language": values.get("language") or "vi", "channels": channels,
            "consent": {"accepted": bool(channels) and bool(purposes), "purposes": purposes},
            "wants_digest": "digest" in purposes})

    @model_validator(mode="after")
    def _reachable(self) -> RegisterParticipant:
        if "email" in self.channels and not self.email:
            raise ValueError(_("The email channel needs an email address"))
        if "sms" in self.channels and not self.phone:
            raise ValueError(_("The SMS channel needs a phone number"))
        return self


class UpdateParticipant(_Command):
    language: Language | None = None
    channels: list[Channel] | None = Field(default=None, min_length=1, max_length=4)
    locality: str | None = Field(default=None, max_length=200)
    wants_digest: bool | None = None
