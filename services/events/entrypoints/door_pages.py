"""The door of a campaign's workshops, on the check-in staff's phone: the check-in code read out or
typed from the ticket, checked in once, with the workshop and how many are in. Signed in with the
identity session like the board; nothing else is shown to the staff."""

from __future__ import annotations

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from services.events.application import public, seats
from services.events.application.commands import CheckIn
from services.events.application.context import Deps
from shared import web
from shared.platform.errors import AppError
from shared.platform.service import ServiceRuntime


def build_door(runtime: ServiceRuntime, deps: Deps, env: jinja2.Environment) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def door(request: Request, campaign_id: str, lang: str, *, done: dict[str, object] | None = None,
             error: str | None = None, code: str = "", status_code: int = 200) -> Response:
        return web.form_page(env, request, "door.html.j2", {
            "campaign_id": campaign_id, "done": done, "error": error, "code": code}, lang=lang,
            status_code=status_code)

    @router.get("/board/{campaign_id}/door", response_class=HTMLResponse)
    @web.error_pages(env)
    async def door_page(request: Request, campaign_id: str, lang: str | None = None) -> Response:
        language = web.language(request, lang)
        call = await web.official(request, runtime.sessions, f"/board/{campaign_id}/door")
        await seats.open_door(deps, campaign_id, call)
        return door(request, campaign_id, language)

    @router.post("/board/{campaign_id}/door", response_class=HTMLResponse)
    @web.error_pages(env)
    async def check_in(request: Request, campaign_id: str, lang: str | None = None) -> Response:
        language = web.language(request, lang)
        call = await web.official(request, runtime.sessions, f"/board/{campaign_id}/door")
        await seats.open_door(deps, campaign_id, call)
        fields = await web.read_form(request)
        if fields is None:
            return door(request, campaign_id, language, error=web.BAD_FORM.render(language), status_code=403)
        code = (fields.get("code") or [""])[0].strip()
        try:
            done = await seats.check_in(deps, CheckIn(token=code), call, at_campaign=campaign_id)
        except ValidationError as exc:
            return door(request, campaign_id, language, error=web.field_errors(exc, language).get("token", ""),
                        code=code, status_code=422)
        except AppError as exc:
            return door(request, campaign_id, language, error=exc.message_in(language), code=code,
                        status_code=exc.status)
        workshop = await public.workshop_local(deps, done["workshop_id"])
        return door(request, campaign_id, language, done={**done, "w": workshop})

    return router
