"""`bridge sync`: read every WHMCS customer (paged GetClients, then GetClientsDetails, GetContacts
and GetPayMethods each) and record what the bridge did not know yet as `snapshot.synced`.

Idempotent: a customer whose data has not changed since the last snapshot gets no new entry, so a
rerun records nothing, and a change since is recorded as a diff. Resumable: a checkpoint (the
highest client id below which every customer is done) is saved with each batch: the customers of
a batch are read from WHMCS concurrently, then their entries, known states and the checkpoint past
them commit in one transaction, so a rerun after a crash or Ctrl-C starts after the last batch that
committed and redoes none of it."""

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
class _Snapshot:
    """One customer's changes as read from WHMCS, before they are recorded."""

    client_id: int
    closed: bool
    drafts: list[EntryDraft] = field(default_factory=list)
    states: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass(frozen=True)
class _Failed:
    """A customer WHMCS would not answer for: the batch's checkpoint waits for a rerun."""

    detail: str


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
                read = list(pool.map(partial(self._read_one, known=known), chunk))  # WHMCS, concurrently
                for client_id, outcome in zip(chunk, read, strict=True):
                    self._tally(report, client_id, outcome)
                self._record([r for r in read if isinstance(r, _Snapshot)],
                             checkpoint=None if report.errors else chunk[-1])
                progress(len(chunk))
        if stop_after is None and not report.errors:
            self.store.finish()
        return report

    @staticmethod
    def _tally(report: SyncReport, client_id: int, outcome: _Snapshot | _Failed | None) -> None:
        report.seen += 1
        if isinstance(outcome, _Snapshot):
            report.recorded += 1
            if outcome.closed:
                report.closed.append(client_id)
        elif isinstance(outcome, _Failed):
            report.errors.append({"client_id": client_id, "detail": outcome.detail})
        else:
            report.unchanged += 1

    def _read_one(self, client_id: int, *, known: dict[str, dict[str, Any]]) -> _Snapshot | _Failed | None:
        try:
            return self._snapshot(client_id, known)
        except WhmcsError as exc:
            log.warning("sync failed for a customer", extra={"client_id": client_id, "error_type": type(exc).__name__})
            return _Failed(exc.message)

    def _snapshot(self, client_id: int, known: dict[str, dict[str, Any]]) -> _Snapshot | None:
        """What WHMCS holds of the customer that the bridge does not know yet (None: nothing)."""
        details = self.whmcs.get_client(client_id)
        current = client_values(details, self.whmcs.get_pay_methods(client_id))
        snapshot = _Snapshot(client_id=client_id, closed=details.status == "Closed" and self.on_closed is not None)
        changes = diff(known.get(client_ref(client_id)), current)
        if changes:
            snapshot.drafts.append(self._draft(Subject.of("client", client_id), client_id, changes))
            snapshot.states.append((client_ref(client_id), current))
        for contact in self.whmcs.iter_contacts(client_id):
            subject = contact_ref(contact.id)
            contact_changes = diff(known.get(subject), contact.fields())
            if contact_changes:
                snapshot.drafts.append(self._draft(Subject.of("contact", contact.id), client_id, contact_changes))
                snapshot.states.append((subject, contact.fields()))
        return snapshot if snapshot.drafts else None

    def _record(self, snapshots: list[_Snapshot], *, checkpoint: int | None) -> None:
        """One transaction for the batch: every customer's entries, known states and schedule, and
        the checkpoint past them, so a crash leaves all of the batch or none of it."""
        if not snapshots and checkpoint is None:
            return
        with self.ledger.unit():
            if snapshots:
                seqs = self.ledger.append([d for s in snapshots for d in s.drafts]).seqs
                end = 0
                for snapshot in snapshots:
                    end += len(snapshot.drafts)  # its states are known as of its last entry
                    for subject, values in snapshot.states:
                        self.states.record(snapshot.client_id, subject, values, seq=seqs[end - 1])
                    if snapshot.closed:
                        self.on_closed(snapshot.client_id)
            if checkpoint is not None:
                self.store.save_checkpoint(checkpoint)

    def _draft(self, subject: Subject, client_id: int, changes) -> EntryDraft:  # noqa: ANN001
        return EntryDraft(event_type=EventType.SNAPSHOT_SYNCED, occurred_at=self.ledger.clock.now(),
                          subject=subject, actor=SYNC_ACTOR, changes=changes,
                          key_subject=Subject.of("client", client_id), client_id=client_id,
                          details={"baseline": all(c.old is None for c in changes)})


def _chunks(items: Iterator[int], size: int) -> Iterator[list[int]]:
    while chunk := list(islice(items, size)):
        yield chunk
