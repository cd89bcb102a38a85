"""The day's background work, queued by WHMCS's DailyCronJob event inside its unit of work and never
run in the webhook request: the retention run (when autorun is on), the ledger anchor and the
pay-method poll."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bridge.clock import Clock
from bridge.jobs.queue import JobQueue
from bridge.ledger.anchoring import ANCHOR_JOB
from bridge.retention.service import RUN_JOB
from bridge.sync.paymethods import PAYMETHOD_POLL_JOB


@dataclass(frozen=True)
class DailyJobs:
    queue: JobQueue
    clock: Clock
    retention_autorun: bool = True

    def queue_for(self, at: datetime) -> None:
        """Queue the day's jobs once per day. The day is that of `min(at, now)`: a cron event
        stamped ahead of the bridge's clock (WHMCS's clock ahead, an outbox row delivered with a
        later stamp) never starts a run as of a day still to come."""
        now = self.clock.now()
        day = min(at, now).date().isoformat()
        if self.retention_autorun:
            self.queue.enqueue(RUN_JOB, {"as_of": day, "batch": 0}, dedupe_key=f"retention-run:{day}:0", now=now)
        self.queue.enqueue(ANCHOR_JOB, {"day": day}, dedupe_key=f"anchor:{day}", now=now)
        self.queue.enqueue(PAYMETHOD_POLL_JOB, {"day": day}, dedupe_key=f"paymethod-poll:{day}", now=now)
