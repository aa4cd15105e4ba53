"""sign-ups with an Idempotency-Key: the first reply, for a retry

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_up_keys",
        sa.Column("scope", sa.String(120), primary_key=True),
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(36), nullable=False),
        sa.Column("access_token", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sign_up_keys_subject_id", "sign_up_keys", ["subject_id"])
    op.create_index("ix_sign_up_keys_created_at", "sign_up_keys", ["created_at"])


def downgrade() -> None:
    op.drop_table("sign_up_keys")
