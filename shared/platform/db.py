"""Async SQLAlchemy for SQLite (embedded default) and PostgreSQL (one URL away).

SQLite is set up for a service that writes from many coroutines: WAL so readers never block the
writer, ``BEGIN IMMEDIATE`` so a transaction takes the write lock up front (a deferred read->write
upgrade fails at once with SQLITE_BUSY instead of waiting), a busy timeout, foreign keys on, and
``synchronous=NORMAL``: in WAL mode a process crash loses nothing; a power cut may lose the last
transactions.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_CONNECT_TIMEOUT_S = 5.0  # asyncpg waits 60 s by default: a cut network would hang every request
# A replica that stalls inside a transaction (paused, swapped out, partitioned) would hold its row
# locks and block every other replica; the server ends such a session after this long.
PG_IDLE_IN_TRANSACTION_MS = 10_000
# A request waits this long for one of the pool's connections: a burst on one workshop queues behind
# its row lock while holding every connection, which is contention, not an outage (a database that is
# down fails at connect, after PG_CONNECT_TIMEOUT_S).
PG_POOL_WAIT_S = 30.0


def database_unavailable(exc: BaseException) -> bool:
    """The database could not be reached (down, restarting, network cut): worth retrying, not the
    request's or the message's fault."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError | sa.exc.TimeoutError):
        return True
    return isinstance(exc, OSError | TimeoutError)

def constraint_violated(exc: BaseException, *, sqlstate: str = "23505") -> bool:
    """A unique (``23505``), foreign-key (``23503``) or check (``23514``) violation, on PostgreSQL
    (SQLSTATE) and SQLite (its message): an answer to give (409, or the reply of the request that won),
    never a 500."""
    if not isinstance(exc, sa.exc.IntegrityError):
        return False
    orig = exc.orig
    code = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "__cause__", None), "sqlstate", None)
    if code:
        return code == sqlstate
    sqlite_words = {"23505": "UNIQUE constraint failed", "23503": "FOREIGN KEY constraint failed",
                    "23514": "CHECK constraint failed"}
    return sqlite_words.get(sqlstate, "\0") in str(orig)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) and PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Messaging tables live in every service's own database; migrations create them via
# shared.platform.migrations.create_messaging_tables.
messaging_metadata = sa.MetaData()

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

outbox_table = sa.Table(
    "outbox",
    messaging_metadata,
    sa.Column("position", BigId, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(100), nullable=False, unique=True),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("published_at", UtcDateTime(), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.String(500), nullable=True),
    # a row that can never be published (too large for NATS) is parked with its error, so that it
    # cannot hold back the rows behind it; an operator reads it, the alert says it is there
    sa.Column("parked_at", UtcDateTime(), nullable=True),
    sa.Index("ix_outbox_unpublished", "published_at", "position"),
)

inbox_table = sa.Table(
    "inbox",
    messaging_metadata,
    sa.Column("consumer", sa.String(100), primary_key=True),
    sa.Column("event_id", sa.String(100), primary_key=True),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("handled_at", UtcDateTime(), nullable=False),
    # SHA-256 of the envelope: the same id with another body is a reused id, not a redelivery
    sa.Column("digest", sa.String(64), nullable=True),
)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """``hide_parameters``: a database error never carries (and so never logs) names, emails or phones.
    aiosqlite logs every call with its parameters at DEBUG: its logger stays at INFO whatever the level."""
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    if is_sqlite(url):
        return _sqlite_engine(url, echo)
    return create_async_engine(url, echo=echo, hide_parameters=True, pool_pre_ping=True, pool_size=10, max_overflow=20,
                               pool_timeout=PG_POOL_WAIT_S,
                               connect_args={"timeout": PG_CONNECT_TIMEOUT_S, "command_timeout": 30,
                                             "server_settings": {"idle_in_transaction_session_timeout":
                                                                 str(PG_IDLE_IN_TRANSACTION_MS)}})


def _sqlite_engine(url: str, echo: bool) -> AsyncEngine:
    database = make_url(url).database
    if database and database != ":memory:":
        private_file(Path(database))  # its -wal and -shm take the database file's mode
    # One connection per process: every transaction writes (BEGIN IMMEDIATE), and coroutines queued
    # on the pool are served in order, while connections queued on SQLite's lock poll it with sleeps
    # of up to 100 ms (2x fewer commands/s with the default pool in `make bench`).
    engine = create_async_engine(url, echo=echo, hide_parameters=True,
                                 connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, pool_size=1, max_overflow=0,
                                 pool_timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # deleted and overwritten content is zeroed, not left readable in free pages (erasure, Law 91/2025)
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


async def scrub(engine: AsyncEngine) -> None:
    """After an erasure: SQLite copies the WAL back into the database (where ``secure_delete`` has
    zeroed the old rows) and empties it, so no earlier page image is left in ``<db>-wal``. Nothing to
    do on PostgreSQL, whose files are not under the data dir."""
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        await raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # outside any transaction


def private_file(path: Path) -> None:
    """A file holding personal data: its directory 0700, the file itself 0600 (created so, or narrowed)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def sessionmaker_for(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))


async def upsert(session: AsyncSession, table: sa.Table, values: dict, keys: list[str]) -> None:
    """Insert or update by key, on SQLite and PostgreSQL alike (read models kept from events)."""
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table).values(**values)
    updates = {k: stmt.excluded[k] for k in values if k not in keys}
    await session.execute(stmt.on_conflict_do_update(index_elements=keys, set_=updates))


async def serialise(session: AsyncSession, name: str) -> None:
    """Serialise transactions that decide over the same thing (a campaign's booths, a workshop's seats).
    SQLite already holds the database write lock (BEGIN IMMEDIATE); PostgreSQL takes a transaction
    advisory lock on the name. Constraints in the schema stay the final guarantee."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(advisory_key(name))))


def advisory_key(name: str) -> int:
    """A signed 64-bit key for ``name`` (crc32's 32 bits would make unrelated names share a lock)."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
