"""Test harness: real nats-server from the wheel, real SQLite and PostgreSQL, real HTTP.

PostgreSQL comes from DXDAY_TEST_POSTGRES_URL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test);
each test gets a fresh database created on that server and dropped afterwards. Without the
variable the PostgreSQL cases skip with that reason, unless DXDAY_REQUIRE_POSTGRES=1 (CI), where
they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from launcher.natsserver import NatsServer
from shared.platform.config import Settings
from tests.support import TEST_ISSUER

POSTGRES_URL = os.environ.get("DXDAY_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("DXDAY_REQUIRE_POSTGRES") == "1"


@pytest.fixture
def nats() -> Iterator[NatsServer]:
    """A fresh nats-server per test (starts in ~0.1 s): streams and consumers never leak between tests.
    It fsyncs on its own schedule: these tests are about our code, not power cuts (the stack tests
    and `dxday up` keep `sync_interval: always`)."""
    with NatsServer(sync_always=False) as server:
        yield server


async def _create_pg_database() -> tuple[str, str]:
    import asyncpg

    url = make_url(POSTGRES_URL)
    name = f"dxday_t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(
        host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username or "postgres",
        password=url.password, database=url.database or "postgres", timeout=10,
    )
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name, url.set(database=name).render_as_string(hide_password=False)


async def _drop_pg_database(name: str) -> None:
    import asyncpg

    url = make_url(POSTGRES_URL)
    admin = await asyncpg.connect(
        host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username or "postgres",
        password=url.password, database=url.database or "postgres", timeout=10,
    )
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


class Databases:
    """Hands out one fresh database URL per service (each service owns its database)."""

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind = kind
        self.tmp_path = tmp_path
        self._pg_names: list[str] = []

    async def url(self, service: str) -> str:
        if self.kind == "sqlite":
            return f"sqlite+aiosqlite:///{self.tmp_path / f'{service}.db'}"
        name, url = await _create_pg_database()
        self._pg_names.append(name)
        return url

    async def close(self) -> None:
        for name in self._pg_names:
            await _drop_pg_database(name)


def _postgres_available_or_skip() -> None:
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("DXDAY_REQUIRE_POSTGRES=1 but DXDAY_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL not configured: set DXDAY_TEST_POSTGRES_URL to run the PostgreSQL cases")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def databases(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Databases]:
    if request.param == "postgres":
        _postgres_available_or_skip()
    dbs = Databases(request.param, tmp_path)
    try:
        yield dbs
    finally:
        await dbs.close()


@pytest.fixture
async def settings(nats: NatsServer, databases: Databases, tmp_path: Path) -> Settings:
    """Settings for all three services on this test's NATS and databases."""
    return await settings_for(nats, databases, tmp_path)


@pytest.fixture
async def postgres_settings(nats: NatsServer, postgres_databases: Databases, tmp_path: Path) -> Settings:
    """Settings on PostgreSQL only: several processes sharing one service's database (replicas)."""
    return await settings_for(nats, postgres_databases, tmp_path)


async def settings_for(nats: NatsServer, databases: Databases, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        nats_url=nats.url,
        data_dir=tmp_path / "var",
        registration_db_url=await databases.url("registration"),
        events_db_url=await databases.url("events"),
        notifications_db_url=await databases.url("notifications"),
        oidc_issuer=TEST_ISSUER.url,  # the national organizer's tokens (tests.support.ORGANIZER)
        checkin_secret="test-checkin-secret",  # shared by every replica a test starts
        outbox_sweep_seconds=0.5,
        log_format="text",
        form_rate_per_minute=100_000,  # the tests sign up hundreds of people from one address
        failed_token_limit_per_minute=100_000,
    )


@pytest.fixture
async def postgres_databases(tmp_path: Path) -> AsyncIterator[Databases]:
    """PostgreSQL only, for tests about the database server itself (an outage through a proxy)."""
    _postgres_available_or_skip()
    dbs = Databases("postgres", tmp_path)
    try:
        yield dbs
    finally:
        await dbs.close()


@pytest.fixture
async def sqlite_settings(nats: NatsServer, tmp_path: Path) -> Settings:
    """The embedded default only, for the heaviest tests (PostgreSQL gets its own heavy ones)."""
    return await settings_for(nats, Databases("sqlite", tmp_path), tmp_path)
