"""Message templates: files under templates/<language>/<name>.txt.j2, first line the subject.
Rendered with Jinja2 (strict: a missing value is an error, not an empty hole)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from services.notifications.domain import timefmt
from services.notifications.domain.texts import CODE_SLOT, NAME_SLOT, NO_CODE, NO_NAME, personalise

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LANGUAGES = ("vi", "en")
__all__ = ["CODE_SLOT", "NAME_SLOT", "NO_CODE", "NO_NAME", "personalise", "render", "render_sms", "sms_segments"]


def _as_datetime(value: dt.datetime | str) -> dt.datetime:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def _as_date(value: dt.date | str) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


@cache
def _environment(language: str, timezone: str) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES / language), undefined=StrictUndefined,
                      autoescape=False, keep_trailing_newline=False, trim_blocks=False)
    env.filters["when"] = lambda v: timefmt.when(_as_datetime(v), timezone, language)
    env.filters["hour"] = lambda v: f"{_as_datetime(v).astimezone(ZoneInfo(timezone)):%H:%M}"
    env.filters["day"] = lambda v: timefmt.day(_as_date(v), language)
    env.filters["short"] = lambda v: f"{_as_datetime(v).astimezone(ZoneInfo(timezone)):%H:%M %d/%m}"
    env.filters["dm"] = lambda v: f"{_as_date(v):%d/%m}"
    return env


def names() -> list[str]:
    return sorted(p.name.removesuffix(".txt.j2") for p in (TEMPLATES / "vi").glob("*.txt.j2"))


def _defaults(context: dict[str, Any]) -> dict[str, Any]:
    return {"links": {}, "checkin_code": None, **context}


def render(name: str, language: str, timezone: str, context: dict[str, Any]) -> tuple[str, str]:
    language = language if language in LANGUAGES else "vi"
    text = _environment(language, timezone).get_template(f"{name}.txt.j2").render(**_defaults(context))
    subject, _, body = text.partition("\n\n")
    return subject.strip(), body.strip() + "\n"


def render_sms(name: str, language: str, timezone: str, context: dict[str, Any], *, brand: str,
               diacritics: bool = True) -> str:
    """The SMS of a notice: its own one-line template (``<language>/sms/<name>.txt.j2``), the brand first
    and the link last, so it fits one or two segments; without diacritics when the campaign pays per
    GSM-7 segment (160 characters) instead of per UCS-2 one (70)."""
    language = language if language in LANGUAGES else "vi"
    line = _environment(language, timezone).get_template(f"sms/{name}.txt.j2").render(**_defaults(context))
    text = f"{brand}: " + " ".join(line.split())
    return text if diacritics else without_diacritics(text)


def without_diacritics(text: str) -> str:
    """Vietnamese letters as their base letters (đ -> d): "Hội thảo" -> "Hoi thao"."""
    import unicodedata

    text = text.replace("đ", "d").replace("Đ", "D").replace("…", "...").replace("—", "-")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def sms_segments(text: str) -> int:
    """How many SMS a carrier bills: 160 (153 when split) GSM-7 characters, or 70 (67) in UCS-2."""
    gsm = all(ord(c) < 128 for c in text)
    single, part = (160, 153) if gsm else (70, 67)
    return 1 if len(text) <= single else -(-len(text) // part)
