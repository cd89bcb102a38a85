"""Retention tables: one row per customer with a schedule (and the run's step marker and lease),
legal holds, and small named cursors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bridge.db.base import Base, UtcDateTime


class RetentionRow(Base):
    """A customer's retention state. `step` marks how far a purge got, so a rerun resumes there;
    `lease_owner`/`leased_until` keep two runs off one customer; `version` guards concurrent
    status events (compare-and-set)."""

    __tablename__ = "retention_clients"
    client_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    status_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    status_outbox: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    purge_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    reactivated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    shred_pending: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    step: Mapped[str | None] = mapped_column(String(24), nullable=True)
    progress: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON: ids and API actions only
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(120), nullable=True)
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class HoldRow(Base):
    """A legal hold. Its reference and note live only in the hold.placed entry (encrypted)."""

    __tablename__ = "retention_holds"
    hold_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    reason: Mapped[str] = mapped_column(String(40), nullable=False)
    auto: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    invoice_ids: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON list, automatic holds
    seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    placed_by: Mapped[str] = mapped_column(String(80), nullable=False)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(80), nullable=True)


class RetentionMeta(Base):
    __tablename__ = "retention_meta"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class ResidualOrderRow(Base):
    """A residual-erasure order for the WHMCS module: what the API could not erase. `emails` is
    sealed under the order's own data key (subject `order:<order_id>`), shredded once the module
    reports, so the addresses outlive the customer's shred only until then. `queued_at` is set in
    the purge entry's transaction: before it the order is invisible to the module."""

    __tablename__ = "residual_orders"
    order_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[int] = mapped_column(BigInteger, nullable=False, unique=True)
    strategy: Mapped[str] = mapped_column(String(16), nullable=False)
    emails: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON sealed value, None once reported
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    report_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
