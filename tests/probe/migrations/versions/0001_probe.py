"""probe effects, outbox, inbox

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

from shared.platform.migrations import create_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "probe_effects",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("probe_id", sa.String(50), nullable=False),
        sa.Column("value", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("probe_effects")
