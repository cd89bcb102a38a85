"""The staff console of the WHMCS addon module: console tokens (which may act for a named WHMCS
admin), whether an anchor also reached WHMCS's activity log, and the result of each ledger verify.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from bridge.db.base import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_tokens") as batch:
        batch.add_column(sa.Column("console", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("ledger_anchors") as batch:
        batch.add_column(sa.Column("in_whmcs", sa.Boolean(), nullable=True))
    op.create_table(
        "ledger_verifications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("verified_at", UtcDateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("first_bad_seq", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(32), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("ledger_verifications")
    with op.batch_alter_table("ledger_anchors") as batch:
        batch.drop_column("in_whmcs")
    with op.batch_alter_table("staff_tokens") as batch:
        batch.drop_column("console")
