"""Public pages of the registration service: a participant signs up with an explicit consent per
channel and a plain statement of purpose (Law 91/2025/QH15), then gets a sign-in link at the contact
it gave (there is nothing to keep). Same use case as the JSON API; the form is protected by a
double-submit cookie; errors are shown next to their field."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from services.registration.application import participants
from services.registration.application.commands import RegisterParticipant
from services.registration.application.context import Deps
from services.registration.locale import CATALOGUE, _
from shared import web
from shared.contracts.envelope import Actor
from shared.platform.calls import Call
from shared.platform.errors import AppError

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pages"



def build_pages(deps: Deps, campaign_year: Callable[[str], Awaitable[int]],
                sign_in_url: Callable[[str, str], str]) -> APIRouter:
    """``sign_in_url(back, lang)``: the identity service's sign-in page leading back to ``back``."""
    router = APIRouter(include_in_schema=False)
    env = web.environment(TEMPLATES, catalogue=CATALOGUE)

    def form(request: Request, campaign_id: str, lang: str, year: int, values: dict[str, Any],
             errors: dict[str, str], status_code: int = 200) -> HTMLResponse:
        return web.form_page(env, request, "join.html.j2", {
            "campaign_id": campaign_id, "year": year, "values": values, "errors": errors},
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
            return form(request, campaign_id, language, year, {}, {"form": web.BAD_FORM.render(language)}, 403)
        values = _values(fields)
        try:
            cmd = RegisterParticipant.from_form(values)
        except ValidationError as exc:
            errors = web.field_errors(exc, language)
            if not values["channels"]:
                errors["channels"] = _("Choose at least one way you agree to be contacted").render(language)
            return form(request, campaign_id, language, year, values, errors, 422)
        try:
            participant = await participants.register_participant(deps, campaign_id, cmd, Call(
                actor=Actor(kind="system"), correlation_id=request.headers.get("x-correlation-id")))
        except AppError as exc:
            message = exc.message_in(language)
            return form(request, campaign_id, language, year, values,
                        {str(exc.details.get("field", "form")): message}, exc.status)
        contact = participant["email"] or participant["phone"]
        sent = deps.sign_in_links is not None and await deps.sign_in_links.send(contact, language,
                                                                                 f"{deps.public_url}/my")
        return web.page(env, "joined.html.j2", {
            "participant": participant, "contact": contact, "sign_in_link_sent": sent,
            "sign_in_url": sign_in_url(f"{deps.public_url}/my?lang={language}", language)},
            lang=language, status_code=201)

    @router.get("/my-data")
    async def my_data_page(request: Request, lang: str | None = None) -> Response:
        """Stopping the messages and erasing one's data are on "my registrations", once signed in."""
        return web.see_other(f"/my?lang={web.language(request, lang)}")

    return router


def _values(fields: dict[str, list[str]]) -> dict[str, Any]:
    one = {k: (fields.get(k) or [""])[0].strip() for k in ("name", "email", "phone", "locality", "language")}
    return {**one, "channels": fields.get("channels", []), "purposes": fields.get("purposes", [])}

