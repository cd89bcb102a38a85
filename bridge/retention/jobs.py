"""Retention's job handlers: a retention run (in batches that queue their successor), and shredding
the 8.x Users a deleted customer leaves behind."""

from __future__ import annotations

from datetime import date

from bridge.jobs.queue import Job
from bridge.jobs.worker import Retryable, whmcs_failures
from bridge.retention.planner import DueCursor
from bridge.retention.runner import RetentionRunner
from bridge.retention.service import RUN_JOB, RetentionService
from bridge.whmcs.api import WhmcsClient

BATCH = 100


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

        with whmcs_failures():
            sweep()

    return handler
