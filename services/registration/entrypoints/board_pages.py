"""The organizer board's registration part: booth applications to approve or reject, the waitlist in
order, confirmed applications, and the CSV export. Signed in with the organizer token (shared
sign-in page, HttpOnly cookie); the other services' boards are one link away."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from services.registration.application import booths, businesses
from services.registration.application.commands import RejectApplication
from services.registration.application.context import Deps
from services.registration.locale import CATALOGUE
from shared import web
from shared.platform.calls import Call
from shared.platform.config import Settings
from shared.platform.errors import AppError
from shared.platform.http import attachment
from shared.platform.tokens import PagesSessions
from shared.web.csv_export import XLSX

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pages"
SHOWN = 200  # per status; the CSV export has everything

STATUSES = ("pending", "waitlisted", "confirmed", "rejected")


def build_board_pages(deps: Deps, settings: Settings, sessions: PagesSessions | None = None) -> APIRouter:
    env = web.environment(TEMPLATES, catalogue=CATALOGUE)
    router = web.board_router(env, settings, "registration", lambda: sessions)
    links = web.board_links(settings, "registration")

    async def organizer(request: Request) -> Call | None:
        return await web.board_call(request, sessions)

    async def board(request: Request, campaign_id: str, lang: str, *, done: str | None = None,
                    errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
        call = await organizer(request)
        if call is None:
            return web.to_sign_in(f"/board/{campaign_id}", lang)
        by_status: dict[str, list[dict[str, Any]]] = {}
        for status in STATUSES:
            by_status[status] = await booths.list_applications(deps, campaign_id, call, status=status, limit=SHOWN,
                                                               offset=0)
        seen = await businesses.reviewing(deps, campaign_id, call)
        return web.form_page(env, request, "board.html.j2", {
            "campaign_id": campaign_id, "by_status": by_status, "statuses": STATUSES, "names": seen.names, "done": done,
            "errors": errors or {}, "links": links, "organizer": seen.organizer},
            lang=lang, status_code=status_code)

    @router.get("/board/{campaign_id}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def board_page(request: Request, campaign_id: str, lang: str | None = None,
                         done: str | None = None) -> Response:
        return await board(request, campaign_id, web.language(request, lang),
                           done=done if done in ("approve", "reject") else None)

    @router.post("/board/{campaign_id}/applications/{application_id}/{action}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def decide(request: Request, campaign_id: str, application_id: str, action: str,
                     lang: str | None = None) -> Response:
        language = web.language(request, lang)
        call = await organizer(request)
        fields = await web.read_form(request)
        if call is None or fields is None or action not in ("approve", "reject"):
            return await board(request, campaign_id, language, errors={"form": web.BAD_FORM.render(language)},
                               status_code=403)
        try:
            if action == "approve":
                await booths.approve_application(deps, application_id, call)
            else:
                cmd = RejectApplication.model_validate({"reason": (fields.get("reason") or [""])[0].strip()})
                await booths.reject_application(deps, application_id, cmd, call)
        except ValidationError as exc:
            message = web.field_errors(exc, language).get("reason", "")
            return await board(request, campaign_id, language, errors={application_id: message}, status_code=422)
        except AppError as exc:
            message = exc.message_in(language)
            return await board(request, campaign_id, language, errors={application_id: message},
                               status_code=exc.status)
        return web.see_other(f"/board/{campaign_id}?lang={language}&done={action}")

    @router.get("/board/{campaign_id}/businesses.{kind}")
    async def export(request: Request, campaign_id: str, kind: Literal["csv", "xlsx"]) -> Response:
        """The businesses as CSV, or as a spreadsheet whose cells are text (tax codes keep their 0)."""
        call = await organizer(request)
        if call is None:
            return web.to_sign_in(f"/board/{campaign_id}", web.language(request, None))
        name = f"businesses-{campaign_id}.{kind}"
        if kind == "csv":
            return web.csv_download(await businesses.export_businesses_csv(deps, campaign_id, call), name)
        body = await businesses.export_businesses_xlsx(deps, campaign_id, call)
        return Response(body, media_type=XLSX, headers={**attachment(name), "Cache-Control": "no-store"})

    return router
