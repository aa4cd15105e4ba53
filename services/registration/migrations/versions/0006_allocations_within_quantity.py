"""booth allocations: at most the application's quantity a day, enforced by the schema

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if "slot" in {c["name"] for c in sa.inspect(bind).get_columns("booth_allocations")}:
        return  # a database created after revision 0002 took its tables from the ORM module as it is now
    # a unique index, not a constraint: SQLite would rebuild the table, which the allocations reference
    op.create_index("uq_application_quantity", "booth_applications", ["id", "quantity"], unique=True)
    with op.batch_alter_table("booth_allocations") as batch:
        batch.add_column(sa.Column("slot", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("quantity", sa.Integer, nullable=False, server_default="1"))
    op.execute("UPDATE booth_allocations SET quantity = (SELECT a.quantity FROM booth_applications a "
               "WHERE a.id = booth_allocations.application_id)")
    op.execute("UPDATE booth_allocations SET slot = (SELECT count(*) FROM booth_allocations b "
               "WHERE b.application_id = booth_allocations.application_id AND b.day = booth_allocations.day "
               "AND b.booth_id <= booth_allocations.booth_id)")
    with op.batch_alter_table("booth_allocations") as batch:
        batch.alter_column("slot", server_default=None)
        batch.alter_column("quantity", server_default=None)
        batch.create_unique_constraint("uq_allocation_slot", ["application_id", "day", "slot"])
        batch.create_check_constraint("ck_allocation_within_quantity", "slot >= 1 AND slot <= quantity")
        batch.create_foreign_key("fk_allocation_application_quantity", "booth_applications",
                                 ["application_id", "quantity"], ["id", "quantity"])


def downgrade() -> None:
    with op.batch_alter_table("booth_allocations") as batch:
        batch.drop_constraint("fk_allocation_application_quantity", type_="foreignkey")
        batch.drop_constraint("ck_allocation_within_quantity", type_="check")
        batch.drop_constraint("uq_allocation_slot", type_="unique")
        batch.drop_column("quantity")
        batch.drop_column("slot")
    op.drop_index("uq_application_quantity", "booth_applications")
