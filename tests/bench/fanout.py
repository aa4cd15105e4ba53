"""Fan-out: a workshop with many seat holders is moved by an hour; and event consumption.

Fan-out: the holders are loaded the way a restore would load them — their rows into the registration
database (its directory answers the notifications service from them) and into the notifications
service's own read model (contacts, the reminders that say who holds a seat) — then the workshop is
rescheduled over HTTP and the clock runs until every change notice is recorded as handed to the channel.

Consumption: the events the producers publish for new holders (``participant.registered``,
``seat.confirmed``) are put on the streams with their contracts, and the notifications service
consumes them through its handlers and inbox, planning a notice for each seat."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import nats
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from launcher.nats_auth import OPERATOR, embedded_passwords
from services.notifications.adapters.orm import contacts, reminders
from services.registration.adapters.orm import participants
from shared.contracts.envelope import SYSTEM, Envelope, make_envelope
from shared.contracts.events import SEAT_CONFIRMED, SeatConfirmed
from shared.contracts.registration import PARTICIPANT_REGISTERED, ParticipantRegistered
from tests.bench import YEAR

Say = Callable[[str], None]


async def _publish(js: Any, envelopes: list[Envelope], say: Say, what: str) -> None:
    for i in range(0, len(envelopes), 1_000):
        chunk = envelopes[i:i + 1_000]
        await asyncio.gather(*(js.publish(e.type, e.model_dump_json().encode(), headers={"Nats-Msg-Id": e.event_id})
                               for e in chunk))
        if (i // 1_000) % 20 == 0:
            say(f"  {what}: {i + len(chunk):,}/{len(envelopes):,} published")


async def registration_rows(stack: Any, campaign: str, ids: list[str], channel: str) -> None:
    now = dt.datetime.now(dt.UTC)
    engine = create_async_engine(stack.db_url("registration"))
    async with engine.begin() as conn:
        for i in range(0, len(ids), 5_000):
            await conn.execute(sa.insert(participants), [{
                "id": pid, "campaign_id": campaign, "name": f"Người tham dự {i + k}", "email": f"p{i + k}@example.vn",
                "phone": None, "locality": "Quảng Ngãi", "language": "vi", "channels": [channel],
                "consent_purposes": ["service_notices", "reminders"], "consent_text_version": "2026-01",
                "consented_at": now, "wants_digest": False, "opted_out_at": None, "erased_at": None,
                "created_at": now, "updated_at": now} for k, pid in enumerate(ids[i:i + 5_000])])
    await engine.dispose()


async def notification_rows(stack: Any, campaign: str, workshop_id: str, start: dt.datetime, ids: list[str],
                            channel: str) -> None:
    now = dt.datetime.now(dt.UTC)
    engine = create_async_engine(stack.db_url("notifications"))
    async with engine.begin() as conn:
        for i in range(0, len(ids), 5_000):
            chunk = ids[i:i + 5_000]
            await conn.execute(sa.insert(contacts), [{
                "contact_id": pid, "kind": "participant", "campaign_id": campaign, "language": "vi",
                "channels": [channel], "purposes": ["service_notices", "reminders"], "wants_digest": False,
                "opted_out": False, "erased": False, "updated_at": now} for pid in chunk])
            await conn.execute(sa.insert(reminders), [{
                "workshop_id": workshop_id, "participant_id": pid, "minutes_before": m, "campaign_id": campaign,
                "due_at": start - dt.timedelta(minutes=m), "status": "scheduled"}
                for pid in chunk for m in (24 * 60, 60)])
    await engine.dispose()


def new_holder_events(campaign: str, workshop_id: str, ids: list[str]) -> tuple[list[Envelope], list[Envelope]]:
    """What registration and events publish for new seat holders: sign-ups, then confirmed seats."""
    now = dt.datetime.now(dt.UTC)
    registered = [make_envelope(PARTICIPANT_REGISTERED, ParticipantRegistered(
        participant_id=pid, campaign_id=campaign, locality="Quảng Ngãi", language="vi", channels=["email"],
        consent_purposes=["service_notices", "reminders"], consented_at=now), producer="registration", actor=SYSTEM,
        occurred_at=now, campaign_id=campaign) for pid in ids]
    seats = [make_envelope(SEAT_CONFIRMED, SeatConfirmed(
        seat_id=str(uuid.uuid4()), workshop_id=workshop_id, campaign_id=campaign, participant_id=pid,
        seat_number=k + 1), producer="events", actor=SYSTEM, occurred_at=now, campaign_id=campaign)
        for k, pid in enumerate(ids)]
    return registered, seats


async def publish(stack: Any, envelopes: list[Envelope], say: Say, what: str) -> None:
    nc = await nats.connect(stack.nats_url, user=OPERATOR, password=embedded_passwords(stack.data_dir)[OPERATOR])
    await _publish(nc.jetstream(timeout=60), envelopes, say, what)
    await nc.close()


async def pending(stack: Any, consumers: list[tuple[str, str]]) -> int:
    nc = await nats.connect(stack.nats_url, user=OPERATOR, password=embedded_passwords(stack.data_dir)[OPERATOR])
    js = nc.jetstream()
    total = 0
    for stream, durable in consumers:
        info = await js.consumer_info(stream, durable)
        total += info.num_pending + info.num_ack_pending
    await nc.close()
    return total


class PeakRss:
    """Samples a service's resident memory every 100 ms on a thread."""

    def __init__(self, read: Callable[[], float]) -> None:
        self.read, self.peak, self._stop = read, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.read())
            time.sleep(0.1)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def count_sent(stack: Any, template: str, channel: str) -> int:
    engine = create_async_engine(stack.db_url("notifications"))
    async with engine.connect() as conn:
        n = (await conn.execute(sa.text(
            "SELECT count(*) FROM notifications WHERE template = :t AND channel = :c AND status = 'sent'"),
            {"t": template, "c": channel})).scalar_one()
    await engine.dispose()
    return int(n)


