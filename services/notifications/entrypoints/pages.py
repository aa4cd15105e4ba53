"""The organizer board's notifications part: the last notifications of a campaign with their status
(recipients by id only: contact details stay in the registration service)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.notifications.application import operations
from services.notifications.application.handlers import Deps
from shared import web
from shared.platform.service import ServiceRuntime
from shared.web.csv_export import to_csv

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pages"
SHOWN = 100
COLUMNS = ("id", "created_at", "sent_at", "status", "channel", "template", "language", "recipient_kind",
           "recipient_id", "attempts", "last_error", "cause_type")

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "switch": "English", "title": "Bảng điều hành — thông báo", "last": "Thông báo gần nhất",
        "when": "Lúc tạo", "sent": "Lúc gửi", "status": "Trạng thái", "channel": "Kênh", "template": "Mẫu",
        "recipient": "Người nhận", "attempts": "Lần thử", "error": "Lỗi", "none": "Chưa có thông báo nào.",
        "export": "Tải nhật ký gửi (CSV)", "other_boards": "Các phần khác của bảng điều hành",
        "registration_board": "Gian hàng", "events_board": "Hội thảo và băng rôn", "sign_out": "Đăng xuất",
    },
    "en": {
        "switch": "Tiếng Việt", "title": "Organizer board — notifications", "last": "Latest notifications",
        "when": "Created", "sent": "Sent", "status": "Status", "channel": "Channel", "template": "Template",
        "recipient": "Recipient", "attempts": "Attempts", "error": "Error", "none": "No notifications yet.",
        "export": "Download the delivery log (CSV)", "other_boards": "The rest of the board",
        "registration_board": "Booths", "events_board": "Workshops and banners", "sign_out": "Sign out",
    },
}


# What each template and status is called on the board (the keys stay in the CSV)
NAMES: dict[str, dict[str, str]] = {
    "vi": {"announcement": "Thông báo chiến dịch", "booth_cancelled": "Hủy gian hàng",
           "booth_confirmed": "Xác nhận gian hàng", "booth_promoted": "Gian hàng từ danh sách chờ",
           "booth_rejected": "Từ chối gian hàng", "booth_waitlisted": "Danh sách chờ gian hàng",
           "digest": "Bản tin buổi sáng", "reminder": "Nhắc lịch", "seat_cancelled": "Hủy chỗ",
           "seat_confirmed": "Xác nhận chỗ", "seat_promoted": "Chỗ từ danh sách chờ",
           "seat_waitlisted": "Danh sách chờ chỗ", "workshop_cancelled": "Hủy hội thảo",
           "workshop_changed": "Đổi lịch hội thảo", "pending": "đang chờ", "sent": "đã gửi",
           "failed": "thất bại", "suppressed": "không gửi", "email": "Email", "sms": "SMS",
           "webhook": "Webhook", "file": "Tệp", "participant": "người tham dự", "business": "doanh nghiệp"},
    "en": {"announcement": "Announcement", "booth_cancelled": "Booth cancelled", "booth_confirmed": "Booth confirmed",
           "booth_promoted": "Booth from the waitlist", "booth_rejected": "Booth rejected",
           "booth_waitlisted": "Booth waitlist", "digest": "Morning digest", "reminder": "Reminder",
           "seat_cancelled": "Seat cancelled", "seat_confirmed": "Seat confirmed",
           "seat_promoted": "Seat from the waitlist",
           "seat_waitlisted": "Seat waitlist", "workshop_cancelled": "Workshop cancelled",
           "workshop_changed": "Workshop moved", "pending": "pending", "sent": "sent", "failed": "failed",
           "suppressed": "suppressed", "email": "Email", "sms": "SMS", "webhook": "Webhook", "file": "File",
           "participant": "participant", "business": "business"},
}


def build_pages(runtime: ServiceRuntime, deps: Deps) -> APIRouter:
    env = web.environment(TEMPLATES)
    router = web.board_router(env, runtime.settings)
    links = web.board_links(runtime.settings, "notifications")

    def organizer_token() -> str | None:
        return runtime.settings.organizer_token

    @router.get("/board/{campaign_id}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def board(request: Request, campaign_id: str, lang: str | None = None) -> Response:
        language = web.language(request, lang)
        call = web.board_call(request, organizer_token())
        if call is None:
            return web.to_sign_in(f"/board/{campaign_id}", language)
        latest = await operations.query_log(deps, call, cause=None, recipient=None, status=None,
                                            campaign=campaign_id, limit=SHOWN, offset=0)
        return web.form_page(env, request, "board.html.j2", {
            "campaign_id": campaign_id, "latest": latest, "counts": Counter(n["status"] for n in latest),
            "links": links, "text": TEXT, "names": NAMES[language],
            "timezone": await operations.campaign_timezone(deps, campaign_id)}, lang=language)

    @router.get("/board/{campaign_id}/notifications.csv")
    async def export(request: Request, campaign_id: str) -> Response:
        call = web.board_call(request, organizer_token())
        if call is None:
            return web.to_sign_in(f"/board/{campaign_id}", web.language(request, None))
        rows = await operations.query_log(deps, call, cause=None, recipient=None, status=None, campaign=campaign_id,
                                          limit=100_000, offset=0)
        return web.csv_download(to_csv(COLUMNS, rows), f"notifications-{campaign_id}.csv")

    return router
