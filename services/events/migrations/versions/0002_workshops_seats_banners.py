"""rooms, workshops, seat slots, seats, participants read model, banner sites and placements

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
        "rooms",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "name", name="uq_room_name_per_campaign"),
    )
    op.create_table(
        "workshops",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("room_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("start", UtcDateTime(), nullable=False),
        sa.Column("end", UtcDateTime(), nullable=False),
        sa.Column("speakers", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("audience", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["rooms.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_workshops_campaign_start", "workshops", ["campaign_id", "start"], unique=False)
    op.create_table(
        "seat_slots",
        sa.Column("workshop_id", sa.String(length=36), nullable=False),
        sa.Column("seat_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
        ),
        sa.PrimaryKeyConstraint("workshop_id", "seat_number"),
    )
    op.create_table(
        "seats",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("workshop_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("seat_number", sa.Integer(), nullable=True),
        sa.Column("attended_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("checkin_code", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["workshop_id", "seat_number"],
            ["seat_slots.workshop_id", "seat_slots.seat_number"],
            name="fk_seat_is_offered",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
        ),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("id"),
        sa.UniqueConstraint("workshop_id", "participant_id", name="uq_one_seat_per_participant"),
        sa.UniqueConstraint("workshop_id", "seat_number", name="uq_one_holder_per_seat"),
    )
    op.create_index("uq_seat_checkin_code", "seats", ["checkin_code"], unique=True)
    op.create_table(
        "participants",
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("participant_id"),
    )
    op.create_table(
        "banner_sites",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("spots", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "banner_placements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("spot", sa.Integer(), nullable=False),
        sa.Column("slogan", sa.Text(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("planned_by", sa.Text(), nullable=False),
        sa.Column("installed_by", sa.Text(), nullable=True),
        sa.Column("installed_at", UtcDateTime(), nullable=True),
        sa.Column("removed_by", sa.Text(), nullable=True),
        sa.Column("removed_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["banner_sites.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("banner_placements")
    op.drop_table("banner_sites")
    op.drop_table("participants")
    op.drop_table("seats")
    op.drop_table("seat_slots")
    op.drop_table("workshops")
    op.drop_table("rooms")
