"""seats carry a check-in code to type at the door (the QR code's short form)

Revision ID: 0005
Revises: 0004
"""
import secrets

import sqlalchemy as sa
from alembic import op

from shared.platform.migrations import add_missing_columns, drop_columns_if_present

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # as services/events/domain/seats.py, frozen here


def _code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(10))


def upgrade() -> None:
    add_missing_columns("seats", [sa.Column("checkin_code", sa.String(10), nullable=True)])
    bind = op.get_bind()
    seats = sa.table("seats", sa.column("id", sa.String), sa.column("checkin_code", sa.String))
    for (seat_id,) in bind.execute(sa.select(seats.c.id).where(seats.c.checkin_code.is_(None))).all():
        bind.execute(sa.update(seats).where(seats.c.id == seat_id).values(checkin_code=_code()))
    present = {i["name"] for i in sa.inspect(bind).get_indexes("seats")}
    if "uq_seat_checkin_code" not in present:
        op.create_index("uq_seat_checkin_code", "seats", ["checkin_code"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_seat_checkin_code", table_name="seats")
    drop_columns_if_present("seats", ["checkin_code"])
