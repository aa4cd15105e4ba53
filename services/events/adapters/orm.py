"""Tables of the events service's own database."""

from __future__ import annotations

import sqlalchemy as sa

from shared.db import UtcDateTime

metadata = sa.MetaData()

campaigns = sa.Table(
    "campaigns",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("theme", sa.Text, nullable=False),
    sa.Column("organizer", sa.Text, nullable=False),
    sa.Column("locality", sa.Text, nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("window_start", UtcDateTime(), nullable=False),
    sa.Column("window_end", UtcDateTime(), nullable=False),
    sa.Column("booth_confirmation", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)
