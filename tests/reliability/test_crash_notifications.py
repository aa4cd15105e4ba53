"""Notification replicas dying and stalling while thousands of notices are going out.

- ``kill -9`` of the notifications service with 10,000 notices in flight; after a restart every
  recipient has exactly one.
- ``SIGSTOP`` of one of two replicas for longer than the ack wait and its claim, then ``SIGCONT``:
  the other replica takes over its messages and notices; nobody gets a notice twice.

The SMS gateway here honours ``Idempotency-Key`` as real gateways do; the requests it saw twice
(sent, then the sender died before recording it) are counted and printed: that is the window a
channel call and a database commit cannot close together."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from launcher.natsserver import NatsServer
from services.notifications.adapters.orm import contacts, notifications
from shared.platform.config import Settings
from shared.platform.db import create_engine
from tests.notification_support import (
    Gateway,
    campaign_created,
    contact_book,
    gateway_server,
    participant,
    publish,
    rescheduled,
    seat,
    workshop,
)
from tests.support import eventually, free_port, start_service_process, wait_process_ready

pytestmark = pytest.mark.slow
NOW = dt.datetime.now(dt.UTC)
START = NOW + dt.timedelta(days=3)


def phone(i: int) -> str:
    return f"+8491{i:07d}"


def start_notifications(settings: Settings, gateway_url: str, log: Path, name: str, **extra: str) -> tuple[
        subprocess.Popen[bytes], str]:
    port = free_port()
    proc = start_service_process(
        "notifications", settings, port, log, DXDAY_SMS_GATEWAY_URL=f"{gateway_url}/sms",
        DXDAY_CHANNEL_RATES="", DXDAY_QUIET_HOURS="", DXDAY_COALESCE_SECONDS="0", DXDAY_NOTIFY_TICK_SECONDS="0.2",
        DXDAY_INSTANCE_ID=name, **extra)
    return proc, f"http://127.0.0.1:{port}"


async def count(engine: Any, query: sa.Select) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


def sent(template: str) -> sa.Select:
    return sa.select(sa.func.count()).select_from(notifications).where(
        notifications.c.template == template, notifications.c.status == "sent")


async def fill_directory(settings: Settings, engine: Any, people: list[str]) -> None:
    await publish(settings.nats_url or "", [campaign_created(NOW), workshop("w1", START, NOW)]
                  + [participant(p, NOW, channels=["sms"], phone=phone(i)) for i, p in enumerate(people)])

    async def known() -> bool:
        return await count(engine, sa.select(sa.func.count()).select_from(contacts)) >= len(people)
    await eventually(known, timeout=180, what=f"{len(people)} participants in the directory")


async def each_once(engine: Any, gateway: Gateway, template: str, people: list[str]) -> int:
    """Every recipient has exactly one notice of ``template``; returns the repeated gateway requests."""
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(notifications.c.id, notifications.c.recipient_id, notifications.c.status)
                                   .where(notifications.c.template == template))).all()
    assert Counter(r.recipient_id for r in rows) == Counter(people)  # one notice per person
    assert {r.status for r in rows} == {"sent"}
    ids = {r.id for r in rows}
    keys = [k for k in gateway.sms_attempts if k in ids]
    assert set(keys) == ids  # each notice reached the gateway, under its own key
    delivered = [m for m in gateway.sms if m["id"] in ids]
    assert Counter(m["to"] for m in delivered) == Counter(phone(int(p[1:])) for p in people)  # one SMS each
    return len(keys) - len(ids)


async def test_kill_9_with_10000_notices_in_flight_leaves_each_recipient_one(
    sqlite_settings: Settings, nats: NatsServer, tmp_path: Path
):
    # SQLite, the embedded default; the replica test below runs on PostgreSQL
    settings = sqlite_settings
    people = [f"p{i:05d}" for i in range(10_000)]
    gateway = Gateway()
    engine = create_engine(settings.db_url_of("notifications"))
    async with gateway_server(gateway) as gateway_url, contact_book(settings.nats_url or ""):
        proc, url = start_notifications(settings, gateway_url, tmp_path / "n.log", "notifications-a")
        try:
            await wait_process_ready(url, proc)
            await fill_directory(settings, engine, people)
            await publish(settings.nats_url or "", [rescheduled("w1", START, START + dt.timedelta(hours=2),
                                                                people, NOW)])

            async def in_flight() -> bool:
                assert proc.poll() is None
                return len(gateway.sms_attempts) >= 2_000
            await eventually(in_flight, timeout=120, what="the first 2,000 notices going out")
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(10) == -signal.SIGKILL
            at_kill = len(gateway.sms_attempts)

            proc, url = start_notifications(settings, gateway_url, tmp_path / "n.log", "notifications-a")
            await wait_process_ready(url, proc)

            async def all_sent() -> bool:
                assert proc.poll() is None
                return await count(engine, sent("workshop_changed")) >= len(people)
            await eventually(all_sent, timeout=240, what="all 10,000 notices sent after the restart")
            repeated = await each_once(engine, gateway, "workshop_changed", people)
            assert len(gateway.delivered_keys) == len(people)
            print(f"\nkill -9 at {at_kill} requests: {repeated} request(s) repeated to the gateway "
                  f"(sent, not yet recorded), each under the same Idempotency-Key")
            assert repeated <= settings.notify_batch  # at most what one batch had in flight
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
            await engine.dispose()


async def test_a_stopped_replica_is_taken_over_and_nobody_is_told_twice(
    postgres_settings: Settings, nats: NatsServer, tmp_path: Path
):
    # Replicas share a server database: a stopped SQLite writer would hold the file's lock for all.
    settings = postgres_settings
    people = [f"p{i:05d}" for i in range(2_000)]
    gateway = Gateway()
    engine = create_engine(settings.db_url_of("notifications"))
    fast_takeover = {"DXDAY_NOTIFY_CLAIM_SECONDS": "25", "DXDAY_ACK_WAIT_SECONDS": "5"}
    async with gateway_server(gateway) as gateway_url, contact_book(settings.nats_url or ""):
        a, a_url = start_notifications(settings, gateway_url, tmp_path / "a.log", "replica-a", **fast_takeover)
        b, b_url = start_notifications(settings, gateway_url, tmp_path / "b.log", "replica-b", **fast_takeover)
        try:
            await asyncio.gather(wait_process_ready(a_url, a), wait_process_ready(b_url, b))
            await fill_directory(settings, engine, people)
            await publish(settings.nats_url or "", [rescheduled("w1", START, START + dt.timedelta(hours=2),
                                                                people, NOW)]
                          + [seat("w1", p, i + 1, NOW) for i, p in enumerate(people)])

            async def going_out() -> bool:
                return len(gateway.sms_attempts) >= 300
            await eventually(going_out, timeout=120, what="notices going out")
            a.send_signal(signal.SIGSTOP)  # mid-batch, holding claims and unacknowledged messages
            try:
                await asyncio.sleep(6)  # longer than the ack wait (5 s); then for as long as b needs (claims: 25 s)

                async def b_goes_on() -> bool:  # a's claims and unacknowledged messages pass to b
                    done = [await count(engine, sent(t)) for t in ("workshop_changed", "seat_confirmed")]
                    return done == [len(people), len(people)]
                await eventually(b_goes_on, timeout=120, what="replica b doing everything while a is stopped")
            finally:
                a.send_signal(signal.SIGCONT)

            await asyncio.sleep(3)  # a resumed replica would send what it had in hand now
            repeated = sum([await each_once(engine, gateway, t, people)
                            for t in ("workshop_changed", "seat_confirmed")])
            assert len(gateway.delivered_keys) == 2 * len(people)
            print(f"\nSIGSTOP of one replica: {repeated} request(s) repeated to the gateway under the same key")
            # At most one batch: sent, and the transaction recording it was still open when the replica
            # stopped (the server ends that session; the notices go out again, same key).
            assert repeated <= settings.notify_batch
        finally:
            for proc in (a, b):
                proc.send_signal(signal.SIGCONT)
                proc.send_signal(signal.SIGTERM)
                proc.wait(30)
            await engine.dispose()
