"""Tables. Timestamps are aware UTC; ledger bodies are the exact canonical bytes that were hashed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, LargeBinary, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from bridge.db.base import Base, UtcDateTime


class ChainHead(Base):
    """The single row every append locks: the chain's current seq and hash."""

    __tablename__ = "chain_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry_id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
    body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    event_type: Mapped[str] = mapped_column(String(64), nullable=False)
    client_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

    __table_args__ = (Index("ix_ledger_entries_client_seq", "client_id", "seq"),)


class WebhookId(Base):
    """Every webhook-id ever accepted, forever: a replay is a duplicate, never a second entry."""

    __tablename__ = "webhook_ids"
    webhook_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    first_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)


class DataKey(Base):
    """A subject's data key, wrapped by a master key; `wrapped` is NULL once shredded."""

    __tablename__ = "data_keys"
    kid: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    master_kid: Mapped[str | None] = mapped_column(String(40), nullable=True)
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    shredded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ShredExposure(Base):
    """A shredded data key and the master key that wrapped it when it was shredded (ids only, no key
    material). Old database pages, WAL, replicas and backups may still hold that wrapped copy, so
    the shred is final only once that master key is retired; `reported_at` is set when a
    `bridge key rotate` retiring it has said so. Only the wrapping at shred time is kept: a key
    the data key was under before was retired, and named, by the rotation that moved it."""

    __tablename__ = "shred_exposures"
    kid: Mapped[str] = mapped_column(String(40), primary_key=True)
    master_kid: Mapped[str] = mapped_column(String(40), primary_key=True)
    shredded_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class LedgerAnchor(Base):
    __tablename__ = "ledger_anchors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    in_whmcs: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # also in WHMCS's activity log


class LedgerVerification(Base):
    """The outcome of each whole-chain verify (CLI or API), for the staff console and its widget."""

    __tablename__ = "ledger_verifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    verified_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    ok: Mapped[bool] = mapped_column(Boolean, nullable=False)
    entries: Mapped[int] = mapped_column(BigInteger, nullable=False)
    head_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    first_bad_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)


class StaffToken(Base):
    """Staff API tokens, stored only as SHA-256 of the token."""

    __tablename__ = "staff_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # a console token (the WHMCS addon's) may act for a named WHMCS admin: X-Acting-Admin/-Role
    console: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())


# the jobs a dedupe_key is unique among (spelled as the index's predicate: ON CONFLICT names it)
OPEN_JOBS = text("status IN ('pending', 'running')")


class JobRow(Base):
    """Durable jobs. `payload` holds ids and ledger references only, never personal values."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    client_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    run_after: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(120), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

    __table_args__ = (
        Index("ix_jobs_due", "status", "run_after"),
        Index("ix_jobs_client", "client_id"),
        Index("uq_jobs_open_dedupe", "dedupe_key", unique=True,
              sqlite_where=OPEN_JOBS, postgresql_where=OPEN_JOBS),
    )


class VerificationRow(Base):
    """An identity check as an attestation. The document's last four and the note live only in the
    ledger entry (encrypted); this row holds what the policy needs to decide."""

    __tablename__ = "verifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    document_type: Mapped[str] = mapped_column(String(40), nullable=False)
    issuing_country: Mapped[str] = mapped_column(String(2), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(80), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(80), nullable=True)


class VerificationRequestRow(Base):
    """The pending queue: customers blocked (or reverted) and waiting for an ID check."""

    __tablename__ = "verification_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    fields: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list of field names
    actor: Mapped[str] = mapped_column(Text, nullable=False)  # JSON {type, id, user_id}: no IP
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class IssuedChange(Base):
    """bridge_change_id values the bridge put on its own WHMCS writes; each may be claimed once."""

    __tablename__ = "issued_changes"
    change_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    purpose: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    used_by: Mapped[str | None] = mapped_column(String(256), nullable=True)  # the claiming event
    subject: Mapped[str | None] = mapped_column(String(80), nullable=True)  # client:1, contact:7


class ValidateAllowance(Base):
    """A validate call that allowed a protected change: the changed values as a keyed digest."""

    __tablename__ = "validate_allowances"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(80), nullable=False)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    allowed_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)  # the call's occurred_at
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)  # the bridge's clock

    __table_args__ = (Index("ix_validate_allowances_lookup", "subject", "digest"),)


class KnownState(Base):
    """The last known value of each tracked field of a client or contact, sealed under the
    client's data key (so a purge makes it unreadable too)."""

    __tablename__ = "known_state"
    subject: Mapped[str] = mapped_column(String(80), primary_key=True)
    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    sealed: Mapped[str] = mapped_column(Text, nullable=False)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)



class SyncCheckpoint(Base):
    """How far `bridge sync` got: every client id at or below `last_client_id` is done."""

    __tablename__ = "sync_checkpoint"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_client_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

from bridge.db.retention_models import HoldRow, RetentionMeta, RetentionRow  # noqa: E402, F401 - joins Base.metadata
