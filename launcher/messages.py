"""``make messages``: find every marked text again (``_("...")`` in Python and in page templates) and
merge it into each package's catalogues, ``<package>/locale/{vi,en}/LC_MESSAGES/messages.po``.

A new message gets an empty Vietnamese translation (to be written) and its English id as the English
text; a message no longer used leaves both catalogues. ``tests/unit/test_catalogues.py`` refuses a
message that lacks either language.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from shared.platform.i18n import DOMAIN, LANGUAGES, catalogue_dirs

METHODS = [("**/locale/**", "ignore"), ("**/migrations/**", "ignore"), ("**.py", "python"),
           ("**/templates/**.j2", "jinja2.ext:babel_extract")]
OPTIONS = {"**/templates/**.j2": {"trim_blocks": "true", "lstrip_blocks": "true"}}
KEYWORDS = {"_": None}  # the first argument is the message id; keyword arguments fill its placeholders
STABLE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def package_of(locale_dir: Path) -> Path:
    return locale_dir.parent


def extracted(package: Path) -> Iterator[tuple[str, str, int]]:
    """(message id, file, line) of every marked text in one package (``shared/`` or ``services/<name>/``)."""
    root = package.parent.parent if package.parent.name == "services" else package.parent
    for filename, lineno, message, _comments, _context in extract_from_dir(
            package, METHODS, OPTIONS, KEYWORDS, strip_comment_tags=True):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            yield msgid, str((package / filename).relative_to(root)), lineno


def read_catalogue(path: Path, lang: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN)
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def update(locale_dir: Path) -> dict[str, int]:
    """Merge one package's messages into its catalogues; how many each language still lacks."""
    found: dict[str, list[tuple[str, int]]] = {}
    for msgid, filename, lineno in extracted(package_of(locale_dir)):
        found.setdefault(msgid, []).append((filename, lineno))
    missing = {}
    for lang in LANGUAGES:
        path = locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        old = read_catalogue(path, lang)
        new = Catalog(locale=lang, domain=DOMAIN, project="dxday", version="1", copyright_holder="dxday",
                      charset="utf-8", creation_date=STABLE, revision_date=STABLE)  # no churn in the header
        for msgid, locations in sorted(found.items()):
            before = old.get(msgid)
            text = before.string if before is not None and before.string else ("" if lang == "vi" else msgid)
            new.add(msgid, text, locations=locations, flags=("python-brace-format",) if "{" in msgid else ())
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, new, width=120, sort_output=True, omit_header=False, include_lineno=False)
        missing[lang] = sum(1 for m in new if m.id and not m.string)
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m launcher.messages", description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    lacking = 0
    for locale_dir in catalogue_dirs():
        missing = update(locale_dir)
        lacking += sum(missing.values())
        print(f"{locale_dir}: " + ", ".join(f"{lang} lacks {n}" for lang, n in missing.items()))
    return 1 if lacking else 0


if __name__ == "__main__":
    sys.exit(main())
