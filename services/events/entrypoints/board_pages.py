"""The organizer board's events part: workshops with their fill ratio and waiting lists, banner
placements by status, and CSV exports. Signed in once with the organizer token (shared sign-in
page, HttpOnly cookie); the other services' boards are one link away."""

from __future__ import annotations

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.events.application import audit, banners, campaigns, public
from services.events.application import workshops as uc
from services.events.application.context import Deps
from services.events.domain.banners import PlacementStatus
from services.events.entrypoints.audit_labels import actor_of, label_of
from shared import web
from shared.platform.service import ServiceRuntime
from shared.web.csv_export import to_csv

WORKSHOP_COLUMNS = ("workshop_id", "title", "room_name", "start", "end", "status", "capacity", "confirmed",
                    "waitlisted", "attended")
AUDIT_COLUMNS = ("occurred_at", "event", "what", "actor_kind", "actor_id", "actor_name", "api_key", "about",
                 "event_id", "correlation_id")
PLACEMENT_COLUMNS = ("id", "site_name", "spot", "slogan", "first_day", "last_day", "status", "installed_at",
                     "removed_at")


def build_board(runtime: ServiceRuntime, deps: Deps, env: jinja2.Environment) -> APIRouter:
    router = web.board_router(env, runtime.settings, "events", lambda: runtime.sessions)
    links = web.board_links(runtime.settings, "events")

    @router.get("/board", response_class=HTMLResponse)
    @web.error_pages(env)
    async def my_campaigns(request: Request, lang: str | None = None) -> Response:
        """Where a signed-in official starts: the campaigns it acts on, each with the pages of its roles."""
        language = web.language(request, lang)
        call = await web.official(request, runtime.sessions, "/board")
        mine, total = await campaigns.campaigns_of(deps.uow(), call)
        return web.form_page(env, request, "campaigns.html.j2", {
            "campaigns": [{"c": c, "roles": {r.value for r in roles}} for c, roles in mine], "total": total,
            "links": links}, lang=language)

    @router.get("/board/{campaign_id}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def board(request: Request, campaign_id: str, lang: str | None = None) -> Response:
        language = web.language(request, lang)
        call = await web.official(request, runtime.sessions, f"/board/{campaign_id}")
        await uc.open_board(deps, campaign_id, call)
        workshops = await public.list_workshops(deps, campaign_id, include_cancelled=True)
        placements = await banners.list_placements(deps, campaign_id, None)
        by_status = {s.value: [p for p in placements if p["status"] == s.value] for s in PlacementStatus}
        return web.form_page(env, request, "board.html.j2", {
            "campaign_id": campaign_id, "workshops": workshops, "by_status": by_status, "links": links}, lang=language)

    @router.get("/board/{campaign_id}/workshops.csv")
    @web.error_pages(env)
    async def workshops_csv(request: Request, campaign_id: str) -> Response:
        call = await web.official(request, runtime.sessions, f"/board/{campaign_id}")
        await uc.open_board(deps, campaign_id, call)
        rows = await public.list_workshops(deps, campaign_id, include_cancelled=True)
        return web.csv_download(to_csv(WORKSHOP_COLUMNS, rows), f"workshops-{campaign_id}.csv")

    @router.get("/board/{campaign_id}/banner-placements.csv")
    @web.error_pages(env)
    async def placements_csv(request: Request, campaign_id: str) -> Response:
        call = await web.official(request, runtime.sessions, f"/board/{campaign_id}")
        await uc.open_board(deps, campaign_id, call)
        rows = await banners.list_placements(deps, campaign_id, None)
        return web.csv_download(to_csv(PLACEMENT_COLUMNS, rows), f"banner-placements-{campaign_id}.csv")

    @router.get("/board/{campaign_id}/audit", response_class=HTMLResponse)
    @web.error_pages(env)
    async def audit_page(request: Request, campaign_id: str, lang: str | None = None,
                         before: str | None = None) -> Response:
        """Who did what and when, the latest first, a page at a time."""
        language = web.language(request, lang)
        call = await web.official(request, runtime.sessions, f"/board/{campaign_id}/audit")
        trail = await audit.trail_of(deps, campaign_id, call, before=before)
        lines = [_shown(line, trail.campaign.local(line["occurred_at"]), language) for line in trail.lines]
        return web.form_page(env, request, "audit.html.j2", {
            "campaign_id": campaign_id, "lines": lines, "older": trail.older, "first_page": before is None,
            "timezone": trail.campaign.timezone}, lang=language)

    @router.get("/board/{campaign_id}/audit.csv")
    @web.error_pages(env)
    async def audit_csv(request: Request, campaign_id: str, lang: str | None = None) -> Response:
        language = web.language(request, lang)
        call = await web.official(request, runtime.sessions, f"/board/{campaign_id}/audit")
        trail = await audit.trail_of(deps, campaign_id, call, limit=None)
        rows = [_shown(line, trail.campaign.local(line["occurred_at"]), language) for line in reversed(trail.lines)]
        return web.csv_download(to_csv(AUDIT_COLUMNS, rows), f"audit-{campaign_id}.csv")

    return router


def _shown(line: dict[str, object], local: object, lang: str) -> dict[str, object]:
    """A line of the trail as a reader sees it: in the campaign's time, with what the event means."""
    return {**line, "occurred_at": local, "event": line["subject"], "what": label_of(str(line["subject"]), lang),
            "who": actor_of(str(line["actor_kind"]), lang)}

