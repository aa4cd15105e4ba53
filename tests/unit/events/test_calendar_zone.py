"""An iCal file names the campaign's own time zone (services/events/adapters/ical.py)."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from services.events.adapters.ical import calendar
from tests.unit.events.fakes import workshop


def test_the_calendar_carries_the_campaign_s_zone():
    w = workshop()
    view = {**{k: w[k] for k in ("title", "room_name", "start", "end", "speakers", "status")},
            "workshop_id": w["id"], "campaign_id": w["campaign_id"], "kind": w["kind"], "cancel_reason": None,
            "capacity": 10, "audience": None, "confirmed": 0, "waitlisted": 0, "attended": 0, "seats_left": 10,
            "room_id": w["room_id"]}
    text = calendar("Ngày CĐS", [view], now=dt.datetime(2026, 9, 1, tzinfo=dt.UTC), base_url="http://x",
                    timezone="Asia/Bangkok")
    assert Calendar.from_ical(text)["x-wr-timezone"] == "Asia/Bangkok"
