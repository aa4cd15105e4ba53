"""Pages for businesses (doanh nghiệp): register, then choose days and booths from the venue plan and
follow each application (confirmed, waitlist position, rejected with the reason). Same use cases and
validation messages as the JSON API. A business is whoever signs in with the contact it registered
with; the browser that registered it, and a booth notice's link, hold it on the campaign's exhibit pages
for a while (an HttpOnly cookie scoped to them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from services.registration.application import booths, businesses
from services.registration.application.commands import ApplyForBooths, RegisterBusiness
from services.registration.application.context import Deps
from services.registration.entrypoints.my_pages import signed_in_person
from services.registration.locale import CATALOGUE
from shared import web
from shared.contracts.envelope import Actor
from shared.platform.auth import MANAGE_DAYS, manage_token, read_manage_token
from shared.platform.calls import Call
from shared.platform.errors import AppError
from shared.platform.tokens import PagesSessions

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pages"
MANAGE_COOKIE = "dxday_manage"  # a booth notice's link or a new sign-up, kept for the campaign's exhibit pages only
BUSINESS_FIELDS = ("legal_name", "tax_code", "province", "sector", "contact_person", "email", "phone")



def build_exhibitor_pages(deps: Deps, campaign_year: Any, sessions: PagesSessions | None = None,
                          sign_in_url: Callable[[str, str], str] | None = None) -> APIRouter:
    """``sessions``: the identity sessions of this site's browsers; ``sign_in_url(back, lang)``: the
    identity service's sign-in page leading back to ``back``."""
    router = APIRouter(include_in_schema=False)
    env = web.environment(TEMPLATES, catalogue=CATALOGUE)

    async def business_of(request: Request, campaign_id: str) -> tuple[dict[str, Any], Call] | None:
        """The business this browser acts for on the campaign's pages (a booth notice's link or its own
        sign-up, else the account of a contact it registered with), if it belongs to this campaign."""
        correlation_id = request.headers.get("x-correlation-id")
        manage = request.query_params.get("manage") or request.cookies.get(MANAGE_COOKIE)
        named = read_manage_token(deps.manage_secret, manage, campaign_id, deps.clock.now().timestamp()) \
            if manage and deps.manage_secret else None
        if named is not None:  # a booth notice's link: this business, on this campaign's pages only
            call = Call(actor=Actor(kind="business", id=named), correlation_id=correlation_id)
            business = await businesses.get_business(deps, named, call)
            return (business, call) if business["campaign_id"] == campaign_id else None
        call = await signed_in_person(deps, sessions, request)
        for kind, record_id in sorted(call.holdings) if call else []:
            if kind == "business":
                business = await businesses.get_business(deps, record_id, call)
                if business["campaign_id"] == campaign_id:
                    return business, call
        return None

    def register_form(request: Request, campaign_id: str, lang: str, year: int, values: dict[str, str],
                      errors: dict[str, str], status_code: int = 200) -> HTMLResponse:
        back = f"{deps.public_url}/exhibit/{campaign_id}/booths?lang={lang}"
        return web.form_page(env, request, "exhibit.html.j2", {
            "campaign_id": campaign_id, "year": year, "values": values, "errors": errors,
            "fields": BUSINESS_FIELDS, "sign_in_url": sign_in_url(back, lang) if sign_in_url else None},
            lang=lang, status_code=status_code)

    @router.get("/exhibit/{campaign_id}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def exhibit_page(request: Request, campaign_id: str, lang: str | None = None) -> HTMLResponse:
        return register_form(request, campaign_id, web.language(request, lang), await campaign_year(campaign_id), {},
                             {})

    @router.post("/exhibit/{campaign_id}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def register(request: Request, campaign_id: str, lang: str | None = None) -> Response:
        language = web.language(request, lang)
        year = await campaign_year(campaign_id)
        fields = await web.read_form(request)
        if fields is None:
            return register_form(request, campaign_id, language, year, {}, {"form": web.BAD_FORM.render(language)}, 403)
        values = {k: (fields.get(k) or [""])[0].strip() for k in BUSINESS_FIELDS}
        try:
            cmd = RegisterBusiness.model_validate(values)
            business = await businesses.register_business(deps, campaign_id, cmd, Call(
                actor=Actor(kind="system"), correlation_id=request.headers.get("x-correlation-id")))
        except ValidationError as exc:
            return register_form(request, campaign_id, language, year, values, web.field_errors(exc, language), 422)
        except AppError as exc:
            field = "tax_code" if exc.code == "duplicate_business" else str(exc.details.get("field", "form"))
            return register_form(request, campaign_id, language, year, values,
                                 {field: exc.message_in(language)}, exc.status)
        response = web.page(env, "exhibit_registered.html.j2", {"campaign_id": campaign_id, "business": business},
                            lang=language, status_code=201)
        if deps.manage_secret:  # this browser goes on to choose booths, as a notice's link would
            keep(response, campaign_id, manage_token(deps.manage_secret, business["id"], campaign_id,
                                                     int(deps.clock.now().timestamp()) + MANAGE_DAYS * 86400))
        return response

    async def booths_form(request: Request, campaign_id: str, lang: str, values: dict[str, Any],
                          errors: dict[str, str], status_code: int = 200, applied: str | None = None) -> Response:
        signed_in = await business_of(request, campaign_id)
        if signed_in is None:
            return web.see_other(f"/exhibit/{campaign_id}?lang={lang}")
        business, call = signed_in
        plan = await booths.booth_plan(deps, campaign_id)
        days = sorted({d["day"] for v in plan for b in v["booths"] for d in b["days"]})
        mine = await booths.applications_of_business(deps, business["id"], call)
        return web.form_page(env, request, "exhibit_booths.html.j2", {
            "campaign_id": campaign_id, "business": business, "plan": plan, "days": days,
            "applications": sorted(mine, key=lambda a: a["created_at"], reverse=True), "applied": applied,
            "values": values, "errors": errors},
            lang=lang, status_code=status_code)

    @router.get("/exhibit/{campaign_id}/booths", response_class=HTMLResponse)
    @web.error_pages(env)
    async def booths_page(request: Request, campaign_id: str, lang: str | None = None,
                          applied: str | None = None, manage: str | None = None) -> Response:
        response = await booths_form(request, campaign_id, web.language(request, lang), {"quantity": "1"}, {},
                                     applied=applied)
        if manage and deps.manage_secret and read_manage_token(deps.manage_secret, manage, campaign_id,
                                                                 deps.clock.now().timestamp()):
            keep(response, campaign_id, manage)  # the notice's link works on for the forms that follow
        return response

    @router.post("/exhibit/{campaign_id}/booths", response_class=HTMLResponse)
    @web.error_pages(env)
    async def apply(request: Request, campaign_id: str, lang: str | None = None) -> Response:
        language = web.language(request, lang)
        fields = await web.read_form(request)
        values = {"days": (fields or {}).get("days", []), "quantity": ((fields or {}).get("quantity") or ["1"])[0],
                  "booth_code": ((fields or {}).get("booth_code") or [""])[0]}
        if fields is None:
            return await booths_form(request, campaign_id, language, values, {"form": web.BAD_FORM.render(language)},
                                     403)
        signed_in = await business_of(request, campaign_id)
        if signed_in is None:
            return web.see_other(f"/exhibit/{campaign_id}?lang={language}")
        business, call = signed_in
        try:
            cmd = ApplyForBooths.model_validate({"days": values["days"], "quantity": values["quantity"] or "1",
                                                 "booth_code": values["booth_code"] or None})
            result = await booths.submit_application(deps, business["id"], cmd, call)
        except ValidationError as exc:
            return await booths_form(request, campaign_id, language, values, web.field_errors(exc, language), 422)
        except AppError as exc:
            message = exc.message_in(language)
            return await booths_form(request, campaign_id, language, values,
                                     {str(exc.details.get("field", "form")): message}, exc.status)
        return web.see_other(f"/exhibit/{campaign_id}/booths?lang={language}&applied={result['application_id']}")

    @router.post("/exhibit/{campaign_id}/sign-out")
    async def sign_out(request: Request, campaign_id: str, lang: str | None = None) -> Response:
        response = web.see_other(f"/exhibit/{campaign_id}?lang={web.language(request, lang)}")
        if await web.read_form(request) is not None:
            response.delete_cookie(MANAGE_COOKIE, path=f"/exhibit/{campaign_id}")
        return response

    return router


def keep(response: Response, campaign_id: str, manage: str) -> None:
    """This browser acts for the business on the campaign's exhibit pages, and nowhere else, until the
    token expires (HttpOnly: page scripts cannot read it)."""
    response.set_cookie(MANAGE_COOKIE, manage, httponly=True, samesite="strict", max_age=MANAGE_DAYS * 86400,
                        path=f"/exhibit/{campaign_id}")
