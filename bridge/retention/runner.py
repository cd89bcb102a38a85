"""A retention run: for each due customer, under a lease, check then erase then shred then
record, persisting a step marker after each stage so a rerun after a crash at any point resumes
where it stopped: nobody is erased early, nothing is erased twice, and no purged customer is left
unshredded (the purge entry is written only after the shred, exactly once per customer)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bridge.ledger.entries import EventType
from bridge.retention import erase
from bridge.retention.checks import irregular_invoices, live_services
from bridge.retention.entries import KEPT_DATA, RESIDUAL_DATA, RETENTION_ACTOR, client_entry, stamp
from bridge.retention.planner import CLOSED, PURGED, REACTIVATED, DueCursor, Hold, Retention, StatusEvent, start_of
from bridge.retention.service import RetentionService
from bridge.whmcs.api import WhmcsClient, WhmcsError, WhmcsNotFound, WhmcsUnavailable

log = logging.getLogger("bridge.retention")
ANONYMIZE_STEPS = ("checked", "client_updated", "contacts_deleted", "paymethods_deleted", "users_done",
                   "confirmed", "shredded")
DELETE_STEPS = ("checked", "deleting", "whmcs_deleted", "shredded")
Checkpoint = Callable[[str, int], None]
PAGE = 100  # due customers read at a time


class ConfirmFailed(Exception):
    """WHMCS did not keep the placeholder values."""


@dataclass
class RunReport:
    as_of: date
    dry_run: bool
    run_id: str
    purged: list[dict[str, Any]] = field(default_factory=list)
    held: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    remaining: int = 0
    after: DueCursor | None = None  # the last customer the run reached: where a successor goes on
    # of the errors, those where WHMCS was unavailable: a write is sent once, so the job retries them
    unavailable: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Exactly the contract's report shape."""
        return {"as_of": self.as_of.isoformat(), "dry_run": self.dry_run, "purged": self.purged,
                "held": self.held, "errors": self.errors, "remaining": self.remaining}


@dataclass(frozen=True)
class Outcome:
    kind: str  # purged | held | error | busy
    item: dict[str, Any] = field(default_factory=dict)
    unavailable: bool = False  # an error because WHMCS could not be reached or answered nonsense


@dataclass(frozen=True)
class _Run:
    id: str
    as_of: datetime  # due means purge_due_at <= as_of; never later than the bridge's now unless dry
    dry_run: bool


def _held(client_id: int, hold_id: str | None, reason: str, reference: Any = None) -> Outcome:
    return Outcome("held", {"client_id": client_id, "hold_id": hold_id, "reason": reason, "reference": reference})


