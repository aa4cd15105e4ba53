"""Alembic per service, applied at start on the service's own connection.

Each service has ``migrations/`` with an ``env.py`` that calls :func:`run_env` and version
files; no alembic.ini is needed. ``alembic -x url=... `` still works by hand through
``python -m shared.platform.migrations <service> <revision>``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config(script_location: Path) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    return cfg


async def upgrade(engine: AsyncEngine, script_location: Path, revision: str = "head") -> None:
    cfg = alembic_config(script_location)

    def _run(sync_conn: sa.Connection) -> None:
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Replicas starting together: one migrates, the others wait for it and find nothing to do.
            await conn.execute(sa.text("SELECT pg_advisory_xact_lock(7365120)"))
        await conn.run_sync(_run)


def run_env(target_metadata: sa.MetaData | list[sa.MetaData]) -> None:
    """Body of every service's env.py: online mode on the connection handed in by upgrade()."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("migrations run at service start (or via shared.platform.migrations), not bare alembic")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTER TABLE via batch mode
    )
    with context.begin_transaction():
        context.run_migrations()


def create_messaging_tables() -> None:
    """Create the outbox and inbox tables; called from each service's first migration."""
    from alembic import op

    from shared.platform.db import inbox_table, outbox_table

    bind = op.get_bind()
    outbox_table.create(bind)
    inbox_table.create(bind)


def add_outbox_parking() -> None:
    """The outbox's ``parked_at`` (rows that can never be published) and the inbox's ``digest`` (a reused
    event id with another body); absent from databases created before them."""
    add_missing_columns("outbox", [sa.Column("parked_at", sa.DateTime(timezone=True), nullable=True)])
    add_missing_columns("inbox", [sa.Column("digest", sa.String(64), nullable=True)])


def main(argv: list[str]) -> int:
    import asyncio

    from shared.platform.config import load_settings
    from shared.platform.db import create_engine

    service, revision = argv[0], argv[1] if len(argv) > 1 else "head"
    settings = load_settings()
    location = Path(__file__).resolve().parent.parent / "services" / service / "migrations"
    engine = create_engine(settings.db_url_of(service))
    asyncio.run(upgrade(engine, location, revision))
    print(f"{service}: migrated to {revision}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))


def add_missing_columns(table: str, columns: list[sa.Column]) -> None:
    """Add columns a later revision introduced, unless the table has them: revision 0002 of each
    service was frozen with the tables as they stood then, later columns included."""
    from alembic import op

    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}
    missing = [c for c in columns if c.name not in present]
    if missing:
        with op.batch_alter_table(table) as batch:
            for column in missing:
                batch.add_column(column)


def drop_columns_if_present(table: str, names: list[str]) -> None:
    from alembic import op

    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}
    if gone := [n for n in names if n in present]:
        with op.batch_alter_table(table) as batch:
            for name in gone:
                batch.drop_column(name)
