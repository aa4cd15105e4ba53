""""My applications and records" (/my): a business or a participant signed in with the contact it
registered with — the identity session this site's browser holds — sees its businesses with their
booth applications (cancel one, follow the waitlist) and its participant records (its seats, stop
every message, erase its data)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.registration.application import booths, holders, participants
from services.registration.application.access import holdings
from services.registration.application.context import Deps
from services.registration.locale import CATALOGUE, _
from shared import web
from shared.contracts.identity import SESSION_COOKIE
from shared.platform.calls import Call
from shared.platform.errors import AppError
from shared.platform.tokens import PagesSessions

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pages"


async def signed_in_person(deps: Deps, sessions: PagesSessions | None, request: Request) -> Call | None:
    """The account signed in on this browser and the records it holds here, else None."""
    if sessions is None:
        return None
    claims = await sessions.claims(request.cookies.get(SESSION_COOKIE))
    if claims is None:
        return None
    return Call.of_account(claims, request.headers.get("x-correlation-id"), await holdings(deps.uow(), claims.contacts))


def build_my_pages(deps: Deps, sessions: PagesSessions | None, sign_in_url: Callable[[str, str], str],
                   events_url: str) -> APIRouter:
    """``events_url``: the events service's pages (the person's seats, the campaigns' schedules)."""
    router = APIRouter(include_in_schema=False)
    env = web.environment(TEMPLATES, catalogue=CATALOGUE)

    async def my_page(request: Request, lang: str, *, done: str | None = None, errors: dict[str, str] | None = None,
                      status_code: int = 200) -> Response:
        call = await signed_in_person(deps, sessions, request)
        if call is None:
            return web.see_other(sign_in_url(f"{deps.public_url}/my?lang={lang}", lang))
        records = await holders.my_records(deps, call)
        return web.form_page(env, request, "my.html.j2", {**records, "done": done, "errors": errors or {},
                                                          "events": events_url}, lang=lang, status_code=status_code)

    @router.get("/my", response_class=HTMLResponse)
    @web.error_pages(env)
    async def my(request: Request, lang: str | None = None, done: str | None = None) -> Response:
        return await my_page(request, web.language(request, lang), done=done if done in DONE else None)

    async def acted(request: Request, language: str, record_id: str, done: str,
                    act: Callable[[Call, dict[str, list[str]]], Awaitable[Response | None]]) -> Response:
        """A form posted from /my by the person signed in: ``act`` does it (or answers a page of its own);
        its refusal shows next to the record, and done, the page says so."""
        call = await signed_in_person(deps, sessions, request)
        fields = await web.read_form(request)
        if call is None or fields is None:
            return await my_page(request, language, errors={"form": web.BAD_FORM.render(language)}, status_code=403)
        try:
            answered = await act(call, fields)
        except AppError as exc:
            return await my_page(request, language, errors={record_id: exc.message_in(language)},
                                 status_code=exc.status)
        return answered or web.see_other(f"/my?lang={language}&done={done}")

    @router.post("/my/applications/{application_id}/cancel", response_class=HTMLResponse)
    @web.error_pages(env)
    async def cancel(request: Request, application_id: str, lang: str | None = None) -> Response:
        async def act(call: Call, _fields: dict[str, list[str]]) -> None:
            await booths.cancel_application(deps, application_id, call)

        return await acted(request, web.language(request, lang), application_id, "cancel", act)

    @router.post("/my/participants/{participant_id}/{action}", response_class=HTMLResponse)
    @web.error_pages(env)
    async def stop_or_erase(request: Request, participant_id: str, action: str, lang: str | None = None) -> Response:
        """``opt-out``: no message any more; ``erase`` (ticked to confirm): the person's data go for good."""
        language = web.language(request, lang)
        if action not in ("opt-out", "erase"):
            return web.see_other(f"/my?lang={language}")

        async def act(call: Call, fields: dict[str, list[str]]) -> Response | None:
            if action == "opt-out":
                await participants.opt_out(deps, participant_id, call)
            elif (fields.get("confirm") or [""])[0] != "yes":
                return await my_page(request, language, status_code=422, errors={
                    participant_id: _("Tick the confirmation box to erase your data").render(language)})
            else:
                await participants.erase(deps, participant_id, call)
            return None

        return await acted(request, language, participant_id, action, act)

    return router


DONE = ("cancel", "opt-out", "erase")
