"""Server-rendered pages every service shares: a Jinja2 environment that escapes everything, the
language of the page (Vietnamese first, English on request), one stylesheet, and the headers pages
need (their own Content-Security-Policy: styles from this origin only, no scripts)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from shared.errors import AppError

SHARED_TEMPLATES = Path(__file__).parent / "templates" / "web"
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
LANGUAGES = ("vi", "en")


def environment(*template_dirs: Path) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([*map(str, template_dirs), str(SHARED_TEMPLATES)]),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["hhmm"] = lambda at: at.strftime("%H:%M")
    env.filters["ddmm"] = lambda day: day.strftime("%d/%m")
    return env


def language(request: Request, asked: str | None) -> str:
    """``?lang=`` first, then the browser's first choice, else Vietnamese."""
    if asked in LANGUAGES:
        return asked
    first = request.headers.get("accept-language", "vi").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "vi"


def page(env: jinja2.Environment, template: str, context: dict[str, Any], *, lang: str,
         status_code: int = 200) -> HTMLResponse:
    html = env.get_template(template).render(lang=lang, **context)
    return HTMLResponse(html, status_code=status_code, headers={
        "Content-Security-Policy": PAGE_CSP, "Content-Language": lang, "Cache-Control": "no-store"})


def error_page(env: jinja2.Environment, exc: AppError, *, lang: str) -> HTMLResponse:
    return page(env, "error.html.j2", {"code": exc.code, "status": exc.status,
                                       "message": exc.message_vi if lang == "vi" else exc.message_en},
                lang=lang, status_code=exc.status)


def install_stylesheet(app: FastAPI) -> None:
    css = (SHARED_TEMPLATES / "dxday.css").read_text(encoding="utf-8")
    router = APIRouter(include_in_schema=False)

    @router.get("/static/dxday.css")
    async def stylesheet() -> Response:
        return Response(css, media_type="text/css; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=3600"})

    app.include_router(router)
