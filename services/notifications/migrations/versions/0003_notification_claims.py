"""notifications: claimed_by and claim_until, so replicas share the sending and take over a stalled one

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from shared.platform.db import UtcDateTime
from shared.platform.migrations import add_missing_columns

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_missing_columns("notifications", [sa.Column("claimed_by", sa.String(200), nullable=True),
                                          sa.Column("claim_until", UtcDateTime(), nullable=True)])


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("claim_until")
        batch.drop_column("claimed_by")
