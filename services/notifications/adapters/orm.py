"""Tables of the notifications service's own database."""

from __future__ import annotations

import sqlalchemy as sa

from shared.db import UtcDateTime

metadata = sa.MetaData()

# Read model of campaigns: messages are written in the campaign's local time.
campaigns = sa.Table(
    "campaigns",
    metadata,
    sa.Column("campaign_id", sa.String(64), primary_key=True),
    sa.Column("theme", sa.Text, nullable=False),
    sa.Column("locality", sa.Text, nullable=False),
    sa.Column("organizer", sa.Text, nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("window_start", UtcDateTime(), nullable=False),
    sa.Column("window_end", UtcDateTime(), nullable=False),
)
