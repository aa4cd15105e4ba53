"""A notification's life: pending -> sent, or retried (pending again, later) until the attempts run
out -> failed (then the person's next consented channel gets a copy), or suppressed (no consent, an
opted-out or erased person, the promotional limit). Pure: time and the back-off are passed in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


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
