"""Policy versions live in the ledger itself (`policy.published`, no personal data), so the
version in force at any moment is provable from the chain. Every entry carries the version in
force at its `occurred_at`; lookups are cached briefly, which is safe because a version takes
effect only after a notice period of days."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from bridge.clock import parse_rfc3339, rfc3339
from bridge.errors import Conflict
from bridge.ledger.entries import Actor, EntryDraft, EventType, Subject
from bridge.ledger.service import Ledger
from bridge.ledger.store import LedgerStore

CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class Policy:
    version: str
    published_at: datetime
    effective_at: datetime
    document_sha256: str
    url: str | None = None

    def as_dict(self) -> dict:
        return {"version": self.version, "published_at": rfc3339(self.published_at),
                "effective_at": rfc3339(self.effective_at), "document_sha256": self.document_sha256,
                "url": self.url}


class PolicyVersions:
    """The published versions, read from the ledger's own entries (cached briefly): what the
    ledger stamps on every entry as the version in force at its `occurred_at`."""

    def __init__(self, *, store: LedgerStore) -> None:
        self.store = store
        self._cache: tuple[float, list[Policy]] | None = None
        self._lock = threading.Lock()

    def all(self, *, fresh: bool = False) -> list[Policy]:
        with self._lock:
            if fresh or self._cache is None or time.monotonic() - self._cache[0] > CACHE_SECONDS:
                rows = self.store.entries_of_type(None, str(EventType.POLICY_PUBLISHED))
                found = [_from_details(json.loads(row.body)["details"]) for row in rows]
                self._cache = (time.monotonic(), sorted(found, key=lambda p: p.effective_at))
            return list(self._cache[1])

    def forget(self) -> None:
        with self._lock:
            self._cache = None

    def in_force(self, at: datetime) -> str | None:
        """The version whose effective_at is the latest at or before `at`."""
        live = [p for p in self.all() if p.effective_at <= at]
        return live[-1].version if live else None


class Policies:
    def __init__(self, *, ledger: Ledger, versions: PolicyVersions, notice_days: int) -> None:
        self.ledger, self.versions, self.notice = ledger, versions, timedelta(days=notice_days)

    def publish(self, *, version: str, published_at: datetime, document_sha256: str, url: str | None,
                actor: Actor) -> Policy:
        """Record a version; it takes effect `notice_days` after publication. Versions are unique."""
        if any(p.version == version for p in self.all(fresh=True)):
            raise Conflict("that policy version exists")
        policy = Policy(version, published_at, published_at + self.notice, document_sha256.lower(), url)
        self.ledger.append([EntryDraft(
            event_type=EventType.POLICY_PUBLISHED, occurred_at=self.ledger.clock.now(),
            subject=Subject.of("policy", version), actor=actor,
            details={k: v for k, v in policy.as_dict().items() if k != "version"} | {"version": version})],
            webhook_id=f"bridge:policy:{version}")
        self.versions.forget()
        return policy

    def all(self, *, fresh: bool = False) -> list[Policy]:
        return self.versions.all(fresh=fresh)

    def in_force(self, at: datetime) -> str | None:
        return self.versions.in_force(at)


def _from_details(details: dict) -> Policy:
    return Policy(details["version"], parse_rfc3339(details["published_at"]), parse_rfc3339(details["effective_at"]),
                  details["document_sha256"], details.get("url"))
