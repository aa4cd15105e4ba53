"""businesses, venues, booths, applications, allocations, participants

Revision ID: 0002
Revises: 0001
"""
from services.registration.adapters import orm
from shared.migrations import create_tables, drop_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ["businesses", "venues", "booths", "booth_days", "booth_applications", "booth_allocations", "participants"]


def upgrade() -> None:
    create_tables(orm.metadata, TABLES)


def downgrade() -> None:
    drop_tables(orm.metadata, TABLES)
