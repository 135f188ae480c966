"""The case list puts overdue cases first: `sort_rank` (0 overdue, 1 a deadline pending,
2 none pending or closed) leads the list's order, before `sort_due` (store.case_records).

Existing rows get their rank from their plain columns. An overdue row keeps the `sort_due` it
had (its next pending deadline, or the last date) until the workflow next writes its record,
which then sets it to the earliest missed duty's due date: the date sits in the encrypted
record, which a migration does not open.

Revision ID: 0004_case_list_order
Revises: 0003_case_records
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_case_list_order"
down_revision = "0003_case_records"
branch_labels = None
depends_on = None

_OLD = {
    "ix_case_records_list": ["council", "closed", "sort_due", "case_ref"],
    "ix_case_records_all": ["closed", "sort_due", "case_ref"],
}
_NEW = {
    "ix_case_records_list": ["council", "closed", "sort_rank", "sort_due", "case_ref"],
    "ix_case_records_all": ["closed", "sort_rank", "sort_due", "case_ref"],
}


def _reindex(columns: dict[str, list[str]]) -> None:
    """The list's indexes rebuilt on `columns` (same names, new order)."""
    for name, cols in columns.items():
        op.drop_index(name, table_name="case_records")
        op.create_index(name, "case_records", cols)


def upgrade() -> None:
    with op.batch_alter_table("case_records") as batch:
        batch.add_column(
            sa.Column("sort_rank", sa.Integer(), nullable=False, server_default=sa.text("2"))
        )
    rows = sa.table(
        "case_records",
        sa.column("sort_rank", sa.Integer()),
        sa.column("overdue", sa.Boolean()),
        sa.column("closed", sa.Boolean()),
        sa.column("next_due", sa.Date()),
    )
    op.execute(
        rows.update().values(
            sort_rank=sa.case(
                (rows.c.closed.is_(True), 2),
                (rows.c.overdue.is_(True), 0),
                (rows.c.next_due.is_not(None), 1),
                else_=2,
            )
        )
    )
    _reindex(_NEW)


def downgrade() -> None:
    _reindex(_OLD)
    with op.batch_alter_table("case_records") as batch:
        batch.drop_column("sort_rank")
