"""One customer's privacy state at a glance, for staff (the API) and the WHMCS panels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from bridge.clock import Clock
from bridge.consent.service import opted_out
from bridge.jobs.queue import JobQueue
from bridge.ledger.service import Ledger
from bridge.verification.service import VerificationService
from bridge.verification.state import KnownStates, client_ref


@dataclass(frozen=True)
class PanelSettings:
    """What the customer-facing pages say about the policy in force here."""

    protected_fields: tuple[str, ...]
    enforce_actors: tuple[str, ...]
    retention_months: int


class RetentionStatus(Protocol):
    def retention_status(self, client_id: int) -> dict[str, Any] | None: ...


class ThirdParty(Protocol):
    def third_party(self, client_id: int) -> list[dict[str, Any]]:
        """The customer's disclosures to third parties."""


@dataclass(frozen=True)
class AccountViews:
    """What the privacy summary, the panels and the exports read about one customer."""

    ledger: Ledger
    verifications: VerificationService
    states: KnownStates
    jobs: JobQueue
    retention: RetentionStatus
    disclosures: ThirdParty
    clock: Clock
    panel: PanelSettings


def verification_block(views: AccountViews, client_id: int) -> dict[str, Any]:
    verifications = views.verifications
    now = views.clock.now()
    current = verifications.current(client_id, at=now)
    latest = verifications.latest(client_id)
    status = "verified" if current else "unverified"
    if not current and latest is not None:
        status = "revoked" if latest.revoked_at is not None else "expired"
    pending = verifications.store.open_request(client_id)
    shown = current or latest
    return {
        "status": status,
        "current": None if shown is None else {
            "document_type": shown.document_type, "issuing_country": shown.issuing_country,
            "recorded_at": shown.recorded_at.isoformat(), "expires_at": shown.expires_at.isoformat(),
            "recorded_by": shown.recorded_by, "user_id": shown.user_id,
        },
        "pending": None if pending is None else {"fields": pending.fields,
                                                 "requested_at": pending.requested_at.isoformat()},
    }


def consent_block(views: AccountViews, client_id: int) -> dict[str, Any]:
    state = views.states.get(client_ref(client_id)) or {}
    known = "marketing_emails_opt_in" in state or "emailoptout" in state
    return {"marketing": None if not known else not opted_out(state)}


def jobs_block(views: AccountViews, client_id: int) -> list[dict[str, Any]]:
    return [{"id": j.id, "kind": j.kind, "status": j.status, "attempts": j.attempts,
             "last_error": j.last_error, "run_after": j.run_after.isoformat()}
            for j in views.jobs.for_client(client_id)]


def retention_block(views: AccountViews, client_id: int) -> dict[str, Any] | None:
    return views.retention.retention_status(client_id)


def privacy_summary(views: AccountViews, client_id: int) -> dict[str, Any]:
    """Verification, retention and holds, consent, counts and open jobs. Values of personal fields
    never appear here: names of fields, states and dates only."""
    return {
        "client_id": client_id,
        "verification": verification_block(views, client_id),
        "retention": retention_block(views, client_id),
        "consent": consent_block(views, client_id),
        "counts": {"ledger_entries": views.ledger.store.count_for_client(client_id)},
        "jobs": jobs_block(views, client_id),
    }
