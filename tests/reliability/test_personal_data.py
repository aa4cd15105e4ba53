"""Personal data (Law 91/2025/QH15 on Personal Data Protection): after a whole campaign flow — a
business with a booth, participants with seats, a moved workshop, an opt-out and an erasure — no
email or phone number appears in any stream (events carry ids), log line, metric label, outbox,
inbox or dead letter, nor in the events or notifications databases; after erasure, the erased
person's name, email and phone are nowhere at all, registration included."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from nats.js.errors import NotFoundError

from launcher.natsserver import NatsServer
from services.notifications.adapters.orm import notifications
from services.notifications.app import create_app as notifications_app
from shared.contracts.streams import STREAMS
from shared.platform.config import Settings
from shared.platform.db import create_engine
from tests.registration_support import (
    CAMPAIGN_ID,
    bearer,
    participant_body,
    registration_stack,
    valid_tax_codes,
)
from tests.support import ORGANIZER, TEST_ISSUER, eventually, serve_in_process, stream_messages

pytestmark = pytest.mark.slow
PEOPLE = [("Lê Thị Hồng Nhung", "nhung.le@example.vn", "0912 000 111", "+84912000111"),
          ("Phạm Quốc Bảo", "bao.pham@example.vn", "0987 000 222", "+84987000222"),
          ("Võ Minh Tâm", "tam.vo@example.vn", "0903 000 333", "+84903000333")]
BUSINESS = ("Đặng Văn Khoa", "khoa@songtra-digital.vn", "0935 000 444", "+84935000444")


def secrets_of(person: tuple[str, str, str, str]) -> list[str]:
    name, email, phone, e164 = person
    return [email, phone, e164, e164.removeprefix("+"), "0" + e164.removeprefix("+84")]


async def dump_database(url: str) -> str:
    """Every row of every table, as text."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
            parts = []
            for name in names:
                rows = (await conn.execute(sa.text(f'SELECT * FROM "{name}"'))).all()
                parts.append(f"{name}: {rows!r}")
        return "\n".join(parts)
    finally:
        await engine.dispose()


async def dump_streams(nats_url: str) -> str:
    parts = []
    for spec in STREAMS:
        try:
            found = await stream_messages(nats_url, spec.name)
        except NotFoundError:  # a stream of a service this test does not run (identity)
            continue
        for m in found:
            parts.append(f"{m.subject} {m.headers} {m.data.decode(errors='replace')}")
    return "\n".join(parts)


