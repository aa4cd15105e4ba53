"""CSV exports for organizers, opened in spreadsheet programs: UTF-8 with a BOM (so Vietnamese letters
read right), ISO dates, and no cell that a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00a0 "  # what a spreadsheet may skip before a formula
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def to_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(c)) for c in columns])
    return out.getvalue()


def cell(value: Any) -> str:
    text = "" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if runs_as_formula(text) else text


def runs_as_formula(text: str) -> bool:
    """Starts like a formula, also behind invisible characters or in fullwidth form (＝HYPERLINK)."""
    seen = unicodedata.normalize("NFKC", text.lstrip(INVISIBLE))
    return seen.startswith(FORMULA_STARTS) or text.startswith(FORMULA_STARTS)


def to_xlsx(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], title: str) -> bytes:
    """The same table as a spreadsheet whose every cell is text: a tax code keeps its leading 0, and
    nothing is run as a formula."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(list(columns))
    for row in rows:
        values = [cell(row.get(c)) for c in columns]
        sheet.append([_text_cell(sheet, v) for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_cell(sheet: Any, value: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    c = WriteOnlyCell(sheet, value=value)
    c.data_type = "s"  # a string, never a number or a formula
    c.number_format = "@"
    return c
