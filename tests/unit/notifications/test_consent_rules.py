"""Who may be sent what, on which channel, and the promotional limit (Decree 91/2020): table tests."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from services.notifications.domain.notification import Notification, NotificationStatus
from services.notifications.domain.policy import (
    PROMO,
    PROMO_DAILY_LIMIT,
    SERVICE,
    channel_for,
    consented,
    over_promotional_limit,
)

NOW = dt.datetime(2027, 10, 3, 9, tzinfo=dt.UTC)


def contact(kind="participant", purposes=("service_notices",), opted_out=False, channels=("email",)):
    return {"kind": kind, "contact_id": "p1", "language": "vi", "purposes": list(purposes),
            "opted_out": opted_out, "channels": list(channels)}


@pytest.mark.parametrize("who,template,expected", [
    (contact(), "seat_confirmed", True),                                   # service notices need their purpose
    (contact(purposes=()), "seat_confirmed", False),
    (contact(), "reminder", False),                                        # reminders are a purpose of their own
    (contact(purposes=("service_notices", "reminders")), "reminder", True),
    (contact(purposes=("service_notices", "digest")), "digest", True),
    (contact(), "announcement", False),                                    # promotions only with consent
    (contact(purposes=("promotions",)), "announcement", True),
    (contact(purposes=("promotions", "service_notices"), opted_out=True), "seat_confirmed", False),  # nothing
    (contact(kind="business", purposes=()), "booth_confirmed", True),      # a business: its own booths
    (contact(kind="business", purposes=()), "announcement", False),
])
def test_consent_decides_what_a_person_receives(who, template, expected):
    assert consented(who, template) is expected


@pytest.mark.parametrize("channels,available,expected", [
    (["sms", "email"], {"email", "sms"}, "sms"),      # the person's order
    (["sms", "email"], {"email"}, "email"),           # a channel this installation lacks is passed over
    (["webhook"], {"email", "sms"}, None),
    ([], {"email"}, None),
])
def test_the_first_consented_channel_that_can_send(channels, available, expected):
    assert channel_for(channels, available) == expected


@pytest.mark.parametrize("klass,today,refused", [
    (PROMO, 0, False), (PROMO, PROMO_DAILY_LIMIT - 1, False), (PROMO, PROMO_DAILY_LIMIT, True),
    (PROMO, PROMO_DAILY_LIMIT + 5, True), (SERVICE, 99, False),
])
def test_at_most_three_promotions_a_day(klass, today, refused):
    assert (over_promotional_limit(klass, today) is not None) is refused


def test_a_planned_promotion_over_the_limit_is_suppressed_with_its_reason():
    cause = SimpleNamespace(event_id="e1", type="campaign.announced", occurred_at=NOW, campaign_id="qn-2027")
    planned = [Notification.plan(f"n{i}", dedup_key="e1", cause=cause, contact=contact(purposes=("promotions",)),
                                 channel="email", template="announcement", klass=PROMO, text=("[QC] Mời", "…"),
                                 send_at=NOW, now=NOW, promotions_today=today) for i, today in enumerate((2, 3))]
    assert [n.status for n in planned] == [NotificationStatus.PENDING, NotificationStatus.SUPPRESSED]
    assert "Decree 91/2020" in planned[1].last_error and planned[0].last_error is None
    row = planned[1].row()
    assert row["status"] == "suppressed" and row["klass"] == "promo" and row["recipient_id"] == "p1"
