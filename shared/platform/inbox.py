"""Idempotent JetStream consumers: inbox + ack after commit + bounded retries + dead letters.

For every message:
- not an event this consumer handles: ack and move on;
- malformed (bad JSON, wrong envelope, unknown version, payload fails its schema): copy to the
  dead-letter stream with the reason, ack; the consumer goes on with the next message;
- otherwise, in one transaction: claim the event id in the inbox (a redelivery finds it and
  changes nothing), run the handler, commit; then ack;
- a handler error is retried with a growing nak delay; on the last allowed delivery the message
  is dead-lettered with the error. Nothing is acked before its effect is committed;
- an outage is not the message's fault: when the database is unreachable, or what the handler
  needs has not arrived from another stream yet (``Unavailable``), the message is retried for as
  long as ``TRANSIENT_GIVE_UP`` and never dead-lettered before that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from faststream import AckPolicy
from faststream.nats import ConsumerConfig, JStream, NatsBroker, NatsMessage, PullSub
from nats.aio.msg import Msg
from pydantic import BaseModel, ValidationError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.envelope import Envelope, EventContract, contract_for
from shared.contracts.streams import DEAD_LETTERS, StreamSpec
from shared.platform.clock import Clock, SystemClock
from shared.platform.db import database_unavailable, inbox_table
from shared.platform.errors import Unavailable
from shared.platform.messaging import inbox_prefix
from shared.platform.observability import MessagingMetrics
from shared.platform.uow import UnitOfWork

log = logging.getLogger("dxday.inbox")

EventHandler = Callable[[UnitOfWork, Envelope, Any], Awaitable[None]]
RETRY_DELAYS_S = (0.5, 2.0, 5.0, 15.0, 30.0)
# What another stream has not delivered yet usually arrives within seconds (the streams are not
# ordered with each other): retry soon and often rather than back off to half a minute.
NOT_YET_KNOWN_DELAYS_S = (0.25, 0.5, 1.0, 2.0, 3.0)
TRANSIENT_GIVE_UP = dt.timedelta(hours=24)
# A batch normally runs without savepoints (two statements fewer per message); after a handler
# failure the consumer uses one per message from the start for this long.
ISOLATE_AFTER_FAILURE_S = 5.0


def transient(exc: BaseException) -> bool:
    return isinstance(exc, Unavailable) or database_unavailable(exc)


class PermanentEventError(Exception):
    """Raised by a handler when an event can never apply; it goes straight to the dead letters."""


@dataclass
class Subscription:
    """A durable consumer of one stream: ``<service>-<name>``, with a handler per contract."""

    service: str
    name: str
    stream: StreamSpec
    handlers: dict[EventContract[Any], EventHandler]
    batch_size: int = 100
    # FastStream waits this long to fill a batch: the delay an event may sit at low load.
    fetch_wait_s: float = 0.1
    ack_wait_s: float = 30.0
    retry_delays_s: tuple[float, ...] = RETRY_DELAYS_S
    not_yet_known_delays_s: tuple[float, ...] = NOT_YET_KNOWN_DELAYS_S
    _by_subject: dict[str, dict[int, tuple[EventContract[Any], EventHandler]]] = field(
        init=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        for contract, handler in self.handlers.items():
            if contract.stream != self.stream:
                raise ValueError(f"{contract.subject} is not on stream {self.stream.name}")
            self._by_subject.setdefault(contract.subject, {})[contract.version] = (contract, handler)

    @property
    def durable(self) -> str:
        return f"{self.service}-{self.name}"

    def versions_of(self, subject: str) -> dict[int, tuple[EventContract[Any], EventHandler]] | None:
        return self._by_subject.get(subject)


# Every reason a message can be dead-lettered for: each consumer's counter starts at 0 for each, so the
# first dead letter after a restart is an increase the alert sees (an absent series is "No data").
DEAD_LETTER_REASONS = ("malformed_json", "bad_envelope", "unknown_version", "unhandled_version", "bad_payload",
                       "subject_mismatch", "rejected_by_handler", "reused_event_id", "handler_failed",
                       "gave_up_waiting")


async def _undecoded(_msg: Any) -> None:
    return None


class ReusedEventId(PermanentEventError):
    """An event id seen before with another body: a producer bug or a forgery, dead-lettered."""


def digest(envelope: Envelope) -> str:
    return hashlib.sha256(envelope.model_dump_json().encode()).hexdigest()


async def claim(session: AsyncSession, consumer: str, envelope: Envelope, now: Any) -> bool:
    """Record the event as handled by this consumer; False if it already was. The same id with another
    body raises :class:`ReusedEventId` (a redelivery or a producer's retry is byte-for-byte the same)."""
    dialect = session.bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    body = digest(envelope)
    stmt = (
        insert(inbox_table)
        .values(consumer=consumer, event_id=envelope.event_id, subject=envelope.type, handled_at=now, digest=body)
        .on_conflict_do_nothing()
    )
    result = await session.execute(stmt)
    if result.rowcount:
        return True
    seen = (await session.execute(sa.select(inbox_table.c.digest).where(
        inbox_table.c.consumer == consumer, inbox_table.c.event_id == envelope.event_id))).scalar_one_or_none()
    if seen is not None and seen != body:
        raise ReusedEventId(f"event id {envelope.event_id} was handled before with another body")
    return False


class DeadLetter(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class InboxConsumer:
    def __init__(
        self,
        subscription: Subscription,
        *,
        uow_factory: Callable[[], UnitOfWork],
        broker: NatsBroker,
        metrics: MessagingMetrics,
        max_deliver: int = 5,
        clock: Clock | None = None,
    ) -> None:
        self.sub = subscription
        self._uow_factory = uow_factory
        self._broker = broker
        self._metrics = metrics
        self._max_deliver = max_deliver
        self._clock = clock or SystemClock()
        self._retry_delays = subscription.retry_delays_s
        self._isolate_until = 0.0  # until then, batches run with a savepoint per message from the start
        for reason in DEAD_LETTER_REASONS:
            metrics.dead_letters.labels(subscription.durable, reason)
        # Test seam: runs after the commit and before the ack (a crash there must not double effects).
        self.after_commit: Callable[[Envelope], Awaitable[None]] | None = None

    def register(self) -> None:
        sub = self.sub

        # A batch is handled in stream order, one message after the other: a workshop's "scheduled"
        # is applied before its "rescheduled". FastStream's per-message mode would run a batch
        # concurrently and lose that order.
        @self._broker.subscriber(
            f"{sub.stream.subject_root}.>",
            stream=JStream(sub.stream.name, declare=False),
            durable=sub.durable,
            pull_sub=PullSub(batch_size=sub.batch_size, timeout=sub.fetch_wait_s, batch=True),
            # Unlimited on the server: this consumer decides when to give up (and dead-letter), so an
            # outage longer than max_deliver retries leaves nothing stranded.
            config=ConsumerConfig(ack_wait=sub.ack_wait_s, max_deliver=-1),
            ack_policy=AckPolicy.MANUAL,
            inbox_prefix=f"{inbox_prefix(sub.service)}.".encode(),  # FastStream's default ignores the broker's
            title=sub.durable,
            # FastStream would json-decode every message of the batch before calling us; one that
            # cannot be decoded (20,000 levels deep, say) would fail the whole batch below this code,
            # unacked, forever. Bodies are decoded here, one by one, and a bad one is dead-lettered alone.
            decoder=_undecoded,
        )
        async def on_batch(msg: NatsMessage) -> None:
            await self.handle_batch(list(msg.raw_message))

    async def handle(self, raw: Msg) -> None:
        await self.handle_batch([raw])

    async def handle_batch(self, raws: list[Msg]) -> None:
        """One transaction for the whole pull batch. When a handler fails, the batch is run again with a
        savepoint per message: the failing one rolls back alone and is retried or dead-lettered; the
        others commit together and are acked after the commit. Order within the batch is kept."""
        work: list[tuple[Msg, Envelope, EventHandler, BaseModel]] = []
        for raw in raws:
            versions = self.sub.versions_of(raw.subject)
            if versions is None:
                await raw.ack()  # not an event this consumer cares about
                continue
            try:
                envelope, _contract, handler, payload = self._decode(raw.subject, raw.data, versions)
            except DeadLetter as dl:
                await self._dead_letter(raw, dl.reason, dl.detail)
                continue
            work.append((raw, envelope, handler, payload))
        if not work:
            return
        try:
            outcome = None
            if time.monotonic() >= self._isolate_until:
                outcome = await self._run(work, isolated=False)
            if outcome is None:  # a handler failed: again, each message in a savepoint that fails alone
                # failures come in runs (events of another stream not here yet): stay careful a while
                self._isolate_until = time.monotonic() + ISOLATE_AFTER_FAILURE_S
                outcome = await self._run(work, isolated=True)
        except Exception as exc:  # the commit (or the database) failed: nothing of the batch took effect
            for raw, envelope, _handler, _payload in work:
                await self._retry_or_dead_letter(raw, envelope, exc)
            return
        handled, failed = outcome
        self._count_duplicates(work, handled, failed)
        self._metrics.inbox_handled.labels(self.sub.durable).inc(len(handled))
        for i, (raw, envelope, _handler, _payload) in enumerate(work):
            if i in failed:
                await self._failed(raw, envelope, failed[i])
                continue
            if self.after_commit is not None and i in handled:
                try:
                    await self.after_commit(envelope)
                except Exception:  # the test seam's "crash": no ack, so the server redelivers
                    log.warning("after-commit hook failed; message left unacknowledged")
                    continue
            await raw.ack()

    async def _run(self, work: list[tuple[Msg, Envelope, EventHandler, BaseModel]], *,
                   isolated: bool) -> tuple[list[int], dict[int, Exception]] | None:
        """Apply the batch in one transaction and commit; returns the indexes handled (not seen before)
        and the failures. Not isolated (the happy path, two statements fewer per message): the first
        handler error rolls everything back and returns None. Isolated: a savepoint per message."""
        failed: dict[int, Exception] = {}
        handled: list[int] = []
        async with self._uow_factory() as uow:
            for i, (_raw, envelope, handler, payload) in enumerate(work):
                try:
                    if isolated:
                        async with uow.savepoint():
                            applied = await self._apply(uow, envelope, handler, payload)
                    else:
                        applied = await self._apply(uow, envelope, handler, payload)
                except Exception as exc:
                    if database_unavailable(exc):
                        raise  # the whole batch waits for the database
                    if not isolated and len(work) > 1:
                        return None
                    failed[i] = exc
                    continue
                if applied:
                    handled.append(i)
            if len(failed) < len(work):
                await uow.commit()
        return handled, failed

    def _count_duplicates(self, work: list[tuple[Msg, Envelope, EventHandler, BaseModel]], handled: list[int],
                          failed: dict[int, Exception]) -> None:
        done = set(handled) | set(failed)
        for i, (_raw, envelope, _handler, _payload) in enumerate(work):
            if i not in done:
                self._metrics.inbox_duplicates.labels(self.sub.durable).inc()
                log.info("duplicate event skipped", extra={"event_id": envelope.event_id,
                                                           "consumer": self.sub.durable})

    async def _failed(self, raw: Msg, envelope: Envelope, exc: Exception) -> None:
        if isinstance(exc, ReusedEventId):
            await self._dead_letter(raw, "reused_event_id", str(exc))
            return
        if isinstance(exc, PermanentEventError):
            await self._dead_letter(raw, "rejected_by_handler", str(exc))
            return
        await self._retry_or_dead_letter(raw, envelope, exc)

    def _decode(
        self, subject: str, data: bytes, versions: dict[int, tuple[EventContract[Any], EventHandler]]
    ) -> tuple[Envelope, EventContract[Any], EventHandler, BaseModel]:
        try:
            envelope = Envelope.model_validate_json(data)
        except ValidationError as exc:
            kind = "malformed_json" if any(e["type"] == "json_invalid" for e in exc.errors()) else "bad_envelope"
            raise DeadLetter(kind, _short(exc)) from None
        if envelope.type != subject:
            raise DeadLetter("subject_mismatch", f"envelope type {envelope.type!r} on subject {subject!r}")
        found = versions.get(envelope.version)
        if found is None:
            known = contract_for(subject, envelope.version)
            detail = f"{subject} v{envelope.version} not handled (handles v{sorted(versions)})"
            raise DeadLetter("unknown_version" if known is None else "unhandled_version", detail)
        contract, handler = found
        try:
            payload = contract.parse(envelope)
        except ValidationError as exc:
            raise DeadLetter("bad_payload", _short(exc)) from None
        return envelope, contract, handler, payload

    async def _apply(self, uow: UnitOfWork, envelope: Envelope, handler: EventHandler, payload: BaseModel) -> bool:
        if not await claim(uow.session, self.sub.durable, envelope, self._clock.now()):
            return False  # seen before: counted once the batch has committed
        await handler(uow, envelope, payload)
        return True

    async def _retry_or_dead_letter(self, raw: Msg, envelope: Envelope, exc: Exception) -> None:
        delivered = raw.metadata.num_delivered
        error = f"{type(exc).__name__}: {exc}"
        if transient(exc):
            stored = raw.metadata.timestamp  # wall-clock age of the message, whatever the service's clock says
            age = dt.datetime.now(dt.UTC) - (stored if stored.tzinfo else stored.replace(tzinfo=dt.UTC))
            if age < TRANSIENT_GIVE_UP:
                delays = self.sub.not_yet_known_delays_s if isinstance(exc, Unavailable) else None
                await self._retry(raw, envelope, delivered, error, "unavailable", delays)
                return
            await self._dead_letter(raw, "gave_up_waiting", f"after {age} and {delivered} deliveries: {error}")
            return
        if delivered >= self._max_deliver:
            await self._dead_letter(raw, "handler_failed", f"after {delivered} deliveries: {error}")
            return
        await self._retry(raw, envelope, delivered, error, "handler failed")

    async def _retry(self, raw: Msg, envelope: Envelope, delivered: int, error: str, why: str,
                     delays: tuple[float, ...] | None = None) -> None:
        delays = delays or self._retry_delays
        delay = delays[min(delivered - 1, len(delays) - 1)]
        log.warning(
            "%s, retrying in %.1fs (delivery %d, dead-letter after %d handler failures): %s",
            why, delay, delivered, self._max_deliver, error,
            extra={"event_id": envelope.event_id, "correlation_id": envelope.correlation_id,
                   "consumer": self.sub.durable},
        )
        self._metrics.handler_retries.labels(self.sub.durable).inc()
        await raw.nak(delay=delay)

    async def _dead_letter(self, raw: Msg, reason: str, detail: str) -> None:
        meta = raw.metadata
        # Nats-* headers of the original (e.g. Nats-Expected-Stream) would make the copy fail.
        headers = {k: v for k, v in (raw.headers or {}).items() if not k.startswith("Nats-")}
        headers.update(
            {
                "Nats-Msg-Id": f"dlq-{meta.stream}-{meta.sequence.stream}-{self.sub.durable}",
                "Dxday-Dlq-Reason": reason,
                "Dxday-Dlq-Detail": detail[:1000],
                "Dxday-Dlq-Consumer": self.sub.durable,
                "Dxday-Orig-Subject": raw.subject,
                "Dxday-Orig-Stream": meta.stream,
                "Dxday-Orig-Seq": str(meta.sequence.stream),
                "Dxday-Deliveries": str(meta.num_delivered),
            }
        )
        try:
            await self._broker.publish(
                raw.data,
                f"{DEAD_LETTERS.subject_root}.{self.sub.durable}",
                headers=headers,
                stream=DEAD_LETTERS.name,
                timeout=5.0,
            )
        except Exception as exc:  # the dead-letter copy failed: keep the message, try again later
            log.error("dead-letter publish failed, will redeliver: %s", exc)
            await raw.nak(delay=self._retry_delays[-1])
            return
        self._metrics.dead_letters.labels(self.sub.durable, reason).inc()
        log.error(
            "message dead-lettered: %s", reason,
            extra={"consumer": self.sub.durable, "stream_seq": meta.sequence.stream, "detail": detail[:300]},
        )
        await raw.ack()


def _short(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors()[:5]]
    return "; ".join(parts)[:1000]


