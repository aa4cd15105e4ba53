"""When and how a notice may go out: quiet hours, the promotional rules, retries, fallback. Pure."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo


class MessageClass(StrEnum):
    SERVICE = "service"  # about the person's own booth, seat or workshop
    PROMO = "promo"  # campaign announcements: consent to promotions, Decree 91/2020


SERVICE = MessageClass.SERVICE
PROMO = MessageClass.PROMO
# The purpose a participant must have consented to for each kind of message.
PURPOSE = {"reminder": "reminders", "digest": "digest", "announcement": "promotions"}
PROMO_PREFIX = "[QC] "
PROMO_DAILY_LIMIT = 3  # Decree 91/2020: at most 3 advertising messages a day per person
PROMO_HOURS = (time(7, 0), time(22, 0))  # and only between 07:00 and 22:00


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        a, b = text.split("-")
        return cls(time.fromisoformat(a.strip()), time.fromisoformat(b.strip()))

    def contains(self, t: time) -> bool:
        if self.start <= self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end  # across midnight, e.g. 21:00-07:00


def parse_quiet_hours(spec: str) -> dict[str, QuietHours]:
    """"sms=21:00-07:00,email=23:00-06:00" -> per channel."""
    out: dict[str, QuietHours] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        channel, _, hours = part.partition("=")
        out[channel.strip()] = QuietHours.parse(hours)
    return out


def parse_rates(spec: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        channel, _, rate = part.partition("=")
        out[channel.strip()] = float(rate)
    return out


def next_allowed(now: datetime, timezone: str, quiet: QuietHours | None) -> datetime:
    """``now`` if sending is allowed, else the end of the quiet period (local time), in UTC."""
    if quiet is None:
        return now
    tz = ZoneInfo(timezone)
    local = now.astimezone(tz)
    if not quiet.contains(local.time()):
        return now
    end = datetime.combine(local.date(), quiet.end, tzinfo=tz)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(now.tzinfo)


def promo_quiet() -> QuietHours:
    return QuietHours(PROMO_HOURS[1], PROMO_HOURS[0])


def send_time(at: datetime, timezone: str, quiet: QuietHours | None, klass: str,
              urgent_before: datetime | None = None) -> datetime:
    """When a notice planned for ``at`` may go. Quiet hours hold what can wait; a service notice about
    something that begins before they end (a 05:09 workshop moved or cancelled at night, its 1-hour
    reminder) goes at once: held, it would arrive too late. Promotions always wait (Decree 91/2020)."""
    held = next_allowed(at, timezone, quiet)
    if klass == PROMO:
        return next_allowed(held, timezone, promo_quiet())
    if urgent_before is not None and held > at and held >= urgent_before:
        return at
    return held


def consented(contact: Mapping[str, Any], template: str) -> bool:
    """Whether this person agreed to this kind of message: nothing to an opted-out person; a business
    gets the notices about its own booths; a participant what its consent purposes name."""
    if contact["opted_out"]:
        return False
    if contact["kind"] == "business":
        return template != "announcement"
    return PURPOSE.get(template, "service_notices") in contact["purposes"]


def channel_for(channels: list[str], available: set[str]) -> str | None:
    """The person's first consented channel that this installation can send on."""
    return next((c for c in channels if c in available), None)


def over_promotional_limit(klass: str, sent_today: int) -> str | None:
    """Why a promotion may not be planned (Decree 91/2020: at most 3 a day per person), or None."""
    if klass == PROMO and sent_today >= PROMO_DAILY_LIMIT:
        return f"promotional limit: {PROMO_DAILY_LIMIT} a day (Decree 91/2020)"
    return None


def retry_delay(attempt: int, base: float, rng: random.Random | None = None) -> timedelta:
    """Exponential back-off with full jitter: up to base * 2^(attempt-1) seconds."""
    ceiling = base * 2 ** max(0, attempt - 1)
    return timedelta(seconds=(rng or random).uniform(ceiling / 2, ceiling))


def fallback_channel(preferred: list[str], tried: set[str], available: set[str]) -> str | None:
    """The person's next consented channel not tried yet."""
    for channel in preferred:
        if channel not in tried and channel in available:
            return channel
    return None
