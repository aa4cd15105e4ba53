"""The database goes away for 10 s (every PostgreSQL connection cut and refused, through a TCP proxy):
commands answer 503 with a clear body, /readyz fails, consumers NAK and retry, nothing is
dead-lettered, and everything completes after recovery."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import nats as nats_client
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from launcher.natsserver import NatsServer
from services.notifications.adapters.orm import notifications
from services.notifications.app import create_app as notifications_app
from shared.contracts.streams import DEAD_LETTERS
from shared.platform.config import Settings
from tests.conftest import Databases
from tests.registration_support import registration_stack, valid_tax_codes
from tests.support import TEST_ISSUER, eventually, metric_value, serve_in_process
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.slow
OUTAGE_S = 10.0
BUSINESSES = 30


def through(proxy: TcpProxy, url: str) -> str:
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


async def test_ten_seconds_without_the_database_lose_nothing(
    nats: NatsServer, postgres_databases: Databases, tmp_path: Path
):
    registration_url = await postgres_databases.url("registration")
    notifications_url = await postgres_databases.url("notifications")
    target = make_url(registration_url)
    async with (TcpProxy(target.host or "127.0.0.1", target.port or 5432) as reg_proxy,
                TcpProxy(target.host or "127.0.0.1", target.port or 5432) as notif_proxy):
        settings = Settings(
            _env_file=None, nats_url=nats.url, data_dir=tmp_path / "var",
            registration_db_url=through(reg_proxy, registration_url),
            events_db_url=await postgres_databases.url("events"),
            notifications_db_url=through(notif_proxy, notifications_url),
            oidc_issuer=TEST_ISSUER.url, checkin_secret="test-checkin-secret", outbox_sweep_seconds=0.5,
            log_format="text",
            form_rate_per_minute=100_000, failed_token_limit_per_minute=100_000,
            notify_tick_seconds=0.2, coalesce_seconds=0.0)
        async with (registration_stack(settings) as stack,
                    serve_in_process(notifications_app(settings)) as notifier):
            await stack.define_venue([f"B{i:02d}" for i in range(BUSINESSES)])
            people = [await stack.register_business(t) for t in valid_tax_codes(BUSINESSES)]

            notif_proxy.cut()  # the notifications database goes first; its consumers must wait
            started = time.monotonic()
            for business, token in people:  # registration still works: these events reach a consumer that can't commit
                r = await stack.apply(business, token)
                assert r.status_code == 201 and r.json()["status"] == "confirmed", r.text

            reg_proxy.cut()
            refused = await stack.apply(*people[0])
            assert refused.status_code == 503, refused.text
            assert refused.json()["error"]["code"] == "database_unavailable"
            assert "thử lại" in refused.json()["error"]["message"] and refused.headers["retry-after"]
            for service in (stack.registration, notifier):
                ready = await service.client.get("/readyz")
                assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("error")
            assert (await stack.registration.client.get("/healthz")).status_code == 200  # alive, not ready

            await asyncio.sleep(max(0.0, OUTAGE_S - (time.monotonic() - started)))
            reg_proxy.restore()
            notif_proxy.restore()

            async def ready_again() -> bool:
                codes = [(await s.client.get("/readyz")).status_code for s in (stack.registration, notifier)]
                return codes == [200, 200]
            await eventually(ready_again, timeout=30, what="both services ready after the outage")

            async def all_told() -> list[str] | None:
                async with notifier.runtime.sessionmaker() as s:
                    sent = (await s.execute(sa.select(notifications.c.recipient_id).where(
                        notifications.c.template == "booth_confirmed",
                        notifications.c.status == "sent"))).scalars().all()
                return list(sent) if len(sent) >= BUSINESSES else None

            told = await eventually(all_told, timeout=90, what="every confirmation sent after recovery")
            assert Counter(told) == Counter(b for b, _ in people)  # each business once
            metrics = (await notifier.client.get("/metrics")).text
            assert metric_value(metrics, "dxday_consumer_retries_total") > 0  # they did NAK and retry
            again = await stack.apply(*people[0])
            assert again.status_code == 201  # the refused command can simply be sent again

        nc = await nats_client.connect(nats.url)
        try:
            dead = (await nc.jetstream().stream_info(DEAD_LETTERS.name)).state.messages
        finally:
            await nc.close()
        assert dead == 0
