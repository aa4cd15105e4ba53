"""A real SMTP server (aiosmtpd), a real HTTP SMS gateway / webhook receiver, and event publishing."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import nats
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request, Response
from pydantic import BaseModel

from services.notifications.adapters.channels import verify
from shared.contracts import events as ev
from shared.contracts import registration as rg
from shared.contracts.envelope import Actor, Envelope, EventContract, make_envelope
from tests.support import free_port, serve_in_process

VN = dt.timezone(dt.timedelta(hours=7))
CAMPAIGN = "quang-ngai-2026"
WINDOW = (dt.datetime(2026, 10, 1, tzinfo=VN), dt.datetime(2026, 10, 10, 23, 59, 59, tzinfo=VN))


class Mailbox:
    """aiosmtpd handler: every message received, parsed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.connections = 0  # greetings (EHLO/HELO): one per connection

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]  # noqa: N802
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


@asynccontextmanager
async def smtp_server() -> AsyncIterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@dataclass
class Gateway:
    """An HTTP SMS gateway and webhook receiver whose answers a test scripts."""

    fail_first: int = 0
    always_fail: bool = False
    secret: str = "webhook-secret"
    sms: list[dict[str, Any]] = field(default_factory=list)  # delivered: one per idempotency key
    sms_attempts: list[str] = field(default_factory=list)  # every request's idempotency key
    delivered_keys: set[str] = field(default_factory=set)
    hooks: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/sms")
        async def sms(request: Request) -> Response:
            body = await request.json()
            key = request.headers.get("idempotency-key", "")
            self.sms_attempts.append(key)
            if self.always_fail or len(self.sms_attempts) <= self.fail_first:
                return Response("gateway overloaded", status_code=500)
            if key and key in self.delivered_keys:  # as real gateways do: a repeated key is not sent again
                return Response('{"status":"duplicate"}', media_type="application/json")
            self.delivered_keys.add(key)
            self.sms.append(body)
            return Response('{"status":"queued"}', media_type="application/json")

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            self.hooks.append((dict(request.headers), await request.body()))
            return Response(status_code=204)

        return app

    def verified(self, headers: dict[str, str], body: bytes) -> bool:
        return verify(self.secret, headers["x-dxday-timestamp"], body, headers["x-dxday-signature"])


@asynccontextmanager
async def gateway_server(gateway: Gateway) -> AsyncIterator[str]:
    async with serve_in_process(gateway.app()) as running:
        yield running.url


def envelope(contract: EventContract[Any], payload: BaseModel, at: dt.datetime, **kw: Any) -> Envelope:
    return make_envelope(contract, payload, producer=contract.subject.split(".")[0], actor=Actor(kind="system"),
                         occurred_at=at, campaign_id=kw.pop("campaign_id", CAMPAIGN), **kw)


