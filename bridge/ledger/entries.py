"""What callers hand the ledger (drafts) and what it hands back (entries).

A draft carries plain values; the ledger encrypts every personal part (change values, the actor's
IP, `private` details) under the data key of `key_subject` before anything is hashed or stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    CLIENT_CREATED = "client.created"
    CLIENT_UPDATED = "client.updated"
    CLIENT_CLOSED = "client.closed"
    CLIENT_REACTIVATED = "client.reactivated"
    CLIENT_DELETED = "client.deleted"
    CONTACT_CREATED = "contact.created"
    CONTACT_UPDATED = "contact.updated"
    CONTACT_DELETED = "contact.deleted"
    USER_CREATED = "user.created"
    USER_UPDATED = "user.updated"
    USER_LOGIN = "user.login"
    CREDENTIALS_CHANGED = "credentials.changed"
    PAYMETHOD_CHANGED = "paymethod.changed"
    CONSENT_CHANGED = "consent.changed"
    MARKETING_SUPPRESSED = "marketing.suppressed"
    SNAPSHOT_SYNCED = "snapshot.synced"
    CHANGE_BLOCKED = "change.blocked"
    CHANGE_UNCHECKED = "change.unchecked"
    CHANGE_REVERTED = "change.reverted"
    CHANGE_REVERT_FAILED = "change.revert_failed"
    VERIFICATION_REQUESTED = "verification.requested"
    VERIFICATION_RECORDED = "verification.recorded"
    VERIFICATION_REVOKED = "verification.revoked"
    DISCLOSURE_BILLING = "disclosure.billing"
    DISCLOSURE_BILLING_REFUSED = "disclosure.billing_refused"
    DISCLOSURE_THIRD_PARTY = "disclosure.third_party"
    HOLD_PLACED = "hold.placed"
    HOLD_RELEASED = "hold.released"
    RETENTION_SCHEDULED = "retention.scheduled"
    RETENTION_CANCELLED = "retention.cancelled"
    RETENTION_PURGED = "retention.purged"
    RETENTION_RESIDUAL_ERASED = "retention.residual_erased"
    EXPORT_CREATED = "export.created"
    POLICY_PUBLISHED = "policy.published"
    POLICY_NOTIFIED = "policy.notified"
    LEDGER_ANCHORED = "ledger.anchored"
    KEY_ROTATED = "key.rotated"


class Category(StrEnum):
    CONTACT = "contact"
    BILLING = "billing"
    CONSENT = "consent"
    CREDENTIALS = "credentials"
    ACCOUNT = "account"  # status, group, language and other non-personal account settings
    USER = "user"


@dataclass(frozen=True)
class Subject:
    type: str  # client | contact | user | system | policy
    id: str

    @classmethod
    def of(cls, type_: str, id_: object) -> Subject:
        return cls(type_, str(id_))

    @property
    def ref(self) -> str:
        return f"{self.type}:{self.id}"


SYSTEM = Subject("system", "bridge")


@dataclass(frozen=True)
class Actor:
    type: str  # client | admin | api | cron | system | staff
    id: str | None = None
    user_id: int | None = None
    ip: str | None = None  # personal: encrypted in the ledger
    masquerading: bool = False
    change_id: str | None = None  # echo of the bridge's own write marker; never stored as personal


@dataclass(frozen=True)
class Change:
    field: str
    category: str
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class EntryDraft:
    """One ledger entry to append. `details` stays in clear (metadata: ids, reasons, run ids,
    webhook id); `private` holds free text and other personal parts and is encrypted."""

    event_type: EventType
    occurred_at: datetime
    subject: Subject
    actor: Actor
    changes: tuple[Change, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)
    private: Mapping[str, Any] = field(default_factory=dict)
    key_subject: Subject | None = None  # whose data key; default: the subject (contacts: client)
    client_id: int | None = None  # the client account this entry belongs to, for per-client reads

    @property
    def encryption_subject(self) -> Subject:
        return self.key_subject or self.subject


@dataclass(frozen=True)
class StoredEntry:
    """An entry as stored: `body` is the exact canonical JSON bytes that were hashed."""

    seq: int
    entry_id: str
    prev_hash: str
    hash: str
    body: bytes
    client_id: int | None = None
    event_type: str = ""
