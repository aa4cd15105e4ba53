"""Seat numbers, check-in codes and banner transitions as tables (services/events/domain)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.events.domain.banners import PlacementStatus, can_move, periods_overlap
from services.events.domain.seats import (
    CODE_ALPHABET,
    checkin_code_from,
    free_seat_number,
    read_checkin_code,
    show_checkin_code,
)


@pytest.mark.parametrize(("taken", "capacity", "expected"), [
    (set(), 3, 1), ({1, 2}, 3, 3), ({1, 3}, 3, 2), ({1, 2, 3}, 3, None), (set(), 0, None),
])
def test_the_lowest_free_seat_number_or_none_when_full(taken, capacity, expected):
    assert free_seat_number(taken, capacity) == expected


@given(st.integers(min_value=0, max_value=2**50 - 1))
def test_a_check_in_code_reads_back_however_it_is_typed(number: int):
    code = checkin_code_from(number)
    shown = show_checkin_code(code)
    assert len(code) == 10 and set(code) <= set(CODE_ALPHABET) and shown[5] == "-"
    for typed in (shown, shown.lower(), shown.replace("-", " "), f"  {code.lower()} ",
                  shown.replace("0", "O").replace("1", "I")):
        assert read_checkin_code(typed) == code


@pytest.mark.parametrize("typed", ["", "ABCDE", "ABCDE-FGHJK-M", "ABCDE-FGHJU", "seat:x.y", "ABCDE_FGHJK"])
def test_what_cannot_be_a_check_in_code_is_refused(typed: str):
    assert read_checkin_code(typed) is None


def test_a_code_holds_fifty_bits_and_no_more():
    with pytest.raises(ValueError):
        checkin_code_from(2**50)


PLAN, UP, DOWN = PlacementStatus.PLANNED, PlacementStatus.INSTALLED, PlacementStatus.REMOVED


@pytest.mark.parametrize(("current", "to", "allowed"), [
    (PLAN, UP, True), (PLAN, DOWN, True), (UP, DOWN, True), (UP, PLAN, False), (DOWN, UP, False),
    (DOWN, PLAN, False), (PLAN, PLAN, False),
])
def test_a_placement_goes_planned_installed_removed(current, to, allowed):
    assert can_move(current, to) is allowed


@pytest.mark.parametrize(("a", "b", "overlap"), [
    ((1, 5), (5, 9), True),  # inclusive days: up on the 5th and from the 5th clash
    ((1, 4), (5, 9), False), ((3, 3), (1, 9), True), ((6, 9), (1, 5), False),
])
def test_banner_periods_clash_on_a_shared_day(a, b, overlap):
    day = lambda n: dt.date(2026, 10, n)  # noqa: E731
    assert periods_overlap((day(a[0]), day(a[1])), (day(b[0]), day(b[1]))) is overlap
