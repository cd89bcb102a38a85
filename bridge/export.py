"""Subject-access export: everything the bridge holds on one customer, decrypted, with the ledger
entries and their hashes and the head at export time, so the customer can check it. The export
itself is recorded."""

from __future__ import annotations

from typing import Any

from bridge.clock import rfc3339
from bridge.errors import VerificationRequired
from bridge.ledger.entries import Actor, EntryDraft, EventType, Subject
from bridge.privacy import AccountViews, consent_block, retention_block, verification_block

PAGE = 1000


def _entries(ledger, client_id: int) -> list[dict[str, Any]]:  # noqa: ANN001
    entries, after = [], 0
    while True:
        page = ledger.client_page(client_id, after=after, limit=PAGE, reveal=True)
        entries.extend(page.entries)
        if page.next_after is None:
            return entries
        after = page.next_after


def export_client(views: AccountViews, client_id: int, *, actor: Actor) -> dict[str, Any]:
    """Raises VerificationRequired unless the customer holds a current verification."""
    if views.verifications.current(client_id) is None:
        raise VerificationRequired("a subject-access export needs a current identity verification")
    return _export(views, client_id, actor=actor)


# What the customer's own copy leaves out: a hold may stand for a legal process the customer may
# not be told of; staff notes and a disclosure's recipient and reference are staff's, not theirs.
HOLD_TYPES = frozenset({str(EventType.HOLD_PLACED), str(EventType.HOLD_RELEASED)})
STAFF_DETAILS = frozenset({"note", "reference", "recipient", "invoice_ids"})


def export_for_customer(views: AccountViews, client_id: int) -> dict[str, Any]:
    """The section 4 export as the customer downloads it (they proved who they are with their
    password, so no staff verification is asked for), recorded with actor `client`. Holds, staff
    notes and disclosure recipients are left out."""
    document = _export(views, client_id, actor=Actor(type="client", id=str(client_id)))
    retention = document["retention"]
    if isinstance(retention, dict):
        document["retention"] = {**retention, "holds": []}
    document["third_party_disclosures"] = [
        {key: item[key] for key in ("seq", "recorded_at", "ground", "categories") if key in item}
        for item in document["third_party_disclosures"]]
    document["entries"] = [_without_staff(e) for e in document["entries"] if e.get("event_type") not in HOLD_TYPES]
    return document


def _without_staff(entry: dict[str, Any]) -> dict[str, Any]:
    details = entry.get("details") or {}
    return {**entry, "details": {k: v for k, v in details.items() if k not in STAFF_DETAILS}}


def _export(views: AccountViews, client_id: int, *, actor: Actor) -> dict[str, Any]:
    ledger = views.ledger
    seq, digest = ledger.head()
    known = {subject: views.states.get(subject) for subject in views.states.subjects_of(client_id)}
    document = {
        "client_id": client_id,
        "generated_at": rfc3339(views.clock.now()),
        "head": {"seq": seq, "hash": digest},
        "known_values": {subject: values for subject, values in known.items() if values is not None},
        "verification": verification_block(views, client_id),
        "consent": consent_block(views, client_id),
        "retention": retention_block(views, client_id),
        "third_party_disclosures": views.disclosures.third_party(client_id),
        "entries": _entries(ledger, client_id),
    }
    ledger.append([EntryDraft(
        event_type=EventType.EXPORT_CREATED, occurred_at=views.clock.now(), subject=Subject.of("client", client_id),
        actor=actor, client_id=client_id, details={"entries": len(document["entries"]), "head_seq": seq})])
    return document
