"""The customer's own panel (client-area home and account details): whether a change of contact
or billing details needs an ID check now, and what is kept about them and until when, in the
privacy policy's words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bridge.panels import words
from bridge.panels.retention import retention_view
from bridge.privacy import AccountViews, retention_block, verification_block
from bridge.verification.messages import labels


@dataclass(frozen=True)
class ClientPanel:
    verified_until: str  # empty when no current check covers this login
    needs_check: bool
    pending: str  # labels of the details waiting for a check, e.g. "email address and phone number"
    protected: str
    kept: tuple[str, ...]  # plain sentences: what is kept, and until when


def client_panel(views: AccountViews, client_id: int, *, user_id: int | None) -> ClientPanel:
    """The panel model for the logged-in customer (their 8.x User, when known); reads only."""
    settings, now = views.panel, views.clock.now()
    current = views.verifications.current(client_id, at=now, user_id=user_id)
    pending = (verification_block(views, client_id).get("pending") or {}).get("fields") or ()
    return ClientPanel(
        verified_until=words.day(current.expires_at) if current else "",
        needs_check=current is None and "client" in settings.enforce_actors and bool(settings.protected_fields),
        pending=labels(pending) if pending else "",
        protected=labels(settings.protected_fields) if settings.protected_fields else "",
        kept=kept_statement(retention_block(views, client_id), months=settings.retention_months, now=now),
    )


def kept_statement(block, *, months: int, now: datetime) -> tuple[str, ...]:  # noqa: ANN001
    """What is kept and until when. The customer is never told about a hold (a legal process may
    not be disclosed to them); the sentence always names both grounds for keeping data longer."""
    view, period = retention_view(block), words.months_in_words(months)
    unless = "unless a legal obligation or an accounting irregularity requires keeping it."
    if view.state in ("purged", "deleted"):
        return ("Your personally identifiable account information has been deleted.",)
    if view.closed and view.purge_due_at is not None:
        closed = f"Your account was closed on {words.day(view.closed_at)}. " if view.closed_at else ""
        when = (f"will be deleted on {words.day(view.purge_due_at)}" if view.purge_due_at > now
                else "is now due for deletion")
        return (f"{closed}Your personally identifiable account information {when}, {period} after cancellation, "
                f"{unless}",)
    if view.state == "deleted_held":
        return (f"Your account has been deleted. What remains of its information will be deleted {unless}",)
    return (
        "We keep your contact and billing details, and a record of every change to them: which details "
        "changed, who made the change, when, and from which Internet address.",
        f"If you leave us, we will normally delete your personally identifiable account information {period} "
        "after the account is cancelled, unless we are under a legal obligation to retain it or an accounting "
        "irregularity requires keeping your contact and billing information until it is resolved.",
    )
