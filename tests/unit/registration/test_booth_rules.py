"""Booth allocation as a table: same booth across the days, all or nothing, a named booth, several
booths, the per-business limit and the campaign's days (services/registration/domain/booths.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from services.registration.domain.booths import Allocation, BoothRef, allocate, days_outside, days_over_limit

D1, D2, D3 = dt.date(2026, 10, 8), dt.date(2026, 10, 9), dt.date(2026, 10, 10)
A01, A02, A03 = (BoothRef(c, f"b-{c}", "v1") for c in ("A01", "A02", "A03"))


def booths(result: list[Allocation] | None) -> dict[dt.date, list[str]] | None:
    if result is None:
        return None
    out: dict[dt.date, list[str]] = {}
    for a in result:
        out.setdefault(a.day, []).append(a.booth.code)
    return out


@pytest.mark.parametrize(("days", "quantity", "free", "named", "expected"), [
    # the same booth every day when one is free on all of them, even if another is first on a day
    ([D1, D2], 1, {D1: [A01, A02], D2: [A02]}, None, {D1: ["A02"], D2: ["A02"]}),
    # no booth free on every day: each day gets its own, still all days served
    ([D1, D2], 1, {D1: [A01], D2: [A02]}, None, {D1: ["A01"], D2: ["A02"]}),
    # all or nothing: one day full means the application waits
    ([D1, D2, D3], 1, {D1: [A01], D2: [A01], D3: []}, None, None),
    # several booths a day, the steady ones first
    ([D1, D2], 2, {D1: [A01, A02, A03], D2: [A02, A03]}, None, {D1: ["A02", "A03"], D2: ["A02", "A03"]}),
    ([D1], 3, {D1: [A01, A02]}, None, None),
    # a named booth: that one or wait
    ([D1, D2], 1, {D1: [A01, A02], D2: [A01, A02]}, "A02", {D1: ["A02"], D2: ["A02"]}),
    ([D1, D2], 1, {D1: [A01, A02], D2: [A01]}, "A02", None),
    # a day the venue does not open
    ([D1], 1, {}, None, None),
], ids=["steady-booth", "per-day", "all-or-nothing", "two-a-day", "too-many", "named", "named-taken", "closed"])
def test_allocate(days, quantity, free, named, expected):
    assert booths(allocate(days, quantity, free, named)) == expected


@pytest.mark.parametrize(("held", "quantity", "limit", "over"), [
    ({}, 1, None, []),  # no limit set
    ({}, 2, 2, []),
    ({D1: 1}, 2, 2, [D1]),  # already one on D1: two more would be three
    ({D1: 2, D2: 0}, 1, 2, [D1]),
])
def test_the_per_business_limit_counts_day_by_day(held, quantity, limit, over):
    assert days_over_limit(held, [D1, D2], quantity, limit) == over


def test_days_outside_the_campaign_are_named():
    assert days_outside([D1, D3, dt.date(2026, 10, 11)], D1, D3) == [dt.date(2026, 10, 11)]
