"""Dates and times the Vietnamese way, in the campaign's local time: "08:00, thứ Hai, 10/10/2022"."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

WEEKDAYS_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def when(moment: datetime, timezone: str, language: str = "vi") -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    if language == "en":
        return f"{local:%H:%M}, {WEEKDAYS_EN[local.weekday()]}, {local:%d/%m/%Y}"
    return f"{local:%H:%M}, {WEEKDAYS_VI[local.weekday()]}, {local:%d/%m/%Y}"


def day(d: date, language: str = "vi") -> str:
    names = WEEKDAYS_EN if language == "en" else WEEKDAYS_VI
    return f"{names[d.weekday()]}, {d:%d/%m/%Y}"
