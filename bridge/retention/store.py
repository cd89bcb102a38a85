"""What retention needs from storage. Writes join the caller's unit of work (Ledger.unit), so a
schedule, a hold or a purge commits together with its ledger entry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from bridge.retention.planner import Hold, Retention


class StaleRecord(Exception):  # noqa: N818 - a signal to re-read and try again, not a failure
    """The record changed since it was read (another event won the race): re-read and retry."""


class RetentionStore(Protocol):
    def get(self, client_id: int) -> Retention | None: ...

    def put(self, record: Retention, *, expected_version: int) -> None:
        """Write `record` if the stored version is still `expected_version`, else raise StaleRecord."""

    def mark_finished(self, client_id: int, *, status: str, at: datetime) -> None:
        """Purged or deleted: clear the schedule, the step and any pending shred."""

    def planned(self, *, after: int = 0, limit: int | None = None) -> Iterator[Retention]:
        """The records with a schedule, or a cancelled one, for the planner, by client id above
        `after`: at most `limit` of them, or all (None)."""

    def due(self, as_of: datetime, *, limit: int, failed: bool = False,
            after: tuple[datetime, int] | None = None) -> list[Retention]:
        """One page of the customers due by `as_of` and not under a staff hold, whose last attempt
        failed (`failed`) or not, oldest `purge_due_at` first (then client id), past `after`."""

    def count_due(self, as_of: datetime) -> int: ...

    def pending_shreds(self) -> list[Retention]: ...

    def lease(self, client_id: int, *, owner: str, now: datetime, until: datetime) -> Retention | None:
        """Take the customer for one run; None while another run's lease is live."""

    def release(self, client_id: int, *, owner: str) -> None: ...

    def save_step(self, client_id: int, *, owner: str, step: str | None, progress: dict,
                  error: str | None = None) -> bool:
        """Persist progress under our lease; False when the lease was lost."""

    def place_hold(self, hold: Hold, seq: int | None) -> None:
        """Store a hold placed by ledger entry `seq`."""

    def release_hold(self, hold_id: str, *, at: datetime, by: str) -> None:
        """Release an active hold, else raise StaleRecord."""

    def hold(self, hold_id: str) -> Hold | None: ...

    def holds_for(self, client_id: int) -> list[Hold]: ...

    def active_holds(self) -> list[Hold]: ...

    def meta(self, name: str) -> str | None: ...

    def set_meta(self, name: str, value: str) -> None: ...

    def known_clients(self, *, after: int, limit: int) -> list[int]:
        """Client ids the bridge tracks (ascending, above `after`), for bounded daily polls."""
