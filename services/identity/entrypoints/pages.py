"""The sign-in pages: ask for a link, type the code, open the link (one button, so that a mail
scanner following it does not use it up), and the signed-in person's own page."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field, ValidationError

from services.identity.application import accounts, passwords, sign_in
from services.identity.application.accounts import Caller
from services.identity.application.context import Deps
from services.identity.domain.accounts import Account
from services.identity.entrypoints.http import SESSION_COOKIE, set_session_cookie
from services.identity.locale import CATALOGUE, _
from shared import web
from shared.contracts.identity import Role
from shared.platform.commands import Command
from shared.platform.errors import AppError

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pages"


class InviteForm(Command):
    name: str = Field(min_length=2, max_length=200)
    contact: str = Field(min_length=3, max_length=320)
    role: Role
    scope: str = Field(min_length=2, max_length=120)


def build_pages(deps: Deps, campaigns_url: str = "") -> APIRouter:
    """``campaigns_url``: the page listing the campaigns a signed-in official acts on (the events service)."""
    router = APIRouter(include_in_schema=False)
    env = web.environment(TEMPLATES, catalogue=CATALOGUE, form_targets=deps.sites)
    secure = deps.issuer.startswith("https://")

    def ask_form(request: Request, lang: str, values: dict[str, Any], errors: dict[str, str],
                 status_code: int = 200) -> HTMLResponse:
        return web.form_page(env, request, "sign_in.html.j2", {"values": values, "errors": errors}, lang=lang,
                             status_code=status_code)

    def signed_in(credential: str, next_path: str) -> Response:
        response = web.see_other(web.local_path(next_path, "/me", deps.sites))
        set_session_cookie(response, credential, secure)
        return response

    @router.get("/")
    async def home(request: Request, lang: str | None = None) -> Response:
        return web.see_other(f"/me?lang={web.language(request, lang)}")

    @router.get("/sign-in", response_class=HTMLResponse)
    async def sign_in_page(request: Request, lang: str | None = None, next: str | None = None) -> Response:
        return ask_form(request, web.language(request, lang), {"next": web.local_path(next, "/me", deps.sites)}, {})

    async def posted_sign_in(request: Request, language: str
                             ) -> tuple[dict[str, list[str]], str, str] | Response:
        """A sign-in form posted: its fields, the contact typed and where to go after, else the form again."""
        fields = await web.read_form(request)
        if fields is None:
            return ask_form(request, language, {}, {"form": web.BAD_FORM.render(language)}, 403)
        contact = (fields.get("contact") or [""])[0].strip()
        return fields, contact, web.local_path((fields.get("next") or [""])[0], "/me", deps.sites)

    @router.post("/sign-in", response_class=HTMLResponse)
    async def send_link(request: Request, lang: str | None = None) -> Response:
        language = web.language(request, lang)
        posted = await posted_sign_in(request, language)
        if isinstance(posted, Response):
            return posted
        _fields, contact, next_path = posted
        try:
            await sign_in.request_sign_in(deps, contact, language=language, next_path=next_path)
        except AppError as exc:
            return ask_form(request, language, {"contact": contact, "next": next_path},
                            {"contact": exc.message_in(language)}, exc.status)
        return web.form_page(env, request, "sign_in_sent.html.j2", {"contact": contact, "errors": {}},
                             lang=language, status_code=202)

    @router.post("/sign-in/password", response_class=HTMLResponse)
    async def with_password(request: Request, lang: str | None = None) -> Response:
        language = web.language(request, lang)
        posted = await posted_sign_in(request, language)
        if isinstance(posted, Response):
            return posted
        fields, contact, next_path = posted
        try:
            credential, _home = await passwords.redeem_password(deps, contact, (fields.get("password") or [""])[0])
        except AppError as exc:  # a 401 counts towards the failed-sign-in limit of the address
            return ask_form(request, language, {"contact": contact, "next": next_path},
                            {"password": exc.message_in(language)}, exc.status)
        return signed_in(credential, next_path)

    @router.post("/sign-in/code", response_class=HTMLResponse)
    async def with_code(request: Request, lang: str | None = None) -> Response:
        language = web.language(request, lang)
        fields = await web.read_form(request)
        contact = ((fields or {}).get("contact") or [""])[0]
        if fields is None:
            return ask_form(request, language, {}, {"form": web.BAD_FORM.render(language)}, 403)
        try:
            credential, next_path = await sign_in.redeem_code(deps, contact, (fields.get("code") or [""])[0])
        except AppError as exc:
            return web.form_page(env, request, "sign_in_sent.html.j2", {
                "contact": contact, "errors": {"code": exc.message_in(language)}}, lang=language,
                status_code=exc.status)
        return signed_in(credential, next_path)

    @router.get("/sign-in/{link}", response_class=HTMLResponse)
    async def open_link(request: Request, link: str, lang: str | None = None) -> Response:
        return web.form_page(env, request, "sign_in_link.html.j2", {"link": link, "errors": {}},
                             lang=web.language(request, lang))

    @router.post("/sign-in/{link}", response_class=HTMLResponse)
    async def use_link(request: Request, link: str, lang: str | None = None) -> Response:
        language = web.language(request, lang)
        if await web.read_form(request) is None:
            return web.form_page(env, request, "sign_in_link.html.j2", {
                "link": link, "errors": {"form": web.BAD_FORM.render(language)}}, lang=language, status_code=403)
        try:
            credential, next_path = await sign_in.redeem_link(deps, link)
        except AppError as exc:
            return web.error_page(env, exc, lang=language)
        return signed_in(credential, next_path)

    async def signed_in_account(request: Request) -> tuple[Caller, Account] | None:
        credential = request.cookies.get(SESSION_COOKIE)
        if not credential:
            return None
        try:
            _token, account = await sign_in.access_token(deps, credential)
        except AppError:
            return None
        return Caller(account.id, credential.partition(".")[0]), account

    async def my_page_of(request: Request, language: str, caller: Caller, account: Account,
                         values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                         invited: str | None = None, password_done: str | None = None,
                         status_code: int = 200) -> HTMLResponse:
        async with deps.uow() as uow:
            tree = await accounts.tree_of(deps, uow)
        grants = [{"role": g.role.value, "scope": g.scope, "place": tree.get(g.scope).name if g.scope in tree
                   else g.scope} for g in account.active_grants()]
        # where this person may invite: each place it organizes, and the places right below it
        places = []
        for g in account.active_grants():
            if g.role is Role.ORGANIZER and g.scope in tree:
                places += [(g.scope, tree.get(g.scope).name), *((c.code, c.name) for c in tree.children(g.scope))]
        return web.form_page(env, request, "me.html.j2", {
            "account": account, "grants": grants, "places": places, "roles": [r.value for r in Role],
            "values": values or {}, "errors": errors or {}, "invited": invited, "password_done": password_done,
            "campaigns_url": campaigns_url},
            lang=language,
            status_code=status_code)

    async def posted_on_me(request: Request, language: str
                           ) -> tuple[tuple[Caller, Account], dict[str, list[str]]] | Response:
        """A form posted from /me: the signed-in account and its fields, else the answer to give (to the
        sign-in page, or the page again with the form refused)."""
        found = await signed_in_account(request)
        if found is None:
            return web.see_other(f"/sign-in?lang={language}&next=/me")
        fields = await web.read_form(request)
        if fields is None:
            return await my_page_of(request, language, *found, errors={"form": web.BAD_FORM.render(language)},
                                    status_code=403)
        return found, fields

    @router.get("/me", response_class=HTMLResponse)
    async def my_page(request: Request, lang: str | None = None, invited: str | None = None) -> Response:
        language = web.language(request, lang)
        found = await signed_in_account(request)
        if found is None:
            return web.see_other(f"/sign-in?lang={language}&next=/me")
        return await my_page_of(request, language, *found, invited=invited)

    @router.post("/me/invite", response_class=HTMLResponse)
    async def invite(request: Request, lang: str | None = None) -> Response:
        language = web.language(request, lang)
        posted = await posted_on_me(request, language)
        if isinstance(posted, Response):
            return posted
        found, fields = posted
        values = {k: (fields.get(k) or [""])[0].strip() for k in ("name", "contact", "role", "scope")}
        try:
            cmd = InviteForm.model_validate(values)
            channel, _address = sign_in.normalised_contact(cmd.contact)
            person, made = await accounts.invite(
                deps, found[0], name=cmd.name, email=cmd.contact if channel == "email" else None,
                phone=cmd.contact if channel == "sms" else None, role=Role(cmd.role), scope=cmd.scope)
            if made or person.verified_at is None:
                await sign_in.request_sign_in(deps, person.email or person.phone or "", language=language)
        except ValidationError as exc:
            return await my_page_of(request, language, *found, values=values,
                                    errors=web.field_errors(exc, language), status_code=422)
        except AppError as exc:
            return await my_page_of(request, language, *found, values=values,
                                    errors={"form": exc.message_in(language)}, status_code=exc.status)
        return web.see_other(f"/me?lang={language}&invited={quote(person.name)}")

    @router.post("/me/password", response_class=HTMLResponse)
    async def password(request: Request, lang: str | None = None) -> Response:
        language = web.language(request, lang)
        posted = await posted_on_me(request, language)
        if isinstance(posted, Response):
            return posted
        found, fields = posted
        try:
            if (fields.get("action") or [""])[0] == "remove":
                await passwords.remove_password(deps, found[0])
                done = _("Your password is removed: sign in with links.")
            else:
                await passwords.set_password(deps, found[0], (fields.get("password") or [""])[0])
                done = _("Your password is saved.")
        except AppError as exc:
            return await my_page_of(request, language, *found, errors={"password": exc.message_in(language)},
                                    status_code=exc.status)
        return await my_page_of(request, language, *found, password_done=done.render(language))

    @router.post("/me/sign-out")
    async def sign_out(request: Request) -> Response:
        response = web.see_other("/sign-in")
        if await web.read_form(request) is not None and (credential := request.cookies.get(SESSION_COOKIE)):
            await sign_in.sign_out(deps, credential)
            response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return router