async def wait_for(probe: Callable[[], Any], target: int, say: Say, what: str, limit_s: float) -> float:
    started = time.perf_counter()
    last_said = 0.0
    while True:
        got = await probe()
        elapsed = time.perf_counter() - started
        if got >= target:
            return elapsed
        if elapsed - last_said >= 5:
            say(f"  {what}: {got:,}/{target:,} after {elapsed:.0f} s")
            last_said = elapsed
        if elapsed > limit_s:
            raise TimeoutError(f"{what}: {got:,}/{target:,} after {elapsed:.0f} s")
        await asyncio.sleep(0.2)


async def _workshop(http: httpx.AsyncClient, events: str, organizer: dict[str, str], campaign: str, name: str,
                    day: int) -> str:
    room = (await http.post(f"{events}/campaigns/{campaign}/rooms", headers=organizer,
                            json={"name": f"Trực tuyến {name}", "seats": 100_000})).json()
    workshop = (await http.post(f"{events}/campaigns/{campaign}/workshops", headers=organizer, json={
        "title": f"Hội thảo trực tuyến ({name})", "room_id": room["id"],
        "start": f"{YEAR}-10-{day:02d}T09:00:00+07:00", "end": f"{YEAR}-10-{day:02d}T11:00:00+07:00"}))
    workshop.raise_for_status()
    return str(workshop.json()["workshop_id"])


async def _known_to_notifications(stack: Any, workshop_id: str) -> int:
    engine = create_async_engine(stack.db_url("notifications"))
    async with engine.connect() as conn:
        n = (await conn.execute(sa.text("SELECT count(*) FROM workshops WHERE workshop_id = :w"),
                                {"w": workshop_id})).scalar_one()
    await engine.dispose()
    return int(n)


async def fan_out(stack: Any, organizer: dict[str, str], campaign: str, n: int, channel: str,
                  say: Say) -> dict[str, Any]:
    events = stack.url("events")
    day = 9 if channel == "file" else 8
    async with httpx.AsyncClient(timeout=120) as http:
        wid = await _workshop(http, events, organizer, campaign, channel, day)
        await wait_for(lambda: _known_to_notifications(stack, wid), 1, say, "workshop known to notifications", 60)
        say(f"fan-out ({channel}): loading {n:,} seat holders")
        ids = [str(uuid.uuid4()) for _ in range(n)]
        await registration_rows(stack, campaign, ids, channel)
        start = dt.datetime.fromisoformat(f"{YEAR}-10-{day:02d}T09:00:00+07:00")
        await notification_rows(stack, campaign, wid, start, ids, channel)
        say(f"fan-out ({channel}): rescheduling the workshop by one hour")
        with PeakRss(lambda: stack.rss_mb("notifications")) as rss:
            moved_at = time.perf_counter()
            r = await http.post(f"{events}/workshops/{wid}/reschedule", headers=organizer, json={
                "start": f"{YEAR}-10-{day:02d}T10:00:00+07:00", "end": f"{YEAR}-10-{day:02d}T12:00:00+07:00"})
            r.raise_for_status()
            await wait_for(lambda: count_sent(stack, "workshop_changed", channel), n, say, "change notices sent", 900)
            seconds = time.perf_counter() - moved_at
    return {"holders": n, "channel": channel, "seconds": seconds, "per_s": n / seconds, "peak_rss_mb": rss.peak}


async def consumption(stack: Any, organizer: dict[str, str], campaign: str, n: int, say: Say) -> dict[str, Any]:
    """``n`` new holders' two events each, through the notifications service's handlers and inbox."""
    async with httpx.AsyncClient(timeout=120) as http:
        wid = await _workshop(http, stack.url("events"), organizer, campaign, "consumption", 7)
    await wait_for(lambda: _known_to_notifications(stack, wid), 1, say, "workshop known to notifications", 60)
    registered, seats = new_holder_events(campaign, wid, [str(uuid.uuid4()) for _ in range(n)])
    say(f"consumption: {2 * n:,} events for {n:,} new seat holders")
    # One event type at a time, each phase timed from its first publish to its last ack: the figure
    # is the handlers' throughput, not the wait of seats that overtook their holder's sign-up (the two
    # streams are not ordered with each other; such seats are retried within seconds).
    phases = {}
    for what, envelopes, consumer in (
            ("participant.registered", registered, ("REGISTRATION", "notifications-registration")),
            ("seat.confirmed", seats, ("EVENTS", "notifications-events"))):
        before = await pending(stack, [consumer])
        started = time.perf_counter()
        await publish(stack, envelopes, say, what)

        async def consumed(before: int = before, consumer: tuple[str, str] = consumer) -> int:
            return before + n - await pending(stack, [consumer])

        await wait_for(consumed, n, say, f"{what} consumed by notifications", 900)
        phases[what] = time.perf_counter() - started
    seconds = sum(phases.values())
    return {"events": 2 * n, "seconds": seconds, "per_s": 2 * n / seconds,
            "per_type_per_s": {what: n / t for what, t in phases.items()}}
