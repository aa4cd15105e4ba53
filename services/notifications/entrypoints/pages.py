"""The organizer board's notifications part: the last notifications of a campaign with their status
(recipients by id only: contact details stay in the registration service)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.notifications.application import operations
from services.notifications.application.handlers import Deps
from services.notifications.locale import CATALOGUE, _
from shared import web
from shared.platform.service import ServiceRuntime
from shared.web.csv_export import to_csv

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pages"
SHOWN = 100
COLUMNS = ("id", "created_at", "sent_at", "status", "channel", "template", "language", "recipient_kind",
           "recipient_id", "attempts", "last_error", "cause_type")



# What each template and status is called on the board (the keys stay in the CSV)
NAMES = {
    "announcement": _("Announcement"),
    "booth_cancelled": _("Booth cancelled"),
    "booth_confirmed": _("Booth confirmed"),
    "booth_promoted": _("Booth from the waitlist"),
    "booth_rejected": _("Booth rejected"),
    "booth_waitlisted": _("Booth waitlist"),
    "digest": _("Morning digest"),
    "reminder": _("Reminder"),
    "seat_cancelled": _("Seat cancelled"),
    "seat_confirmed": _("Seat confirmed"),
    "seat_promoted": _("Seat from the waitlist"),
    "seat_waitlisted": _("Seat waitlist"),
    "workshop_cancelled": _("Workshop cancelled"),
    "workshop_changed": _("Workshop moved"),
    "pending": _("pending"),
    "sent": _("sent"),
    "failed": _("failed"),
    "suppressed": _("suppressed"),
    "email": _("Email"),
    "sms": _("SMS"),
    "webhook": _("Webhook"),
    "file": _("File"),
    "participant": _("participant"),
    "business": _("business"),
}


def build_pages(runtime: ServiceRuntime, deps: Deps) -> APIRouter:
    env = web.environment(TEMPLATES, catalogue=CATALOGUE)
    router = web.board_router(env, runtime.settings, "notifications", lambda: runtime.sessions)
    links = web.board_links(runtime.settings, "notifications")

    @router.get("/board/{campaign_id}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def board(request: Request, campaign_id: str, lang: str | None = None) -> Response:
        language = web.language(request, lang)
        call = await web.official(request, runtime.sessions, f"/board/{campaign_id}")
        latest = await operations.query_log(deps, call, cause=None, recipient=None, status=None,
                                            campaign=campaign_id, limit=SHOWN, offset=0)
        return web.form_page(env, request, "board.html.j2", {
            "campaign_id": campaign_id, "latest": latest, "counts": Counter(n["status"] for n in latest),
            "links": links, "names": {key: name.render(language) for key, name in NAMES.items()},
            "timezone": await operations.campaign_timezone(deps, campaign_id)}, lang=language)

    @router.get("/board/{campaign_id}/notifications.csv")
    @web.error_pages(env)
    async def export(request: Request, campaign_id: str) -> Response:
        call = await web.official(request, runtime.sessions, f"/board/{campaign_id}")
        rows = await operations.query_log(deps, call, cause=None, recipient=None, status=None, campaign=campaign_id,
                                          limit=100_000, offset=0)
        return web.csv_download(to_csv(COLUMNS, rows), f"notifications-{campaign_id}.csv")

    return router
