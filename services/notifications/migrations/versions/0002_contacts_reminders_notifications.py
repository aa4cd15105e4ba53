"""contacts, workshops read model, reminders, notifications

Revision ID: 0002
Revises: 0001
"""
from alembic import op

from services.notifications.adapters import orm

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ["contacts", "workshops", "reminders", "notifications"]


def upgrade() -> None:
    bind = op.get_bind()
    for name in TABLES:
        orm.metadata.tables[name].create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for name in reversed(TABLES):
        orm.metadata.tables[name].drop(bind)
