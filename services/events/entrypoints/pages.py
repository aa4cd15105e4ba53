"""Pages of the events service: the campaign's schedule, day by day (1–10 October), with a seat
reservation form for signed-up participants, and the organizer board's part on workshops (fill
ratio, waiting lists) and banner placements. Vietnamese first with an English switch; same use
cases as the JSON API; no scripts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.events.application import banners, public, seats
from services.events.application.commands import ReserveSeat
from services.events.application.context import Deps
from services.events.entrypoints.access import callers_of
from services.events.entrypoints.board_pages import build_board
from services.events.entrypoints.crew_pages import build_crew
from services.events.entrypoints.door_pages import build_door
from services.events.locale import CATALOGUE, _
from shared import web
from shared.contracts.envelope import Actor
from shared.contracts.identity import SESSION_COOKIE
from shared.platform.auth import read_manage_token
from shared.platform.calls import Call
from shared.platform.errors import AppError, NotFound
from shared.platform.service import ServiceRuntime

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pages"



def build_pages(runtime: ServiceRuntime, deps: Deps) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    env = web.environment(TEMPLATES, catalogue=CATALOGUE)
    join_base = runtime.settings.base_url_of("registration")

    @router.get("/schedule/{campaign_id}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def schedule_page(request: Request, campaign_id: str, day: str | None = None,
                            lang: str | None = None) -> HTMLResponse:
        language = web.language(request, lang)
        schedule = await public.schedule_of_day(deps, campaign_id, _day(day))
        sites = await banners.list_sites(deps, campaign_id)
        return web.page(env, "schedule.html.j2", {
            **schedule, "sites": sites,
            "now": runtime.clock.now(), "join_base": join_base}, lang=language)

    call_of = callers_of(runtime)
    identity = runtime.settings.base_url_of("identity")
    here = runtime.settings.base_url_of("events")

    async def person(request: Request, workshop_id: str | None = None, manage: str | None = None) -> Call | None:
        """Who is on this browser: the participant a notice's link names for this workshop (``manage``),
        else the person signed in with its identity session (and the participant records it holds)."""
        correlation_id = request.headers.get("x-correlation-id")
        named = read_manage_token(deps.checkin_secret, manage, workshop_id, deps.clock.now().timestamp()) \
            if manage and workshop_id else None
        if named is not None:
            return Call(actor=Actor(kind="participant", id=named), correlation_id=correlation_id)
        found = await runtime.sessions.access(request.cookies.get(SESSION_COOKIE)) if runtime.sessions else None
        return await call_of(found[0], correlation_id) if found else None

    def to_sign_in(path: str, lang: str) -> Response:
        back = quote(f"{here}{path}", safe="")
        return web.see_other(f"{identity}/sign-in?lang={lang}&next={back}")

    async def my_seats_page(request: Request, lang: str, call: Call, *, done: str | None = None,
                            errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
        mine = await seats.my_seats(deps, call)
        shown = [{**s, "w": await public.workshop_local(deps, s["workshop_id"])} for s in mine]
        return web.form_page(env, request, "my_seats.html.j2", {"seats": shown, "done": done, "errors": errors or {},
                                                               "join_base": join_base}, lang=lang,
                             status_code=status_code)

    @router.get("/my-seats", response_class=HTMLResponse)
    @web.error_pages(env)
    async def my_seats(request: Request, lang: str | None = None, done: str | None = None) -> Response:
        language = web.language(request, lang)
        call = await person(request)
        if call is None:
            return to_sign_in(f"/my-seats?lang={language}", language)
        return await my_seats_page(request, language, call, done="cancel" if done == "cancel" else None)

    @router.post("/my-seats/{seat_id}/cancel", response_class=HTMLResponse)
    @web.error_pages(env)
    async def cancel_my_seat(request: Request, seat_id: str, lang: str | None = None) -> Response:
        language = web.language(request, lang)
        call = await person(request)
        if call is None:
            return to_sign_in(f"/my-seats?lang={language}", language)
        if await web.read_form(request) is None:
            return await my_seats_page(request, language, call, errors={"form": web.BAD_FORM.render(language)},
                                       status_code=403)
        try:
            await seats.cancel_seat(deps, seat_id, call)
        except AppError as exc:
            return await my_seats_page(request, language, call, errors={seat_id: exc.message_in(language)},
                                       status_code=exc.status)
        return web.see_other(f"/my-seats?lang={language}&done=cancel")

    async def reserve_form(request: Request, workshop_id: str, lang: str, errors: dict[str, str],
                           status_code: int = 200, manage: str | None = None, done: str | None = None
                           ) -> HTMLResponse:
        workshop = await public.workshop_local(deps, workshop_id)
        signed_in = await person(request, workshop_id, manage) is not None
        return web.form_page(env, request, "reserve.html.j2", {
            "w": workshop, "signed_in": signed_in, "errors": errors, "join_base": join_base,
            "manage": manage if signed_in else None, "done": done,
            "sign_in": f"{identity}/sign-in?lang={lang}&next={quote(f'{here}/reserve/{workshop_id}', safe='')}"},
            lang=lang, status_code=status_code)

    @router.get("/reserve/{workshop_id}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def reserve_page(request: Request, workshop_id: str, lang: str | None = None,
                           manage: str | None = None, done: str | None = None) -> HTMLResponse:
        language = web.language(request, lang)
        call = await person(request, workshop_id, manage)
        seat = await seats.my_seat(deps, workshop_id, call) if call is not None else None
        if seat is not None:  # the person's own page: their seat and its QR code
            workshop = await public.workshop_local(deps, workshop_id)
            return web.form_page(env, request, "reserved.html.j2", {"w": workshop, "seat": seat, "manage": manage},
                                 lang=language)
        return await reserve_form(request, workshop_id, language, {}, manage=manage,
                                  done="cancel" if done == "cancel" else None)

    @router.post("/reserve/{workshop_id}/cancel", response_class=HTMLResponse)
    @web.error_pages(env)
    async def give_up(request: Request, workshop_id: str, lang: str | None = None) -> Response:
        """The seat of whoever this page is for (a notice's link, the signed-in person)."""
        language = web.language(request, lang)
        fields = await web.read_form(request)
        manage = ((fields or {}).get("manage") or [""])[0] or None
        if fields is None:
            return await reserve_form(request, workshop_id, language, {"form": web.BAD_FORM.render(language)}, 403)
        call = await person(request, workshop_id, manage)
        seat = await seats.my_seat(deps, workshop_id, call) if call is not None else None
        if call is None or seat is None:
            return await reserve_form(request, workshop_id, language, {}, manage=manage)
        await seats.cancel_seat(deps, seat["seat_id"], call)
        again = f"&manage={quote(manage, safe='')}" if manage else ""
        return web.see_other(f"/reserve/{workshop_id}?lang={language}&done=cancel{again}")

    @router.post("/reserve/{workshop_id}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def reserve(request: Request, workshop_id: str, lang: str | None = None) -> Response:
        language = web.language(request, lang)
        try:
            fields = await web.read_form(request)
            if fields is None:
                return await reserve_form(request, workshop_id, language, {"form": web.BAD_FORM.render(language)}, 403)
            manage = (fields.get("manage") or [""])[0] or None
            signed = await person(request, workshop_id, manage)
            if signed is None:  # signed out meanwhile, or a notice's link expired: sign in first
                return to_sign_in(f"/reserve/{workshop_id}?lang={language}", language)
            seat = await seats.reserve_seat(deps, workshop_id, ReserveSeat(), signed)
            workshop = await public.workshop_local(deps, workshop_id)
        except AppError as exc:
            message = exc.message_in(language)
            return await reserve_form(request, workshop_id, language, {"form": message}, exc.status)
        return web.form_page(env, request, "reserved.html.j2", {"w": workshop, "seat": seat, "manage": manage},
                             lang=language, status_code=201)

    router.include_router(build_board(runtime, deps, env))
    router.include_router(build_door(runtime, deps, env))
    router.include_router(build_crew(runtime, deps, env))
    return router


def _day(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise NotFound(_("Not a valid day: {day}", day=raw[:20]), field="day") from None
