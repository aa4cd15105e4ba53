"""The BannerPlacement aggregate (services/events/domain/banners.py): planned inside the campaign
and the site's spots, never over another banner on the same spot and day, then installed, removed."""

from __future__ import annotations

import datetime as dt

import pytest

from services.events.domain.banners import (
    BannerPlacement,
    InvalidPlacement,
    Moved,
    PlacementStatus,
    PlacementTransition,
    Planned,
    SpotTaken,
)

SITE = {"id": "s1", "name": "Siêu thị Co.opmart", "spots": 2}
WINDOW = (dt.date(2026, 10, 1), dt.date(2026, 10, 10))
NOW = dt.datetime(2026, 10, 1, 1, 0, tzinfo=dt.UTC)


def day(n: int) -> dt.date:
    return dt.date(2026, 10, n)


def plan(spot: int = 1, days: tuple[int, int] = (2, 5), occupying: list | None = None) -> BannerPlacement:
    return BannerPlacement.plan("p1", "c1", SITE, spot, "Chuyển đổi số vì người dân", (day(days[0]), day(days[1])),
                                "Đội 1", WINDOW, occupying or [])


def test_a_planned_placement_records_where_and_when():
    p = plan()
    assert p.status is PlacementStatus.PLANNED and [type(e) for e in p.events] == [Planned]
    assert p.events[0].site_name == "Siêu thị Co.opmart"


@pytest.mark.parametrize(("spot", "days", "field"), [(3, (2, 5), "spot"), (1, (2, 11), "last_day")])
def test_a_placement_outside_the_site_or_the_campaign_is_refused_naming_the_field(spot, days, field):
    with pytest.raises(InvalidPlacement) as refused:
        plan(spot, days)
    assert refused.value.details["field"] == field


def test_a_spot_holds_one_banner_a_day_inclusive():
    other = {"id": "p0", "slogan": "Cũ", "first_day": day(5), "last_day": day(8)}
    with pytest.raises(SpotTaken) as taken:
        plan(days=(2, 5), occupying=[other])  # both up on the 5th
    assert taken.value.details["conflicts"][0]["placement_id"] == "p0"
    assert plan(days=(2, 4), occupying=[other]).status is PlacementStatus.PLANNED


def test_planned_installed_removed_and_never_back():
    p = plan()
    p.move(PlacementStatus.INSTALLED, "Đội 2", NOW)
    p.move(PlacementStatus.REMOVED, "Đội 3", NOW + dt.timedelta(days=9))
    assert (p.installed_by, p.removed_by) == ("Đội 2", "Đội 3")
    assert [type(e) for e in p.events] == [Planned, Moved, Moved]
    with pytest.raises(PlacementTransition) as refused:
        p.move(PlacementStatus.INSTALLED, "Đội 4", NOW)
    assert refused.value.details["status"] == "removed" and len(p.events) == 3
