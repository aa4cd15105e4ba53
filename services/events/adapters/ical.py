"""iCalendar feeds (RFC 5545) that calendar programs accept: UTC times, stable UIDs, a reminder alarm."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event


def calendar(name: str, workshops: list[dict[str, Any]], *, now: datetime, base_url: str, timezone: str,
             remind_before: timedelta = timedelta(hours=1)) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//dxday//Ngay Chuyen doi so quoc gia//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", timezone)  # the campaign's own
    for w in workshops:
        cal.add_component(_event(w, now=now, base_url=base_url, remind_before=remind_before))
    return cal.to_ical()


def _event(w: dict[str, Any], *, now: datetime, base_url: str, remind_before: timedelta) -> Event:
    ev = Event()
    ev.add("uid", f"{w['workshop_id']}@dxday")
    ev.add("dtstamp", now)
    ev.add("dtstart", w["start"])  # aware UTC datetimes: written as ...Z
    ev.add("dtend", w["end"])
    ev.add("summary", w["title"])
    ev.add("location", w["room_name"])
    speakers = ", ".join(w["speakers"])
    ev.add("description", (f"Diễn giả / Speakers: {speakers}\n" if speakers else "") + f"{base_url}/workshops/"
           f"{w['workshop_id']}")
    ev.add("status", "CANCELLED" if w["status"] == "cancelled" else "CONFIRMED")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Sắp diễn ra: {w['title']}")
    alarm.add("trigger", -remind_before)
    ev.add_component(alarm)
    return ev
