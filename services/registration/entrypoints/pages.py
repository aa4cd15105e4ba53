"""Public pages of the registration service: a participant signs up with an explicit consent per
channel and a plain statement of purpose (Law 91/2025/QH15). Same use case as the JSON API; the
form is protected by a double-submit cookie; errors are shown next to their field."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from services.registration.application import participants
from services.registration.application.access import identify
from services.registration.application.commands import RegisterParticipant
from services.registration.application.context import Deps
from shared import web
from shared.contracts.envelope import Actor
from shared.platform.calls import Call
from shared.platform.errors import AppError

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pages"

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Đăng ký tham dự", "switch": "English",
        "purpose_title": "Vì sao chúng tôi hỏi thông tin này",
        "purpose": "Ban tổ chức Ngày Chuyển đổi số dùng tên và cách liên hệ của bạn chỉ để gửi thông báo bạn chọn "
                   "bên dưới (xác nhận chỗ, thay đổi lịch, nhắc lịch). Không chia sẻ cho bên khác. Bạn có thể "
                   "ngừng nhận tin hoặc yêu cầu xóa dữ liệu bất cứ lúc nào (Luật Bảo vệ dữ liệu cá nhân 2025).",
        "name": "Họ và tên", "email": "Email", "phone": "Số điện thoại di động", "locality": "Xã, phường",
        "channels": "Tôi đồng ý được liên hệ qua", "consent_email": "Email", "consent_sms": "Tin nhắn SMS",
        "purposes": "Để nhận", "purpose_service_notices": "Thông báo về chỗ ngồi và thay đổi lịch (cần thiết)",
        "purpose_reminders": "Nhắc lịch trước buổi hội thảo", "purpose_digest": "Bản tin tóm tắt hằng ngày",
        "purpose_promotions": "Thông tin quảng bá của chiến dịch",
        "language": "Ngôn ngữ nhận tin", "submit": "Đăng ký",
        "need_channel": "Hãy chọn ít nhất một cách liên hệ mà bạn đồng ý",
        "done_title": "Đăng ký thành công", "done": "Cảm ơn {name}. Bạn đã có thể đặt chỗ tại các hội thảo.",
        "keep_token": "Mã truy cập của bạn (chỉ hiện một lần — hãy lưu lại để đặt chỗ, ngừng nhận tin hoặc xóa dữ "
                      "liệu):",
        "withdraw": "Muốn ngừng nhận tin hoặc xóa dữ liệu? Dùng mã này tại trang /my-data.",
        "my_title": "Dữ liệu của tôi",
        "my_intro": "Dán mã truy cập bạn nhận khi đăng ký để ngừng nhận mọi tin nhắn, hoặc xóa hẳn tên, email "
                    "và số điện thoại của bạn khỏi mọi dịch vụ của chiến dịch.",
        "token": "Mã truy cập", "what": "Bạn muốn", "opt_out": "Ngừng nhận mọi tin nhắn",
        "erase": "Xóa dữ liệu cá nhân của tôi (không thể hoàn tác; chỗ đã đặt sẽ bị hủy)",
        "confirm": "Tôi hiểu và xác nhận", "send": "Gửi yêu cầu",
        "bad_token": "Mã truy cập không đúng hoặc đã hết hiệu lực",
        "need_confirm": "Hãy đánh dấu ô xác nhận để xóa dữ liệu",
        "opted_out": "Đã ngừng nhận tin", "opted_out_text": "Từ bây giờ bạn sẽ không nhận tin nhắn nào của chiến dịch, "
                                                            "kể cả những tin đang chờ gửi.",
        "erased": "Đã xóa dữ liệu", "erased_text": "Tên, email và số điện thoại của bạn đã được xóa khỏi mọi dịch vụ.",
    },
    "en": {
        "title": "Sign up", "switch": "Tiếng Việt",
        "purpose_title": "Why we ask for this",
        "purpose": "The Digital Transformation Day organizers use your name and contact details only to send the "
                   "notices you choose below (seat confirmations, schedule changes, reminders). They are not "
                   "shared. You can stop the messages or ask for erasure at any time (Personal Data Protection "
                   "Law 2025).",
        "name": "Full name", "email": "Email", "phone": "Mobile phone", "locality": "Commune or ward",
        "channels": "I agree to be contacted by", "consent_email": "Email", "consent_sms": "SMS",
        "purposes": "To receive", "purpose_service_notices": "Notices about my seat and schedule changes (needed)",
        "purpose_reminders": "Reminders before a workshop", "purpose_digest": "A daily digest",
        "purpose_promotions": "Campaign announcements",
        "language": "Language of the messages", "submit": "Sign up",
        "need_channel": "Choose at least one way you agree to be contacted",
        "done_title": "You are signed up", "done": "Thank you, {name}. You can now reserve seats at workshops.",
        "keep_token": "Your access token (shown once — keep it to reserve seats, stop messages or ask for erasure):",
        "withdraw": "To stop the messages or erase your data, use this token on the /my-data page.",
        "my_title": "My data",
        "my_intro": "Paste the access token you got when signing up to stop every message, or to erase your name, "
                    "email and phone number from every service of the campaign.",
        "token": "Access token", "what": "You want to", "opt_out": "Stop every message",
        "erase": "Erase my personal data (cannot be undone; reserved seats are given up)",
        "confirm": "I understand and confirm", "send": "Send",
        "bad_token": "The access token is not right or no longer valid",
        "need_confirm": "Tick the confirmation box to erase your data",
        "opted_out": "Messages stopped", "opted_out_text": "From now on you get no message from the campaign, "
                                                          "including those waiting to be sent.",
        "erased": "Data erased", "erased_text": "Your name, email and phone number are erased from every service.",
    },
}


def build_pages(deps: Deps, campaign_year: Callable[[str], Awaitable[int]]) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    env = web.environment(TEMPLATES)

    def form(request: Request, campaign_id: str, lang: str, year: int, values: dict[str, Any],
             errors: dict[str, str], status_code: int = 200) -> HTMLResponse:
        return web.form_page(env, request, "join.html.j2", {
            "campaign_id": campaign_id, "year": year, "values": values, "errors": errors, "text": TEXT},
            lang=lang, status_code=status_code)

    @router.get("/join/{campaign_id}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def join_page(request: Request, campaign_id: str, lang: str | None = None) -> HTMLResponse:
        # nothing ticked: consent is the person's own act (Decree 13/2023, Law 91/2025)
        return form(request, campaign_id, web.language(request, lang), await campaign_year(campaign_id), {}, {})

    @router.post("/join/{campaign_id}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def join(request: Request, campaign_id: str, lang: str | None = None) -> HTMLResponse:
        language = web.language(request, lang)
        year = await campaign_year(campaign_id)
        fields = await web.read_form(request)
        if fields is None:
            return form(request, campaign_id, language, year, {}, {"form": web.BAD_FORM[language]}, 403)
        values = _values(fields)
        try:
            cmd = RegisterParticipant.from_form(values)
        except ValidationError as exc:
            errors = web.field_errors(exc, language)
            if not values["channels"]:
                errors["channels"] = TEXT[language]["need_channel"]
            return form(request, campaign_id, language, year, values, errors, 422)
        try:
            participant, token = await participants.register_participant(deps, campaign_id, cmd, Call(
                actor=Actor(kind="system"), correlation_id=request.headers.get("x-correlation-id")))
        except AppError as exc:
            message = exc.message_vi if language == "vi" else exc.message_en
            return form(request, campaign_id, language, year, values,
                        {str(exc.details.get("field", "form")): message}, exc.status)
        return web.page(env, "joined.html.j2", {"participant": participant, "access_token": token, "text": TEXT},
                        lang=language, status_code=201)

    def my_data_form(request: Request, lang: str, values: dict[str, Any], errors: dict[str, str],
                     status_code: int = 200) -> HTMLResponse:
        return web.form_page(env, request, "my_data.html.j2", {
            "values": values, "errors": errors, "text": TEXT},
            lang=lang, status_code=status_code)

    @router.get("/my-data", response_class=HTMLResponse)
    async def my_data_page(request: Request, lang: str | None = None) -> HTMLResponse:
        return my_data_form(request, web.language(request, lang), {}, {})

    @router.post("/my-data", response_class=HTMLResponse)
    async def my_data(request: Request, lang: str | None = None) -> HTMLResponse:
        language = web.language(request, lang)
        t = TEXT[language]
        fields = await web.read_form(request)
        if fields is None:
            return my_data_form(request, language, {}, {"form": web.BAD_FORM[language]}, 403)
        values = {k: (fields.get(k) or [""])[0].strip() for k in ("access_token", "action", "confirm")}
        actor = await identify(deps.uow(), values["access_token"], None)
        if actor is None or actor.kind != "participant" or actor.id is None:
            # a 401 counts as a failed token for the rate limit, as on the API
            return my_data_form(request, language, {"action": values["action"]}, {"access_token": t["bad_token"]}, 401)
        call = Call(actor=actor, correlation_id=request.headers.get("x-correlation-id"))
        if values["action"] == "erase":
            if values["confirm"] != "yes":
                return my_data_form(request, language, {"action": "erase"}, {"confirm": t["need_confirm"]}, 422)
            await participants.erase(deps, actor.id, call)
            return web.page(env, "notice.html.j2", {"heading": t["erased"], "message": t["erased_text"]},
                            lang=language)
        await participants.opt_out(deps, actor.id, call)
        return web.page(env, "notice.html.j2", {"heading": t["opted_out"], "message": t["opted_out_text"]},
                        lang=language)

    return router


def _values(fields: dict[str, list[str]]) -> dict[str, Any]:
    one = {k: (fields.get(k) or [""])[0].strip() for k in ("name", "email", "phone", "locality", "language")}
    return {**one, "channels": fields.get("channels", []), "purposes": fields.get("purposes", [])}

