"""Pages of the events service: the campaign's schedule, day by day (1–10 October), with a seat
reservation form for signed-up participants, and the organizer board's part on workshops (fill
ratio, waiting lists) and banner placements. Vietnamese first with an English switch; same use
cases as the JSON API; no scripts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.events.application import banners, public, seats
from services.events.application.commands import ReserveSeat
from services.events.application.context import Deps
from services.events.entrypoints.access import identify, participant_id_of, participant_known
from services.events.entrypoints.board_pages import build_board
from shared import web
from shared.contracts.envelope import Actor
from shared.platform.calls import Call
from shared.platform.errors import AppError, NotFound
from shared.platform.service import ServiceRuntime

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pages"
PARTICIPANT_COOKIE = "dxday_participant"

TEXT: dict[str, dict[str, Any]] = {
    "vi": {
        "title": "Lịch sự kiện", "switch": "English", "days": "Các ngày của chiến dịch",
        "weekdays": ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"],
        "workshops": "Hội thảo, tập huấn", "room": "Phòng", "speakers": "Diễn giả",
        "seats_left": "Còn {n} / {capacity} chỗ", "full": "Hết chỗ — {n} người đang chờ",
        "cancelled": "Đã hủy", "add_to_calendar": "Thêm vào lịch (iCal)",
        "whole_calendar": "Tải cả lịch chiến dịch (iCal)", "none": "Chưa có hội thảo nào trong ngày này.",
        "banners": "Điểm treo băng rôn, khẩu hiệu", "no_banners": "Chưa có điểm treo băng rôn.",
        "reserve": "Đặt chỗ", "reserve_title": "Đặt chỗ tham dự", "token": "Mã truy cập của người tham dự",
        "token_hint": "Mã bạn nhận khi đăng ký tham dự", "signed_in": "Bạn đã đăng nhập trên trình duyệt này.",
        "send": "Đặt chỗ", "bad_token": "Mã truy cập không đúng hoặc đã hết hiệu lực",
        "not_yet": "Thông tin đăng ký của bạn đang được chuyển đến; vui lòng thử lại sau ít giây",
        "join": "Chưa đăng ký? Đăng ký tham dự", "confirmed": "Đã xác nhận chỗ của bạn — ghế số {n}",
        "waitlisted": "Hội thảo đã hết chỗ — bạn ở danh sách chờ, vị trí {n}",
        "checkin": "Đưa mã QR này ra khi đến, hoặc đọc mã vào cửa", "back": "Quay lại lịch",
        "qr_title": "Mã QR vào cửa",
        "to_join": "Đăng ký tham dự", "to_exhibit": "Doanh nghiệp: đăng ký gian hàng trưng bày",
    },
    "en": {
        "title": "Schedule", "switch": "Tiếng Việt", "days": "Days of the campaign",
        "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        "workshops": "Seminars and training", "room": "Room", "speakers": "Speakers",
        "seats_left": "{n} of {capacity} seats left", "full": "Full — {n} on the waiting list",
        "cancelled": "Cancelled", "add_to_calendar": "Add to calendar (iCal)",
        "whole_calendar": "Download the whole campaign (iCal)", "none": "No workshops on this day yet.",
        "banners": "Banner and slogan sites", "no_banners": "No banner sites yet.",
        "reserve": "Reserve a seat", "reserve_title": "Reserve a seat", "token": "Participant access token",
        "token_hint": "The token you got when you signed up", "signed_in": "You are signed in on this browser.",
        "send": "Reserve", "bad_token": "The access token is not right or no longer valid",
        "not_yet": "Your sign-up is still on its way here; please try again in a few seconds",
        "join": "Not signed up yet? Sign up", "confirmed": "Your seat is confirmed — seat number {n}",
        "waitlisted": "The workshop is full — you are on the waiting list, position {n}",
        "checkin": "Show this QR code at the door, or read out the check-in code", "back": "Back to the schedule",
        "qr_title": "Check-in QR code",
        "to_join": "Sign up to attend", "to_exhibit": "Businesses: apply for an exhibition booth",
    },
}


def build_pages(runtime: ServiceRuntime, deps: Deps) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    env = web.environment(TEMPLATES)
    join_base = runtime.settings.base_url_of("registration")

    @router.get("/schedule/{campaign_id}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def schedule_page(request: Request, campaign_id: str, day: str | None = None,
                            lang: str | None = None) -> HTMLResponse:
        language = web.language(request, lang)
        schedule = await public.schedule_of_day(deps, campaign_id, _day(day))
        sites = await banners.list_sites(deps, campaign_id)
        return web.page(env, "schedule.html.j2", {
            **schedule, "sites": sites, "text": TEXT,
            "now": runtime.clock.now(), "join_base": join_base}, lang=language)

    async def participant(request: Request, token: str | None) -> Actor | None:
        actor = await identify(runtime, token)
        return actor if actor is not None and actor.kind == "participant" else None

    async def reserve_form(request: Request, workshop_id: str, lang: str, errors: dict[str, str],
                           status_code: int = 200) -> HTMLResponse:
        workshop = await public.workshop_local(deps, workshop_id)
        signed_in = await participant(request, request.cookies.get(PARTICIPANT_COOKIE)) is not None
        return web.form_page(env, request, "reserve.html.j2", {
            "w": workshop, "signed_in": signed_in, "errors": errors, "text": TEXT, "join_base": join_base},
            lang=lang, status_code=status_code)

    @router.get("/reserve/{workshop_id}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def reserve_page(request: Request, workshop_id: str, lang: str | None = None) -> HTMLResponse:
        language = web.language(request, lang)
        actor = await participant(request, request.cookies.get(PARTICIPANT_COOKIE))
        seat = await seats.my_seat(deps, workshop_id, Call(actor=actor)) if actor is not None else None
        if seat is not None:  # the person's own page: their seat and its QR code
            workshop = await public.workshop_local(deps, workshop_id)
            return web.page(env, "reserved.html.j2", {"w": workshop, "seat": seat, "text": TEXT}, lang=language)
        return await reserve_form(request, workshop_id, language, {})

    @router.post("/reserve/{workshop_id}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def reserve(request: Request, workshop_id: str, lang: str | None = None) -> HTMLResponse:
        language = web.language(request, lang)
        t = TEXT[language]
        try:
            fields = await web.read_form(request)
            if fields is None:
                return await reserve_form(request, workshop_id, language, {"form": web.BAD_FORM[language]}, 403)
            typed = (fields.get("access_token") or [""])[0].strip()
            token = typed or request.cookies.get(PARTICIPANT_COOKIE)
            actor = await participant(request, token)
            if actor is None:
                pid = participant_id_of(token or "")
                if pid is not None and not await participant_known(runtime, pid):  # signed up a moment ago
                    return await reserve_form(request, workshop_id, language, {"access_token": t["not_yet"]}, 503)
                # a 401 counts towards the failed-token limit, as on the API
                return await reserve_form(request, workshop_id, language, {"access_token": t["bad_token"]}, 401)
            call = Call(actor=actor, correlation_id=request.headers.get("x-correlation-id"))
            seat = await seats.reserve_seat(deps, workshop_id, ReserveSeat(), call)
            workshop = await public.workshop_local(deps, workshop_id)
        except AppError as exc:
            message = exc.message_vi if language == "vi" else exc.message_en
            return await reserve_form(request, workshop_id, language, {"form": message}, exc.status)
        response = web.page(env, "reserved.html.j2", {"w": workshop, "seat": seat, "text": TEXT}, lang=language,
                            status_code=201)
        response.set_cookie(PARTICIPANT_COOKIE, token or "", httponly=True, samesite="strict",
                            max_age=30 * 24 * 3600, path="/")
        return response

    router.include_router(build_board(runtime, deps, env))
    return router


def _day(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise NotFound(f"Ngày không hợp lệ: {raw[:20]}", f"Not a valid day: {raw[:20]}", field="day") from None
