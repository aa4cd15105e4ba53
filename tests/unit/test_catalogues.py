"""One way to translate: every marked text has its Vietnamese and its English, keeps its placeholders,
and no text a person reads escapes the catalogues (``shared/platform/i18n.py``, ``make messages``)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from launcher.messages import extracted, package_of
from shared.platform.errors import AppError, ConcurrentChange, NoSuchRecord
from shared.platform.i18n import LANGUAGES, SHARED, Catalogue, Joined, Text, catalogue_dirs, placeholders

ROOT = Path(__file__).resolve().parents[2]
LOCALES = list(catalogue_dirs())
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


@pytest.mark.parametrize("locale_dir", LOCALES, ids=lambda p: str(p.parent.relative_to(ROOT)))
def test_every_marked_text_has_both_languages_and_keeps_its_placeholders(locale_dir: Path):
    catalogue = Catalogue(locale_dir)
    found = {msgid: f"{file}:{line}" for msgid, file, line in extracted(package_of(locale_dir))}
    assert found, "no marked text found: the extraction itself is broken"
    problems = []
    for msgid, where in sorted(found.items()):
        for lang in LANGUAGES:
            text = catalogue.messages(lang).get(msgid)
            if not text:
                problems.append(f"{where}: no {lang} text for {msgid!r} (run make messages and write it)")
            elif placeholders(text) != placeholders(msgid):
                problems.append(f"{where}: the {lang} text of {msgid!r} fills {sorted(placeholders(text))}, "
                                f"not {sorted(placeholders(msgid))}")
    for lang in LANGUAGES:
        stale = set(catalogue.messages(lang)) - set(found)
        problems += [f"{lang}: {msgid!r} is no longer used (run make messages)" for msgid in sorted(stale)]
    assert not problems, "\n".join(problems)


def test_the_vietnamese_is_vietnamese():
    """A catalogue filled with English by mistake would pass the check above; most texts have diacritics."""
    for locale_dir in LOCALES:
        vi = Catalogue(locale_dir).messages("vi")
        with_marks = sum(1 for text in vi.values() if VIETNAMESE.search(text))
        assert with_marks >= 0.8 * len(vi), f"{locale_dir}: only {with_marks} of {len(vi)} texts read as Vietnamese"


def _python_files() -> list[Path]:
    return [p for base in ("shared", "services") for p in (ROOT / base).rglob("*.py") if "migrations" not in p.parts]


def _error_classes() -> set[str]:
    """The names of every AppError subclass defined anywhere (the services' modules are imported by the
    HTTP apps; here the names are read from the sources, so nothing needs importing)."""
    names, grew = {"AppError"}, True
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in _python_files()]
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and any(
                        getattr(b, "id", getattr(b, "attr", None)) in names for b in node.bases):
                    names.add(node.name)
                    grew = True
    return names


def test_no_error_or_validation_message_is_written_outside_the_catalogues():
    errors = _error_classes() | {"ValueError"}
    assert {"NoSuchRecord", "ScheduleConflict", "TransitionNotAllowed"} <= errors
    found = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in errors and node.args
                    and isinstance(node.args[0], ast.Constant | ast.JoinedStr)):
                text = ast.unparse(node.args[0])
                if node.func.id != "ValueError" or VIETNAMESE.search(text) or " / " in text:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.func.id}({text[:60]})")
    assert not found, "texts that skip the catalogues:\n" + "\n".join(found)


def test_no_page_writes_vietnamese_outside_the_catalogues():
    pages = [*ROOT.glob("services/*/templates/pages/*.j2"), *ROOT.glob("shared/web/templates/*.j2")]
    assert pages
    found = [f"{p.relative_to(ROOT)}:{n}: {line.strip()[:80]}" for p in pages
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if VIETNAMESE.search(line)]
    assert not found, "\n".join(found)


def test_an_error_body_carries_both_languages_from_the_catalogue():
    body = ConcurrentChange().body()["error"]
    assert body["message"].startswith("Yêu cầu trùng") and body["message_en"].startswith("The request met")
    assert NoSuchRecord().message_in("vi") == "Không tìm thấy hồ sơ"


def test_placeholders_are_filled_after_translation_and_texts_nest():
    reason = SHARED("Not a valid date")
    text = Text("Cannot schedule: {reasons}", SHARED, {"reasons": Joined((reason, reason))})
    assert text.render("en") == "Cannot schedule: Not a valid date; Not a valid date"
    assert "Ngày không hợp lệ; Ngày không hợp lệ" in text.render("vi")
    error = AppError(SHARED("The request body is larger than {limit} bytes", limit=1024))
    assert error.message_vi == "Nội dung yêu cầu vượt quá 1024 byte"
    assert str(error) == "The request body is larger than 1024 bytes"
