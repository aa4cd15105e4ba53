"""campaigns: the scopes that reach a campaign (its place, the places above it, the campaign)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLE = "campaigns"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column("scope_path", sa.JSON, nullable=False, server_default='["VN"]'))


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("scope_path")
