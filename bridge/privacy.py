"""One customer's privacy state at a glance, for staff (the API) and the WHMCS panels."""

from __future__ import annotations

from typing import Any

from bridge.consent.service import opted_out
from bridge.verification.state import client_ref


def verification_block(services, client_id: int) -> dict[str, Any]:  # noqa: ANN001
    verifications = services.verifications
    now = services.clock.now()
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


def consent_block(services, client_id: int) -> dict[str, Any]:  # noqa: ANN001
    state = services.states.get(client_ref(client_id)) or {}
    known = "marketing_emails_opt_in" in state or "emailoptout" in state
    return {"marketing": None if not known else not opted_out(state)}


def jobs_block(services, client_id: int) -> list[dict[str, Any]]:  # noqa: ANN001
    return [{"id": j.id, "kind": j.kind, "status": j.status, "attempts": j.attempts,
             "last_error": j.last_error, "run_after": j.run_after.isoformat()}
            for j in services.queue.for_client(client_id)]


def retention_block(services, client_id: int) -> dict[str, Any] | None:  # noqa: ANN001
    retention = services.extras.get("retention_status")
    return retention(client_id) if retention else None


def privacy_summary(services, client_id: int) -> dict[str, Any]:  # noqa: ANN001
    """Verification, retention and holds, consent, counts and open jobs. Values of personal fields
    never appear here: names of fields, states and dates only."""
    return {
        "client_id": client_id,
        "verification": verification_block(services, client_id),
        "retention": retention_block(services, client_id),
        "consent": consent_block(services, client_id),
        "counts": {"ledger_entries": services.ledger.store.count_for_client(client_id)},
        "jobs": jobs_block(services, client_id),
    }
