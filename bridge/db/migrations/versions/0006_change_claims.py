"""Which event claimed a bridge change id, so a re-delivered event may claim it again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issued_changes") as batch:
        batch.add_column(sa.Column("used_by", sa.String(256), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issued_changes") as batch:
        batch.drop_column("used_by")
