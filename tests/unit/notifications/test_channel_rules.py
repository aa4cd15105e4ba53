"""Channel choice, fallback and retry back-off as tables (services/notifications/domain/policy.py)."""

from __future__ import annotations

import random

import pytest

from services.notifications.domain.policy import fallback_channel, parse_quiet_hours, parse_rates, retry_delay
from services.notifications.domain.texts import CODE_SLOT, NAME_SLOT, personalise


@pytest.mark.parametrize(("preferred", "tried", "available", "expected"), [
    (["email", "sms"], {"email"}, {"email", "sms"}, "sms"),
    (["email", "sms"], {"email"}, {"email"}, None),  # SMS not configured here
    (["sms", "email", "file"], {"sms", "email"}, {"sms", "email", "file"}, "file"),
    (["email"], {"email"}, {"email", "sms"}, None),  # no consent to SMS: never falls back to it
])
def test_a_failed_notice_falls_back_to_the_next_consented_channel(preferred, tried, available, expected):
    assert fallback_channel(preferred, tried, available) == expected


@pytest.mark.parametrize("attempt", [1, 2, 3, 6])
def test_retries_back_off_with_jitter_inside_the_window(attempt: int):
    rng = random.Random(attempt)
    ceiling = 5.0 * 2 ** (attempt - 1)
    for _ in range(50):
        assert ceiling / 2 <= retry_delay(attempt, 5.0, rng).total_seconds() <= ceiling


@pytest.mark.parametrize(("spec", "ok"), [("sms=21:00-07:00", True), ("sms=21:00-07:00,email=23:00-06:00", True),
                                          ("sms=25:00-07:00", False), ("sms", False)])
def test_quiet_hours_settings_are_checked(spec: str, ok: bool):
    if ok:
        assert set(parse_quiet_hours(spec)) <= {"sms", "email"}
    else:
        with pytest.raises(ValueError):
            parse_quiet_hours(spec)


def test_channel_rates_are_checked():
    assert parse_rates("sms=5,email=20") == {"sms": 5.0, "email": 20.0}
    with pytest.raises(ValueError):
        parse_rates("sms=fast")


@pytest.mark.parametrize(("name", "code", "language", "expected"), [
    ("Lan", "7KQ2M-X9F4D", "vi", "Chào Lan, mã 7KQ2M-X9F4D"),
    (None, None, "vi", "Chào Quý vị, mã (xem trang chi tiết)"),  # no name kept; the seat no longer confirmed
    (None, None, "en", "Chào Sir or Madam, mã (see the page)"),
])
def test_slots_are_filled_when_the_message_leaves(name, code, language, expected):
    assert personalise(f"Chào {NAME_SLOT}, mã {CODE_SLOT}", name, language, code) == expected
