"""Schedules, cancellations, holds and shredding on deletion: each a ledger entry written in the
same unit of work as the retention row it changes. Nothing here talks to WHMCS."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bridge.errors import Conflict, NotFound, Unprocessable
from bridge.jobs.queue import JobQueue
from bridge.ledger.entries import Actor, EntryDraft, EventType
from bridge.ledger.service import Ledger
from bridge.retention.entries import KEPT_DATA, RESIDUAL_DATA, client_entry, stamp
from bridge.retention.planner import CLOSED, DELETED, PURGED, REACTIVATED, Hold, Retention, StatusEvent, on_status
from bridge.retention.store import RetentionStore, StaleRecord

if TYPE_CHECKING:  # residual orders answer the module's reports through ingest, which imports this
    from bridge.retention.residual import ResidualOrders

HOLD_REASONS = ("legal_obligation", "accounting_irregularity", "legal_process")
RUN_JOB, ORPHAN_USERS_JOB = "retention_run", "retention_orphan_users"
DELETING_STEPS = frozenset({"deleting", "whmcs_deleted", "shredded"})  # the run's own DeleteClient
DELETE_ORDER = "delete"  # the residual-erasure strategy after a deletion in WHMCS: rows deleted, not redacted
_STATUS_EVENTS = {EventType.CLIENT_CLOSED: CLOSED, EventType.CLIENT_REACTIVATED: REACTIVATED}
_ATTEMPTS = 8


class RetentionService:
    def __init__(self, *, store: RetentionStore, ledger: Ledger, queue: JobQueue, months: int,
                 residual: ResidualOrders | None = None) -> None:
        self.store, self.ledger, self.queue, self.months = store, ledger, queue, months
        self.residual = residual  # the module's erasure after a deletion too, or None

    @property
    def clock(self):  # noqa: ANN201
        return self.ledger.clock

    # -- hook events (in the event's unit of work) --------------------------------------------
    def follow_account_status(self, appended: Sequence[tuple[int, EntryDraft]], *, outbox_id: int | None) -> None:
        """Closures schedule the purge, reactivations cancel it, deletions shred."""
        for seq, draft in appended:
            kind = _STATUS_EVENTS.get(draft.event_type)
            if kind is not None and draft.client_id is not None:
                self.record_status(draft.client_id, StatusEvent(kind, draft.occurred_at, outbox_id), trigger_seq=seq)
            elif draft.event_type == EventType.CLIENT_DELETED and draft.client_id is not None:
                self.record_deletion(draft.client_id, at=draft.occurred_at)

    def record_status(self, client_id: int, event: StatusEvent, *, trigger_seq: int | None = None,
                      reason: str | None = None) -> str | None:
        """Apply a closure or reactivation; returns "scheduled", "cancelled" or None (no entry)."""
        def attempt(current: Retention | None) -> tuple[list[EntryDraft], Retention] | None:
            moved = on_status(current, event, months=self.months, client_id=client_id)
            if moved is None:
                return None
            drafts = [self._status_draft(moved.entry, moved.record, current, event, trigger_seq, reason)]
            return (drafts if moved.entry else []), moved.record

        drafts = self._compare_and_set(client_id, attempt)
        if not drafts:
            return None
        return "scheduled" if drafts[0].event_type == EventType.RETENTION_SCHEDULED else "cancelled"

    def _status_draft(self, entry: str | None, record: Retention, before: Retention | None, event: StatusEvent,
                      trigger_seq: int | None, reason: str | None) -> EntryDraft:
        details: dict[str, Any] = {"trigger_seq": trigger_seq, "outbox_id": event.outbox_id}
        if entry == "scheduled":
            details.update(closed_at=stamp(record.closed_at), purge_due_at=stamp(record.purge_due_at),
                           retention_months=self.months)
            return client_entry(EventType.RETENTION_SCHEDULED, record.client_id, at=event.occurred_at,
                                details=details)
        details.update(reactivated_at=stamp(event.occurred_at), reason=reason or "reactivated",
                       cancelled_purge_due_at=stamp(before.purge_due_at if before else None))
        return client_entry(EventType.RETENTION_CANCELLED, record.client_id, at=event.occurred_at, details=details)

    def _compare_and_set(self, client_id: int, attempt: Callable) -> list[EntryDraft] | None:
        """Decide on the current record and write it only if nobody changed it meanwhile; the
        drafts written, or None when the decision was to change nothing."""
        for _ in range(_ATTEMPTS):
            current = self.store.get(client_id)
            outcome = attempt(current)
            if outcome is None:
                return None
            drafts, record = outcome
            try:
                with self.ledger.unit():  # the entries first: the chain head's lock orders writers
                    self.ledger.append(drafts)
                    self.store.put(record, expected_version=current.version if current else 0)
                return drafts
            except StaleRecord:
                continue  # another event for this customer won the race: decide again on fresh state
        raise Conflict("the customer's retention record kept changing; try again")

    def schedule_synced_closure(self, client_id: int) -> str | None:
        """For `bridge sync`: a customer already Closed in WHMCS, closure date unknown, gets sync time
        plus the retention period (never earlier); an existing schedule stays as it is."""
        return self.record_status(client_id, StatusEvent(CLOSED, self.clock.now()), reason="synced")

    # -- deletion in WHMCS -----------------------------------------------------------------
    def record_deletion(self, client_id: int, *, at: datetime) -> None:
        """PreDeleteClient/ClientDelete: shred the customer's key at once, unless a hold is active;
        then the shred waits for the last hold's release. A deletion the bridge's own run is
        making is left to that run, which records its own purge."""
        def attempt(current: Retention | None) -> tuple[list, Retention] | None:
            if current is not None and (current.status in (PURGED, DELETED) or current.step in DELETING_STEPS):
                return None
            base = current or Retention(client_id=client_id)
            return [], replace(base, status=DELETED, status_at=at, deleted_at=at, purge_due_at=None,
                               shred_pending=True)

        with self.ledger.unit():  # the deletion, and the shred when no hold stops it: at once
            if self._compare_and_set(client_id, attempt) is not None and not self.held(client_id):
                self.finish_deletion(client_id)

    def finish_deletion(self, client_id: int) -> None:
        """Shred a deleted customer's keys and record it (exactly once), in one unit of work. WHMCS's
        own delete leaves rows behind (activity-log lines and guest tickets naming the customer,
        the module's dead outbox payloads, whatever a WHMCS version keeps), so a deletion queues a
        residual-erasure order as a purge does, with strategy `delete`: the account is gone, so
        are its rows."""
        users = self._owner_users(client_id)
        order_id = None
        if self.residual is not None:  # the addresses are read while the customer's key still opens them
            order_id = self.residual.prepare(client_id, strategy=DELETE_ORDER).order_id
        now = self.clock.now()
        details = {"strategy": "deleted_in_whmcs", "api_calls": [], "shredded": [f"client:{client_id}"],
                   "holds_checked": [h.hold_id for h in self.store.holds_for(client_id)],
                   "residual_data": list(RESIDUAL_DATA)}
        if order_id is not None:
            details.update(residual_data=list(KEPT_DATA), residual_order=order_id)
        draft = client_entry(EventType.RETENTION_PURGED, client_id, at=now, details=details)
        with self.ledger.unit():
            if self.ledger.append([draft], webhook_id=f"bridge:purge:{client_id}").duplicate:
                return
            self.ledger.shred(f"client:{client_id}")
            self.store.mark_finished(client_id, status=DELETED, at=now)
            if order_id is not None:
                self.residual.open(client_id, order_id=order_id, strategy=DELETE_ORDER, at=now)
            if users:
                self.queue.enqueue(ORPHAN_USERS_JOB, {"client_id": client_id, "user_ids": users},
                                   client_id=client_id, dedupe_key=f"orphans:{client_id}", now=now)

    def _owner_users(self, client_id: int) -> list[int]:
        created = self.ledger.entries_of_type(client_id, str(EventType.CLIENT_CREATED), reveal=False)
        return sorted({e["details"]["owner_user_id"] for e in created if e["details"].get("owner_user_id")})

    def finish_pending_shreds(self) -> int:
        """Deleted customers whose holds are all released now (or whose shred a crash cut short)."""
        done = 0
        for record in self.store.pending_shreds():
            if not self.held(record.client_id):
                self.finish_deletion(record.client_id)
                done += 1
        return done

    # -- holds -----------------------------------------------------------------------------
    def held(self, client_id: int) -> bool:
        return any(h.active for h in self.store.holds_for(client_id))

    def place_hold(self, client_id: int, *, reason: str, reference: str, note: str | None,
                   actor: Actor) -> dict[str, Any]:
        """A legal hold: the customer is never purged while it is active."""
        if reason not in HOLD_REASONS:
            raise Unprocessable("unknown hold reason", errors={"reason": [f"one of {', '.join(HOLD_REASONS)}"]})
        record = self.store.get(client_id)
        if record is not None and record.finished:
            raise Conflict("this customer's data has already been purged")
        hold = Hold(hold_id=str(uuid.uuid4()), client_id=client_id, reason=reason, auto=False,
                    placed_at=self.clock.now())
        draft = client_entry(EventType.HOLD_PLACED, client_id, at=hold.placed_at, actor=actor,
                             details={"hold_id": hold.hold_id, "reason": reason, "auto": False},
                             private={"reference": reference, "note": note})
        with self.ledger.unit():
            self.store.place_hold(hold, self.ledger.append([draft]).seqs[0])
        return {**hold_view(hold), "reference": reference, "note": note, "placed_by": actor.id}

    def place_auto_hold(self, client_id: int, invoice_ids: Sequence[int], *, run_id: str) -> Hold:
        hold = Hold(hold_id=str(uuid.uuid4()), client_id=client_id, reason="accounting_irregularity", auto=True,
                    placed_at=self.clock.now(), invoice_ids=tuple(invoice_ids))
        reference = "invoices " + ", ".join(str(i) for i in invoice_ids)
        draft = client_entry(EventType.HOLD_PLACED, client_id, at=hold.placed_at,
                             details={"hold_id": hold.hold_id, "reason": hold.reason, "auto": True,
                                      "reference": reference, "invoice_ids": list(invoice_ids), "run_id": run_id})
        with self.ledger.unit():
            self.store.place_hold(hold, self.ledger.append([draft]).seqs[0])
        return hold

    def release_hold(self, hold_id: str, *, actor: Actor, resolved: bool = False) -> Hold:
        hold = self.store.hold(hold_id)
        if hold is None:
            raise NotFound("no such hold")
        if not hold.active:
            raise Conflict("this hold was already released")
        now = self.clock.now()
        draft = client_entry(EventType.HOLD_RELEASED, hold.client_id, at=now, actor=actor,
                             details={"hold_id": hold_id, "reason": hold.reason, "auto": hold.auto,
                                      "resolved": resolved})
        try:
            with self.ledger.unit():  # the release, and a deletion's shred it was holding back
                self.ledger.append([draft])
                self.store.release_hold(hold_id, at=now, by=actor.id or "")
                record = self.store.get(hold.client_id)
                if record is not None and record.shred_pending and not self.held(hold.client_id):
                    self.finish_deletion(hold.client_id)
        except StaleRecord:
            raise Conflict("this hold was already released") from None
        return replace(hold, released_at=now)

    # -- reads -----------------------------------------------------------------------------
    def retention_status(self, client_id: int) -> dict[str, Any]:
        """{closed_at, purge_due_at, status, holds}: dates, states and hold reasons, never a
        hold's free text. status: not_closed, scheduled, due, held, purging, reactivated,
        purged, deleted or deleted_held."""
        record = self.store.get(client_id)
        holds = self.store.holds_for(client_id)
        return {"closed_at": stamp(record.closed_at) if record else None,
                "purge_due_at": stamp(record.purge_due_at) if record else None,
                "status": _status(record, any(h.active for h in holds), self.clock.now()),
                "holds": [hold_view(h) for h in holds]}


def hold_view(hold: Hold) -> dict[str, Any]:
    return {"hold_id": hold.hold_id, "client_id": hold.client_id, "reason": hold.reason, "auto": hold.auto,
            "placed_at": stamp(hold.placed_at), "released_at": stamp(hold.released_at)}


def _status(record: Retention | None, held: bool, now: datetime) -> str:
    if record is None or record.status is None:
        return "not_closed"
    if record.status == DELETED:
        return "deleted_held" if record.shred_pending else "deleted"
    if record.status in (PURGED, REACTIVATED):
        return record.status
    if held:
        return "held"
    if record.step is not None:
        return "purging"
    return "due" if record.purge_due_at is not None and record.purge_due_at <= now else "scheduled"


def plan_report(service: RetentionService, as_of, *, reveal: bool, after: int = 0,  # noqa: ANN001
                limit: int | None = None) -> dict[str, Any]:
    """The contract's plan shape. A hold's reference comes from its ledger entry: in clear for
    the dpo, "[redacted]" for other roles, "[shredded]" once the customer is purged.

    With `limit`, one page of it: the next `limit` customers by client id above `after` that have
    a schedule or a cancelled one, the active holds of the same client-id range (the last page
    takes every hold beyond), and `next_after`, the `after` of the next page (None on the last).
    Memory is one page however many customers are due."""
    from bridge.retention.planner import make_plan

    records = list(service.store.planned(after=after, limit=None if limit is None else limit + 1))
    holds = service.store.active_holds()
    next_after = None
    if limit is not None:
        more = len(records) > limit
        records = records[:limit]
        next_after = records[-1].client_id if more else None
        holds = [h for h in holds if h.client_id > after and (next_after is None or h.client_id <= next_after)]
    plan = make_plan(records, holds, as_of)

    def reference(hold: Hold) -> Any:
        entry = service.ledger.entry(hold.seq, reveal=reveal) if hold.seq else None
        return entry["details"].get("reference") if entry else None

    return {
        "as_of": as_of.isoformat(),
        "due": [{"client_id": r.client_id, "closed_at": stamp(r.closed_at), "purge_due_at": stamp(r.purge_due_at)}
                for r in plan.due],
        "held": [{"client_id": h.client_id, "hold_id": h.hold_id, "reason": h.reason, "reference": reference(h)}
                 for h in plan.held],
        "reactivated": [{"client_id": r.client_id, "reactivated_at": stamp(r.reactivated_at)}
                        for r in plan.reactivated],
        "scheduled": [{"client_id": r.client_id, "purge_due_at": stamp(r.purge_due_at)} for r in plan.scheduled],
    } | ({} if limit is None else {"next_after": next_after})


def check_as_of(as_of, *, now: datetime, dry_run: bool) -> None:  # noqa: ANN001
    """A run as of a future day may only be a dry run."""
    from bridge.retention.planner import start_of

    if start_of(as_of) > now and not dry_run:
        raise Unprocessable("a future as_of is only allowed with dry_run",
                            errors={"as_of": ["in the future: use dry_run"]})
