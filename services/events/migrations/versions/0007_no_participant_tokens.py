"""no participant access tokens: a participant is whoever signs in with the contact it signed up
with (asked of the registration service), so the copy of its token's hash goes

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("token_hash")


def downgrade() -> None:
    with op.batch_alter_table("participants") as batch:
        batch.add_column(sa.Column("token_hash", sa.String(64), nullable=True))
