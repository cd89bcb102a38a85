"""Pure rules: which changes are protected, whether a verification is current. Values compare
by `bridge.ingest.values` (the one normalisation for validate, events, reverts and sync).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bridge.ingest.values import normalize, same
from bridge.vocabulary import BILLING_FIELDS

ALLOWANCE_WINDOW = timedelta(minutes=15)
# a bridge_change_id works once, for its subject, within this long of being issued (section 10)
CHANGE_TTL = timedelta(minutes=15)


def changed_fields(submitted: Mapping[str, Any], current: Mapping[str, Any], protected: Iterable[str]) -> list[str]:
    """Protected fields present on both sides whose normalised values differ, in a stable order."""
    return sorted(
        name for name in set(protected)
        if name in submitted and name in current and not same(name, submitted[name], current[name])
    )


def values_digest(key: bytes, subject: str, values: Mapping[str, Any]) -> str:
    """A keyed digest of the normalised new values, so an allowance can be matched later without
    storing the values themselves."""
    canonical = "\x1f".join(f"{name}={normalize(name, values[name])}" for name in sorted(values))
    return hmac.new(key, f"{subject}\x1e{canonical}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class NewVerification:
    """An ID check as staff record it."""

    client_id: int
    user_id: int | None
    document_type: str
    issuing_country: str
    recorded_at: datetime
    expires_at: datetime
    recorded_by: str


@dataclass(frozen=True)
class Verification(NewVerification):
    """An ID check as stored: its row id, and when staff revoked it."""

    id: int
    revoked_at: datetime | None = None

    def current_at(self, at: datetime, *, user_id: int | None = None) -> bool:
        """Current from recording until expiry, unless revoked; one naming a User covers only them."""
        if self.user_id is not None and self.user_id != user_id:
            return False
        if self.revoked_at is not None and self.revoked_at <= at:
            return False
        return self.recorded_at <= at < self.expires_at


def current_verification(verifications: Sequence[Verification], at: datetime, *,
                         user_id: int | None = None) -> Verification | None:
    live = [v for v in verifications if v.current_at(at, user_id=user_id)]
    return max(live, key=lambda v: v.expires_at) if live else None


def expiry(recorded_at: datetime, ttl_days: int, document_expires: datetime | None) -> datetime:
    limit = recorded_at + timedelta(days=ttl_days)
    return min(limit, document_expires) if document_expires is not None else limit


def field_category(name: str) -> str:
    """The ledger category of a protected client or contact field."""
    return "billing" if name in BILLING_FIELDS else "contact"


def actor_enforced(actor_type: str, enforce_actors: Iterable[str]) -> bool:
    return actor_type in set(enforce_actors)
