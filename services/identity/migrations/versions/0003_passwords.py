"""an official's optional password: an argon2 hash and its wrong tries

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from shared.platform.db import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "passwords",
        sa.Column("account_id", sa.String(36), sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("hash", sa.String(200), nullable=False),
        sa.Column("set_at", UtcDateTime(), nullable=False),
        sa.Column("wrong", sa.Integer, nullable=False),
        sa.Column("wrong_since", UtcDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("passwords")
