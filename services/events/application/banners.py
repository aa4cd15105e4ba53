"""Banner sites and placements: one banner per spot at a time, inside the campaign window."""

from __future__ import annotations

import uuid
from typing import Any

from services.events.application.commands import DefineBannerSite, MovePlacement, PlanPlacement
from services.events.application.context import Deps
from services.events.application.publishing import event
from services.events.application.workshops import campaign_of
from services.events.domain.banners import OCCUPYING, PlacementStatus, can_move, periods_overlap
from shared.calls import Call
from shared.contracts.events import (
    BANNER_PLACEMENT_INSTALLED,
    BANNER_PLACEMENT_PLANNED,
    BANNER_PLACEMENT_REMOVED,
    BannerPlacementChanged,
    BannerPlacementPlanned,
)
from shared.errors import Conflict, NotFound, Unprocessable


class SpotTaken(Conflict):
    code = "spot_taken"


class InvalidPlacement(Unprocessable):
    code = "invalid_placement"


class PlacementNotFound(NotFound):
    code = "placement_not_found"


class PlacementTransition(Conflict):
    code = "transition_not_allowed"


async def define_site(deps: Deps, campaign_id: str, cmd: DefineBannerSite, call: Call) -> dict[str, Any]:
    call.require_organizer()
    async with deps.uow() as uow:
        await campaign_of(uow.campaigns, campaign_id)
        site = {"id": str(uuid.uuid4()), "campaign_id": campaign_id, **cmd.model_dump(), "created_at": deps.clock.now()}
        await uow.schedule.add_site(site)
        await uow.commit()
    return site


async def list_sites(deps: Deps, campaign_id: str) -> list[dict[str, Any]]:
    async with deps.uow() as uow:
        return await uow.schedule.sites_of(campaign_id)


async def plan_placement(deps: Deps, campaign_id: str, cmd: PlanPlacement, call: Call) -> dict[str, Any]:
    call.require_organizer()
    now = deps.clock.now()
    async with deps.uow() as uow:
        campaign = await campaign_of(uow.campaigns, campaign_id)
        repo = uow.schedule
        site = await repo.site(cmd.site_id)
        if site is None or site["campaign_id"] != campaign_id:
            raise InvalidPlacement("Địa điểm không thuộc chiến dịch", "No such banner site in this campaign",
                                   field="site_id")
        if cmd.spot > site["spots"]:
            raise InvalidPlacement(f"Địa điểm chỉ có {site['spots']} vị trí", f"The site has {site['spots']} spots",
                                   field="spot")
        first, last = campaign.local(campaign.window_start).date(), campaign.local(campaign.window_end).date()
        if cmd.first_day < first or cmd.last_day > last:
            raise InvalidPlacement(f"Thời gian treo phải trong {first:%d/%m}–{last:%d/%m}",
                                   f"The period must lie within {first}..{last}",
                                   field="first_day" if cmd.first_day < first else "last_day")
        await repo.lock(f"banners:{site['id']}")
        occupied = await repo.placements_on_spot(site["id"], cmd.spot, [s.value for s in OCCUPYING])
        clashes = [p for p in occupied if periods_overlap((p["first_day"], p["last_day"]),
                                                          (cmd.first_day, cmd.last_day))]
        if clashes:
            raise SpotTaken("Vị trí đã có băng rôn trong thời gian này", "The spot holds a banner in that period",
                            conflicts=[{"placement_id": p["id"], "slogan": p["slogan"],
                                        "first_day": p["first_day"].isoformat(),
                                        "last_day": p["last_day"].isoformat()} for p in clashes])
        placement = {"id": str(uuid.uuid4()), "campaign_id": campaign_id, "site_id": site["id"], "spot": cmd.spot,
                     "slogan": cmd.slogan, "first_day": cmd.first_day, "last_day": cmd.last_day,
                     "status": PlacementStatus.PLANNED.value, "planned_by": cmd.by, "installed_by": None,
                     "installed_at": None, "removed_by": None, "removed_at": None, "created_at": now}
        await repo.add_placement(placement)
        uow.record(event(BANNER_PLACEMENT_PLANNED, BannerPlacementPlanned(
            placement_id=placement["id"], campaign_id=campaign_id, site_id=site["id"], site_name=site["name"],
            spot=cmd.spot, slogan=cmd.slogan, first_day=cmd.first_day, last_day=cmd.last_day),
            call, now, campaign_id))
        await uow.commit()
    await report_placements(deps, campaign_id)
    return {**placement, "site_name": site["name"]}


async def move_placement(deps: Deps, placement_id: str, to: PlacementStatus, cmd: MovePlacement,
                         call: Call) -> dict[str, Any]:
    call.require_organizer()
    now = deps.clock.now()
    async with deps.uow() as uow:
        repo = uow.schedule
        placement = await repo.placement_for_decision(placement_id)
        if placement is None:
            raise PlacementNotFound(f"Không tìm thấy băng rôn {placement_id}", f"No placement {placement_id}")
        current = PlacementStatus(placement["status"])
        if not can_move(current, to):
            raise PlacementTransition(f"Không thể chuyển từ {current} sang {to}", f"Cannot go from {current} to {to}",
                                      status=current.value)
        stamp = {"installed_by": cmd.by, "installed_at": now} if to is PlacementStatus.INSTALLED else {
            "removed_by": cmd.by, "removed_at": now}
        await repo.update_placement(placement_id, {"status": to.value, **stamp})
        contract = BANNER_PLACEMENT_INSTALLED if to is PlacementStatus.INSTALLED else BANNER_PLACEMENT_REMOVED
        uow.record(event(contract, BannerPlacementChanged(
            placement_id=placement_id, campaign_id=placement["campaign_id"], site_id=placement["site_id"],
            spot=placement["spot"], status=to.value, by=cmd.by, at=now), call, now, placement["campaign_id"]))
        await uow.commit()
        updated = await repo.placement(placement_id)
    await report_placements(deps, placement["campaign_id"])
    assert updated is not None
    return updated


async def list_placements(deps: Deps, campaign_id: str, status: str | None) -> list[dict[str, Any]]:
    async with deps.uow() as uow:
        return await uow.schedule.placements_of(campaign_id, status)


async def report_placements(deps: Deps, campaign_id: str) -> None:
    rows = await list_placements(deps, campaign_id, None)
    deps.metrics.placements(campaign_id, {s.value: sum(r["status"] == s.value for r in rows) for s in PlacementStatus})
