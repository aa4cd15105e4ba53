"""one person per campaign and contact: each digest of a participant's email and mobile is held by
one participant of a campaign at most (earlier duplicates keep the first sign-up's row)

Revision ID: 0008
Revises: 0007
"""
import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _digest(contact: str) -> str:  # shared.contracts.identity.contact_digest, frozen here
    return hashlib.sha256(f"dxday-contact:{contact.strip().lower()}".encode()).hexdigest()


def upgrade() -> None:
    table = op.create_table(
        "participant_contacts",
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("participant_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_participant_contacts_participant_id", "participant_contacts", ["participant_id"])
    seen: set[tuple[str, str]] = set()
    rows = []
    for pid, campaign_id, email, phone in op.get_bind().execute(sa.text(
            "SELECT id, campaign_id, email, phone FROM participants WHERE erased_at IS NULL ORDER BY created_at, id")):
        for digest in sorted({_digest(c) for c in (email, phone) if c}):
            if (campaign_id, digest) not in seen:
                seen.add((campaign_id, digest))
                rows.append({"campaign_id": campaign_id, "digest": digest, "participant_id": pid})
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_index("ix_participant_contacts_participant_id", "participant_contacts")
    op.drop_table("participant_contacts")
