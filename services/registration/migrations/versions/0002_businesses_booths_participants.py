"""businesses, venues, booths, applications, allocations, participants

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
        "businesses",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("legal_name", sa.Text(), nullable=False),
        sa.Column("tax_code", sa.String(length=20), nullable=False),
        sa.Column("province", sa.Text(), nullable=False),
        sa.Column("sector", sa.Text(), nullable=False),
        sa.Column("contact_person", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "tax_code", name="uq_business_tax_code_per_campaign"),
    )
    op.create_table(
        "venues",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_venues_campaign_id"), "venues", ["campaign_id"], unique=False)
    op.create_table(
        "booths",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("venue_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("size", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "code", name="uq_booth_code_per_campaign"),
    )
    op.create_table(
        "booth_days",
        sa.Column("booth_id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booth_id"],
            ["booths.id"],
        ),
        sa.PrimaryKeyConstraint("booth_id", "day"),
    )
    op.create_table(
        "booth_applications",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("business_id", sa.String(length=36), nullable=False),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("booth_code", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
        ),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("business_id", "idempotency_key", name="uq_application_idempotency"),
        sa.UniqueConstraint("id"),
        sa.UniqueConstraint("id", "quantity", name="uq_application_quantity"),
    )
    op.create_index(
        "ix_applications_campaign_status", "booth_applications", ["campaign_id", "status", "seq"], unique=False
    )
    op.create_table(
        "booth_allocations",
        sa.Column("booth_id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("slot >= 1 AND slot <= quantity", name="ck_allocation_within_quantity"),
        sa.ForeignKeyConstraint(
            ["application_id", "quantity"],
            ["booth_applications.id", "booth_applications.quantity"],
            name="fk_allocation_application_quantity",
        ),
        sa.ForeignKeyConstraint(
            ["booth_id"],
            ["booths.id"],
        ),
        sa.PrimaryKeyConstraint("booth_id", "day", name="pk_one_holder_per_booth_day"),
        sa.UniqueConstraint("application_id", "day", "slot", name="uq_allocation_slot"),
    )
    op.create_index(op.f("ix_booth_allocations_application_id"), "booth_allocations", ["application_id"], unique=False)
    op.create_table(
        "participants",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("locality", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("consent_purposes", sa.JSON(), nullable=False),
        sa.Column("consent_text_version", sa.String(length=40), nullable=False),
        sa.Column("consented_at", UtcDateTime(), nullable=False),
        sa.Column("wants_digest", sa.Boolean(), nullable=False),
        sa.Column("opted_out_at", UtcDateTime(), nullable=True),
        sa.Column("erased_at", UtcDateTime(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_participants_campaign_id"), "participants", ["campaign_id"], unique=False)


def downgrade() -> None:
    op.drop_table("participants")
    op.drop_table("booth_allocations")
    op.drop_table("booth_applications")
    op.drop_table("booth_days")
    op.drop_table("booths")
    op.drop_table("venues")
    op.drop_table("businesses")
