"""The job queue's interface and value types; storage lives in bridge.db.job_store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    payload: Mapping[str, Any]  # ids and references only: personal values stay in the ledger
    attempts: int
    client_id: int | None
    status: str
    run_after: datetime
    last_error: str | None = None
    dedupe_key: str | None = None


class JobQueue(Protocol):
    def enqueue(self, kind: str, payload: Mapping[str, Any], *, client_id: int | None = None,
                dedupe_key: str | None = None, run_after: datetime | None = None,
                now: datetime | None = None) -> int | None:
        """Add a job; with a dedupe_key already pending or running, add nothing and return None."""

    def lease(self, *, owner: str, now: datetime, lease_for: timedelta,
              kinds: tuple[str, ...] | None = None) -> Job | None:
        """Take the oldest due job no live lease holds; one worker per job, across processes."""

    def complete(self, job_id: int, *, owner: str, now: datetime) -> bool: ...

    def retry(self, job_id: int, *, owner: str, now: datetime, run_after: datetime, error: str) -> bool: ...

    def fail(self, job_id: int, *, owner: str, now: datetime, error: str) -> bool: ...

    def for_client(self, client_id: int, *, open_only: bool = True) -> list[Job]: ...

    def counts(self) -> dict[str, int]: ...
