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


# --- the check-in code: the seat's ticket as ten characters a door scanner can type -------------------
# Crockford's base32: no I, L, O or U, so what is read aloud or typed is what was printed.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 bits: guessing one among a million seats takes a billion tries
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def checkin_code_from(number: int) -> str:
    """Ten code characters for a number below 2**50 (the adapter draws it at random)."""
    if not 0 <= number < 1 << (5 * CODE_LENGTH):
        raise ValueError("a check-in code holds 50 bits")
    return "".join(CODE_ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(CODE_LENGTH)))


def read_checkin_code(typed: str) -> str | None:
    """The code as stored, from what someone typed ("7kq2m-x9f4d", "7KQ2M X9F4D", an O for a 0), or None
    when it cannot be a check-in code."""
    cleaned = "".join(c for c in typed.upper() if c not in " -").translate(_READ_AS)
    if len(cleaned) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in cleaned):
        return None
    return cleaned


def show_checkin_code(code: str) -> str:
    """As printed and sent: two groups of five."""
    return f"{code[:5]}-{code[5:]}"
