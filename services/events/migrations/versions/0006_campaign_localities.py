"""campaigns: the locality a campaign belongs to (its code in the locality tree) and the scopes that reach it

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLE = "campaigns"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column("locality_code", sa.String(120), nullable=True))
        batch.add_column(sa.Column("scope_path", sa.JSON, nullable=False, server_default='["VN"]'))


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("scope_path")
        batch.drop_column("locality_code")
