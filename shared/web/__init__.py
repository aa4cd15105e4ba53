"""Server-rendered pages every service shares: a Jinja2 environment that escapes everything, the
language of the page (Vietnamese first, English on request), one stylesheet, and the headers pages
need (their own Content-Security-Policy: styles from this origin only, no scripts)."""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote
from zoneinfo import ZoneInfo

import jinja2
from babel.dates import format_date
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from shared.contracts.identity import SESSION_COOKIE
from shared.platform.calls import Call
from shared.platform.config import Settings
from shared.platform.errors import AppError, field_message
from shared.platform.http import attachment
from shared.platform.i18n import LANGUAGE_NAMES, SHARED, Catalogue, _, render
from shared.platform.tokens import PagesSessions
from shared.web import qr

SHARED_TEMPLATES = Path(__file__).parent / "templates"
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
LANGUAGES = ("vi", "en")
PageHandler = Callable[..., Awaitable[Response]]


def environment(*template_dirs: Path, catalogue: Catalogue = SHARED, form_targets: Sequence[str] = ()
                ) -> jinja2.Environment:
    """Pages of one service: its templates before the shared ones, its catalogue before the shared one
    (a template writes ``{{ _("English id", name=value) }}``). ``form_targets``: other sites a form
    sent from these pages may lead to (a sign-in going back to the page that asked for it)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([*map(str, template_dirs), str(SHARED_TEMPLATES)]),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["hhmm"] = lambda at: at.strftime("%H:%M")
    env.filters["ddmm"] = lambda day: day.strftime("%d/%m")
    # the day's name from Babel's locale data: "Thứ Hai" / "Mon"
    env.filters["weekday"] = lambda day, lang: format_date(day, "EEEE" if lang == "vi" else "EEE", locale=lang)
    # stored in UTC, shown in the campaign's own zone
    env.filters["local"] = lambda at, timezone: at.astimezone(ZoneInfo(timezone))
    env.globals["qr"] = qr.svg
    env.globals["catalogue"] = catalogue
    env.globals["language_names"] = LANGUAGE_NAMES
    env.globals["csp"] = (PAGE_CSP.replace("form-action 'self'", " ".join(["form-action 'self'", *form_targets]))
                          if form_targets else PAGE_CSP)
    return env


def language(request: Request, asked: str | None) -> str:
    """``?lang=`` first, then the browser's first choice, else Vietnamese."""
    if asked in LANGUAGES:
        return asked
    first = request.headers.get("accept-language", "vi").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "vi"


def page(env: jinja2.Environment, template: str, context: dict[str, Any], *, lang: str,
         status_code: int = 200) -> HTMLResponse:
    other = "en" if lang == "vi" else "vi"  # the language switch's target
    html = env.get_template(template).render(lang=lang, other=other, _=env.globals["catalogue"].translator(lang),
                                             **context)
    return HTMLResponse(html, status_code=status_code, headers={
        "Content-Security-Policy": env.globals["csp"], "Content-Language": lang, "Cache-Control": "no-store"})


def error_page(env: jinja2.Environment, exc: AppError, *, lang: str) -> HTMLResponse:
    return page(env, "error.html.j2", {"code": exc.code, "status": exc.status,
                                       "message": exc.message_in(lang)},
                lang=lang, status_code=exc.status)


# --- forms --------------------------------------------------------------------------------------------
CSRF_COOKIE = "dxday_form"
CSRF_FIELD = "form_token"
MAX_FORM_BYTES = 64 * 1024


def form_page(env: jinja2.Environment, request: Request, template: str, context: dict[str, Any], *, lang: str,
              status_code: int = 200) -> HTMLResponse:
    """A page with a form: its hidden token and the matching cookie (the same one again if the browser has it)."""
    token = form_token(request)
    response = page(env, template, {**context, "form_token": token}, lang=lang, status_code=status_code)
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", max_age=4 * 3600, path="/")
    return response


def form_token(request: Request) -> str:
    """The token a form carries: the one in this browser's cookie, or a new one (set by ``form_page``).
    A form posted from another site cannot know it (double-submit cookie, SameSite=Strict)."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)


async def read_form(request: Request) -> dict[str, list[str]] | None:
    """The posted fields, or None when the form token does not match this browser's cookie."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return None
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    cookie = request.cookies.get(CSRF_COOKIE, "")
    posted = (fields.get(CSRF_FIELD) or [""])[0]
    if not cookie or not hmac.compare_digest(cookie, posted):
        return None
    return fields


def field_errors(exc: ValidationError, lang: str) -> dict[str, str]:
    """One message per form field, in the page's language."""
    found: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "form"
        if field not in found:
            found[field] = render(field_message(error), lang)
    return found


def install_stylesheet(app: FastAPI) -> None:
    css = (SHARED_TEMPLATES / "dxday.css").read_text(encoding="utf-8")
    router = APIRouter(include_in_schema=False)

    @router.get("/static/dxday.css")
    async def stylesheet() -> Response:
        return Response(css, media_type="text/css; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=3600"})

    app.include_router(router)


