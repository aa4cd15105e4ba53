"""Back-pressure: the notifications service is down for a whole burst of booth applications. The
stream keeps every event (limits sized for the campaign), the durable consumer keeps its place, and
on restart every business is told once."""

from __future__ import annotations

import asyncio
from collections import Counter

import nats as nats_client
import pytest
import sqlalchemy as sa

from launcher.natsserver import NatsServer
from services.notifications.adapters.orm import notifications
from services.notifications.app import create_app as notifications_app
from shared.contracts.streams import REGISTRATION
from shared.platform.config import Settings
from tests.registration_support import registration_stack, valid_tax_codes
from tests.support import consumer_pending, eventually, serve_in_process

pytestmark = pytest.mark.slow
BUSINESSES = 300


async def test_a_burst_while_notifications_is_down_is_kept_and_caught_up(sqlite_settings: Settings, nats: NatsServer):
    settings = sqlite_settings  # about NATS, not the database: the embedded default is enough
    settings = settings.model_copy(update={"notify_tick_seconds": 0.1, "coalesce_seconds": 0.0})
    async with serve_in_process(notifications_app(settings)):
        pass  # its durable consumers now exist; then it is down for the whole burst

    async with registration_stack(settings) as stack:
        await stack.define_venue([f"B{i:03d}" for i in range(BUSINESSES)])
        semaphore = asyncio.Semaphore(10)

        async def register_and_apply(tax_code: str) -> str:
            async with semaphore:
                business, token = await stack.register_business(tax_code)
                r = await stack.apply(business, token)
                assert r.status_code == 201 and r.json()["status"] == "confirmed", r.text
                return business

        businesses = await asyncio.gather(*(register_and_apply(t) for t in valid_tax_codes(BUSINESSES)))

        async def all_published() -> bool:  # registered + submitted + confirmed, per business
            return await consumer_pending(nats.url, REGISTRATION.name, "notifications") >= 3 * BUSINESSES
        await eventually(all_published, timeout=60, what="every event waiting for the notifications consumer")

        nc = await nats_client.connect(nats.url)
        info = await nc.jetstream().stream_info(REGISTRATION.name)
        await nc.close()
        assert info.state.messages >= 3 * BUSINESSES
        assert info.config.max_age >= 30 * 24 * 3600 and info.config.discard == "new"  # nothing dropped early

        # only notifications was down: it comes back while the others run (it asks registration for addresses)
        async with serve_in_process(notifications_app(settings)) as notifier:
            async def caught_up() -> list[str] | None:
                async with notifier.runtime.sessionmaker() as s:
                    sent = (await s.execute(sa.select(notifications.c.recipient_id).where(
                        notifications.c.template == "booth_confirmed",
                        notifications.c.status == "sent"))).scalars().all()
                return list(sent) if len(sent) >= BUSINESSES else None

            told = await eventually(caught_up, timeout=120, what="every business told after the restart")
            assert Counter(told) == Counter(businesses)  # each once
            assert await consumer_pending(nats.url, REGISTRATION.name, "notifications") == 0
