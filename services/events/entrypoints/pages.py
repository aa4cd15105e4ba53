"""Public pages of the events service: the campaign's schedule, day by day (1–10 October), in
Vietnamese first with an English switch. Same use cases as the JSON API; no scripts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.events.application import banners, public
from services.events.application.context import Deps
from shared import web
from shared.errors import AppError, NotFound

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pages"

TEXT: dict[str, dict[str, Any]] = {
    "vi": {
        "title": "Lịch sự kiện", "switch": "English", "days": "Các ngày của chiến dịch",
        "weekdays": ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"],
        "workshops": "Hội thảo, tập huấn", "room": "Phòng", "speakers": "Diễn giả",
        "seats_left": "Còn {n} / {capacity} chỗ", "full": "Hết chỗ — {n} người đang chờ",
        "cancelled": "Đã hủy", "add_to_calendar": "Thêm vào lịch (iCal)",
        "whole_calendar": "Tải cả lịch chiến dịch (iCal)", "none": "Chưa có hội thảo nào trong ngày này.",
        "banners": "Điểm treo băng rôn, khẩu hiệu", "no_banners": "Chưa có điểm treo băng rôn.",
    },
    "en": {
        "title": "Schedule", "switch": "Tiếng Việt", "days": "Days of the campaign",
        "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        "workshops": "Seminars and training", "room": "Room", "speakers": "Speakers",
        "seats_left": "{n} of {capacity} seats left", "full": "Full — {n} on the waiting list",
        "cancelled": "Cancelled", "add_to_calendar": "Add to calendar (iCal)",
        "whole_calendar": "Download the whole campaign (iCal)", "none": "No workshops on this day yet.",
        "banners": "Banner and slogan sites", "no_banners": "No banner sites yet.",
    },
}


def build_pages(deps: Deps) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    env = web.environment(TEMPLATES)

    @router.get("/schedule/{campaign_id}", response_class=HTMLResponse)
    async def schedule_page(request: Request, campaign_id: str, day: str | None = None,
                            lang: str | None = None) -> HTMLResponse:
        language = web.language(request, lang)
        try:
            wanted = _day(day)
            schedule = await public.schedule_of_day(deps, campaign_id, wanted)
            sites = await banners.list_sites(deps, campaign_id)
        except AppError as exc:
            return web.error_page(env, exc, lang=language)
        return web.page(env, "schedule.html.j2", {
            **schedule, "sites": sites, "text": TEXT, "other": "en" if language == "vi" else "vi"}, lang=language)

    return router


def _day(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise NotFound(f"Ngày không hợp lệ: {raw[:20]}", f"Not a valid day: {raw[:20]}", field="day") from None
