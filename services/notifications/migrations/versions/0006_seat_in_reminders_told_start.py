"""reminders carry the seat number; change notices keep the start the person was last told

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa

from shared.platform.migrations import add_missing_columns, drop_columns_if_present

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_missing_columns("reminders", [sa.Column("seat_number", sa.Integer, nullable=True)])
    add_missing_columns("notifications", [sa.Column("told_start", sa.DateTime(timezone=True), nullable=True)])


def downgrade() -> None:
    drop_columns_if_present("reminders", ["seat_number"])
    drop_columns_if_present("notifications", ["told_start"])
