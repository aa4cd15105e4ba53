"""contacts, workshops read model, reminders, notifications

Revision ID: 0002
Revises: 0001
"""
from services.notifications.adapters import orm
from shared.migrations import create_tables, drop_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ["contacts", "workshops", "reminders", "notifications"]


def upgrade() -> None:
    create_tables(orm.metadata, TABLES)


def downgrade() -> None:
    drop_tables(orm.metadata, TABLES)
