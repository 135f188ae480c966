"""The sent ledger: sent messages and send attempts (leases on the database's clock).

Revision ID: 0002_sent_ledger
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_sent_ledger"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sent_messages",
        sa.Column("message_key", sa.Text(), primary_key=True),
        sa.Column("message_id", sa.String(200), nullable=True),
        sa.Column("transport", sa.String(20), nullable=False),
        sa.Column(
            "sent_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
    )
    op.create_table(
        "send_attempts",
        sa.Column("message_key", sa.Text(), primary_key=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("previous_state", sa.String(12), nullable=True),
        sa.Column("leased_until", sa.Float(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("holder", sa.String(200), nullable=True),
        sa.Column("holder_clock_skew_s", sa.Float(), nullable=True),
        sa.Column("message_id", sa.String(200), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("send_attempts")
    op.drop_table("sent_messages")
