"""A notification's life: pending -> sent, or retried (pending again, later) until the attempts run
out -> failed (then the person's next consented channel gets a copy), or suppressed (no consent, an
opted-out or erased person, the promotional limit). Pure: time and the back-off are passed in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from services.notifications.domain.policy import MessageClass, over_promotional_limit


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a replica (see the dispatcher)
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


class Attempt(StrEnum):
    """What one try to send came to."""

    SENT = "sent"
    RETRY = "retry"  # the channel may take it later (a timeout, 5xx, 429)
    FAILED_FOR_GOOD = "failed_for_good"  # retrying cannot help (a bad address, 4xx)
    SUPPRESSED = "suppressed"
    WAIT = "wait"  # something it needs (contact details, a ticket) is away for a moment
    LEASE_LOST = "lease_lost"  # this replica stalled past its claim; another one sends it


@dataclass(frozen=True)
class Outcome:
    """The state a notification moves to after an attempt; ``metric``: how the attempt is counted."""

    status: NotificationStatus
    attempts: int
    next_attempt_at: dt.datetime | None
    metric: str | None
    falls_back: bool = False


def after_attempt(attempt: Attempt, attempts: int, max_attempts: int, now: dt.datetime,
                  backoff: Callable[[int], dt.timedelta], wait: dt.timedelta) -> Outcome | None:
    """The next state; None when nothing is to be recorded (sent, recorded with the batch; lease lost).
    ``attempts``: tries made before this one."""
    attempt = Attempt(attempt)
    if attempt in (Attempt.SENT, Attempt.LEASE_LOST):
        return None
    if attempt is Attempt.WAIT:  # no attempt spent
        return Outcome(NotificationStatus.PENDING, attempts, now + wait, None)
    if attempt is Attempt.SUPPRESSED:
        return Outcome(NotificationStatus.SUPPRESSED, attempts, None, "suppressed")
    tried = attempts + 1
    if attempt is Attempt.RETRY and tried < max_attempts:
        return Outcome(NotificationStatus.PENDING, tried, now + backoff(tried), "retried")
    return Outcome(NotificationStatus.FAILED, tried, None, "failed", falls_back=True)


@dataclass(eq=False)
class Notification:
    """One notice to one person on one channel, as planned: pending at its send time, or suppressed
    at once with the reason (over the promotional limit)."""

    id: str
    dedup_key: str
    cause_event_id: str
    cause_type: str
    campaign_id: str | None
    recipient_kind: str
    recipient_id: str
    channel: str
    template: str
    language: str
    klass: MessageClass
    subject: str
    body: str
    status: NotificationStatus
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    caused_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    sent_at: dt.datetime | None = None
    fallback_of: str | None = None
    told_start: dt.datetime | None = None
    seat_id: str | None = None

    @classmethod
    def plan(cls, notification_id: str, *, dedup_key: str, cause: Any, contact: dict[str, Any], channel: str,
             template: str, klass: MessageClass, text: tuple[str, str], send_at: dt.datetime, now: dt.datetime,
             promotions_today: int = 0, told_start: dt.datetime | None = None,
             seat_id: str | None = None) -> Notification:
        """``cause``: the event it answers (``event_id``, ``type``, ``occurred_at``, ``campaign_id``);
        ``promotions_today``: promotions planned for this person in the last day."""
        refused = over_promotional_limit(klass, promotions_today)
        subject, body = text
        return cls(notification_id, dedup_key, cause.event_id, cause.type, cause.campaign_id, contact["kind"],
                   contact["contact_id"], channel, template, contact["language"], MessageClass(klass), subject, body,
                   NotificationStatus.SUPPRESSED if refused else NotificationStatus.PENDING, 0, send_at, refused,
                   cause.occurred_at, now, now, told_start=told_start, seat_id=seat_id)

    def row(self) -> dict[str, Any]:
        """What the repository stores (statuses as their values)."""
        values = asdict(self)
        values["status"], values["klass"] = self.status.value, self.klass.value
        return values
