"""Sending planned notifications: claim the due ones, send them concurrently per batch, record each
outcome; retry with back-off and jitter; when a channel fails for good, fall back to the person's
next consented channel. Consent is checked again right before sending.

Replicas share the work through claims with a lease: a replica sends a claimed notification only
while its lease holds by its own monotonic clock, and records an outcome only while the claim is
still its own. A replica that stalls (paused, swapped out) past its lease sends nothing more of that
batch; another one takes the notifications over. The window left is a stall between that check and
the channel call: gateways get the notification id as idempotency key for it."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from services.notifications.application.planning import Planner
from services.notifications.application.ports import (
    ChannelError,
    DirectoryUnavailable,
    NotificationStore,
    NotificationsUnitOfWork,
    Outgoing,
    Transport,
)
from services.notifications.domain.notification import Attempt, NotificationStatus, after_attempt
from services.notifications.domain.policy import fallback_channel, retry_delay
from services.notifications.domain.texts import personalise
from shared.platform.auth import MANAGE_DAYS, manage_token
from shared.platform.clock import Clock

log = logging.getLogger("dxday.notifications")


class DispatchMetrics(Protocol):
    def outcome(self, channel: str, template: str, status: str) -> None: ...
    def delay(self, channel: str, seconds: float) -> None: ...


class Directory(Protocol):
    async def details(self, ids: list[str]) -> dict[str, Any]: ...


class Tickets(Protocol):
    """Check-in tickets of seats (``SeatTicket``: token and code), by seat id; only confirmed seats."""

    async def tickets(self, seat_ids: list[str]) -> dict[str, Any]: ...


class RateLimiter:
    """Spaces sends on one channel to at most ``rate`` a second."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_free = 0.0
        self.lock = asyncio.Lock()

    async def acquire(self) -> None:
        if not self.interval:
            return
        async with self.lock:
            now = time.monotonic()
            wait = self.next_free - now
            self.next_free = max(now, self.next_free) + self.interval
        if wait > 0:
            await asyncio.sleep(wait)


