"""accounts, grants, villages, sign-in challenges, sessions, signing keys, outbox, inbox

Revision ID: 0001
"""

# Frozen history: the tables as they were created, written out (never built from the ORM module of the
# day). tests/test_migrations.py checks that upgrade head matches the ORM on SQLite and PostgreSQL.
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
        "accounts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("email", sa.String(320), nullable=True, unique=True),
        sa.Column("phone", sa.String(20), nullable=True, unique=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("verified_at", UtcDateTime(), nullable=True),
        sa.Column("disabled_at", UtcDateTime(), nullable=True),
    )
    op.create_table(
        "grants",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("account_id", sa.String(36), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(120), nullable=False),
        sa.Column("granted_by", sa.String(36), nullable=True),
        sa.Column("granted_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
    )
    op.create_table(
        "villages",
        sa.Column("code", sa.String(120), primary_key=True),
        sa.Column("commune", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "sign_in_challenges",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("account_id", sa.String(36), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("link_hash", sa.String(64), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.Column("wrong_codes", sa.Integer, nullable=False),
        sa.Column("next_path", sa.String(300), nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("account_id", sa.String(36), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),  # the cookie's secret, hashed
    )
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(40), primary_key=True),
        sa.Column("private_pem", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("retired_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_grants_account_id", "grants", ["account_id"])
    op.create_index("ix_villages_commune", "villages", ["commune"])
    op.create_index("ix_sign_in_challenges_account_id", "sign_in_challenges", ["account_id"])
    op.create_index("ix_sessions_account_id", "sessions", ["account_id"])


def downgrade() -> None:
    op.drop_table("signing_keys")
    op.drop_table("sessions")
    op.drop_table("sign_in_challenges")
    op.drop_table("villages")
    op.drop_table("grants")
    op.drop_table("accounts")
    op.drop_table("inbox")
    op.drop_table("outbox")
