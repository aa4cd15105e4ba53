"""Migrations are the schema's history: ``alembic upgrade head`` on an empty database builds exactly
what the ORM modules declare (autogenerate finds nothing to do), on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared.platform.config import SERVICE_NAMES, Settings
from shared.platform.db import create_engine, inbox_table, outbox_table
from shared.platform.migrations import upgrade


def declared(service: str) -> sa.MetaData:
    """The service's ORM tables and the outbox and inbox every service has."""
    combined = sa.MetaData()
    orm = importlib.import_module(f"services.{service}.adapters.orm")
    for table in [*orm.metadata.tables.values(), outbox_table, inbox_table]:
        table.to_metadata(combined)
    return combined


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_upgrade_head_on_an_empty_database_matches_the_orm(settings: Settings, service: str):
    engine = create_engine(settings.db_url_of(service))
    try:
        app = importlib.import_module(f"services.{service}.app")
        await upgrade(engine, app.SPEC.migrations)

        def diff(conn: sa.Connection) -> list:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
            return compare_metadata(context, declared(service))

        async with engine.connect() as conn:
            differences = await conn.run_sync(diff)
    finally:
        await engine.dispose()
    assert differences == [], differences
