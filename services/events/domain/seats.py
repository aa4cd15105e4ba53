"""Seat rules: confirmed up to capacity, then a waitlist in order. Seat numbers make the limit a
database fact: a confirmed seat holds a number 1..capacity, unique per workshop."""

from __future__ import annotations

from enum import StrEnum


class SeatStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


ACTIVE = {SeatStatus.CONFIRMED, SeatStatus.WAITLISTED}


def free_seat_number(taken: set[int], capacity: int) -> int | None:
    """The lowest seat number not taken, or None when the room is full."""
    for number in range(1, capacity + 1):
        if number not in taken:
            return number
    return None
