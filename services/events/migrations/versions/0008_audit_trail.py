"""audit_trail: who did what and when in a campaign, from every service's events (ids only)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

from shared.platform.db import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_trail",
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=120), nullable=True),
        sa.Column("api_key", sa.String(length=64), nullable=True),
        sa.Column("about", sa.String(length=120), nullable=True),
        sa.Column("correlation_id", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_audit_trail_campaign_time", "audit_trail", ["campaign_id", "occurred_at", "event_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_trail_campaign_time", table_name="audit_trail")
    op.drop_table("audit_trail")
