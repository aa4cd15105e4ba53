"""A model-based concurrency test: a seeded random schedule of every booth and seat command, sent by
many concurrent clients over HTTP and NATS request-reply to two replicas of registration and of
events, on PostgreSQL (where races show) and on SQLite. After the run the invariants are checked on
the databases and on what the outboxes publish — the invariant is the test, not the count of 2xx.

Invariants: no application holds more booths a day than its quantity; no cancelled or rejected
application holds a booth; no confirmed seat in a cancelled workshop; confirmed seats ≤ capacity with
distinct numbers inside it; every state an application or seat is in was reached by exactly one
outcome event (the events replayed give the stored status, no transition twice); every booth outcome
gets exactly one notice; nothing answers 5xx.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
from collections import Counter, defaultdict
from typing import Any

import nats
import pytest
import sqlalchemy as sa

from services.events.adapters.orm import seats as seat_rows
from services.events.adapters.orm import workshops as workshop_rows
from services.notifications.adapters.orm import notifications
from services.notifications.app import create_app as notifications_app
from services.registration.adapters.orm import booth_allocations, booth_applications
from shared.platform.clock import FixedClock
from shared.platform.config import Settings
from shared.platform.db import create_engine, outbox_table
from tests.registration_support import BEFORE_CAMPAIGN, DAY, bearer, valid_tax_codes
from tests.replica_support import Replicas, replicas
from tests.support import ORGANIZER, eventually, serve_in_process

pytestmark = pytest.mark.slow
ROUNDS, CLIENTS = 14, 12
BOOTH_OUTCOMES = ("confirmed", "waitlisted", "rejected", "cancelled", "promoted")


class Schedule:
    """What the clients know (ids from replies) and the commands they send, chosen by a seeded RNG."""

    def __init__(self, rs: Replicas, nc: Any, rng: random.Random, businesses: list[tuple[str, str]],
                 people: list[tuple[str, str]], workshops: list[str]) -> None:
        self.rs, self.nc, self.rng = rs, nc, rng
        self.businesses, self.people, self.workshops = businesses, people, workshops
        self.applications: list[tuple[str, str]] = []  # (application id, business token)
        self.seats: list[tuple[str, str]] = []  # (seat id, participant token)
        self.answers: Counter[str] = Counter()
        self.server_errors: list[str] = []

    async def rpc(self, subject: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        """The caller is who its access token says, as on HTTP."""
        reply = await self.nc.request(subject, json.dumps({"args": args, "access_token": token}).encode(), timeout=30)
        return json.loads(reply.data)

    def _http(self, name: str, r: Any) -> Any:
        self.answers[f"{name}:{r.status_code}"] += 1
        if r.status_code >= 500:
            self.server_errors.append(f"{name}: {r.status_code} {r.text[:200]}")
        return r.json() if r.status_code < 300 else None

    def _nats(self, name: str, reply: dict[str, Any]) -> Any:
        code = "ok" if reply["ok"] else reply["error"]["code"]
        self.answers[f"{name}:rpc:{code}"] += 1
        if code in ("internal_error", "database_unavailable"):
            self.server_errors.append(f"{name}: {reply}")
        return reply.get("result")

    async def submit(self) -> None:
        business, token = self.rng.choice(self.businesses)
        quantity = self.rng.choice([1, 1, 2])
        if self.rng.random() < 0.5:
            found = self._http("submit", await self.rs.reg().post(
                f"/businesses/{business}/applications", json={"days": [DAY], "quantity": quantity},
                headers=bearer(token)))
        else:
            found = self._nats("submit", await self.rpc("rpc.registration.booth_application.submit", {
                "business_id": business, "days": [DAY], "quantity": quantity}, token))
        if found:
            self.applications.append((found["application_id"], token))

    async def decide(self) -> None:
        if not self.applications:
            return await self.submit()
        application, token = self.rng.choice(self.applications)
        action = self.rng.choice(["approve", "approve", "reject", "cancel", "cancel_rpc"])
        if action == "cancel_rpc":
            self._nats("cancel", await self.rpc("rpc.registration.booth_application.cancel",
                                                {"application_id": application}, token))
            return
        body = {"reason": "Không phù hợp chủ đề"} if action == "reject" else None
        self._http(action, await self.rs.reg().post(f"/applications/{application}/{action}", json=body,
                                                    headers=ORGANIZER if action != "cancel" else bearer(token)))

    async def reserve(self) -> None:
        person, token = self.rng.choice(self.people)
        workshop = self.rng.choice(self.workshops)
        if self.rng.random() < 0.5:
            found = self._http("reserve", await self.rs.ev().post(f"/workshops/{workshop}/seats",
                                                                   headers=bearer(token)))
        else:
            found = self._nats("reserve", await self.rpc("rpc.events.seat.reserve", {"workshop_id": workshop}, token))
        if found:
            self.seats.append((found["seat_id"], token))

    async def give_up_seat(self) -> None:
        if not self.seats:
            return await self.reserve()
        seat, token = self.rng.choice(self.seats)
        if self.rng.random() < 0.5:
            self._http("cancel_seat", await self.rs.ev().post(f"/seats/{seat}/cancel", headers=bearer(token)))
        else:
            self._nats("cancel_seat", await self.rpc("rpc.events.seat.cancel", {"seat_id": seat}, token))

    async def organise(self) -> None:
        workshop = self.rng.choice(self.workshops)
        roll = self.rng.random()
        if roll < 0.45:
            self._http("capacity", await self.rs.ev().put(f"/workshops/{workshop}/capacity", headers=ORGANIZER,
                                                          json={"capacity": self.rng.randint(2, 6)}))
        elif roll < 0.9:
            when = f"2026-10-0{self.rng.randint(1, 9)}T{self.rng.choice([8, 9, 14, 15]):02d}"
            self._http("reschedule", await self.rs.ev().post(
                f"/workshops/{workshop}/reschedule", headers=ORGANIZER,
                json={"start": f"{when}:00:00+07:00", "end": f"{when}:45:00+07:00"}))
        else:
            self._http("cancel_workshop", await self.rs.ev().post(f"/workshops/{workshop}/cancel",
                                                                  headers=ORGANIZER, json={"reason": "Hoãn"}))

    async def one(self) -> None:
        await self.rng.choices([self.submit, self.decide, self.reserve, self.give_up_seat, self.organise],
                               weights=[3, 4, 4, 3, 1])[0]()


async def outbox(settings: Settings, service: str) -> list[tuple[str, dict[str, Any]]]:
    """What the service's relays publish, in commit order: (subject, payload)."""
    engine = create_engine(settings.db_url_of(service))
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(sa.select(outbox_table.c.subject, outbox_table.c.body)
                                      .order_by(outbox_table.c.position))
            return [(s, json.loads(b)["payload"]) for s, b in rows.all()]
    finally:
        await engine.dispose()


