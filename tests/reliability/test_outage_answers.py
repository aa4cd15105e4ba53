"""While the database is gone (PostgreSQL cut) or full (SQLite out of pages), every request of a burst
gets an answer: the documented 503 with Retry-After and a machine-readable body, counted in the
HTTP metrics and carrying the security headers — no dropped connection, no 500, no hang."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from launcher.natsserver import NatsServer
from shared.platform.config import Settings
from tests.conftest import Databases
from tests.registration_support import CAMPAIGN_ID, business_body, participant_body, registration_stack
from tests.support import ORGANIZER, TEST_ISSUER, metric_value
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.slow
BURST = 120


async def burst(base: str, n: int) -> Counter[str]:
    """``n`` requests at once, of every kind that touches the database: sign-ups, registrations, reads,
    pages and organizer lists; the outcome of each as a status code or the name of the failure."""
    kinds = [
        ("POST", f"/campaigns/{CAMPAIGN_ID}/participants", {"json": participant_body(email=None, phone=None,
                                                                                      channels=["file"])}),
        ("POST", f"/campaigns/{CAMPAIGN_ID}/businesses", {"json": business_body("0100109106")}),
        ("GET", f"/campaigns/{CAMPAIGN_ID}/businesses", {"headers": ORGANIZER}),
        ("GET", f"/join/{CAMPAIGN_ID}", {}),
        ("GET", f"/campaigns/{CAMPAIGN_ID}/venues", {}),
    ]
    outcomes: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)  # kept alive and reused, as clients do
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        async def one(i: int) -> None:
            method, path, kw = kinds[i % len(kinds)]
            try:
                r = await client.request(method, path, **kw)
            except httpx.HTTPError as exc:
                outcomes[type(exc).__name__] += 1
                return
            ok = (r.status_code == 503 and r.headers.get("retry-after")
                  and r.headers.get("x-content-type-options") == "nosniff")
            if ok and r.headers["content-type"].startswith("application/json"):
                ok = r.json()["error"]["code"] == "database_unavailable"
            outcomes[str(r.status_code) if ok else f"{r.status_code} {r.headers.get('content-type')} {path}"] += 1
        await asyncio.gather(*(one(i) for i in range(n)))
    return outcomes


def server_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the HTTP server itself logged as failing: an exception that escaped the app's answer."""
    return [r.getMessage() for r in caplog.records if r.name.startswith("uvicorn") and r.levelno >= logging.ERROR]


async def test_a_burst_during_a_database_outage_gets_503_every_time(
        nats: NatsServer, postgres_databases: Databases, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    url = await postgres_databases.url("registration")
    target = make_url(url)
    async with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        settings = Settings(
            _env_file=None, nats_url=nats.url, data_dir=tmp_path / "var",
            registration_db_url=make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(
                hide_password=False),
            events_db_url=await postgres_databases.url("events"),
            notifications_db_url=await postgres_databases.url("notifications"),
            oidc_issuer=TEST_ISSUER.url, checkin_secret="test-checkin-secret", log_format="text",
            form_rate_per_minute=100_000, failed_token_limit_per_minute=100_000)
        async with registration_stack(settings) as stack:
            proxy.cut()
            outcomes = await burst(stack.registration.url, BURST)
            assert outcomes == Counter({"503": BURST}), outcomes
            assert server_errors(caplog) == []
            proxy.restore()
            text = (await stack.registration.client.get("/metrics")).text
            assert metric_value(text, "dxday_http_requests_total", status="5xx") >= BURST


async def test_a_burst_while_the_disk_is_full_gets_503_for_every_write(sqlite_settings: Settings,
                                                                        caplog: pytest.LogCaptureFixture):
    async with registration_stack(sqlite_settings) as stack:
        engine = stack.registration.runtime.engine
        async with engine.connect() as conn:  # the service's one pooled connection may grow no more
            pages = (await conn.exec_driver_sql("PRAGMA page_count")).scalar_one()
            await conn.exec_driver_sql(f"PRAGMA max_page_count = {pages}")
        outcomes = await burst(stack.registration.url, BURST)
        # every request answered: the writes that no longer fit are the documented 503, reads still work
        # (and the same tax code registered 24 times is one business and 23 answers of business_exists);
        # a list of contact details is shown only when its viewing is recorded, so it is a write too
        assert outcomes["503"] >= BURST // 6, outcomes
        assert all(k == "503" or k.startswith(("200 ", "201 ", "409 ")) for k in outcomes), outcomes
        assert server_errors(caplog) == []
        text = (await stack.registration.client.get("/metrics")).text
        assert sum(metric_value(text, "dxday_http_requests_total", route=f"/campaigns/{{campaign_id}}/{what}",
                                status="5xx") for what in ("participants", "businesses")) == outcomes["503"]
