"""Pure rules, no I/O: quiet hours against what cannot wait, and household ids (căn cước công dân)."""

from __future__ import annotations

import datetime as dt

import pytest

from services.notifications.domain.links import Sites, links_for
from services.notifications.domain.policy import PROMO, SERVICE, QuietHours, send_time
from services.registration.domain.validation import tax_code
from shared.platform.i18n import render

VN = dt.timezone(dt.timedelta(hours=7))
SMS_NIGHT = QuietHours(dt.time(21, 0), dt.time(7, 0))
TZ = "Asia/Ho_Chi_Minh"


def at(hour: int, minute: int = 0, day: int = 1) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, minute, tzinfo=VN)


@pytest.mark.parametrize("planned,klass,urgent_before,expected", [
    (at(1), SERVICE, None, at(7)),                    # can wait: held until the morning
    (at(1), SERVICE, at(5, 9), at(1)),                # the workshop begins before 07:00: at once
    (at(1), SERVICE, at(7), at(1)),                   # begins exactly as the quiet hours end: too late then
    (at(1), SERVICE, at(7, 1), at(7)),                # one minute after: 07:00 is in time
    (at(22), SERVICE, at(6, day=2), at(22)),          # evening, for a 06:00 workshop the next day
    (at(10), SERVICE, at(11), at(10)),                # outside quiet hours nothing changes
    (at(1), PROMO, at(5), at(7)),                     # promotions always wait (Decree 91)
    (at(23), PROMO, None, at(7, day=2)),
], ids=["waits", "urgent", "urgent-at-edge", "in-time", "evening", "daytime", "promo-urgent", "promo"])
def test_quiet_hours_hold_only_what_can_wait(planned, klass, urgent_before, expected):
    assert send_time(planned, TZ, SMS_NIGHT, klass, urgent_before) == expected


@pytest.mark.parametrize("raw,expected", [
    ("051095001234", "051095001234"),                 # Quảng Ngãi, a man born in 1995
    ("001303004567", "001303004567"),                 # Hà Nội, a woman born in 2003
    ("０５１０９５００１２３４", "051095001234"),         # fullwidth digits are the same id
    ("٠٥١٠٩٥٠٠١٢٣٤", "051095001234"),                 # Arabic-Indic
    ("०५१०९५००१२३४", "051095001234"),                 # Devanagari
    ("051 095 001 234", "051095001234"),
])
def test_a_household_business_id_is_normalised(raw: str, expected: str):
    assert tax_code(raw, 2026) == expected


@pytest.mark.parametrize("raw,why", [
    ("999999999999", "mã tỉnh"),                      # no province 999
    ("003095001234", "mã tỉnh"),                      # 003 was never a province code
    ("051295001234", "năm sinh"),                     # 2095: not born yet
    ("051227001234", "năm sinh"),                     # 2027 in 2026
    ("05109500123", "Mã số thuế"),                    # 11 digits: neither form
])
def test_a_household_business_id_must_be_a_citizen_id(raw: str, why: str):
    with pytest.raises(ValueError) as refused:
        tax_code(raw, 2026)
    assert why in render(refused.value.args[0], "vi")  # the reason, in Vietnamese


SITES = Sites(registration="https://dangky.example.vn", events="https://lich.example.vn")


@pytest.mark.parametrize("template,context,expected", [
    ("booth_confirmed", {}, {"page": "https://dangky.example.vn/exhibit/qn-2027/booths[[manage:qn-2027]]"}),
    ("seat_confirmed", {"workshop": {"workshop_id": "w1"}},
     {"page": "https://lich.example.vn/reserve/w1[[manage:w1]]",
      "calendar": "https://lich.example.vn/workshops/w1/calendar.ics"}),
    ("workshop_changed", {"workshop": {"workshop_id": "w1"}}, {"page": "https://lich.example.vn/reserve/w1[[manage:w1]]",
                                                               "calendar": "https://lich.example.vn/workshops/w1/calendar.ics"}),
    ("workshop_cancelled", {"workshop": {"workshop_id": "w1"}}, {"page": "https://lich.example.vn/schedule/qn-2027"}),
    ("announcement", {}, {"page": "https://lich.example.vn/schedule/qn-2027"}),
])
def test_every_notice_links_to_what_it_is_about(template: str, context: dict, expected: dict):
    links = links_for(template, "qn-2027", context, SITES)
    assert links["schedule"] == "https://lich.example.vn/schedule/qn-2027"
    assert {k: v for k, v in links.items() if k != "schedule"} == expected


def test_a_seat_notice_link_opens_that_seat_only_for_two_weeks():
    """The slot of a seat notice's link is filled when it leaves with a token for its recipient and that
    workshop; another workshop, another key, a changed token or two weeks later open nothing."""
    from services.notifications.domain.texts import personalise
    from shared.platform.auth import MANAGE_DAYS, manage_token, read_manage_token

    sent_at = 1_790_000_000
    text = personalise("Xem: https://lich.example.vn/reserve/w1[[manage:w1]]", "Hoa", "vi",
                       manage=lambda thing: manage_token("k", "p-1", thing, sent_at + MANAGE_DAYS * 86400))
    token = text.rsplit("manage=", 1)[1]
    assert "[[" not in text and read_manage_token("k", token, "w1", sent_at + 60) == "p-1"
    assert read_manage_token("k", token, "w2", sent_at + 60) is None
    assert read_manage_token("other key", token, "w1", sent_at + 60) is None
    assert read_manage_token("k", token.replace("p-1", "p-2"), "w1", sent_at + 60) is None
    assert read_manage_token("k", token, "w1", sent_at + MANAGE_DAYS * 86400 + 1) is None
    assert personalise("https://x/reserve/w1[[manage:w1]]", None, "vi") == "https://x/reserve/w1"  # an SMS
