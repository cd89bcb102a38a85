"""Which master key wrapped each shredded data key, until a rotation retiring that key reports it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from bridge.db.base import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shred_exposures",
        sa.Column("kid", sa.String(40), primary_key=True),
        sa.Column("master_kid", sa.String(40), primary_key=True),
        sa.Column("shredded_at", UtcDateTime(), nullable=False),
        sa.Column("reported_at", UtcDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("shred_exposures")
