"""The banner crew's round, on a phone: a campaign's banner placements by site, each with the one
step it can take next (planned -> installed -> removed), marked with who did it. Signed in with the
identity session like the board."""

from __future__ import annotations

from typing import Any

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from services.events.application import banners
from services.events.application.commands import MovePlacement
from services.events.application.context import Deps
from services.events.domain.banners import PlacementStatus
from shared import web
from shared.platform.calls import Call
from shared.platform.errors import AppError
from shared.platform.service import ServiceRuntime

STEPS = {"install": PlacementStatus.INSTALLED, "remove": PlacementStatus.REMOVED}


def build_crew(runtime: ServiceRuntime, deps: Deps, env: jinja2.Environment) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    async def round_page(request: Request, campaign_id: str, lang: str, call: Call, *, done: str | None = None,
                         errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
        placements, name = await banners.crew_round(deps, campaign_id, call)
        by_status: dict[str, list[dict[str, Any]]] = {s.value: [] for s in PlacementStatus}
        for p in placements:
            by_status[p["status"]].append(p)
        return web.form_page(env, request, "crew.html.j2", {
            "campaign_id": campaign_id, "by_status": by_status, "by": name or "", "done": done,
            "errors": errors or {}}, lang=lang, status_code=status_code)

    @router.get("/board/{campaign_id}/banners", response_class=HTMLResponse)
    @web.error_pages(env)
    async def crew_page(request: Request, campaign_id: str, lang: str | None = None,
                        done: str | None = None) -> Response:
        language = web.language(request, lang)
        call = await web.official(request, runtime.sessions, f"/board/{campaign_id}/banners")
        return await round_page(request, campaign_id, language, call, done=done if done in STEPS else None)

    @router.post("/board/{campaign_id}/banners/{placement_id}/{step}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def move(request: Request, campaign_id: str, placement_id: str, step: str,
                   lang: str | None = None) -> Response:
        language = web.language(request, lang)
        call = await web.official(request, runtime.sessions, f"/board/{campaign_id}/banners")
        fields = await web.read_form(request)
        if fields is None or step not in STEPS:
            return await round_page(request, campaign_id, language, call,
                                    errors={"form": web.BAD_FORM.render(language)}, status_code=403)
        try:
            cmd = MovePlacement.model_validate({"by": (fields.get("by") or [""])[0].strip()})
            await banners.move_placement(deps, placement_id, STEPS[step], cmd, call)
        except ValidationError as exc:
            return await round_page(request, campaign_id, language, call, status_code=422,
                                    errors={placement_id: web.field_errors(exc, language).get("by", "")})
        except AppError as exc:
            return await round_page(request, campaign_id, language, call, status_code=exc.status,
                                    errors={placement_id: exc.message_in(language)})
        return web.see_other(f"/board/{campaign_id}/banners?lang={language}&done={step}#p-{placement_id}")

    return router
