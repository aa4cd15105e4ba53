"""outbox: rows that can never be published are parked; inbox: the digest of each handled event

Revision ID: 0004
Revises: 0003
"""
from shared.platform.migrations import add_outbox_parking, drop_columns_if_present

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_parking()


def downgrade() -> None:
    drop_columns_if_present("outbox", ["parked_at"])
    drop_columns_if_present("inbox", ["digest"])
