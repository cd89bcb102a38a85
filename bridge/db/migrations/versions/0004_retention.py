"""Retention: per-customer schedules and purge progress, legal holds, cursors.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from bridge.db.base import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_clients",
        sa.Column("client_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("status_at", UtcDateTime(), nullable=True),
        sa.Column("status_outbox", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("purge_due_at", UtcDateTime(), nullable=True),
        sa.Column("reactivated_at", UtcDateTime(), nullable=True),
        sa.Column("deleted_at", UtcDateTime(), nullable=True),
        sa.Column("purged_at", UtcDateTime(), nullable=True),
        sa.Column("shred_pending", sa.Boolean(), nullable=False),
        sa.Column("step", sa.String(24), nullable=True),
        sa.Column("progress", sa.Text(), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("lease_owner", sa.String(120), nullable=True),
        sa.Column("leased_until", UtcDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index(op.f("ix_retention_clients_purge_due_at"), "retention_clients", ["purge_due_at"])
    op.create_table(
        "retention_holds",
        sa.Column("hold_id", sa.String(36), primary_key=True),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("auto", sa.Boolean(), nullable=False),
        sa.Column("invoice_ids", sa.Text(), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("placed_at", UtcDateTime(), nullable=False),
        sa.Column("placed_by", sa.String(80), nullable=False),
        sa.Column("released_at", UtcDateTime(), nullable=True),
        sa.Column("released_by", sa.String(80), nullable=True),
    )
    op.create_index(op.f("ix_retention_holds_client_id"), "retention_holds", ["client_id"])
    op.create_table(
        "retention_meta",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    for table in ("retention_meta", "retention_holds", "retention_clients"):
        op.drop_table(table)