async def test_no_contact_details_outside_registration_and_none_left_after_erasure(
    settings: Settings, nats: NatsServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)  # our own DEBUG lines too; the drivers' stay at WARNING (see below)
    from shared.platform.observability import configure_logging
    configure_logging("test", "DEBUG", "text")
    caplog.set_level(logging.DEBUG)
    settings = settings.model_copy(update={"notify_tick_seconds": 0.2, "coalesce_seconds": 0.0,
                                           "quiet_hours": ""})
    async with registration_stack(settings) as stack, serve_in_process(notifications_app(settings)) as notifier:
        name, email, phone, _ = BUSINESS
        await stack.define_venue(["A01"])
        business, b_token = await stack.register_business(valid_tax_codes(1)[0], contact_person=name, email=email,
                                                          phone=phone)
        assert (await stack.apply(business, b_token)).json()["status"] == "confirmed"

        room = (await stack.events.client.post(f"/campaigns/{CAMPAIGN_ID}/rooms", headers=ORGANIZER,
                                               json={"name": "Hội trường", "seats": 10})).json()["id"]
        workshop = (await stack.events.client.post(f"/campaigns/{CAMPAIGN_ID}/workshops", headers=ORGANIZER, json={
            "title": "Kỹ năng số cho người dân", "room_id": room, "start": "2026-10-05T08:00:00+07:00",
            "end": "2026-10-05T10:00:00+07:00"})).json()["workshop_id"]
        people = []
        for person_name, person_email, person_phone, _ in PEOPLE:
            r = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants", json=participant_body(
                name=person_name, email=person_email, phone=person_phone, channels=["email", "sms"]))
            assert r.status_code == 201, r.text
            people.append((r.json()["participant"]["id"], TEST_ISSUER.person(person_email)))
        for _, token in people:
            async def reserved(token: str = token) -> bool:
                r = await stack.events.client.post(f"/workshops/{workshop}/seats", headers=bearer(token))
                return r.status_code == 201
            await eventually(reserved, what="seat reserved")
        moved = await stack.events.client.post(f"/workshops/{workshop}/reschedule", headers=ORGANIZER, json={
            "start": "2026-10-05T14:00:00+07:00", "end": "2026-10-05T16:00:00+07:00"})
        assert moved.status_code == 200

        async def told() -> bool:
            async with notifier.runtime.sessionmaker() as s:
                sent = (await s.execute(sa.select(notifications.c.template, notifications.c.recipient_id).where(
                    notifications.c.status == "sent"))).all()
            return {("booth_confirmed", business)} | {("workshop_changed", p) for p, _ in people} <= set(sent)
        await eventually(told, timeout=60, what="the business and every participant told")
        messages = list((settings.data_dir / "messages").glob("*.txt"))
        assert any(email in m.read_text() for m in messages)  # addresses were there when it mattered

        (opted, opted_token), (erased, erased_token) = people[0], people[1]
        assert (await stack.reg.post(f"/participants/{opted}/opt-out", headers=bearer(opted_token))).status_code == 200
        assert (await stack.reg.delete(f"/participants/{erased}", headers=bearer(erased_token))).status_code == 204

        async def erased_everywhere() -> bool:
            r = await notifier.client.get("/notifications", params={"recipient": erased}, headers=ORGANIZER)
            return bool(r.json()) and all(n["status"] in ("sent", "suppressed") for n in r.json())
        await eventually(erased_everywhere, what="erasure reached notifications")
        await eventually(lambda: _no_file_for(settings, PEOPLE[1]), what="delivered copies forgotten")
        # every file under the data dir, as bytes: databases, their -wal and -shm, the message files and
        # the JetStream store; none holds the erased person's name, email or phone
        for path in (p for p in settings.data_dir.rglob("*") if p.is_file()):
            if path.suffix in (".db", ".db-wal", ".db-shm") or path.parent.name == "messages":
                assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by others"  # 0600
            content = path.read_bytes()
            for secret in [PEOPLE[1][0], *secrets_of(PEOPLE[1])]:
                assert secret.encode() not in content, f"erased participant's {secret!r} still in {path}"

        metrics = "\n".join([(await s.client.get("/metrics")).text
                             for s in (stack.registration, stack.events, notifier)])
        streams = await dump_streams(nats.url)
        databases = {s: await dump_database(settings.db_url_of(s)) for s in ("registration", "events", "notifications")}
        logs = "\n".join(r.getMessage() + " " + repr(r.__dict__) for r in caplog.records)

    outside_registration = {"streams (events, dead letters)": streams, "logs": logs, "metrics": metrics,
                            "events database": databases["events"],
                            "notifications database": databases["notifications"],
                            "registration outbox/inbox": _messaging_rows(databases["registration"])}
    for person in [*PEOPLE, BUSINESS]:
        for secret in secrets_of(person):
            for where, text in outside_registration.items():
                assert secret not in text, f"{secret!r} found in {where}: {_around(text, secret)}"
    everywhere = {**outside_registration, "registration database": databases["registration"]}
    for secret in [PEOPLE[1][0], *secrets_of(PEOPLE[1])]:
        for where, text in everywhere.items():
            assert secret not in text, f"erased participant's {secret!r} still in {where}: {_around(text, secret)}"
    assert PEOPLE[0][1] in databases["registration"]  # the owner keeps what it must (opted out, not erased)


def _messaging_rows(dump: str) -> str:
    return "\n".join(line for line in dump.splitlines() if line.startswith(("outbox:", "inbox:")))


async def _no_file_for(settings: Settings, person: tuple[str, str, str, str]) -> bool:
    return not any(person[1] in m.read_text() or person[3] in m.read_text()
                   for m in (settings.data_dir / "messages").glob("*.txt"))


def _around(text: str, secret: str) -> str:
    i = text.index(secret)
    return text[max(0, i - 300):i + 100]