# --- organizer board sign-in ----------------------------------------------------------------------------


def see_other(location: str) -> Response:
    """After a successful form post: the browser loads the result with GET (reload does not post again)."""
    return Response(status_code=303, headers={"Location": location})


def local_path(raw: str | None, default: str, sites: Sequence[str] = ()) -> str:
    """Where to go after signing in: a path on this site, or a page of one of ``sites`` (the other
    services' public addresses); nowhere else (no open redirect)."""
    # browsers drop tabs and newlines from a URL, so "/\t/evil" would become "//evil": any control
    # character or space refuses the path outright
    if not raw or any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in raw) or "\\" in raw:
        return default
    if raw.startswith("/") and not raw.startswith("//"):
        return raw
    if any(raw.startswith(site.rstrip("/") + "/") for site in sites):
        return raw
    return default


def sign_in_router(env: jinja2.Environment, sessions: Callable[[], PagesSessions | None],
                   account_sign_in: Callable[[str, str], str]) -> APIRouter:
    """/board/sign-in and /board/sign-out, the same on every service: a person signs in with its
    account at the identity service (``account_sign_in(next path, language)``: the address to go to),
    which sets its HttpOnly session cookie; signing out here ends that session everywhere."""
    router = APIRouter(include_in_schema=False)

    @router.get("/board/sign-in", response_class=HTMLResponse)
    async def sign_in_page(request: Request, next: str | None = None, lang: str | None = None) -> Response:
        lang, next_path = language(request, lang), local_path(next, "/")
        return page(env, "sign_in.html.j2", {"next": next_path, "account_sign_in": account_sign_in(next_path, lang)},
                    lang=lang)

    @router.post("/board/sign-out")
    async def sign_out(request: Request) -> Response:
        response = see_other("/board/sign-in")
        if await read_form(request) is not None:
            found = sessions()
            if found is not None:
                await found.end(request.cookies.get(SESSION_COOKIE))
            response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return router


BAD_FORM = _("This form expired or did not come from this page; please send it again.")


async def board_call(request: Request, sessions: PagesSessions | None) -> Call | None:
    """The call of the person signed in on this browser (the identity session cookie the identity service
    set for this site), or None."""
    if sessions is not None and (claims := await sessions.claims(request.cookies.get(SESSION_COOKIE))):
        return Call.of_account(claims, request.headers.get("x-correlation-id"))
    return None


def to_sign_in(next_path: str, lang: str) -> Response:
    return see_other(f"/board/sign-in?lang={lang}&next={quote(next_path, safe='/')}")


class SignInFirst(Exception):
    """Nobody is signed in on this browser: a page decorated with ``error_pages`` leads to the sign-in
    and back to ``next_path``."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


async def official(request: Request, sessions: PagesSessions | None, next_path: str) -> Call:
    """The official signed in on this browser, for a board page; nobody: ``SignInFirst``."""
    call = await board_call(request, sessions)
    if call is None:
        raise SignInFirst(next_path)
    return call


def csv_download(body: str, filename: str) -> Response:
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={**attachment(filename), "Cache-Control": "no-store"})


def error_pages(env: jinja2.Environment) -> Callable[[PageHandler], PageHandler]:
    """Decorate a page route: an ``AppError`` it lets through becomes the error page in the page's
    language (the JSON APIs keep their JSON errors)."""

    def decorate(handler: PageHandler) -> PageHandler:
        @functools.wraps(handler)  # FastAPI reads the route's parameters through the wrapper
        async def route(*args: Any, **kwargs: Any) -> Response:
            try:
                return await handler(*args, **kwargs)
            except SignInFirst as away:
                return to_sign_in(away.next_path, language(kwargs["request"], kwargs.get("lang")))
            except AppError as exc:
                return error_page(env, exc, lang=language(kwargs["request"], kwargs.get("lang")))

        return route

    return decorate


BOARD_PARTS = ("registration", "events", "notifications")


def board_router(env: jinja2.Environment, settings: Settings, here: str,
                 sessions: Callable[[], PagesSessions | None] = lambda: None) -> APIRouter:
    """The router of one service's part of the organizer board, with the shared sign-in first (else
    ``/board/{campaign_id}`` would take "sign-in" for a campaign id)."""
    router = APIRouter(include_in_schema=False)

    def account_sign_in(next_path: str, lang: str) -> str:
        back = settings.base_url_of(here) + next_path
        return f"{settings.base_url_of('identity')}/sign-in?lang={lang}&next={quote(back, safe='')}"

    router.include_router(sign_in_router(env, sessions, account_sign_in))
    return router


def board_links(settings: Settings, here: str) -> dict[str, str]:
    """Where the other parts of the board are."""
    return {name: settings.base_url_of(name) for name in BOARD_PARTS if name != here}
