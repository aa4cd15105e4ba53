"""Tables of the registration service's own database."""

from __future__ import annotations

import sqlalchemy as sa

from shared.db import UtcDateTime

metadata = sa.MetaData()

# Read model of the events service's campaigns: the window booth days must lie in.
campaign_windows = sa.Table(
    "campaign_windows",
    metadata,
    sa.Column("campaign_id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("window_start", UtcDateTime(), nullable=False),
    sa.Column("window_end", UtcDateTime(), nullable=False),
    sa.Column("booth_confirmation", sa.String(16), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)