async def rows(settings: Settings, service: str, query: sa.Select) -> list[Any]:
    engine = create_engine(settings.db_url_of(service))
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(query)).mappings().all())
    finally:
        await engine.dispose()


def replay(events: list[tuple[str, str]], allowed: dict[str | None, set[str]]) -> str | None:
    """The state the outcome events lead to; every step must be a transition from the state before."""
    state: str | None = None
    for subject, _ in events:
        outcome = subject.rsplit(".", 1)[1]
        assert outcome in allowed.get(state, set()), f"{state} -> {outcome} in {events}"
        state = outcome
    return state


# approval mode: submitted = pending until the organizer decides; promoted = confirmed from the waitlist
BOOTH_MOVES: dict[str | None, set[str]] = {
    None: {"submitted"}, "submitted": {"confirmed", "waitlisted", "rejected", "cancelled"},
    "confirmed": {"cancelled", "rejected"}, "promoted": {"cancelled", "rejected"},
    "waitlisted": {"reopened", "cancelled", "rejected"},  # approval mode: a freed booth reopens, never confirms
    "reopened": {"confirmed", "waitlisted", "rejected", "cancelled"},
}
BOOTH_STORED = {"submitted": "pending", "reopened": "pending", "promoted": "confirmed"}
SEAT_MOVES: dict[str | None, set[str]] = {
    None: {"confirmed", "waitlisted"}, "confirmed": {"cancelled"}, "promoted": {"cancelled"},
    "waitlisted": {"promoted", "cancelled"}, "cancelled": {"confirmed", "waitlisted"},  # reserved again
}


