"""Case records: the read model of the case list and what a closed case answers after
Temporal's retention (store.models.CaseRecordRow).

Revision ID: 0003_case_records
Revises: 0002_sent_ledger
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_case_records"
down_revision = "0002_sent_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_records",
        sa.Column("case_ref", sa.String(40), primary_key=True),
        sa.Column("council", sa.String(40), nullable=False),
        sa.Column("decision_type", sa.String(40), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("next_due", sa.Date(), nullable=True),
        sa.Column("sort_due", sa.Date(), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("caseworker_id", sa.String(100), nullable=True),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.Column("version_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("record", sa.LargeBinary(), nullable=False),
    )
    op.create_index(
        "ix_case_records_list", "case_records", ["council", "closed", "sort_due", "case_ref"]
    )
    op.create_index("ix_case_records_all", "case_records", ["closed", "sort_due", "case_ref"])
    op.create_index("ix_case_records_closed_on", "case_records", ["closed", "closed_on"])


def downgrade() -> None:
    op.drop_index("ix_case_records_closed_on", table_name="case_records")
    op.drop_index("ix_case_records_all", table_name="case_records")
    op.drop_index("ix_case_records_list", table_name="case_records")
    op.drop_table("case_records")
