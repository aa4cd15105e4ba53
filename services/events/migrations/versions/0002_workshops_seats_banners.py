"""rooms, workshops, seat slots, seats, participants read model, banner sites and placements

Revision ID: 0002
Revises: 0001
"""
from services.events.adapters import orm
from shared.migrations import create_tables, drop_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ["rooms", "workshops", "seat_slots", "seats", "participants", "banner_sites", "banner_placements"]


def upgrade() -> None:
    create_tables(orm.metadata, TABLES)


def downgrade() -> None:
    drop_tables(orm.metadata, TABLES)
