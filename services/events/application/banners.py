"""Banner sites and placements: one banner per spot at a time, inside the campaign window."""

from __future__ import annotations

import uuid
from typing import Any

from services.events.application.commands import DefineBannerSite, MovePlacement, PlanPlacement
from services.events.application.context import Deps
from services.events.application.publishing import placement_events
from services.events.application.workshops import campaign_for
from services.events.domain.banners import (  # noqa: F401  (the refusals, as callers know them)
    OCCUPYING,
    BannerPlacement,
    InvalidPlacement,
    PlacementStatus,
    PlacementTransition,
    SpotTaken,
)
from services.events.locale import _
from shared.contracts.identity import Role
from shared.platform.calls import Call
from shared.platform.errors import NotFound


class PlacementNotFound(NotFound):
    code = "placement_not_found"


def _shown(p: BannerPlacement, now: Any) -> dict[str, Any]:
    """A just-planned placement as the API shows it, without reading it back."""
    return {"id": p.id, "campaign_id": p.campaign_id, "site_id": p.site_id, "spot": p.spot, "slogan": p.slogan,
            "first_day": p.first_day, "last_day": p.last_day, "status": p.status.value, "planned_by": p.planned_by,
            "installed_by": p.installed_by, "installed_at": p.installed_at, "removed_by": p.removed_by,
            "removed_at": p.removed_at, "created_at": now}


async def define_site(deps: Deps, campaign_id: str, cmd: DefineBannerSite, call: Call) -> dict[str, Any]:
    async with deps.uow() as uow:
        await campaign_for(uow, call, campaign_id, Role.ORGANIZER)
        site = {"id": str(uuid.uuid4()), "campaign_id": campaign_id, **cmd.model_dump(), "created_at": deps.clock.now()}
        await uow.schedule.add_site(site)
        await uow.commit()
    return site


async def list_sites(deps: Deps, campaign_id: str) -> list[dict[str, Any]]:
    async with deps.uow() as uow:
        return await uow.schedule.sites_of(campaign_id)


async def plan_placement(deps: Deps, campaign_id: str, cmd: PlanPlacement, call: Call) -> dict[str, Any]:
    now = deps.clock.now()
    async with deps.uow() as uow:
        campaign = await campaign_for(uow, call, campaign_id, Role.ORGANIZER)
        repo = uow.schedule
        site = await repo.site(cmd.site_id)
        if site is None or site["campaign_id"] != campaign_id:
            raise InvalidPlacement(_("No such banner site in this campaign"),
                                   field="site_id")
        await repo.lock(f"banners:{site['id']}")  # the spot's placements are read under the site's lock
        occupying = await repo.placements_on_spot(site["id"], cmd.spot, [s.value for s in OCCUPYING])
        window = campaign.local(campaign.window_start).date(), campaign.local(campaign.window_end).date()
        placement = BannerPlacement.plan(str(uuid.uuid4()), campaign_id, site, cmd.spot, cmd.slogan,
                                         (cmd.first_day, cmd.last_day), cmd.by, window, occupying)
        await repo.add_placement(placement, now)
        uow.record(*placement_events(placement.events, call, now))
        await uow.commit()
    await report_placements(deps, campaign_id)
    return {**_shown(placement, now), "site_name": site["name"]}


async def move_placement(deps: Deps, placement_id: str, to: PlacementStatus, cmd: MovePlacement,
                         call: Call) -> dict[str, Any]:
    """The banner crew marks a placement installed or removed (in the campaign's place or below it)."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.schedule
        placement = await repo.placement_for_decision(placement_id)
        if placement is None:
            raise PlacementNotFound(_("No placement {placement_id}", placement_id=placement_id))
        await campaign_for(uow, call, placement.campaign_id, Role.BANNER_CREW)
        placement.move(to, cmd.by, now)
        await repo.save_placement(placement)
        uow.record(*placement_events(placement.events, call, now))
        await uow.commit()
        updated = await repo.placement(placement_id)
    await report_placements(deps, placement.campaign_id)
    assert updated is not None
    return updated


async def crew_round(deps: Deps, campaign_id: str, call: Call) -> tuple[list[dict[str, Any]], str | None]:
    """The banner crew's page of a campaign (its crew and organizers): the placements still to put up
    or take down, and the name the signed-in person goes by (what "by" says unless they change it)."""
    async with deps.uow() as uow:
        await campaign_for(uow, call, campaign_id, Role.BANNER_CREW)
        placements = await uow.schedule.placements_of(campaign_id, None)
    account = call.claims.account_id if call.claims else None
    names = await deps.names.of([account]) if account else {}
    return placements, names.get(account or "")


async def list_placements(deps: Deps, campaign_id: str, status: str | None) -> list[dict[str, Any]]:
    async with deps.uow() as uow:
        return await uow.schedule.placements_of(campaign_id, status)


async def report_placements(deps: Deps, campaign_id: str) -> None:
    rows = await list_placements(deps, campaign_id, None)
    deps.metrics.placements(campaign_id, {s.value: sum(r["status"] == s.value for r in rows) for s in PlacementStatus})
