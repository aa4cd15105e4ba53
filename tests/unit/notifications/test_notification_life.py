"""A notification's next state after each kind of attempt (services/notifications/domain/notification.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from services.notifications.domain.notification import Attempt, NotificationStatus, after_attempt

NOW = dt.datetime(2026, 10, 1, 1, 0, tzinfo=dt.UTC)
BACKOFF = {1: 5, 2: 10, 3: 20, 4: 40}


def outcome(attempt: Attempt, attempts: int, max_attempts: int = 5):  # type: ignore[no-untyped-def]
    return after_attempt(attempt, attempts, max_attempts, NOW, lambda n: dt.timedelta(seconds=BACKOFF[n]),
                         dt.timedelta(seconds=5))


@pytest.mark.parametrize(("attempt", "before", "status", "attempts", "delay", "metric", "falls_back"), [
    (Attempt.RETRY, 0, NotificationStatus.PENDING, 1, 5, "retried", False),
    (Attempt.RETRY, 3, NotificationStatus.PENDING, 4, 40, "retried", False),
    (Attempt.RETRY, 4, NotificationStatus.FAILED, 5, None, "failed", True),  # the attempts ran out
    (Attempt.FAILED_FOR_GOOD, 0, NotificationStatus.FAILED, 1, None, "failed", True),  # a 4xx: no retry
    (Attempt.SUPPRESSED, 2, NotificationStatus.SUPPRESSED, 2, None, "suppressed", False),
    (Attempt.WAIT, 2, NotificationStatus.PENDING, 2, 5, None, False),  # no attempt spent
])
def test_the_state_after_an_attempt(attempt, before, status, attempts, delay, metric, falls_back):
    got = outcome(attempt, before)
    assert (got.status, got.attempts, got.metric, got.falls_back) == (status, attempts, metric, falls_back)
    assert got.next_attempt_at == (NOW + dt.timedelta(seconds=delay) if delay is not None else None)


@pytest.mark.parametrize("attempt", [Attempt.SENT, Attempt.LEASE_LOST])
def test_sent_and_lost_leases_are_recorded_elsewhere(attempt):
    assert outcome(attempt, 0) is None
