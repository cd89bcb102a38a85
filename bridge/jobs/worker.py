"""The job worker: lease, run the handler for the job's kind, then complete, retry with backoff,
or fail. A handler raises Retryable for transient trouble (WHMCS unreachable, 5xx) and Final for
answers that will not change (WHMCS said no); anything else is treated as retryable, logged by
type only."""

from __future__ import annotations

import logging
import os
import random
import socket
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from bridge.clock import Clock
from bridge.jobs.queue import Job, JobQueue
from bridge.whmcs.errors import WhmcsRejected, WhmcsUnavailable

log = logging.getLogger("bridge.jobs")
Handler = Callable[[Job], None]


class Retryable(Exception):
    """Try again later. The message must be safe to store (no personal values)."""


class Final(Exception):
    """Do not try again. The message must be safe to store (no personal values)."""


@contextmanager
def whmcs_failures(refused: str = "WHMCS refused") -> Iterator[None]:
    """WHMCS's failures as a job sees them: unreachable or 5xx is Retryable (the job retries its
    write later: the client sends a write once), a refusal is Final, "<refused>: <WHMCS's message>"."""
    try:
        yield
    except WhmcsUnavailable as exc:
        raise Retryable(f"WHMCS unavailable during {exc.action}") from None
    except WhmcsRejected as exc:
        raise Final(f"{refused}: {exc.whmcs_message}" if exc.whmcs_message else f"{refused} {exc.action}") from None


@dataclass(frozen=True)
class Backoff:
    base_s: float = 5.0
    cap_s: float = 3600.0
    max_attempts: int = 12

    def delay(self, attempts: int) -> timedelta:
        ceiling = min(self.cap_s, self.base_s * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311 - jitter, not crypto


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    def __init__(self, *, queue: JobQueue, handlers: Mapping[str, Handler], clock: Clock,
                 backoff: Backoff | None = None, owner: str | None = None,
                 lease_for: timedelta = timedelta(minutes=5)) -> None:
        self.queue, self.handlers, self.clock = queue, dict(handlers), clock
        self.backoff = backoff or Backoff()
        self.owner = owner or worker_id()
        self.lease_for = lease_for

    def run_once(self) -> bool:
        """Run one due job if there is one; False when nothing was due."""
        job = self.queue.lease(owner=self.owner, now=self.clock.now(), lease_for=self.lease_for,
                               kinds=tuple(self.handlers))
        if job is None:
            return False
        self._run(job)
        return True

    def drain(self, *, limit: int = 10_000) -> int:
        """Run due jobs until none is left (or `limit`); returns how many ran."""
        ran = 0
        while ran < limit and self.run_once():
            ran += 1
        return ran

    def _run(self, job: Job) -> None:
        try:
            self.handlers[job.kind](job)
        except Final as exc:
            self.queue.fail(job.id, owner=self.owner, now=self.clock.now(), error=str(exc)[:500])
            log.warning("job failed", extra={"job": job.kind, "attempt": job.attempts})
            return
        except Exception as exc:  # noqa: BLE001 - any trouble is retried, up to max_attempts
            self._retry(job, exc)
            return
        self.queue.complete(job.id, owner=self.owner, now=self.clock.now())

    def _retry(self, job: Job, exc: Exception) -> None:
        message = str(exc)[:500] if isinstance(exc, Retryable) else f"unexpected {type(exc).__name__}"
        now = self.clock.now()
        if job.attempts >= self.backoff.max_attempts:
            self.queue.fail(job.id, owner=self.owner, now=now, error=f"gave up: {message}")
            log.error("job gave up", extra={"job": job.kind, "attempt": job.attempts, "error_type": type(exc).__name__})
            return
        self.queue.retry(job.id, owner=self.owner, now=now, run_after=now + self.backoff.delay(job.attempts),
                         error=message)
        log.info("job retry", extra={"job": job.kind, "attempt": job.attempts, "error_type": type(exc).__name__})
