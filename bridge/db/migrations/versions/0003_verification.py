"""Verification: attestations, pending queue, issued change ids, validate allowances, known state.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from bridge.db.base import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("document_type", sa.String(40), nullable=False),
        sa.Column("issuing_country", sa.String(2), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(80), nullable=True),
    )
    op.create_index(op.f("ix_verifications_client_id"), "verifications", ["client_id"])
    op.create_table(
        "verification_requests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
    )
    op.create_index(op.f("ix_verification_requests_client_id"), "verification_requests", ["client_id"])
    op.create_table(
        "issued_changes",
        sa.Column("change_id", sa.String(36), primary_key=True),
        sa.Column("client_id", sa.BigInteger(), nullable=True),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
    )
    op.create_table(
        "validate_allowances",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(80), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("allowed_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_validate_allowances_lookup", "validate_allowances", ["subject", "digest"])
    op.create_table(
        "known_state",
        sa.Column("subject", sa.String(80), primary_key=True),
        sa.Column("field", sa.String(64), primary_key=True),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
    )
    op.create_index(op.f("ix_known_state_client_id"), "known_state", ["client_id"])


def downgrade() -> None:
    for table in ("known_state", "validate_allowances", "issued_changes", "verification_requests", "verifications"):
        op.drop_table(table)
