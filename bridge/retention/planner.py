"""Pure retention planning: calendar-month arithmetic, the ordering of status events, and who is
due, held, reactivated or scheduled as of a date. No I/O; every input is a plain value."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import Any

from bridge.clock import parse_rfc3339, rfc3339

CLOSED, REACTIVATED, DELETED, PURGED = "closed", "reactivated", "deleted", "purged"


def add_months(at: datetime, months: int) -> datetime:
    """`at` plus calendar months; a day the target month lacks becomes its last day
    (29 Feb 2028 + 12 months = 28 Feb 2029; 31 Jan + 1 month = 28/29 Feb)."""
    total = at.month - 1 + months
    year, month = at.year + total // 12, total % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def start_of(day: date) -> datetime:
    """`as_of=YYYY-MM-DD` means the start of that day, UTC."""
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True)
class StatusEvent:
    """A move into or out of Closed. Later events win by (occurred_at, outbox_id)."""

    kind: str  # closed | reactivated
    occurred_at: datetime
    outbox_id: int | None = None

    @property
    def key(self) -> tuple[datetime, int]:
        return (self.occurred_at, self.outbox_id or 0)


@dataclass(frozen=True)
class Retention:
    """What the bridge knows of one customer's retention. `purge_due_at` is set while a purge is
    scheduled and fixed from the moment it was scheduled."""

    client_id: int
    status: str | None = None  # closed | reactivated | deleted | purged
    status_at: datetime | None = None
    status_outbox: int | None = None
    closed_at: datetime | None = None
    purge_due_at: datetime | None = None
    reactivated_at: datetime | None = None
    deleted_at: datetime | None = None
    purged_at: datetime | None = None
    shred_pending: bool = False
    step: str | None = None
    progress: dict = field(default_factory=dict)
    version: int = 0

    @property
    def key(self) -> tuple[datetime, int] | None:
        return None if self.status_at is None else (self.status_at, self.status_outbox or 0)

    @property
    def finished(self) -> bool:
        return self.status in (PURGED, DELETED) and not self.shred_pending


@dataclass(frozen=True)
class Hold:
    hold_id: str
    client_id: int
    reason: str
    auto: bool
    placed_at: datetime
    released_at: datetime | None = None
    invoice_ids: tuple[int, ...] = ()
    seq: int | None = None
    released_by: str | None = None

    @property
    def active(self) -> bool:
        return self.released_at is None


@dataclass(frozen=True)
class Transition:
    """The new record and which entry (if any) the move deserves: scheduled or cancelled."""

    record: Retention
    entry: str | None  # "scheduled" | "cancelled" | None


def on_status(current: Retention | None, event: StatusEvent, *, months: int, client_id: int) -> Transition | None:
    """Apply a status event; None when it changes nothing (stale, or the data is already gone)."""
    record = current or Retention(client_id=client_id)
    if record.status in (PURGED, DELETED) or (record.key is not None and event.key <= record.key):
        return None
    moved = replace(record, status=event.kind, status_at=event.occurred_at, status_outbox=event.outbox_id)
    if event.kind == CLOSED:
        if record.purge_due_at is not None:
            return Transition(moved, None)  # already scheduled: the date stays fixed
        due = add_months(event.occurred_at, months)
        return Transition(replace(moved, closed_at=event.occurred_at, purge_due_at=due), "scheduled")
    moved = replace(moved, reactivated_at=event.occurred_at)
    if record.purge_due_at is None:
        return Transition(moved, None)
    return Transition(replace(moved, closed_at=None, purge_due_at=None), "cancelled")


@dataclass(frozen=True)
class DueCursor:
    """A place in a run's walk through the due set, which goes customers without a recorded
    failure first, then those with one, each oldest `purge_due_at` first (ties by client id)."""

    failed: bool
    purge_due_at: datetime
    client_id: int

    @property
    def key(self) -> tuple[datetime, int]:
        return (self.purge_due_at, self.client_id)

    def as_payload(self) -> dict[str, Any]:
        return {"failed": self.failed, "purge_due_at": rfc3339(self.purge_due_at), "client_id": self.client_id}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> DueCursor:
        return cls(failed=bool(payload["failed"]), purge_due_at=parse_rfc3339(payload["purge_due_at"]),
                   client_id=int(payload["client_id"]))


def is_due(record: Retention, as_of: datetime) -> bool:
    return (record.status == CLOSED and record.purge_due_at is not None and record.purge_due_at <= as_of
            and record.purged_at is None)


@dataclass(frozen=True)
class Plan:
    as_of: date
    due: list[Retention]
    held: list[Hold]
    reactivated: list[Retention]
    scheduled: list[Retention]


def make_plan(records: Iterable[Retention], holds: Iterable[Hold], as_of: date) -> Plan:
    """Due: scheduled for on or before the start of `as_of` and not held. Held: every active hold.
    Scheduled: closed by `as_of` with a purge still to come. Reactivated: schedules cancelled by a
    reactivation on or before `as_of`."""
    at = start_of(as_of)
    active = sorted((h for h in holds if h.active), key=lambda h: (h.client_id, h.placed_at))
    held_ids = {h.client_id for h in active}
    due, scheduled, reactivated = [], [], []
    for record in records:
        if record.status == CLOSED and record.purge_due_at is not None and record.closed_at <= at:
            if is_due(record, at):
                if record.client_id not in held_ids:
                    due.append(record)
            else:
                scheduled.append(record)
        elif record.status == REACTIVATED and record.reactivated_at and record.reactivated_at <= at:
            reactivated.append(record)
    due.sort(key=lambda r: (r.purge_due_at, r.client_id))
    scheduled.sort(key=lambda r: (r.purge_due_at, r.client_id))
    reactivated.sort(key=lambda r: (r.reactivated_at, r.client_id))
    return Plan(as_of=as_of, due=due, held=active, reactivated=reactivated, scheduled=scheduled)
