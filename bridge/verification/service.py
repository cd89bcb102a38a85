"""Recording and revoking identity checks (each with its ledger entry in the same transaction),
and the pending queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from bridge.errors import NotFound, Unprocessable
from bridge.ledger.entries import Actor, EntryDraft, EventType, Subject
from bridge.ledger.service import Ledger
from bridge.verification.policy import NewVerification, Verification, current_verification, expiry
from bridge.verification.store import PendingRequest, VerificationStore


@dataclass(frozen=True)
class Attestation:
    """What staff saw: never an image or a full document number."""

    document_type: str
    issuing_country: str
    document_last4: str | None = None
    document_expires: date | None = None
    note: str | None = None
    user_id: int | None = None


class VerificationService:
    def __init__(self, *, store: VerificationStore, ledger: Ledger, ttl_days: int) -> None:
        self.store, self.ledger, self.ttl_days = store, ledger, ttl_days

    @property
    def clock(self):  # noqa: ANN201
        return self.ledger.clock

    def record_verification(self, client_id: int, attestation: Attestation, *, actor: Actor) -> Verification:
        """Record a check valid for the TTL (or until the document expires, if sooner); resolves the
        customer's pending request. An expired document is refused."""
        now = self.clock.now()
        doc_expires = None
        if attestation.document_expires is not None:
            doc_expires = datetime.combine(attestation.document_expires, time.min, tzinfo=UTC)
            if doc_expires <= now:
                raise Unprocessable("the document has expired", errors={"document_expires": ["must be in the future"]})
        new = NewVerification(client_id=client_id, user_id=attestation.user_id,
                              document_type=attestation.document_type, issuing_country=attestation.issuing_country,
                              recorded_at=now, expires_at=expiry(now, self.ttl_days, doc_expires),
                              recorded_by=actor.id or "")
        draft = EntryDraft(
            event_type=EventType.VERIFICATION_RECORDED, occurred_at=now, subject=Subject.of("client", client_id),
            actor=actor, client_id=client_id,
            details={"document_type": new.document_type, "issuing_country": new.issuing_country,
                     "expires_at": new.expires_at.isoformat(), "user_id": new.user_id},
            private={"document_last4": attestation.document_last4, "note": attestation.note},
        )
        with self.ledger.unit():
            self.ledger.append([draft])
            self.store.add(new)
            self.store.resolve(client_id, at=now)
        return self.current(client_id, user_id=attestation.user_id)

    def revoke_verification(self, client_id: int, *, actor: Actor) -> None:
        now = self.clock.now()
        if not any(v.revoked_at is None and v.expires_at > now for v in self.store.for_client(client_id)):
            raise NotFound("no current verification for this client")
        draft = EntryDraft(event_type=EventType.VERIFICATION_REVOKED, occurred_at=now,
                           subject=Subject.of("client", client_id), actor=actor, client_id=client_id)
        with self.ledger.unit():
            self.ledger.append([draft])
            self.store.revoke(client_id, at=now, by=actor.id or "")

    def current(self, client_id: int, *, at: datetime | None = None, user_id: int | None = None) -> Verification | None:
        return current_verification(self.store.for_client(client_id), at or self.clock.now(), user_id=user_id)

    def latest(self, client_id: int) -> Verification | None:
        found = self.store.for_client(client_id)
        return max(found, key=lambda v: v.recorded_at) if found else None

    def pending(self) -> list[PendingRequest]:
        return self.store.pending()
