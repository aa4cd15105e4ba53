"""who reaches a record: the scopes that reach a campaign (its place, the places above it, the
campaign), and the digests of the contacts each business and participant registered with

Revision ID: 0007
Revises: 0006
"""
import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _digest(contact: str) -> str:  # shared.contracts.identity.contact_digest, frozen here
    return hashlib.sha256(f"dxday-contact:{contact.strip().lower()}".encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("campaign_windows") as batch:
        batch.add_column(sa.Column("scope_path", sa.JSON, nullable=False, server_default='["VN"]'))
    table = op.create_table(
        "record_contacts",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("record_id", sa.String(36), primary_key=True),
        sa.Column("digest", sa.String(64), primary_key=True),
    )
    op.create_index("ix_record_contacts_digest", "record_contacts", ["digest"])
    bind = op.get_bind()
    rows = []
    for kind, source in (("business", "businesses"), ("participant", "participants")):
        for record_id, email, phone in bind.execute(sa.text(f"SELECT id, email, phone FROM {source}")):
            rows += [{"kind": kind, "record_id": record_id, "digest": d}
                     for d in sorted({_digest(c) for c in (email, phone) if c})]
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_index("ix_record_contacts_digest", "record_contacts")
    op.drop_table("record_contacts")
    with op.batch_alter_table("campaign_windows") as batch:
        batch.drop_column("scope_path")
