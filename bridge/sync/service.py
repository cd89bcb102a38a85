"""`bridge sync`: read every WHMCS customer (paged GetClients, then GetClientsDetails, GetContacts
and GetPayMethods each) and record what the bridge did not know yet as `snapshot.synced`.

Idempotent: a customer whose data has not changed since the last snapshot gets no new entry, so a
rerun records nothing, and a change since is recorded as a diff. Resumable: a checkpoint (the
highest client id below which every customer is done) is saved after each batch, and a rerun
after a crash or Ctrl-C starts there; the batch in flight is redone harmlessly, because its
finished customers now diff as unchanged."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import Any, Protocol

from bridge.ledger.entries import Actor, EntryDraft, EventType, Subject
from bridge.ledger.service import Ledger
from bridge.sync.snapshot import client_values, diff
from bridge.verification.state import KnownStates, client_ref, contact_ref
from bridge.whmcs.api import WhmcsClient, WhmcsError

log = logging.getLogger("bridge.sync")
SYNC_ACTOR = Actor(type="system", id="bridge-sync")


class SyncStore(Protocol):
    def checkpoint(self) -> int: ...

    def save_checkpoint(self, client_id: int) -> None: ...

    def finish(self) -> None:
        """A complete pass: the next run starts from the beginning again."""


@dataclass
class SyncReport:
    resumed_from: int = 0
    seen: int = 0
    recorded: int = 0
    unchanged: int = 0
    closed: list[int] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


class SyncService:
    def __init__(self, *, ledger: Ledger, whmcs: WhmcsClient, states: KnownStates, store: SyncStore,
                 on_closed: Callable[[int], None] | None = None) -> None:
        self.ledger, self.whmcs, self.states, self.store = ledger, whmcs, states, store
        self.on_closed = on_closed

    def run(self, *, concurrency: int = 4, batch: int = 100, progress: Callable[[int], None] = lambda _n: None,
            stop_after: int | None = None) -> SyncReport:
        """Sync every customer above the checkpoint. `stop_after` ends the run early (for tests and
        for operators who want to sync in slices)."""
        report = SyncReport(resumed_from=self.store.checkpoint())
        ids = (c.id for c in self.whmcs.iter_clients() if c.id > report.resumed_from)
        if stop_after is not None:
            ids = islice(ids, stop_after)
        with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="sync") as pool:
            for chunk in _chunks(ids, batch):
                # every customer's data key in one transaction, not one each (the first pass
                # meets only new customers); contacts are sealed under their client's key
                self.ledger.keyring.prepare_for_writing(client_ref(client_id) for client_id in chunk)
                known = self.states.get_for_clients(chunk)  # what the chunk's customers looked like
                outcomes = pool.map(partial(self._sync_one, known=known), chunk)
                for client_id, outcome in zip(chunk, outcomes, strict=True):
                    self._tally(report, client_id, outcome)
                    progress(1)
                if not report.errors:
                    self.store.save_checkpoint(chunk[-1])
        if stop_after is None and not report.errors:
            self.store.finish()
        return report

    @staticmethod
    def _tally(report: SyncReport, client_id: int, outcome: str) -> None:
        report.seen += 1
        if outcome.startswith("error:"):
            report.errors.append({"client_id": client_id, "detail": outcome[6:]})
        elif outcome == "unchanged":
            report.unchanged += 1
        else:
            report.recorded += 1
            if outcome == "recorded-closed":
                report.closed.append(client_id)

    def _sync_one(self, client_id: int, *, known: dict[str, dict[str, Any]]) -> str:
        try:
            return self._snapshot(client_id, known)
        except WhmcsError as exc:
            log.warning("sync failed for a customer", extra={"client_id": client_id, "error_type": type(exc).__name__})
            return f"error:{exc.message}"

    def _snapshot(self, client_id: int, known: dict[str, dict[str, Any]]) -> str:
        details = self.whmcs.get_client(client_id)
        current = client_values(details, self.whmcs.get_pay_methods(client_id))
        drafts, states = [], []
        changes = diff(known.get(client_ref(client_id)), current)
        if changes:
            drafts.append(self._draft(Subject.of("client", client_id), client_id, changes))
            states.append((client_ref(client_id), current))
        for contact in self.whmcs.iter_contacts(client_id):
            subject = contact_ref(contact.id)
            contact_changes = diff(known.get(subject), contact.fields())
            if contact_changes:
                drafts.append(self._draft(Subject.of("contact", contact.id), client_id, contact_changes))
                states.append((subject, contact.fields()))
        if not drafts:
            return "unchanged"
        closed = details.status == "Closed" and self.on_closed is not None
        with self.ledger.unit():  # the customer's entries, known state and any schedule: at once
            seqs = self.ledger.append(drafts).seqs
            for subject, values in states:
                self.states.record(client_id, subject, values, seq=seqs[-1])
            if closed:
                self.on_closed(client_id)
        if closed:
            return "recorded-closed"
        return "recorded"

    def _draft(self, subject: Subject, client_id: int, changes) -> EntryDraft:  # noqa: ANN001
        return EntryDraft(event_type=EventType.SNAPSHOT_SYNCED, occurred_at=self.ledger.clock.now(),
                          subject=subject, actor=SYNC_ACTOR, changes=changes,
                          key_subject=Subject.of("client", client_id), client_id=client_id,
                          details={"baseline": all(c.old is None for c in changes)})


def _chunks(items: Iterator[int], size: int) -> Iterator[list[int]]:
    while chunk := list(islice(items, size)):
        yield chunk
