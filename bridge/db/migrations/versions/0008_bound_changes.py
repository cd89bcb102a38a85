"""Section 10: a bridge change id is bound to the subject it was issued for, and a validate
allowance remembers when the bridge received the call (its own clock) beside WHMCS's time.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from bridge.db.base import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issued_changes") as batch:
        batch.add_column(sa.Column("subject", sa.String(80), nullable=True))
    with op.batch_alter_table("validate_allowances") as batch:
        batch.add_column(sa.Column("received_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("validate_allowances") as batch:
        batch.drop_column("received_at")
    with op.batch_alter_table("issued_changes") as batch:
        batch.drop_column("subject")
