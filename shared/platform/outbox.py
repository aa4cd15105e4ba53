"""Transactional outbox: events are rows written in the same transaction as the change.

A relay publishes them to JetStream with ``Nats-Msg-Id`` = event id, promptly after commit (the
unit of work wakes it) and in a periodic sweep for whatever is left (NATS was down, the process
died between commit and publish). A publish that timed out may still have been stored, so a
retry reuses the same id and the stream's duplicate window drops the copy.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts.envelope import Envelope
from shared.platform.clock import Clock, SystemClock
from shared.platform.db import outbox_table
from shared.platform.errors import Unprocessable
from shared.platform.i18n import _
from shared.platform.observability import MessagingMetrics

log = logging.getLogger("dxday.outbox")

Publish = Callable[[str, bytes, dict[str, str]], Awaitable[None]]


# NATS refuses a message above its max_payload (1 MB by default) for good; the headers need some room
MAX_EVENT_BYTES = 1_000_000


class EventTooLarge(Unprocessable):
    code = "event_too_large"


def encode(envelope: Envelope) -> bytes:
    return envelope.model_dump_json().encode()


async def record(session: AsyncSession, *envelopes: Envelope) -> None:
    """Add events to the caller's transaction; they are published only if it commits. An event too
    large to ever be published is refused here, before it is written (the transaction then rolls back)."""
    if not envelopes:
        return
    for e in envelopes:
        if len(encode(e)) > MAX_EVENT_BYTES:
            raise EventTooLarge(
                _("The request would make an event larger than {limit} bytes; nothing was recorded",
                  limit=MAX_EVENT_BYTES),
                subject=e.type)
    await session.execute(
        sa.insert(outbox_table),
        [
            {
                "event_id": e.event_id,
                "subject": e.type,
                "body": encode(e),
                "created_at": e.occurred_at,
                "attempts": 0,
            }
            for e in envelopes
        ],
    )


class OutboxRelay:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        publish: Publish,
        metrics: MessagingMetrics,
        *,
        max_payload: Callable[[], int] = lambda: MAX_EVENT_BYTES,
        sweep_seconds: float = 2.0,
        batch_size: int = 500,
        keep_published: timedelta = timedelta(hours=1),
        clock: Clock | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._publish = publish
        self._max_payload = max_payload
        self._metrics = metrics
        self._sweep_seconds = sweep_seconds
        self._batch_size = batch_size
        self._keep_published = keep_published
        self._clock = clock or SystemClock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._failures = 0
        self._last_prune: datetime | None = None
        self._last_errors: list[tuple[sa.Row, BaseException]] = []

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _run(self) -> None:
        while True:
            timeout = self._sweep_seconds if self._failures == 0 else min(30.0, 0.5 * 2**self._failures)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                while await self.publish_pending() == self._batch_size:
                    pass  # a full batch: there may be more
                await self._prune()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay pass failed; will retry")
                self._failures += 1

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished events in order; return how many were published."""
        async with self._sessionmaker() as session:
            rows = (
                await session.execute(
                    sa.select(outbox_table.c.event_id, outbox_table.c.subject, outbox_table.c.body)
                    .where(outbox_table.c.published_at.is_(None), outbox_table.c.parked_at.is_(None))
                    .order_by(outbox_table.c.position)
                    .limit(self._batch_size)
                )
            ).all()
        if not rows:
            self._failures = 0
            await self._update_backlog()
            return 0
        limit = self._max_payload()
        too_large = [r for r in rows if len(r.body) > limit]
        if too_large:
            await self._park(too_large, f"too large for NATS: more than {limit} bytes (max_payload)")
            rows = [r for r in rows if len(r.body) <= limit]
        published, error = await self._publish_rows(rows)
        refused = [r for r, e in self._last_errors if _permanent(e)]
        if refused:
            await self._park(refused, f"refused by NATS for good: {type(refused_error(self._last_errors)).__name__}")
        await self._mark(published, error, [r.event_id for r in rows
                                            if r.event_id not in published and r not in refused])
        await self._update_backlog()
        if error is not None:
            self._failures += 1
            log.warning("outbox: %d of %d events published; NATS error: %s", len(published), len(rows), error)
            return 0
        self._failures = 0
        return len(published)

    async def _publish_rows(self, rows: list[sa.Row]) -> tuple[set[str], str | None]:
        # Pipelined: every publish is written to the socket in order, acks are awaited together.
        results = await asyncio.gather(
            *(self._publish(r.subject, r.body, {"Nats-Msg-Id": r.event_id}) for r in rows),
            return_exceptions=True,
        )
        published: set[str] = set()
        error: str | None = None
        self._last_errors = []
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, BaseException):
                self._last_errors.append((row, result))
                if not _permanent(result):
                    error = error or f"{type(result).__name__}: {result}"[:500]
            else:
                published.add(row.event_id)
        self._metrics.outbox_published.inc(len(published))
        if error is not None:
            self._metrics.outbox_publish_errors.inc(len(rows) - len(published))
        return published, error

    async def _mark(self, published: set[str], error: str | None, failed: list[str]) -> None:
        now = self._clock.now()
        async with self._sessionmaker() as session, session.begin():
            if published:
                await session.execute(
                    sa.update(outbox_table)
                    .where(outbox_table.c.event_id.in_(published))
                    .values(published_at=now, attempts=outbox_table.c.attempts + 1, last_error=None)
                )
            if failed and error is not None:
                await session.execute(
                    sa.update(outbox_table)
                    .where(outbox_table.c.event_id.in_(failed))
                    .values(attempts=outbox_table.c.attempts + 1, last_error=error)
                )

    async def _park(self, rows: list[sa.Row], reason: str) -> None:
        """Set aside rows that can never be published, with the reason; the rows behind them go on."""
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                sa.update(outbox_table).where(outbox_table.c.event_id.in_([r.event_id for r in rows]))
                .values(parked_at=self._clock.now(), last_error=reason[:500], attempts=outbox_table.c.attempts + 1))
        self._metrics.outbox_parked_total.inc(len(rows))
        for r in rows:  # ids and subjects only: bodies may hold what logs must not
            log.error("outbox: event %s on %s parked: %s", r.event_id, r.subject, reason)

    async def _update_backlog(self) -> None:
        async with self._sessionmaker() as session:
            count, oldest, parked = (
                await session.execute(
                    sa.select(sa.func.count(), sa.func.min(outbox_table.c.created_at),
                              sa.func.count(outbox_table.c.parked_at)).where(
                        outbox_table.c.published_at.is_(None)
                    )
                )
            ).one()
            if parked:
                oldest = (await session.execute(sa.select(sa.func.min(outbox_table.c.created_at)).where(
                    outbox_table.c.published_at.is_(None), outbox_table.c.parked_at.is_(None)))).scalar_one()
        self._metrics.outbox_pending.set(count - parked)
        self._metrics.outbox_parked.set(parked)
        self._metrics.outbox_oldest_age.set(_age_seconds(oldest, self._clock.now()) if oldest else 0.0)

    async def _prune(self) -> None:
        now = self._clock.now()
        if self._last_prune is not None and now - self._last_prune < timedelta(minutes=1):
            return
        self._last_prune = now
        cutoff = now - self._keep_published
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                sa.delete(outbox_table).where(
                    outbox_table.c.published_at.is_not(None), outbox_table.c.published_at < cutoff
                )
            )


def _permanent(error: BaseException) -> bool:
    """NATS will refuse this message whatever we do (too large); anything else may pass on a retry."""
    from nats.errors import MaxPayloadError

    return isinstance(error, MaxPayloadError)


def refused_error(errors: list[tuple[sa.Row, BaseException]]) -> BaseException:
    return next(e for _event, e in errors if _permanent(e))


def _age_seconds(oldest: datetime, now: datetime) -> float:
    return max(0.0, (now - oldest).total_seconds())


async def forget(session: AsyncSession, subjects: list[str], needle: str) -> int:
    """Delete outbox rows on these subjects whose body mentions ``needle`` (erasure of personal data
    that earlier events carried). Returns how many rows went."""
    rows = (
        await session.execute(
            sa.select(outbox_table.c.event_id, outbox_table.c.body).where(outbox_table.c.subject.in_(subjects))
        )
    ).all()
    doomed = [r.event_id for r in rows if needle.encode() in r.body]
    if doomed:
        await session.execute(sa.delete(outbox_table).where(outbox_table.c.event_id.in_(doomed)))
    return len(doomed)