@pytest.mark.parametrize("seed", [20261010])
async def test_a_random_schedule_of_every_command_on_two_replicas_keeps_every_invariant(settings: Settings,
                                                                                        seed: int):
    rng = random.Random(seed)
    async with replicas(settings, booth_confirmation="approval") as rs, serve_in_process(
            notifications_app(settings, clock=FixedClock(BEFORE_CAMPAIGN))):
        await rs.define_venue(["A01", "A02", "A03", "A04"])
        businesses = [await rs.register_business(t) for t in valid_tax_codes(6, start=30_000_000)]
        people = await rs.participants(12)
        room = await rs.room(40, "Hội trường lớn")
        workshops = [await rs.workshop(room, hour, capacity=3) for hour in (8, 10, 13)]
        nc = await nats.connect(settings.nats_url)
        try:
            schedule = Schedule(rs, nc, rng, businesses, people, workshops)
            for _ in range(ROUNDS):
                await asyncio.gather(*(schedule.one() for _ in range(CLIENTS)))
        finally:
            await nc.close()
        assert schedule.server_errors == [], schedule.server_errors
        assert schedule.answers["approve:200"] and schedule.answers["reserve:201"], schedule.answers

        # --- registration: booths -------------------------------------------------------------
        apps = {a["id"]: a for a in await rows(settings, "registration", sa.select(booth_applications))}
        held = Counter((r["application_id"], r["day"]) for r in await rows(
            settings, "registration", sa.select(booth_allocations)))
        for (application, _day), n in held.items():
            assert n <= apps[application]["quantity"], f"{application} holds {n} booths"
            assert apps[application]["status"] == "confirmed", f"a {apps[application]['status']} holds a booth"
        for application, row in apps.items():
            if row["status"] == "confirmed":
                assert held[(application, dt.date.fromisoformat(DAY))] == row["quantity"], f"{application}: {held}"
        published = await outbox(settings, "registration")
        by_application: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for subject, payload in published:
            if subject.startswith("registration.booth_application."):
                by_application[payload["application_id"]].append((subject, payload["application_id"]))
        for application, events in by_application.items():
            state = replay(events, BOOTH_MOVES)
            stored = apps[application]["status"]
            expect = BOOTH_STORED.get(state or "", state)
            assert expect == stored, f"{application}: events say {state}, the database {stored}"
        assert set(by_application) == set(apps)

        # --- events: seats ---------------------------------------------------------------------
        ws = {w["id"]: w for w in await rows(settings, "events", sa.select(workshop_rows))}
        all_seats = await rows(settings, "events", sa.select(seat_rows))
        for workshop, w in ws.items():
            confirmed = [s for s in all_seats if s["workshop_id"] == workshop and s["status"] == "confirmed"]
            if w["status"] == "cancelled":
                assert confirmed == [], f"confirmed seats in cancelled {workshop}"
            numbers = [s["seat_number"] for s in confirmed]
            assert len(numbers) == len(set(numbers)) and all(1 <= n <= w["capacity"] for n in numbers), numbers
        seat_events: dict[str, list[tuple[str, str]]] = defaultdict(list)
        cancelled_with: dict[str, set[str]] = defaultdict(set)
        for subject, payload in await outbox(settings, "events"):
            if subject.startswith("events.seat."):
                seat_events[payload["seat_id"]].append((subject, payload["seat_id"]))
            elif subject == "events.workshop.cancelled":
                cancelled_with[payload["workshop_id"]] |= {h["participant_id"] for h in payload["holders"]}
        for s in all_seats:
            state = replay(seat_events[s["id"]], SEAT_MOVES)
            expect = {"promoted": "confirmed"}.get(state or "", state)
            if ws[s["workshop_id"]]["status"] == "cancelled" and s["participant_id"] in cancelled_with[
                    s["workshop_id"]]:
                expect = "cancelled"  # the workshop's cancellation freed it, named in that one event
            assert expect == s["status"], f"seat {s['id']}: events say {state}, the database {s['status']}"

        # --- notifications: one notice per booth outcome -------------------------
        outcome_ids = await _outcome_event_ids(settings)

        async def planned() -> Counter[str] | None:
            found = Counter(r["cause_event_id"] for r in await rows(settings, "notifications", sa.select(
                notifications.c.cause_event_id, notifications.c.channel)))
            return found if all(found[e] >= 1 for e in outcome_ids) else None
        try:
            found = await eventually(planned, timeout=90, what="a notice for every booth outcome")
        except AssertionError:
            found = Counter(r["cause_event_id"] for r in await rows(settings, "notifications", sa.select(
                notifications.c.cause_event_id)))
            raise AssertionError(f"notices per booth outcome: {Counter(found[e] for e in outcome_ids)}") from None
        # one notice each, on the business's first channel (the next one only if that one fails)
        assert outcome_ids and all(found[e] == 1 for e in outcome_ids), Counter(found[e] for e in outcome_ids)


async def _outcome_event_ids(settings: Settings) -> list[str]:
    subjects = [f"registration.booth_application.{o}" for o in BOOTH_OUTCOMES]
    return [r["event_id"] for r in await rows(settings, "registration", sa.select(outbox_table.c.event_id).where(
        outbox_table.c.subject.in_(subjects)))]
