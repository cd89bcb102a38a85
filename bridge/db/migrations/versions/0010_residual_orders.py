"""Residual-erasure orders: after a purge, what the WHMCS module erases with its own database
access (email log, activity log, order IPs, tickets, consent history), until it reports back.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

from bridge.db.base import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "residual_orders",
        sa.Column("order_id", sa.String(36), primary_key=True),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("strategy", sa.String(16), nullable=False),
        sa.Column("emails", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("queued_at", UtcDateTime(), nullable=True),
        sa.Column("reported_at", UtcDateTime(), nullable=True),
        sa.Column("report_seq", sa.BigInteger(), nullable=True),
        sa.UniqueConstraint("client_id", name="uq_residual_orders_client_id"),
    )
    op.create_index("ix_residual_orders_queued_at", "residual_orders", ["queued_at"])


def downgrade() -> None:
    op.drop_index("ix_residual_orders_queued_at", table_name="residual_orders")
    op.drop_table("residual_orders")
