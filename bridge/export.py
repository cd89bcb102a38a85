"""Subject-access export: everything the bridge holds on one customer, decrypted, with the ledger
entries and their hashes and the head at export time, so the customer can check it. The export
itself is recorded."""

from __future__ import annotations

from typing import Any

from bridge.clock import rfc3339
from bridge.errors import VerificationRequired
from bridge.ledger.entries import Actor, EntryDraft, EventType, Subject
from bridge.privacy import consent_block, retention_block, verification_block

PAGE = 1000


def _entries(ledger, client_id: int) -> list[dict[str, Any]]:  # noqa: ANN001
    entries, after = [], 0
    while True:
        page = ledger.client_page(client_id, after=after, limit=PAGE, reveal=True)
        entries.extend(page.entries)
        if page.next_after is None:
            return entries
        after = page.next_after


def export_client(services, client_id: int, *, actor: Actor) -> dict[str, Any]:  # noqa: ANN001
    """Raises VerificationRequired unless the customer holds a current verification."""
    if services.verifications.current(client_id) is None:
        raise VerificationRequired("a subject-access export needs a current identity verification")
    seq, digest = services.ledger.head()
    known = {subject: services.states.get(subject) for subject in services.verification_store.subjects_of(client_id)}
    document = {
        "client_id": client_id,
        "generated_at": rfc3339(services.clock.now()),
        "head": {"seq": seq, "hash": digest},
        "known_values": {subject: values for subject, values in known.items() if values is not None},
        "verification": verification_block(services, client_id),
        "consent": consent_block(services, client_id),
        "retention": retention_block(services, client_id),
        "third_party_disclosures": services.disclosures.third_party(client_id),
        "entries": _entries(services.ledger, client_id),
    }
    services.ledger.append([EntryDraft(
        event_type=EventType.EXPORT_CREATED, occurred_at=services.clock.now(), subject=Subject.of("client", client_id),
        actor=actor, client_id=client_id, details={"entries": len(document["entries"]), "head_seq": seq})])
    return document
