"""The admin client-summary panel: everything staff need at a glance, shown to any admin, so
metadata only (field names, states, dates, who acted) and never a personal value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bridge.panels import words
from bridge.panels.history import ChangeLine, last_changes
from bridge.panels.retention import RetentionView, retention_view
from bridge.privacy import AccountViews, privacy_summary

STALE_AFTER = timedelta(hours=1)  # an outbox event older than this means delivery is stuck


@dataclass(frozen=True)
class VerificationView:
    status: str  # verified | expired | revoked | unverified
    expires_at: str = ""
    recorded_at: str = ""
    recorded_by: str = ""
    user_id: int | None = None
    pending_fields: tuple[str, ...] = ()
    pending_since: str = ""


@dataclass(frozen=True)
class OutboxView:
    pending: int
    dead: int
    oldest_age: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class JobLine:
    label: str
    status: str
    attempts: int
    run_after: str
    failing: bool


@dataclass(frozen=True)
class AdminSummary:
    client_id: int
    known: bool
    verification: VerificationView
    retention: RetentionView
    marketing: bool | None
    changes: list[ChangeLine]
    entries: int
    outbox: OutboxView | None
    jobs: list[JobLine]


def admin_summary(views: AccountViews, client_id: int, *, outbox: Mapping[str, Any] | None) -> AdminSummary:
    """The panel model; reads only, writes no ledger entry."""
    summary = privacy_summary(views, client_id)
    entries = summary["counts"]["ledger_entries"]
    verification, retention = verification_view(summary["verification"]), retention_view(summary["retention"])
    return AdminSummary(
        client_id=client_id, verification=verification, retention=retention,
        marketing=summary["consent"]["marketing"], entries=entries,
        changes=last_changes(views.ledger, client_id) if entries else [],
        outbox=outbox_view(outbox, now=views.clock.now()),
        jobs=[_job(job) for job in summary["jobs"]],
        known=bool(entries or verification.status != "unverified" or retention.state != "none"),
    )


def verification_view(block: Mapping[str, Any]) -> VerificationView:
    current, pending = block.get("current") or {}, block.get("pending") or {}
    return VerificationView(
        status=block["status"],
        expires_at=words.stamp(words.as_utc(current.get("expires_at"))),
        recorded_at=words.stamp(words.as_utc(current.get("recorded_at"))),
        recorded_by=str(current.get("recorded_by") or ""), user_id=current.get("user_id"),
        pending_fields=tuple(str(name) for name in pending.get("fields") or ()),
        pending_since=words.stamp(words.as_utc(pending.get("requested_at"))),
    )


def outbox_view(health: Mapping[str, Any] | None, *, now: datetime) -> OutboxView | None:
    """Counts from the hook's outbox, with a warning when events died or the oldest is stale."""
    if not isinstance(health, Mapping):
        return None
    pending, dead = int(health.get("pending") or 0), int(health.get("dead") or 0)
    oldest = words.as_utc(health.get("oldest_pending_at"))
    age = now - oldest if oldest is not None and pending else None
    warnings = []
    if dead:
        warnings.append(f"{words.counted(dead, 'event')} given up after repeated delivery failures")
    if age is not None and age > STALE_AFTER:
        warnings.append(f"{words.counted(pending, 'event')} waiting, the oldest for {words.duration(age)}")
    return OutboxView(pending=pending, dead=dead, oldest_age=words.duration(age) if age is not None else "",
                      warnings=tuple(warnings))


def _job(job: Mapping[str, Any]) -> JobLine:
    # last_error is WHMCS's text and may quote a value: the panel only says that it failed.
    kind = str(job.get("kind"))
    return JobLine(label=words.JOB_LABELS.get(kind, kind), status=str(job.get("status")),
                   attempts=int(job.get("attempts") or 0), failing=bool(job.get("last_error")),
                   run_after=words.stamp(words.as_utc(job.get("run_after"))))
