"""contacts, workshops read model, reminders, notifications

Revision ID: 0002
Revises: 0001
"""

# Frozen history: the tables as they were created, written out (never built from the ORM module of the
# day). tests/test_migrations.py checks that upgrade head matches the ORM on SQLite and PostgreSQL.
import sqlalchemy as sa
from alembic import op

from shared.platform.db import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("contact_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("wants_digest", sa.Boolean(), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("erased", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("contact_id"),
    )
    op.create_table(
        "workshops",
        sa.Column("workshop_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("room_name", sa.Text(), nullable=False),
        sa.Column("start", UtcDateTime(), nullable=False),
        sa.Column("end", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("workshop_id"),
    )
    op.create_table(
        "reminders",
        sa.Column("workshop_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("minutes_before", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("seat_number", sa.Integer(), nullable=True),
        sa.Column("seat_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("workshop_id", "participant_id", "minutes_before"),
    )
    op.create_index("ix_reminders_due", "reminders", ["status", "due_at"], unique=False)
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("cause_event_id", sa.String(length=100), nullable=False),
        sa.Column("cause_type", sa.String(length=100), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
        sa.Column("recipient_kind", sa.String(length=16), nullable=False),
        sa.Column("recipient_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("template", sa.String(length=50), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("klass", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("caused_at", UtcDateTime(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("fallback_of", sa.String(length=36), nullable=True),
        sa.Column("told_start", UtcDateTime(), nullable=True),
        sa.Column("seat_id", sa.String(length=36), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claim_until", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedup_key", "recipient_id", "channel", name="uq_one_notice_per_cause_recipient_channel"),
    )
    op.create_index("ix_notifications_due", "notifications", ["status", "next_attempt_at"], unique=False)
    op.create_index("ix_notifications_recipient", "notifications", ["recipient_id"], unique=False)


def downgrade() -> None:
    op.drop_table("notifications")
    op.drop_table("reminders")
    op.drop_table("workshops")
    op.drop_table("contacts")
