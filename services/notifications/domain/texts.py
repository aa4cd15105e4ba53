"""Slots in planned texts, filled when a message leaves. Pure.

Texts are planned without the person's name (this service keeps no personal data); the slot is
filled when the message leaves, with the name the registration service gives at that moment.
Likewise the check-in code of a seat notice: a ticket admits its holder, so it is asked of the events
service when the message leaves and never stored here."""

from __future__ import annotations

import re
from collections.abc import Callable

NAME_SLOT = "[[name]]"
NO_NAME = {"vi": "Quý vị", "en": "Sir or Madam"}
CODE_SLOT = "[[checkin_code]]"
NO_CODE = {"vi": "(xem trang chi tiết)", "en": "(see the page)"}  # the seat is no longer confirmed


# A seat notice's link to its workshop's page carries a token (filled when it leaves, never stored)
# that opens the recipient's seat there: ``[[manage:<workshop id>]]`` becomes ``?manage=<token>``, or
# nothing where a text must stay short (an SMS keeps the plain link).
MANAGE_SLOT = re.compile(r"\[\[manage:([A-Za-z0-9_-]{1,64})\]\]")


def manage_slot(thing: str) -> str:
    return f"[[manage:{thing}]]"


def personalise(text: str, name: str | None, language: str, code: str | None = None,
                manage: Callable[[str], str] | None = None) -> str:
    """``manage(thing)``: the token of the recipient's link to that thing (none: the plain link)."""
    text = text.replace(NAME_SLOT, name or NO_NAME.get(language, NO_NAME["vi"]))
    if "[[manage:" in text:
        text = MANAGE_SLOT.sub(lambda m: f"?manage={manage(m.group(1))}" if manage else "", text)
    if CODE_SLOT not in text:
        return text
    return text.replace(CODE_SLOT, code or NO_CODE.get(language, NO_CODE["vi"]))
