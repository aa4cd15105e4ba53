"""Slots in planned texts, filled when a message leaves. Pure.

Texts are planned without the person's name (this service keeps no personal data); the slot is
filled when the message leaves, with the name the registration service gives at that moment.
Likewise the check-in code of a seat notice: a ticket admits its holder, so it is asked of the events
service when the message leaves and never stored here."""

from __future__ import annotations

NAME_SLOT = "[[name]]"
NO_NAME = {"vi": "Quý vị", "en": "Sir or Madam"}
CODE_SLOT = "[[checkin_code]]"
NO_CODE = {"vi": "(xem trang chi tiết)", "en": "(see the page)"}  # the seat is no longer confirmed


def personalise(text: str, name: str | None, language: str, code: str | None = None) -> str:
    text = text.replace(NAME_SLOT, name or NO_NAME.get(language, NO_NAME["vi"]))
    if CODE_SLOT not in text:
        return text
    return text.replace(CODE_SLOT, code or NO_CODE.get(language, NO_CODE["vi"]))
