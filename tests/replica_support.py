"""Two replicas of registration and of events on the same databases and NATS (PostgreSQL for the
race tests: SQLite's single writer hides races), in-process behind real HTTP on their own ports."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.events.app import create_app as events_app
from services.registration.app import create_app as registration_app
from shared.platform.clock import FixedClock
from shared.platform.config import Settings
from tests.registration_support import BEFORE_CAMPAIGN, CAMPAIGN_ID, DAY, bearer, business_body, participant_body
from tests.support import ORGANIZER, TEST_ISSUER, RunningService, eventually, participants_known, serve_in_process


@dataclass
class Replicas:
    registration: list[RunningService]
    events: list[RunningService]
    _turn: Any = field(default_factory=itertools.count)

    def reg(self, i: int | None = None) -> httpx.AsyncClient:
        """A registration replica's client: the i-th, or the next one in turn."""
        n = next(self._turn) if i is None else i
        return self.registration[n % len(self.registration)].client

    def ev(self, i: int | None = None) -> httpx.AsyncClient:
        n = next(self._turn) if i is None else i
        return self.events[n % len(self.events)].client

    async def register_business(self, tax_code: str) -> tuple[str, str]:
        """(its id, an access token of the person signed in with its email, which is its own)."""
        body = business_body(tax_code, email=f"lienhe.{tax_code}@songtra.vn")
        r = await self.reg().post(f"/campaigns/{CAMPAIGN_ID}/businesses", json=body)
        assert r.status_code == 201, r.text
        return r.json()["business"]["id"], TEST_ISSUER.person(body["email"])

    async def define_venue(self, codes: list[str], name: str = "Khu trưng bày") -> None:
        body = {"name": name, "address": "TP. Quảng Ngãi",
                "booths": [{"code": c, "size": "3x3 m", "days": [DAY]} for c in codes]}
        r = await self.reg().post(f"/campaigns/{CAMPAIGN_ID}/venues", json=body, headers=ORGANIZER)
        assert r.status_code == 201, r.text

    async def apply(self, business_id: str, token: str, **extra: Any) -> dict[str, Any]:
        r = await self.reg().post(f"/businesses/{business_id}/applications", json={"days": [DAY], **extra},
                                  headers=bearer(token))
        assert r.status_code == 201, r.text
        return r.json()

    async def room(self, seats: int, name: str) -> str:
        r = await self.ev().post(f"/campaigns/{CAMPAIGN_ID}/rooms", json={"name": name, "seats": seats},
                                 headers=ORGANIZER)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def workshop(self, room_id: str, hour: int, capacity: int | None = None) -> str:
        body = {"title": f"Tập huấn kỹ năng số {hour}h", "kind": "training", "room_id": room_id,
                "start": f"2026-10-10T{hour:02d}:00:00+07:00", "end": f"2026-10-10T{hour:02d}:45:00+07:00",
                "speakers": [], **({"capacity": capacity} if capacity else {})}
        r = await self.ev().post(f"/campaigns/{CAMPAIGN_ID}/workshops", json=body, headers=ORGANIZER)
        assert r.status_code == 201, r.text
        return r.json()["workshop_id"]

    async def participants(self, n: int, prefix: str = "p") -> list[tuple[str, str]]:
        people = []
        for i in range(n):
            r = await self.reg().post(f"/campaigns/{CAMPAIGN_ID}/participants", json=participant_body(
                name=f"Người tham dự {prefix}{i}", email=f"{prefix}{i}@example.vn", phone=None, channels=["email"]))
            assert r.status_code == 201, r.text
            people.append((r.json()["participant"]["id"], TEST_ISSUER.person(f"{prefix}{i}@example.vn")))
        for events in self.events:  # each replica's database (one shared on PostgreSQL)
            await participants_known(events, [pid for pid, _ in people], timeout=60)
        return people


@asynccontextmanager
async def replicas(settings: Settings, *, booth_confirmation: str = "auto", n: int = 2) -> AsyncIterator[Replicas]:
    clock = FixedClock(BEFORE_CAMPAIGN)
    async with AsyncExitStack() as stack:
        events = [await stack.enter_async_context(serve_in_process(events_app(settings, clock=clock)))
                  for _ in range(n)]
        registration = [await stack.enter_async_context(serve_in_process(registration_app(settings, clock=clock)))
                        for _ in range(n)]
        body = {"campaign_id": CAMPAIGN_ID, "year": 2026, "theme": "Chuyển đổi số vì người dân",
                "organizer": "Sở KH&CN Quảng Ngãi", "locality": "Quảng Ngãi",
                "booth_confirmation": booth_confirmation}
        assert (await events[0].client.post("/campaigns", json=body, headers=ORGANIZER)).status_code == 201

        async def known() -> bool:
            return all([(await r.client.get(f"/campaigns/{CAMPAIGN_ID}")).status_code == 200 for r in registration])
        await eventually(known, what="campaign known to every registration replica")
        yield Replicas(registration, events)
