"""Job handlers for the daily work: a retention run (in batches that queue their successor), the
ledger anchor in WHMCS's activity log, a bounded pay-method poll, and shredding the 8.x Users a
deleted customer leaves behind."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from bridge.jobs.queue import Job
from bridge.jobs.worker import Final, Retryable
from bridge.ledger.anchoring import anchor_head
from bridge.ledger.entries import Actor, Category, Change, EntryDraft, EventType, Subject
from bridge.retention.planner import DueCursor
from bridge.retention.runner import RetentionRunner
from bridge.retention.service import RUN_JOB, RetentionService
from bridge.sync.snapshot import masked_paymethods
from bridge.whmcs.api import WhmcsClient, WhmcsNotFound, WhmcsRejected, WhmcsUnavailable

log = logging.getLogger("bridge.retention")
POLL_ACTOR = Actor(type="system", id="bridge-paymethod-poll")
POLL_BATCH = 200
BATCH = 100


def _whmcs_errors(call: Callable[[], None]) -> None:
    try:
        call()
    except WhmcsUnavailable as exc:
        raise Retryable(f"WHMCS unavailable during {exc.action}") from None
    except WhmcsRejected as exc:
        raise Final(f"WHMCS refused {exc.action}") from None


def run_retention(runner: RetentionRunner, service: RetentionService):  # noqa: ANN201 - a job handler
    def handler(job: Job) -> None:
        day, batch = date.fromisoformat(job.payload["as_of"]), int(job.payload.get("batch", 0))
        after = job.payload.get("after")
        report = runner.run(day, limit=BATCH, after=DueCursor.from_payload(after) if after else None)
        if len(report.purged) >= BATCH and report.remaining and report.after is not None:
            # the batch filled up: the next goes on from where this one stopped, not past the blocked again
            service.queue.enqueue(RUN_JOB, {"as_of": day.isoformat(), "batch": batch + 1,
                                            "after": report.after.as_payload()},
                                  dedupe_key=f"retention-run:{day.isoformat()}:{batch + 1}", now=service.clock.now())
        # WHMCS writes are sent once: a customer whose erasure met an unavailable WHMCS is tried
        # again when this job is retried (with the worker's backoff), not only by tomorrow's run
        if report.errors and (report.unavailable or not report.purged):
            raise Retryable(f"retention run: {len(report.errors)} customers failed")

    return handler


def anchor(ledger, whmcs: WhmcsClient):  # noqa: ANN001, ANN201
    def handler(_job: Job) -> None:
        _whmcs_errors(lambda: anchor_head(ledger, whmcs=whmcs))

    return handler


class PayMethodPoll:
    """Diff GetPayMethods against the last known list for a bounded slice of the known clients per
    job, resuming at a cursor, so a day's poll is cheap at any installation size."""

    def __init__(self, *, service: RetentionService, whmcs: WhmcsClient, states, batch: int = POLL_BATCH) -> None:  # noqa: ANN001
        self.service, self.whmcs, self.states, self.batch = service, whmcs, states, batch

    def __call__(self, _job: Job) -> None:
        store = self.service.store
        after = int(store.meta("paymethod_poll_after") or 0)
        ids = store.known_clients(after=after, limit=self.batch)
        for client_id in ids:
            record = store.get(client_id)
            if record is not None and record.finished:
                continue
            _whmcs_errors(lambda cid=client_id: self.poll(cid))
        store.set_meta("paymethod_poll_after", str(ids[-1] if len(ids) == self.batch else 0))

    def poll(self, client_id: int) -> bool:
        try:
            current = masked_paymethods(self.whmcs.get_pay_methods(client_id))
        except WhmcsNotFound:
            return False
        ref = f"client:{client_id}"
        known = (self.states.get(ref) or {}).get("paymethods")
        if known is not None and sorted(known) == current or (known is None and not current):
            return False
        ledger = self.service.ledger
        draft = EntryDraft(event_type=EventType.PAYMETHOD_CHANGED, occurred_at=ledger.clock.now(),
                           subject=Subject.of("client", client_id), actor=POLL_ACTOR, client_id=client_id,
                           changes=(Change("paymethods", Category.BILLING, known, current),),
                           details={"source": "GetPayMethods"})
        op = self.states.op_put(client_id, ref, {"paymethods": current})
        ledger.append([draft], also=[op] if op else [])
        return True


def shred_orphan_users(ledger, whmcs: WhmcsClient):  # noqa: ANN001, ANN201
    """After a deletion: shred the keys of Users that WHMCS removed with the customer or that are
    linked to no account any more."""
    def handler(job: Job) -> None:
        wanted = set(job.payload["user_ids"])

        def sweep() -> None:
            alive = {u.id: u for u in whmcs.iter_users() if u.id in wanted}
            for user_id in sorted(wanted):
                if user_id not in alive or not alive[user_id].client_ids:
                    ledger.shred(f"user:{user_id}")

        _whmcs_errors(sweep)

    return handler
