"""contacts: no name, email or phone (asked of the registration service at send time)

Revision ID: 0004
Revises: 0003
"""
from shared.platform.migrations import drop_columns_if_present

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    drop_columns_if_present("contacts", ["name", "email", "phone"])


def downgrade() -> None:
    pass  # the personal data is gone for good, on purpose
