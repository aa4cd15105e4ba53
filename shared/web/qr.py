"""QR codes of check-in tickets (segno): inline SVG for pages, PNG for emails."""

from __future__ import annotations

import io

import segno
from markupsafe import Markup


def svg(data: str, *, title: str) -> Markup:
    """An ``<svg>`` element to put in a page as it is: no script, no style, readable by any scanner."""
    code = segno.make(data, error="m")
    return Markup(code.svg_inline(scale=5, border=4, dark="#000", light="#fff", title=title,
                                  svgclass="qr", lineclass=None, omitsize=False))


def png(data: str) -> bytes:
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="png", scale=6, border=4)
    return out.getvalue()
