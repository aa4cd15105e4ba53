"""seat notices and reminders know their seat, to carry its check-in ticket (QR code and typed code)

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa

from shared.platform.migrations import add_missing_columns, drop_columns_if_present

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_missing_columns("reminders", [sa.Column("seat_id", sa.String(36), nullable=True)])
    add_missing_columns("notifications", [sa.Column("seat_id", sa.String(36), nullable=True)])


def downgrade() -> None:
    drop_columns_if_present("reminders", ["seat_id"])
    drop_columns_if_present("notifications", ["seat_id"])
