"""Input that no row or message may be made of: unbounded lists, huge bodies, NUL and other control
characters, and the rows that slipped in before those checks (parked, never blocking the rest).
SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from services.registration.adapters.orm import participants
from shared.contracts.registration import PARTICIPANT_REGISTERED
from shared.contracts.streams import REGISTRATION
from shared.platform.config import Settings
from shared.platform.db import create_engine, outbox_table
from tests.registration_support import CAMPAIGN_ID, business_body, participant_body, registration_stack
from tests.support import ORGANIZER, eventually, metric_value, stream_messages


async def test_lists_and_strings_are_bounded_and_a_huge_body_is_413(settings: Settings):
    async with registration_stack(settings) as stack:
        many = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants",
                                    json=participant_body(channels=["email"] * 131_100))
        assert many.status_code == 413, many.text[:200]  # 1 MB of ["email", ...]: refused before parsing
        five = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants",
                                    json=participant_body(channels=["email"] * 5))
        assert five.status_code == 422 and five.json()["error"]["fields"][0]["field"] == "channels"
        long_name = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants",
                                         json=participant_body(name="A" * 201))
        assert long_name.status_code == 422 and long_name.json()["error"]["fields"][0]["field"] == "name"
        async def stream() -> AsyncIterator[bytes]:  # no Content-Length: counted while it arrives
            for _ in range(20):
                yield b"x" * 65_536
        chunked = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants", content=stream(),
                                       headers={"content-type": "application/json"})
        assert chunked.status_code == 413 and chunked.json()["error"]["code"] == "body_too_large"
        assert (await stack.reg.get("/healthz")).status_code == 200


@pytest.mark.parametrize("path", ["/campaigns/x%00y/venues", "/campaigns/x%00y", "/businesses/a%00b",
                                  "/applications/%01/cancel"])
async def test_a_control_character_in_a_path_is_404(settings: Settings, path: str):
    async with registration_stack(settings) as stack:
        for send in (stack.reg.get, stack.reg.post):
            r = await send(path, headers=ORGANIZER)
            assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", r.text
        q = await stack.events.client.get(f"/campaigns/{CAMPAIGN_ID}/schedule?day=2026-10-10%00")
        assert q.status_code == 422


@pytest.mark.parametrize("field", ["name", "locality"])
async def test_nul_in_text_is_422_naming_the_field(settings: Settings, field: str):
    async with registration_stack(settings) as stack:
        r = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants",
                                 json=participant_body(**{field: "Trần\x00Văn"}))
        assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == field, r.text
        b = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/businesses",
                                 json=business_body("0100000010", legal_name="Công ty\x07 Sông Trà"))
        assert b.status_code == 422 and b.json()["error"]["fields"][0]["field"] == "legal_name"
        c = await stack.events.client.post("/campaigns", headers=ORGANIZER, json={
            "campaign_id": "ha-noi-2026\n", "year": 2026, "theme": "Chuyển đổi số", "organizer": "Sở KH&CN",
            "locality": "Hà Nội"})
        assert c.status_code == 422 and c.json()["error"]["fields"][0]["field"] == "campaign_id"


async def test_rows_too_large_for_nats_are_parked_and_the_rows_behind_them_go_out(settings: Settings):
    async with registration_stack(settings) as stack:
        engine = create_engine(settings.db_url_of("registration"))
        try:
            async with engine.begin() as conn:  # as rows written before events were size-checked would be
                await conn.execute(sa.insert(outbox_table), [
                    {"event_id": str(uuid.uuid4()), "subject": PARTICIPANT_REGISTERED.subject,
                     "body": b'{"x":"' + b"e" * 1_100_000 + b'"}', "created_at": dt.datetime.now(dt.UTC),
                     "attempts": 0} for _ in range(3)])
            r = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants", json=participant_body())
            assert r.status_code == 201
            pid = r.json()["participant"]["id"]

            async def published() -> bool:
                found = await stream_messages(settings.nats_url or "", REGISTRATION.name,
                                              PARTICIPANT_REGISTERED.subject)
                return any(json.loads(m.data)["payload"]["participant_id"] == pid for m in found)
            await eventually(published, timeout=20, what="the sign-up behind the oversized rows published")
            async with engine.connect() as conn:
                parked = (await conn.execute(sa.select(outbox_table.c.last_error).where(
                    outbox_table.c.parked_at.is_not(None)))).scalars().all()
            assert len(parked) == 3 and all("too large" in e for e in parked)
            metrics = (await stack.reg.get("/metrics")).text
            assert metric_value(metrics, "dxday_outbox_parked_rows") == 3
        finally:
            await engine.dispose()


async def test_database_errors_carry_no_personal_data(settings: Settings, caplog: pytest.LogCaptureFixture):
    """A forced unique violation and (on PostgreSQL) a data error: neither message names the person."""
    async with registration_stack(settings) as stack:
        r = await stack.reg.post(f"/campaigns/{CAMPAIGN_ID}/participants",
                                 json=participant_body(name="Lê Thị Bí Mật", email="bimat@example.vn"))
        pid = r.json()["participant"]["id"]
        engine = create_engine(settings.db_url_of("registration"))
        row = {"id": pid, "campaign_id": CAMPAIGN_ID, "name": "Lê Thị Bí Mật", "email": "bimat@example.vn",
               "phone": "+84912000111", "language": "vi", "channels": ["email"], "consent_purposes": [],
               "consent_text_version": "x", "consented_at": dt.datetime.now(dt.UTC), "wants_digest": False,
               "created_at": dt.datetime.now(dt.UTC), "updated_at": dt.datetime.now(dt.UTC)}
        errors: list[str] = []
        try:
            with caplog.at_level(logging.DEBUG):  # DXDAY_LOG_LEVEL=DEBUG: drivers still log no parameters
                for values in (row, {**row, "id": str(uuid.uuid4()), "name": "Lê Thị\x00Bí Mật"}):
                    try:
                        async with engine.begin() as conn:
                            await conn.execute(sa.insert(participants).values(**values))
                    except sa.exc.DBAPIError as exc:
                        errors.append(str(exc))
        finally:
            await engine.dispose()
        on_postgres = settings.db_url_of("registration").startswith("postgresql")
        assert len(errors) == (2 if on_postgres else 1), errors  # SQLite stores a NUL; PostgreSQL refuses it
        assert "hide_parameters" in errors[0] or "UNIQUE constraint failed" in errors[0], errors[0]
        for text in (*errors, caplog.text):
            for personal in ("Bí Mật", "bimat@example.vn", "+84912000111"):
                assert personal not in text, text[:300]
