"""Every message template renders in Vietnamese and English, with times the Vietnamese way."""

from __future__ import annotations

import datetime as dt

import pytest

from services.notifications.adapters import templates
from services.notifications.domain import timefmt
from services.notifications.domain.policy import QuietHours, next_allowed, retry_delay

VN = dt.timezone(dt.timedelta(hours=7))
START = dt.datetime(2022, 10, 10, 1, 0, tzinfo=dt.UTC)  # 08:00 local, a Monday
WORKSHOP = {"title": "Hội thảo Chuyển đổi số", "room_name": "Hội trường A", "start": START,
            "end": START + dt.timedelta(hours=3)}
CONTEXT = {
    "name": "Nguyễn Thị Lan", "campaign": {"locality": "Quảng Ngãi", "theme": "Chuyển đổi số"},
    "application_id": "app-1", "allocations": [{"booth_code": "A01", "venue_id": "v", "day": "2022-10-10"}],
    "position": 2, "reason": "Hết gian hàng", "by_organizer": True, "workshop": WORKSHOP, "seat_number": 12,
    "previous_start": START - dt.timedelta(days=1), "hours": 24, "today": dt.date(2022, 10, 10),
    "workshops": [WORKSHOP], "title": "Mời tham quan", "text": "Khu trưng bày mở cửa từ 8 giờ.",
    "code": "123456", "link": "https://dangnhap.example.vn/sign-in/c.s", "minutes": 15,  # the sign-in message
}


def test_vietnamese_date_and_time():
    assert timefmt.when(START, "Asia/Ho_Chi_Minh") == "08:00, thứ Hai, 10/10/2022"
    assert timefmt.when(START, "Asia/Ho_Chi_Minh", "en") == "08:00, Monday, 10/10/2022"
    assert timefmt.day(dt.date(2022, 10, 9)) == "Chủ nhật, 09/10/2022"


@pytest.mark.parametrize("name", templates.names())
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_template_renders(name: str, language: str):
    subject, body = templates.render(name, language, "Asia/Ho_Chi_Minh", CONTEXT)
    assert subject and "\n" not in subject and body.strip()
    assert "{{" not in subject + body and "{%" not in body


def test_templates_cover_every_notice_and_both_languages():
    assert len(templates.names()) == 15  # 14 notices and the sign-in message
    for name in templates.names():
        assert (templates.TEMPLATES / "en" / f"{name}.txt.j2").exists()
        for language in ("vi", "en"):  # each notice has its own SMS line too
            assert (templates.TEMPLATES / language / "sms" / f"{name}.txt.j2").exists()


@pytest.mark.parametrize("name", templates.names())
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_sms_is_one_short_line_with_the_brand(name: str, language: str):
    text = templates.render_sms(name, language, "Asia/Ho_Chi_Minh", {**CONTEXT, "links": {
        "page": "https://lich.example.vn/reserve/w1", "schedule": "https://lich.example.vn/schedule/qn"}},
        brand="NgayCDS")
    assert text.startswith("NgayCDS: ") and "\n" not in text and "{{" not in text
    assert templates.sms_segments(text) <= 2, text
    plain = templates.render_sms(name, language, "Asia/Ho_Chi_Minh", CONTEXT, brand="NgayCDS", diacritics=False)
    assert plain.isascii() and templates.sms_segments(plain) == 1, plain


def test_sms_segments_are_counted_as_carriers_bill_them():
    assert templates.sms_segments("a" * 160) == 1 and templates.sms_segments("a" * 161) == 2
    assert templates.sms_segments("ạ" * 70) == 1 and templates.sms_segments("ạ" * 71) == 2
    assert templates.without_diacritics("Đăng ký Hội thảo — sập máy…") == "Dang ky Hoi thao - sap may..."


def test_a_missing_value_is_an_error_not_a_hole():
    with pytest.raises(Exception, match="undefined"):
        templates.render("seat_confirmed", "vi", "Asia/Ho_Chi_Minh", {"name": "x"})


def test_seat_notice_in_vietnamese_reads_right():
    _, body = templates.render("seat_confirmed", "vi", "Asia/Ho_Chi_Minh", CONTEXT)
    assert "chỗ số 12" in body and "Thời gian: 08:00, thứ Hai, 10/10/2022" in body


@pytest.mark.parametrize("local,held_until", [
    ("2026-10-01T20:59", None), ("2026-10-01T21:00", "2026-10-02T07:00"), ("2026-10-01T23:30", "2026-10-02T07:00"),
    ("2026-10-02T03:00", "2026-10-02T07:00"), ("2026-10-02T07:00", None)])
def test_sms_quiet_hours_in_local_time(local: str, held_until: str | None):
    now = dt.datetime.fromisoformat(local).replace(tzinfo=VN).astimezone(dt.UTC)
    allowed = next_allowed(now, "Asia/Ho_Chi_Minh", QuietHours.parse("21:00-07:00"))
    expected = now if held_until is None else dt.datetime.fromisoformat(held_until).replace(tzinfo=VN)
    assert allowed == expected


def test_retry_delay_grows_with_jitter_inside_bounds():
    for attempt, ceiling in ((1, 5), (2, 10), (3, 20)):
        delays = {retry_delay(attempt, 5.0).total_seconds() for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays) and len(delays) > 1
