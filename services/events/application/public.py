"""What anyone may see: the schedule of a campaign by local day, and its iCal feeds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.events.application.context import Deps
from services.events.application.workshops import campaign_of, load_workshop, workshop_view, workshops_view
from services.events.locale import _
from shared.platform.errors import Unprocessable


async def schedule_of_day(deps: Deps, campaign_id: str, day: dt.date | None) -> dict[str, Any]:
    async with deps.uow() as uow:
        campaign = await campaign_of(uow.campaigns, campaign_id)
        first, last = campaign.local(campaign.window_start).date(), campaign.local(campaign.window_end).date()
        day = day or first
        if not first <= day <= last:
            raise Unprocessable(_("{day} is outside the campaign ({first}..{last})",
                                  day=day, first=first, last=last), field="day")
        tz = campaign.local(campaign.window_start).tzinfo
        start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
        repo = uow.schedule
        rows = await repo.workshops_of(campaign_id, start=start, end=start + dt.timedelta(days=1))
        workshops = await workshops_view(repo, rows)
    local = [{**w, "start": campaign.local(w["start"]), "end": campaign.local(w["end"])} for w in workshops]
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return {"campaign_id": campaign_id, "day": day, "timezone": campaign.timezone, "days": days,
            "theme": campaign.theme, "workshops": local}


async def campaign_calendar(deps: Deps, campaign_id: str, base_url: str) -> bytes:
    async with deps.uow() as uow:
        campaign = await campaign_of(uow.campaigns, campaign_id)
        repo = uow.schedule
        workshops = await workshops_view(repo, await repo.workshops_of(campaign_id, include_cancelled=True))
    name = f"Ngày Chuyển đổi số {campaign.year} — {campaign.locality}"
    return deps.calendar(name, workshops, now=deps.clock.now(), base_url=base_url, timezone=campaign.timezone)


async def workshop_calendar(deps: Deps, workshop_id: str, base_url: str) -> bytes:
    async with deps.uow() as uow:
        repo = uow.schedule
        row = await load_workshop(repo, workshop_id)
        workshops = await workshops_view(repo, [row])
        campaign = await campaign_of(uow.campaigns, row["campaign_id"])
    return deps.calendar(row["title"], workshops, now=deps.clock.now(), base_url=base_url,
                         timezone=campaign.timezone)


async def list_workshops(deps: Deps, campaign_id: str, include_cancelled: bool) -> list[dict[str, Any]]:
    async with deps.uow() as uow:
        campaign = await campaign_of(uow.campaigns, campaign_id)
        repo = uow.schedule
        views = await workshops_view(repo, await repo.workshops_of(campaign_id, include_cancelled=include_cancelled))
    return [{**w, "start": campaign.local(w["start"]), "end": campaign.local(w["end"])} for w in views]


async def workshop_local(deps: Deps, workshop_id: str) -> dict[str, Any]:
    """One workshop as the public sees it: times in the campaign's zone."""
    async with deps.uow() as uow:
        repo = uow.schedule
        view = await workshop_view(repo, workshop_id)
        campaign = await campaign_of(uow.campaigns, view["campaign_id"])
    return {**view, "start": campaign.local(view["start"]), "end": campaign.local(view["end"])}
