"""Change ids for the bridge's own WHMCS writes: issued before a write, so the hook event WHMCS
fires for it is recognised as the bridge's own echo (and never reverted), and claimed once."""

from __future__ import annotations

import uuid

from bridge.clock import Clock
from bridge.verification.policy import CHANGE_TTL
from bridge.verification.state import client_ref
from bridge.verification.store import VerificationStore


class ChangeIds:
    def __init__(self, *, store: VerificationStore, clock: Clock) -> None:
        self.store, self.clock = store, clock

    def issue(self, client_id: int | None, purpose: str) -> str:
        """A fresh bridge_change_id for one WHMCS write to a client account, or the one already
        issued for `purpose` (a job retrying its write reuses its id)."""
        existing = self.store.change_for(purpose)
        if existing:
            return existing
        change_id, now = str(uuid.uuid4()), self.clock.now()
        subject = client_ref(client_id) if client_id is not None else None
        self.store.issue_change(change_id, client_id=client_id, purpose=purpose, at=now,
                                expires_at=now + CHANGE_TTL, subject=subject)
        return change_id

    def for_purge(self, client_id: int) -> str:
        """Every write of a purge gets a fresh id."""
        return self.issue(client_id, f"purge:{uuid.uuid4().hex}")
