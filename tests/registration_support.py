"""Shared setup for the registration tests: events + registration running, a campaign known to both."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from stdnum.vn import mst

from services.events.app import create_app as events_app
from services.registration.app import create_app as registration_app
from shared.platform.clock import FixedClock
from shared.platform.config import Settings
from tests.support import ORGANIZER, TEST_ISSUER, RunningService, eventually, serve_in_process

CAMPAIGN_ID = "quang-ngai-2026"
DAY = "2026-10-10"


def valid_tax_codes(n: int, start: int = 10_000_000) -> list[str]:
    codes: list[str] = []
    base = start
    while len(codes) < n:
        prefix = f"0{base:08d}"
        codes += [f"{prefix}{d}" for d in range(10) if mst.is_valid(f"{prefix}{d}")][:1]
        base += 1
    return codes


def business_body(tax_code: str, **overrides: Any) -> dict[str, Any]:
    return {
        "legal_name": "Công ty TNHH Giải pháp Số Sông Trà",
        "tax_code": tax_code,
        "province": "Quảng Ngãi",
        "sector": "Phần mềm",
        "contact_person": "Nguyễn Thị Lan",
        "email": "lan@songtra.vn",
        "phone": "0912 345 678",
        **overrides,
    }


def participant_body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Trần Văn Minh",
        "email": "minh@example.vn",
        "phone": "0987 654 321",
        "locality": "Xã Tịnh Khê",
        "language": "vi",
        "channels": ["email", "sms"],
        "consent": {"accepted": True, "purposes": ["service_notices", "reminders"]},
        **overrides,
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Stack:
    events: RunningService
    registration: RunningService

    @property
    def reg(self):  # type: ignore[no-untyped-def]
        return self.registration.client

    async def register_business(self, tax_code: str, **overrides: Any) -> tuple[str, str]:
        """(its id, an access token of the person signed in with the business's email): each business
        has an email of its own unless one is given."""
        body = business_body(tax_code, **{"email": f"lienhe.{tax_code}@songtra.vn", **overrides})
        r = await self.reg.post(f"/campaigns/{CAMPAIGN_ID}/businesses", json=body)
        assert r.status_code == 201, r.text
        return r.json()["business"]["id"], TEST_ISSUER.person(body["email"])

    async def define_venue(self, codes: list[str], days: list[str] | None = None) -> dict[str, Any]:
        body = {"name": "Khu trưng bày Quảng trường Phạm Văn Đồng", "address": "TP. Quảng Ngãi",
                "booths": [{"code": c, "size": "3x3 m", "days": days or [DAY]} for c in codes]}
        r = await self.reg.post(f"/campaigns/{CAMPAIGN_ID}/venues", json=body, headers=ORGANIZER)
        assert r.status_code == 201, r.text
        return r.json()

    async def apply(self, business_id: str, token: str, days: list[str] | None = None, **extra: Any):  # type: ignore[no-untyped-def]
        return await self.reg.post(f"/businesses/{business_id}/applications", json={"days": days or [DAY], **extra},
                                   headers=bearer(token))


# The tests live in the weeks before the 2026 campaign: workshops are still ahead.
BEFORE_CAMPAIGN = dt.datetime(2026, 9, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@asynccontextmanager
async def registration_stack(settings: Settings, *, booth_confirmation: str = "auto",
                             window: tuple[str, str] | None = None,
                             booths_per_business: int | None = None) -> AsyncIterator[Stack]:
    clock = FixedClock(BEFORE_CAMPAIGN)
    async with (
        serve_in_process(events_app(settings, clock=clock)) as events,
        serve_in_process(registration_app(settings, clock=clock)) as registration,
    ):
        body: dict[str, Any] = {
            "campaign_id": CAMPAIGN_ID, "year": 2026, "theme": "Chuyển đổi số vì người dân",
            "organizer": "Sở KH&CN Quảng Ngãi", "locality": "Quảng Ngãi", "booth_confirmation": booth_confirmation,
            "booths_per_business": booths_per_business,
        }
        if window:
            body["window_start"], body["window_end"] = window
        assert (await events.client.post("/campaigns", json=body, headers=ORGANIZER)).status_code == 201

        async def known() -> bool:
            return (await registration.client.get(f"/campaigns/{CAMPAIGN_ID}")).status_code == 200

        await eventually(known, what="campaign known to registration")
        yield Stack(events, registration)


def day(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


async def one_time_link(identity: RunningService, settings: Settings, *, role: str = "organizer", scope: str = "VN",
                        email: str = "ban.to.chuc@dxday.test") -> str:
    """A person with ``role`` at ``scope`` and a one-time sign-in link for it (as ``dxday up`` prints)."""
    from services.identity.application.sign_in import setup_sign_in_link
    from shared.contracts.identity import Role
    from shared.platform.clock import SystemClock

    return await setup_sign_in_link(identity.app.state.deps.uow, SystemClock(), settings.base_url_of("identity"),
                                    name="Ban tổ chức", email=email, role=Role(role), scope=scope)


@asynccontextmanager
async def board_session(settings: Settings, *, role: str = "organizer", scope: str = "VN",
                        email: str = "ban.to.chuc@dxday.test") -> AsyncIterator[tuple[RunningService, str]]:
    """The identity service running beside the others and a person with ``role`` at ``scope`` signed in
    with a one-time link: (identity, the session credential its cookie holds on the board pages)."""
    from services.identity.app import create_app as identity_app

    async with serve_in_process(identity_app(settings)) as identity:
        link = await one_time_link(identity, settings, role=role, scope=scope, email=email)
        signed = await identity.client.post("/sessions", json={"link": link.rsplit("/sign-in/", 1)[1]})
        assert signed.status_code == 201, signed.text
        yield identity, signed.json()["session"]
