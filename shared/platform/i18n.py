"""One way to translate: every text a person reads outside the notice templates (errors, page texts,
validation messages) is an English message id looked up in gettext catalogues (Babel's ``.po``
files) for Vietnamese and English.

Each package owns its catalogue: ``shared/locale/`` and ``services/<name>/locale/``, each with
``<lang>/LC_MESSAGES/messages.po``. A package's marker ``_`` (``Catalogue.__call__``) does not
translate at once: it returns a :class:`Text` that is rendered in the reader's language where the
answer is made (an HTTP body has both ``message`` in Vietnamese and ``message_en``; a page its own
language). ``{name}`` placeholders are filled after translation from the values the text carries.

``make messages`` extracts the message ids again and merges them into the catalogues;
``tests/unit/test_catalogues.py`` fails when a message lacks either language or a translation drops
or adds a placeholder.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LANGUAGES = ("vi", "en")
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}  # each in its own language, never translated
DOMAIN = "messages"


class Catalogue:
    """The catalogue of one package (and, behind it, the shared one): message id -> text per language."""

    def __init__(self, directory: Path, *, fallback: Catalogue | None = None) -> None:
        self.directory = directory
        self.fallback = fallback

    def __call__(self, msgid: str, **values: Any) -> Text:
        """Mark a message for translation (found by ``make messages``); rendered later, per reader."""
        return Text(msgid, self, values)

    def po_file(self, lang: str) -> Path:
        return self.directory / lang / "LC_MESSAGES" / f"{DOMAIN}.po"

    @functools.cache  # noqa: B019 - a catalogue lives as long as the process
    def messages(self, lang: str) -> Mapping[str, str]:
        path = self.po_file(lang)
        if not path.exists():
            return {}
        with path.open("rb") as f:
            catalog = read_po(f, locale=lang)
        return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}

    def gettext(self, lang: str, msgid: str) -> str:
        found = self.messages(lang).get(msgid)
        if found:
            return found
        if self.fallback is not None:
            return self.fallback.gettext(lang, msgid)
        return msgid  # a message without a translation reads in English (the catalogue test refuses it)

    def translator(self, lang: str) -> Translator:
        return Translator(self, lang)


@dataclass(frozen=True)
class Text:
    """A message waiting for its reader's language."""

    msgid: str
    catalogue: Catalogue
    values: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        text = self.catalogue.gettext(lang, self.msgid)
        if not self.values:
            return text
        return text.format(**{k: render(v, lang) for k, v in self.values.items()})

    def __str__(self) -> str:  # logs and exceptions read the English
        return self.render("en")


@dataclass(frozen=True)
class Joined:
    """Several texts read as one (``"; "`` between them), each in the reader's language."""

    parts: tuple[Any, ...]
    separator: str = "; "

    def render(self, lang: str) -> str:
        return self.separator.join(render(p, lang) for p in self.parts)

    def __str__(self) -> str:
        return self.render("en")


def render(value: Any, lang: str) -> Any:
    """A text in ``lang``; anything else (a number, a date, a code) as it is."""
    return value.render(lang) if isinstance(value, Text | Joined) else value


class Translator:
    """What a page template calls ``_``: the message in the page's language, placeholders filled."""

    def __init__(self, catalogue: Catalogue, lang: str) -> None:
        self.catalogue = catalogue
        self.lang = lang

    def __call__(self, msgid: str | Text | Joined, **values: Any) -> str:
        if isinstance(msgid, Joined):
            return msgid.render(self.lang)
        if isinstance(msgid, Text):
            text, values = msgid.catalogue.gettext(self.lang, msgid.msgid), {**msgid.values, **values}
        else:
            text = self.catalogue.gettext(self.lang, msgid)
        return text.format(**{k: render(v, self.lang) for k, v in values.items()}) if values else text


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a message fills (a translation must keep the same ones)."""
    return {name.split(".")[0].split("[")[0] for _text, name, _spec, _conv in string.Formatter().parse(text) if name}


def both(text: Any) -> tuple[str, str]:
    """(Vietnamese, English) of a text, as error bodies carry them."""
    return render(text, "vi"), render(text, "en")


SHARED = Catalogue(Path(__file__).resolve().parent.parent / "locale")
_ = SHARED


def catalogue_dirs() -> Iterable[Path]:
    """Every package's catalogue directory (for ``make messages`` and the catalogue test)."""
    root = Path(__file__).resolve().parent.parent.parent
    yield root / "shared" / "locale"
    for service in sorted((root / "services").iterdir()):
        if (service / "locale").is_dir():
            yield service / "locale"
