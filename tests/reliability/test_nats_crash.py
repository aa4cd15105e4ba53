"""kill -9 the single embedded nats-server under load and restart it on its store: commands keep
being accepted (the outbox holds their events), no committed event is lost, none is doubled downstream."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from launcher.natsserver import NatsServer
from services.events.app import create_app as events_app
from services.notifications.adapters.orm import contacts
from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from shared.platform.config import Settings
from shared.platform.db import inbox_table
from tests.registration_support import business_body, valid_tax_codes
from tests.support import ORGANIZER, eventually, serve_in_process, stream_messages

pytestmark = pytest.mark.slow
BUSINESSES = 300


async def test_nats_killed_and_restarted_under_load_loses_and_doubles_nothing(settings: Settings, tmp_path: Path):
    server = NatsServer(store_dir=tmp_path / "nats-store", sync_always=True).start()  # the durable setting
    settings = settings.model_copy(update={"nats_url": server.url, "outbox_sweep_seconds": 0.5})
    codes = valid_tax_codes(BUSINESSES)
    try:
        async with (
            serve_in_process(events_app(settings)) as events,
            serve_in_process(registration_app(settings)) as registration,
            serve_in_process(notifications_app(settings)) as notifications,
        ):
            await events.client.post("/campaigns", headers=ORGANIZER, json={
                "campaign_id": "nats-crash-2026", "year": 2026, "theme": "Chuyển đổi số", "organizer": "Sở KH&CN",
                "locality": "Huế"})

            async def known() -> bool:
                return (await registration.client.get("/campaigns/nats-crash-2026")).status_code == 200

            await eventually(known, what="campaign known")
            accepted: list[str] = []
            a_third_in = asyncio.Event()

            async def register(code: str) -> None:
                r = await registration.client.post("/campaigns/nats-crash-2026/businesses", json=business_body(code))
                assert r.status_code == 201, r.text  # accepted even while NATS is down: the outbox holds it
                accepted.append(r.json()["business"]["id"])
                if len(accepted) >= BUSINESSES // 3:
                    a_third_in.set()

            async def chaos() -> None:
                await a_third_in.wait()
                server.kill()  # SIGKILL, mid-publish
                await asyncio.sleep(2)
                await asyncio.to_thread(server.restart)

            semaphore = asyncio.Semaphore(10)

            async def bounded(code: str) -> None:
                async with semaphore:
                    await register(code)

            await asyncio.gather(chaos(), *(bounded(c) for c in codes))
            assert len(accepted) == BUSINESSES

            async def all_published() -> list | None:
                found = await stream_messages(server.url, "REGISTRATION", "registration.business.registered")
                return found if len(found) >= BUSINESSES else None

            published = await eventually(all_published, timeout=90, what="every committed event in the stream")
            ids = Counter(json.loads(m.data)["payload"]["business_id"] for m in published)
            assert set(ids) == set(accepted) and set(ids.values()) == {1}  # none lost, none doubled

            async def downstream() -> bool:
                async with notifications.runtime.sessionmaker() as s:
                    n = (await s.execute(sa.select(sa.func.count()).select_from(contacts))).scalar_one()
                return n == BUSINESSES

            await eventually(downstream, timeout=90, what="every business in the notifications directory")
            async with notifications.runtime.sessionmaker() as s:
                handled = (await s.execute(sa.select(inbox_table.c.event_id).where(
                    inbox_table.c.subject == "registration.business.registered"))).scalars().all()
            assert len(handled) == len(set(handled)) == BUSINESSES
    finally:
        server.close()
