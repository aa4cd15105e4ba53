"""The identity service's texts in Vietnamese and English (``<lang>/LC_MESSAGES/messages.po``), the shared
catalogue behind them. ``_("English id", name=value)`` marks a text; it is rendered in the reader's language."""

from pathlib import Path

from shared.platform.i18n import SHARED, Catalogue

CATALOGUE = Catalogue(Path(__file__).resolve().parent, fallback=SHARED)
_ = CATALOGUE
