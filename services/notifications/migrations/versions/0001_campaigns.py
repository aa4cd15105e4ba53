"""campaigns read model, outbox, inbox

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

from shared.platform.db import UtcDateTime
from shared.platform.migrations import create_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "campaigns",
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("theme", sa.Text, nullable=False),
        sa.Column("locality", sa.Text, nullable=False),
        sa.Column("organizer", sa.Text, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("window_start", UtcDateTime(), nullable=False),
        sa.Column("window_end", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("campaigns")
    op.drop_table("inbox")
    op.drop_table("outbox")
