"""no per-record access tokens: a business or a participant is held by whoever signs in with the
contact it registered with, so their token hashes and a retried sign-up's token go

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = (("businesses", "token_hash", False), ("participants", "token_hash", True))


def upgrade() -> None:
    for table, column, _nullable in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
    with op.batch_alter_table("sign_up_keys") as batch:
        batch.drop_column("access_token")


def downgrade() -> None:  # the tokens are gone for good: a record comes back with none that works
    for table, column, nullable in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sa.String(64), nullable=nullable,
                                       server_default=None if nullable else ""))
    with op.batch_alter_table("sign_up_keys") as batch:
        batch.add_column(sa.Column("access_token", sa.String(200), nullable=False, server_default=""))