async def publish(nats_url: str, envelopes: list[Envelope]) -> None:
    """Publish as the producers' outbox relays do (Nats-Msg-Id = event id), pipelined."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for i in range(0, len(envelopes), 250):
            await asyncio.gather(*(js.publish(e.type, e.model_dump_json().encode(),
                                              headers={"Nats-Msg-Id": e.event_id}, timeout=30)
                                   for e in envelopes[i:i + 250]))
    finally:
        await nc.close()


def campaign_created(at: dt.datetime) -> Envelope:
    return envelope(ev.CAMPAIGN_CREATED, ev.CampaignCreated(
        campaign_id=CAMPAIGN, year=2026, theme="Chuyển đổi số vì người dân", organizer="Sở KH&CN",
        locality="Quảng Ngãi", window_start=WINDOW[0], window_end=WINDOW[1]), at)


# What the registration service would answer about each person, for tests that publish its events
# themselves instead of running it (``contact_book`` answers from here).
BOOK: dict[str, dict[str, Any]] = {}


def participant(pid: str, at: dt.datetime, *, channels: list[str], email_addr: str | None = None,
                phone: str | None = None, language: str = "vi",
                purposes: tuple[str, ...] = ("service_notices", "reminders"), wants_digest: bool = False) -> Envelope:
    BOOK[pid] = {"id": pid, "kind": "participant", "name": f"Người {pid[:4]}", "email": email_addr, "phone": phone,
                 "reachable": True}
    return envelope(rg.PARTICIPANT_REGISTERED, rg.ParticipantRegistered(
        participant_id=pid, campaign_id=CAMPAIGN,
        locality=None, language=language, channels=channels, consent_purposes=list(purposes), consented_at=at,
        wants_digest=wants_digest), at)


def workshop(wid: str, start: dt.datetime, at: dt.datetime, title: str = "Hội thảo Chuyển đổi số") -> Envelope:
    return envelope(ev.WORKSHOP_SCHEDULED, ev.WorkshopScheduled(
        workshop_id=wid, campaign_id=CAMPAIGN, title=title, kind="seminar", room_id="r1",
        room_name="Hội trường A", start=start, end=start + dt.timedelta(hours=3), speakers=[], capacity=5000), at)


def seat(wid: str, pid: str, number: int, at: dt.datetime) -> Envelope:
    return envelope(ev.SEAT_CONFIRMED, ev.SeatConfirmed(
        seat_id=str(uuid.uuid4()), workshop_id=wid, campaign_id=CAMPAIGN, participant_id=pid,
        seat_number=number), at)


def rescheduled(wid: str, old: dt.datetime, new: dt.datetime, holders: list[str], at: dt.datetime) -> Envelope:
    return envelope(ev.WORKSHOP_RESCHEDULED, ev.WorkshopRescheduled(
        workshop_id=wid, campaign_id=CAMPAIGN, title="Hội thảo Chuyển đổi số", room_id="r1",
        room_name="Hội trường A", previous_start=old, previous_end=old + dt.timedelta(hours=3), start=new,
        end=new + dt.timedelta(hours=3),
        holders=[ev.SeatHolder(participant_id=p, seat_status="confirmed") for p in holders]), at)


BEFORE = dt.datetime(2026, 9, 20, 9, 0, tzinfo=VN)


def envelope_json() -> str:
    return campaign_created(BEFORE).model_dump_json()


def subscribed_subjects() -> list[str]:
    """Every subject the notifications service's consumers handle."""
    from services.notifications.application.handlers import Deps, Handlers
    from services.notifications.entrypoints.consumers import subscriptions

    handlers = Handlers(Deps(uow=lambda: None, clock=None, quiet={}, available=set(), texts=None,  # type: ignore[arg-type]
                             coalesce=dt.timedelta(0)))
    return sorted({c.subject for s in subscriptions(handlers) for c in s.handlers})


@asynccontextmanager
async def contact_book(nats_url: str) -> AsyncIterator[dict[str, dict[str, Any]]]:
    """Answers the contact-details request as the registration service does, from ``BOOK``."""
    nc = await nats.connect(nats_url)

    async def answer(msg: Any) -> None:
        ids = json.loads(msg.data)["args"]["ids"]
        found = [BOOK[i] for i in ids if i in BOOK]
        await msg.respond(json.dumps({"ok": True, "result": {"contacts": found}}).encode())

    async def tickets(msg: Any) -> None:  # as the events service does: every seat here is still confirmed
        ids = json.loads(msg.data)["args"]["seat_ids"]
        found = [{"seat_id": i, "token": f"seat:{i}.sig", "code": ticket_code(i)} for i in ids]
        await msg.respond(json.dumps({"ok": True, "result": {"tickets": found}}).encode())

    sub = await nc.subscribe(rg.CONTACT_DETAILS_RPC, queue="registration-rpc", cb=answer)
    office = await nc.subscribe(ev.SEAT_TICKETS_RPC, queue="events-rpc", cb=tickets)
    try:
        yield BOOK
    finally:
        await sub.unsubscribe()
        await office.unsubscribe()
        await nc.close()


def ticket_code(seat_id: str) -> str:
    """The check-in code ``contact_book`` gives a seat."""
    import hashlib

    digits = hashlib.sha256(seat_id.encode()).hexdigest().upper()[:10].replace("I", "1")
    return f"{digits[:5]}-{digits[5:]}"