class RetentionRunner:
    def __init__(self, *, service: RetentionService, whmcs: WhmcsClient | None, issue_change: Callable[[int], str],
                 strategy: str = "anonymize", owner: str | None = None, lease_for: timedelta = timedelta(minutes=10),
                 checkpoint: Checkpoint | None = None, concurrency: int = 1, reveal: bool = False,
                 residual: Any = None) -> None:
        self.service, self.store, self.ledger = service, service.store, service.ledger
        self.whmcs, self.issue_change, self.strategy = whmcs, issue_change, strategy
        self.owner = owner or f"run-{uuid.uuid4().hex[:12]}"
        self.lease_for = lease_for
        self.checkpoint = checkpoint or (lambda _step, _client: None)
        self.concurrency, self.reveal = max(1, concurrency), reveal
        self.residual = residual  # ResidualOrders: the module's part of the purge, or None

    # -- the run -----------------------------------------------------------------------------
    def run(self, as_of: date, *, dry_run: bool = False, limit: int = 100, after: DueCursor | None = None,
            progress: Callable[[int], None] = lambda _n: None) -> RunReport:
        """Purge up to `limit` due customers (none with `dry_run`, which only reports), walking the
        due set past `after` and past everyone blocked, however many. Whatever `as_of` says, a
        purge never comes before `purge_due_at` by the bridge's clock."""
        now = self.service.clock.now()
        cutoff = start_of(as_of) if dry_run else min(start_of(as_of), now)
        run = _Run(id=str(uuid.uuid4()), as_of=cutoff, dry_run=dry_run)
        report = RunReport(as_of=as_of, dry_run=dry_run, run_id=run.id, after=after)
        if not dry_run:
            self.service.finish_pending_shreds()
        report.held.extend(self._held_due(run))
        for outcome in self._walk(run, report, limit=limit, after=after):
            progress(1)
            if outcome.kind in ("purged", "held"):
                getattr(report, outcome.kind).append(outcome.item)
            elif outcome.kind == "error":
                report.errors.append(outcome.item)
                report.unavailable += outcome.unavailable
        remaining = self.store.count_due(run.as_of)
        report.remaining = max(0, remaining - len(report.purged)) if dry_run else remaining
        log.info("retention run", extra={"count": len(report.purged), "outcome": "dry-run" if dry_run else "done"})
        return report

    def _walk(self, run: _Run, report: RunReport, *, limit: int, after: DueCursor | None) -> Iterator[Outcome]:
        """Those without a recorded failure first, then those with one, each from `after` on."""
        act = self._preview if run.dry_run or self.whmcs is None else self._purge
        for failed in (False, True):
            if after is not None and after.failed and not failed:
                continue
            start = after.key if after is not None and after.failed == failed else None
            candidates = self._candidates(run, report, failed=failed, after=start)
            yield from self._each(candidates, lambda r: act(r, run), room=lambda: limit - len(report.purged))

    def _candidates(self, run: _Run, report: RunReport, *, failed: bool,
                    after: tuple[datetime, int] | None) -> Iterator[Retention]:
        """The due customers a page at a time, so memory stays flat; those that failed earlier in
        this run are not tried twice. The report's cursor follows what has been handed out."""
        tried = {e["client_id"] for e in report.errors}
        while True:
            page = self.store.due(run.as_of, limit=PAGE, failed=failed, after=after)
            for record in page:
                after = (record.purge_due_at, record.client_id)
                report.after = DueCursor(failed, *after)
                if record.client_id not in tried:
                    yield record
            if len(page) < PAGE:
                return

    def _each(self, candidates: Iterator[Retention], act: Callable[[Retention], Outcome],
              room: Callable[[], int]) -> Iterator[Outcome]:
        """Outcomes of `act` on each candidate, taking one only while purges in flight plus those
        done stay within the limit (`room` is what the limit still allows)."""
        if self.concurrency == 1:
            while room() > 0 and (candidate := next(candidates, None)) is not None:
                yield act(candidate)
            return
        window, pending = 4 * self.concurrency, set()
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="retention") as pool:
            while True:
                while len(pending) < min(window, room()) and (candidate := next(candidates, None)) is not None:
                    pending.add(pool.submit(act, candidate))
                if not pending:
                    return
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in done)

    def _held_due(self, run: _Run) -> list[dict[str, Any]]:
        """Due customers skipped for an active hold: reported without a WHMCS call."""
        items = []
        for hold in (h for h in self.store.active_holds() if not h.auto):
            record = self.store.get(hold.client_id)
            if record is not None and record.status == CLOSED and record.purge_due_at is not None \
                    and record.purge_due_at <= run.as_of:
                items.append(_held(hold.client_id, hold.hold_id, hold.reason, self.reference(hold)).item)
        return items

    def reference(self, hold: Hold) -> Any:
        """The hold's reference as the caller may see it (from its ledger entry)."""
        entry = self.ledger.entry(hold.seq, reveal=self.reveal) if hold.seq else None
        return entry["details"].get("reference") if entry else None

    # -- one customer ----------------------------------------------------------------------
    def _purge(self, candidate: Retention, run: _Run) -> Outcome:
        client_id = candidate.client_id
        now = self.service.clock.now()
        record = self.store.lease(client_id, owner=self.owner, now=now, until=now + self.lease_for)
        if record is None:
            return Outcome("busy")  # another run holds this customer
        try:
            outcome = self._advance(record, run)
        except WhmcsError as exc:
            outcome = self._failed(client_id, str(exc), unavailable=isinstance(exc, WhmcsUnavailable))
        except ConfirmFailed:
            self.store.save_step(client_id, owner=self.owner, step="checked", progress=record.progress,
                                 error="confirm failed")
            outcome = Outcome("error", {"client_id": client_id,
                                        "detail": "WHMCS did not keep the placeholder values; will retry"})
        except Exception as exc:  # noqa: BLE001 - one customer's trouble never stops the run
            outcome = self._failed(client_id, f"unexpected {type(exc).__name__}")
        if outcome.kind != "purged":  # a purge's own entry transaction already let go of the lease
            self.store.release(client_id, owner=self.owner)
        return outcome

    def _failed(self, client_id: int, detail: str, *, unavailable: bool = False) -> Outcome:
        current = self.store.get(client_id)
        if current is not None:
            self.store.save_step(client_id, owner=self.owner, step=current.step, progress=current.progress,
                                 error=detail[:500])
        log.warning("retention purge failed", extra={"client_id": client_id})
        return Outcome("error", {"client_id": client_id, "detail": detail}, unavailable=unavailable)

    def _advance(self, record: Retention, run: _Run) -> Outcome:
        client_id = record.client_id
        if record.status != CLOSED or record.purged_at is not None or record.purge_due_at is None \
                or record.purge_due_at > run.as_of:
            return Outcome("busy")  # changed since it was listed (reactivated, or purged by another run)
        holds = self.store.holds_for(client_id)
        staff = [h for h in holds if h.active and not h.auto]
        if staff:
            return _held(client_id, staff[0].hold_id, staff[0].reason, self.reference(staff[0]))
        progress = dict(record.progress)
        if record.step in (None, "checked"):
            blocked, progress = self._check(record, holds, run)
            if blocked is not None:
                return blocked
            self._save(client_id, "checked", progress)
        steps = DELETE_STEPS if progress["strategy"] == "delete" else ANONYMIZE_STEPS
        position = steps.index(record.step) + 1 if record.step in steps[1:] else 1
        for step in steps[position:]:
            self._do(step, client_id, progress)
            self._save(client_id, step, progress)
        return self._record_purge(record, progress, run)

    def _save(self, client_id: int, step: str, progress: dict) -> None:
        if not self.store.save_step(client_id, owner=self.owner, step=step, progress=progress):
            raise RuntimeError("lost the customer's lease")
        self.checkpoint(step, client_id)

    # -- checks ----------------------------------------------------------------------------
    def _check(self, record: Retention, holds: list[Hold], run: _Run) -> tuple[Outcome | None, dict]:
        """Re-read the customer; skip the reactivated and anyone with a live service; place or
        release the automatic accounting hold. (None, progress) when the purge may go ahead."""
        client_id = record.client_id
        try:
            details = self.whmcs.get_client(client_id)
        except WhmcsNotFound:
            self.service.record_deletion(client_id, at=self.service.clock.now())
            return Outcome("purged", {"client_id": client_id, "strategy": "deleted_in_whmcs"}), {}
        if details.status != "Closed":
            self.service.record_status(client_id, StatusEvent(REACTIVATED, self.service.clock.now()),
                                       reason="reactivated_in_whmcs")
            return _held(client_id, None, "reactivated_in_whmcs"), {}
        if live_services(list(self.whmcs.iter_client_products(client_id))):
            return _held(client_id, None, "active_service"), {}
        invoices = list(self.whmcs.iter_invoices(client_id))
        blocked = self._accounting(client_id, holds, invoices, run)
        if blocked is not None:
            return blocked, {}
        users = erase.users_plan(self.whmcs, client_id, details)
        return None, {"strategy": self.strategy, "run_id": run.id, "users": users, "api_calls": [],
                      "invoices_checked": len(invoices), "holds_checked": [h.hold_id for h in holds]}

    def _accounting(self, client_id: int, holds: list[Hold], invoices: list, run: _Run) -> Outcome | None:
        auto = [h for h in holds if h.auto and h.active]
        waived = {i for h in holds if h.auto and not h.active and h.released_by != RETENTION_ACTOR.id
                  for i in h.invoice_ids}  # staff released these: their invoices no longer block
        irregular = [i for i in irregular_invoices(invoices, today=run.as_of.date()) if i not in waived]
        if irregular:
            hold = auto[0] if auto else self.service.place_auto_hold(client_id, irregular, run_id=run.id)
            return _held(client_id, hold.hold_id, hold.reason, "invoices " + ", ".join(map(str, irregular)))
        for hold in auto:
            self.service.release_hold(hold.hold_id, actor=RETENTION_ACTOR, resolved=True)
        return None

    # -- erasing ---------------------------------------------------------------------------
    def _do(self, step: str, client_id: int, progress: dict) -> None:
        calls = progress["api_calls"]
        ids = self._change_id
        if step == "client_updated":
            calls.append(erase.update_client(self.whmcs, client_id, ids))
        elif step == "contacts_deleted":
            calls.append(erase.delete_contacts(self.whmcs, client_id, ids))
        elif step == "paymethods_deleted":
            calls.append(erase.delete_pay_methods(self.whmcs, client_id, ids))
        elif step == "users_done":
            calls.extend(erase.erase_users(self.whmcs, client_id, progress["users"], ids))
        elif step == "confirmed":
            if not erase.confirm(self.whmcs, client_id):
                raise ConfirmFailed(client_id)
            calls.append({"action": "GetClientsDetails", "purpose": "confirm"})
        elif step == "whmcs_deleted":
            calls.append(erase.delete_client(self.whmcs, client_id, ids))
        elif step == "shredded":
            if self.residual is not None:  # the addresses are read while the customer's key still opens them
                self.residual.prepare(client_id, strategy=progress["strategy"])
            for subject in _subjects(client_id, progress):
                self.ledger.shred(subject)

    def _change_id(self, client_id: int) -> str:
        return self.issue_change(client_id)

    def _record_purge(self, record: Retention, progress: dict, run: _Run) -> Outcome:
        client_id, now = record.client_id, self.service.clock.now()
        details = {"run_id": run.id, "first_run_id": progress.get("run_id"), "strategy": progress["strategy"],
                   "as_of": run.as_of.date().isoformat(), "closed_at": stamp(record.closed_at),
                   "purge_due_at": stamp(record.purge_due_at), "api_calls": progress["api_calls"],
                   "invoices_checked": progress.get("invoices_checked", 0),
                   "holds_checked": progress.get("holds_checked", []),
                   "users": progress.get("users", {}), "shredded": _subjects(client_id, progress),
                   "residual_data": list(RESIDUAL_DATA)}
        order_id = self.residual.order_id(client_id) if self.residual is not None else None
        if order_id is not None:
            details.update(residual_data=list(KEPT_DATA), residual_order=order_id)
        draft = client_entry(EventType.RETENTION_PURGED, client_id, at=now, details=details)
        with self.ledger.unit():  # the purge entry, the finished record and the residual order
            if not self.ledger.append([draft], webhook_id=f"bridge:purge:{client_id}").duplicate:
                self.store.mark_finished(client_id, status=PURGED, at=now)
                if order_id is not None:
                    self.residual.open(client_id, order_id=order_id, strategy=progress["strategy"], at=now)
        self.checkpoint("purged", client_id)
        return Outcome("purged", {"client_id": client_id, "strategy": progress["strategy"]})

    # -- dry run -----------------------------------------------------------------------------
    def _preview(self, record: Retention, run: _Run) -> Outcome:
        """What a run would do, changing nothing: reads WHMCS (when configured), writes nothing."""
        client_id = record.client_id
        if self.whmcs is None:
            return Outcome("purged", {"client_id": client_id, "strategy": self.strategy})
        try:
            details = self.whmcs.get_client(client_id)
            if details.status != "Closed":
                return _held(client_id, None, "reactivated_in_whmcs")
            if live_services(list(self.whmcs.iter_client_products(client_id))):
                return _held(client_id, None, "active_service")
            invoices = list(self.whmcs.iter_invoices(client_id))
        except WhmcsNotFound:
            return Outcome("purged", {"client_id": client_id, "strategy": "deleted_in_whmcs"})
        except WhmcsError as exc:
            return Outcome("error", {"client_id": client_id, "detail": str(exc)})
        irregular = irregular_invoices(invoices, today=run.as_of.date())
        if irregular:
            return _held(client_id, None, "accounting_irregularity", "invoices " + ", ".join(map(str, irregular)))
        return Outcome("purged", {"client_id": client_id, "strategy": self.strategy})


def _subjects(client_id: int, progress: dict) -> list[str]:
    users = progress.get("users", {}).get("anonymize", [])
    return [f"client:{client_id}", *(f"user:{u}" for u in users)]