@dataclass
class Dispatcher:
    uow: Callable[[], NotificationsUnitOfWork]
    clock: Clock
    transports: dict[str, Transport]
    metrics: DispatchMetrics
    planner_for: Callable[[NotificationStore], Planner]
    directory: Directory
    tickets: Tickets | None = None
    max_attempts: int = 5
    retry_base_s: float = 5.0
    batch: int = 500
    rates: dict[str, float] | None = None
    replica: str = "notifications"
    lease_s: float = 60.0
    concurrency: int = 50  # channel calls in flight at once
    send_timeout_s: float = 20.0  # a channel call that takes longer is abandoned and retried later
    manage_secret: str | None = None  # signs the links that open a recipient's own seat (the shared key)

    def __post_init__(self) -> None:
        self.limiters = {c: RateLimiter(r) for c, r in (self.rates or {}).items()}
        self.in_flight = asyncio.Semaphore(self.concurrency)

    async def recover(self) -> int:
        """At start: what a crash left half-sent goes back to the queue, with the same idempotency key."""
        async with self.uow() as uow:
            n = await uow.notices.release_claims_of(self.replica, self.clock.now())
            await uow.commit()
        if n:
            log.warning("%d notifications were being sent when the service stopped; they go out again", n)
        return n

    async def run_once(self) -> int:
        """Send one batch of due notifications; returns how many were handled."""
        now = self.clock.now()
        async with self.uow() as uow:
            repo = uow.notices
            claimed = await repo.claim_due(now, self.batch, self.replica, now + dt.timedelta(seconds=self.lease_s))
            contacts = await repo.contacts_by_id(list({n["recipient_id"] for n in claimed}))
            await uow.commit()
        if not claimed:
            return 0
        try:
            details = await self.directory.details(sorted({n["recipient_id"] for n in claimed}))
        except DirectoryUnavailable as exc:
            await self._hand_back(claimed, str(exc))
            return 0
        tickets = await self._tickets(claimed)
        # The claim was written before this moment. A call may start only while it can end (timeout
        # included) before the claim does, so that nobody else can have taken the notice meanwhile.
        deadline = time.monotonic() + max(self.lease_s - self.send_timeout_s, 0.0)
        results = await asyncio.gather(*(self._send(n, contacts.get(n["recipient_id"]), details.get(n["recipient_id"]),
                                                    deadline, tickets) for n in claimed))
        async with self.uow() as uow:
            repo = uow.notices
            sent = [n for n, (status, _) in zip(claimed, results, strict=True) if status is Attempt.SENT]
            await self._record_sent(repo, sent)
            for notification, (status, error) in zip(claimed, results, strict=True):
                if status not in (Attempt.SENT, Attempt.LEASE_LOST):
                    await self._record(repo, notification, contacts.get(notification["recipient_id"]), status, error)
            await uow.commit()
        lost = sum(1 for status, _ in results if status is Attempt.LEASE_LOST)
        if lost:
            log.warning("%d notifications left to another replica: this one stalled past its claim", lost)
        return len(claimed)

    async def _hand_back(self, claimed: list[dict[str, Any]], why: str) -> None:
        """Without contact details nothing goes out: the notices wait, their attempts unspent."""
        log.warning("contact details unavailable (%s); %d notices wait", why, len(claimed))
        now = self.clock.now()
        async with self.uow() as uow:
            repo = uow.notices
            for n in claimed:
                await repo.record_outcome(n["id"], self.replica, {
                    "status": NotificationStatus.PENDING.value, "updated_at": now,
                    "next_attempt_at": now + dt.timedelta(seconds=self.retry_base_s)})
            await uow.commit()

    async def _tickets(self, claimed: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The check-in tickets the seat notices of this batch carry; None when the events service does
        not answer (those notices wait, the others go)."""
        seat_ids = sorted({n["seat_id"] for n in claimed if n.get("seat_id")})
        if not seat_ids or self.tickets is None:
            return {}
        try:
            return await self.tickets.tickets(seat_ids)
        except DirectoryUnavailable as exc:
            log.warning("check-in tickets unavailable (%s); %d seat notices wait", exc, len(seat_ids))
            return None

    async def run_until_idle(self) -> int:
        total = 0
        while (n := await self.run_once()) > 0:
            total += n
        return total

    async def _send(self, n: dict[str, Any], contact: dict[str, Any] | None, detail: Any,
                    deadline: float, tickets: dict[str, Any] | None) -> tuple[Attempt, str | None]:
        if contact is None or contact["opted_out"]:
            return Attempt.SUPPRESSED, "no consent: opted out or erased"
        if n["channel"] not in contact["channels"]:
            return Attempt.SUPPRESSED, f"no consent for channel {n['channel']}"
        if detail is None or not detail.reachable:  # the registration service has the last word on consent
            return Attempt.SUPPRESSED, "opted out or erased at registration"
        promotional = n["klass"] == "promo"
        if promotional and not detail.promotions:
            return Attempt.SUPPRESSED, "no consent to promotions at registration"
        transport = self.transports.get(n["channel"])
        if transport is None:
            return Attempt.FAILED_FOR_GOOD, f"channel {n['channel']} is not configured"
        if n.get("seat_id") and tickets is None:
            return Attempt.WAIT, "check-in ticket unavailable: the events service did not answer"
        ticket = (tickets or {}).get(n.get("seat_id") or "")  # none: the seat is no longer confirmed
        code = ticket.code if ticket else None
        address = {"email": detail.email, "sms": detail.phone}.get(n["channel"], n["recipient_id"])
        expires = int(self.clock.now().timestamp()) + MANAGE_DAYS * 86400
        secret = self.manage_secret

        def manage(thing: str) -> str:
            assert secret is not None
            return manage_token(secret, n["recipient_id"], thing, expires)

        linked = manage if secret and n["channel"] != "sms" else None  # an SMS stays one or two segments
        subject, body = (personalise(t, detail.name, n["language"], code, linked) for t in (n["subject"], n["body"]))
        limiter = self.limiters.get(n["channel"])
        if limiter:
            await limiter.acquire()
        try:
            async with self.in_flight:
                if time.monotonic() > deadline:  # checked last thing before the call
                    return Attempt.LEASE_LOST, None
                await asyncio.wait_for(transport.send(Outgoing(
                    n["id"], n["channel"], address or "", subject, body, n["language"], n["template"],
                    n["recipient_id"], unsubscribe_url=detail.unsubscribe_url if promotional else None,
                    qr=ticket.token if ticket else None)),
                    self.send_timeout_s)
        except ChannelError as exc:
            return (Attempt.FAILED_FOR_GOOD if exc.permanent else Attempt.RETRY), str(exc)[:500]
        except TimeoutError:
            return Attempt.RETRY, f"no answer from the {n['channel']} channel in {self.send_timeout_s:.0f} s"
        except Exception as exc:  # a transport bug must not stop the batch; it is recorded and retried
            log.exception("channel %s crashed", n["channel"])
            return Attempt.RETRY, f"{type(exc).__name__}: {exc}"[:500]
        return Attempt.SENT, None

    async def _record_sent(self, repo: NotificationStore, sent: list[dict[str, Any]]) -> None:
        if not sent:
            return
        now = self.clock.now()
        recorded = await repo.record_sent([n["id"] for n in sent], self.replica, now)
        for n in sent:
            if n["id"] not in recorded:
                log.warning("sent, but the claim had passed to another replica", extra={"notification_id": n["id"]})
                continue
            self.metrics.outcome(n["channel"], n["template"], "sent")
            self.metrics.delay(n["channel"], (now - n["caused_at"]).total_seconds())

    async def _record(self, repo: NotificationStore, n: dict[str, Any], contact: dict[str, Any] | None,
                      status: Attempt, error: str | None) -> None:
        now = self.clock.now()
        outcome = after_attempt(status, n["attempts"], self.max_attempts, now,
                                lambda tried: retry_delay(tried, self.retry_base_s),
                                dt.timedelta(seconds=self.retry_base_s))
        if outcome is None:
            return
        values: dict[str, Any] = {"status": outcome.status.value, "attempts": outcome.attempts, "last_error": error,
                                  "updated_at": now}
        if outcome.next_attempt_at is not None:
            values["next_attempt_at"] = outcome.next_attempt_at
        if not await repo.record_outcome(n["id"], self.replica, values):
            return  # the claim passed to another replica
        if outcome.metric:
            self.metrics.outcome(n["channel"], n["template"], outcome.metric)
        if outcome.falls_back:
            log.warning("notification failed on %s after %d attempts: %s", n["channel"], outcome.attempts, error,
                        extra={"notification_id": n["id"], "cause_event_id": n["cause_event_id"]})
            await self._fall_back(repo, n, contact, now)

    async def _fall_back(self, repo: NotificationStore, n: dict[str, Any], contact: dict[str, Any] | None,
                         now: dt.datetime) -> None:
        """The notice goes out on the person's next consented channel; both rows stay in the log."""
        if contact is None:
            return
        tried = {n["channel"]}
        origin = n
        while origin.get("fallback_of"):
            parent = await repo.notification(origin["fallback_of"])
            if parent is None:
                break
            tried.add(parent["channel"])
            origin = parent
        planner = self.planner_for(repo)
        channel = fallback_channel(contact["channels"], tried, planner.available)
        if channel is None:
            return
        tz = await planner.timezone(n["campaign_id"])
        await repo.add_notifications([{
            **{k: n[k] for k in ("dedup_key", "cause_event_id", "cause_type", "campaign_id", "recipient_kind",
                                 "recipient_id", "template", "language", "klass", "subject", "body", "caused_at",
                                 "seat_id")},
            "id": str(uuid.uuid4()), "channel": channel, "status": NotificationStatus.PENDING.value, "attempts": 0,
            "last_error": None,
            "next_attempt_at": planner.send_time(channel, tz, n["klass"], now), "created_at": now,
            "updated_at": now, "sent_at": None, "fallback_of": n["id"]}])
        log.info("falling back from %s to %s", n["channel"], channel, extra={"notification_id": n["id"]})
