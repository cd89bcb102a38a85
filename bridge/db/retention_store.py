"""SqlRetentionStore. Leases are one conditional UPDATE (a row is taken only when no live lease of
another owner holds it), which is atomic on SQLite and PostgreSQL alike; status changes are
compare-and-set on `version`, run inside the ledger append's transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Engine, and_, func, insert, or_, select, update

from bridge.db.base import read_tx, write_tx
from bridge.db.models import KnownState
from bridge.db.retention_models import HoldRow, RetentionMeta, RetentionRow
from bridge.retention.planner import CLOSED, REACTIVATED, Hold, Retention
from bridge.retention.store import StaleRecord

R, H, M = RetentionRow.__table__, HoldRow.__table__, RetentionMeta.__table__
PLAN_PAGE = 1000  # planned records read at a time
_FIELDS = ("status", "status_at", "status_outbox", "closed_at", "purge_due_at", "reactivated_at", "deleted_at",
           "purged_at", "shred_pending", "step")


def _record(row) -> Retention:  # noqa: ANN001 - a Row of retention_clients
    return Retention(client_id=row.client_id, progress=json.loads(row.progress or "{}"), version=row.version,
                     **{name: getattr(row, name) for name in _FIELDS})


def _hold(row) -> Hold:  # noqa: ANN001 - a Row of retention_holds
    return Hold(hold_id=row.hold_id, client_id=row.client_id, reason=row.reason, auto=row.auto,
                placed_at=row.placed_at, released_at=row.released_at, released_by=row.released_by, seq=row.seq,
                invoice_ids=tuple(json.loads(row.invoice_ids or "[]")))


def _due(as_of: datetime):  # noqa: ANN202
    # automatic holds do not exclude: each run re-reads the invoices and releases them once resolved
    held = select(H.c.client_id).where(H.c.released_at.is_(None), H.c.auto.is_(False))
    return and_(R.c.status == CLOSED, R.c.purge_due_at <= as_of, R.c.purged_at.is_(None),
                R.c.client_id.not_in(held))


class SqlRetentionStore:
    def __init__(self, *, engine: Engine) -> None:
        self.engine = engine

    # -- records -----------------------------------------------------------------------------
    def get(self, client_id: int) -> Retention | None:
        with read_tx(self.engine) as conn:
            row = conn.execute(select(R).where(R.c.client_id == client_id)).first()
        return _record(row) if row else None

    def put(self, record: Retention, *, expected_version: int) -> None:
        # `step` and `progress` belong to the run holding the lease; an event never rewinds them
        values = {name: getattr(record, name) for name in _FIELDS if name != "step"}
        values.update(version=expected_version + 1)

        with write_tx(self.engine) as conn:
            if expected_version == 0:
                exists = conn.execute(select(R.c.version).where(R.c.client_id == record.client_id)).first()
                if exists is not None:
                    raise StaleRecord(record.client_id)
                conn.execute(insert(R).values(client_id=record.client_id, **values))
                return
            changed = conn.execute(update(R).where(R.c.client_id == record.client_id,
                                                   R.c.version == expected_version).values(**values))
            if changed.rowcount != 1:
                raise StaleRecord(record.client_id)

    def mark_finished(self, client_id: int, *, status: str, at: datetime) -> None:
        with write_tx(self.engine) as conn:
            conn.execute(update(R).where(R.c.client_id == client_id).values(
                status=status, purged_at=at, purge_due_at=None, shred_pending=False, step=None,
                lease_owner=None, leased_until=None, last_error=None, version=R.c.version + 1))

    def planned(self, *, after: int = 0, limit: int | None = None) -> Iterator[Retention]:
        """By client id above `after`: at most `limit` records, or (None) all of them, read in
        keyset pages so only one page of rows is held at a time."""
        query = select(R).where(or_(and_(R.c.status == CLOSED, R.c.purge_due_at.is_not(None)),
                                    R.c.status == REACTIVATED)).order_by(R.c.client_id)
        left = limit
        while left is None or left > 0:
            size = PLAN_PAGE if left is None else min(left, PLAN_PAGE)
            with read_tx(self.engine) as conn:
                page = [_record(r) for r in conn.execute(query.where(R.c.client_id > after).limit(size))]
            yield from page
            if len(page) < size:
                return
            after = page[-1].client_id
            if left is not None:
                left -= len(page)

    def due(self, as_of: datetime, *, limit: int, failed: bool = False,
            after: tuple[datetime, int] | None = None) -> list[Retention]:
        # one keyset page: a walk past `after` costs the same at any depth and holds one page
        failures = R.c.last_error.is_not(None) if failed else R.c.last_error.is_(None)
        query = select(R).where(_due(as_of), failures)
        if after is not None:
            due_at, client_id = after
            query = query.where(or_(R.c.purge_due_at > due_at,
                                    and_(R.c.purge_due_at == due_at, R.c.client_id > client_id)))
        query = query.order_by(R.c.purge_due_at, R.c.client_id).limit(limit)
        with read_tx(self.engine) as conn:
            return [_record(r) for r in conn.execute(query)]

    def count_due(self, as_of: datetime) -> int:
        with read_tx(self.engine) as conn:
            return conn.execute(select(func.count()).select_from(R).where(_due(as_of))).scalar_one()

    def pending_shreds(self) -> list[Retention]:
        with read_tx(self.engine) as conn:
            return [_record(r) for r in conn.execute(select(R).where(R.c.shred_pending.is_(True)))]

    # -- leases and progress -----------------------------------------------------------------
    def lease(self, client_id: int, *, owner: str, now: datetime, until: datetime) -> Retention | None:
        free = or_(R.c.leased_until.is_(None), R.c.leased_until < now, R.c.lease_owner == owner)
        with write_tx(self.engine) as conn:
            taken = conn.execute(update(R).where(R.c.client_id == client_id, free)
                                 .values(lease_owner=owner, leased_until=until))
            if taken.rowcount != 1:
                return None
            return _record(conn.execute(select(R).where(R.c.client_id == client_id)).one())

    def release(self, client_id: int, *, owner: str) -> None:
        with write_tx(self.engine) as conn:
            conn.execute(update(R).where(R.c.client_id == client_id, R.c.lease_owner == owner)
                         .values(lease_owner=None, leased_until=None))

    def save_step(self, client_id: int, *, owner: str, step: str | None, progress: dict,
                  error: str | None = None) -> bool:
        with write_tx(self.engine) as conn:
            changed = conn.execute(update(R).where(R.c.client_id == client_id, R.c.lease_owner == owner).values(
                step=step, progress=json.dumps(progress, sort_keys=True), last_error=error))
            return changed.rowcount == 1

    # -- holds -------------------------------------------------------------------------------
    def place_hold(self, hold: Hold, seq: int | None) -> None:
        with write_tx(self.engine) as conn:
            conn.execute(insert(H).values(
                hold_id=hold.hold_id, client_id=hold.client_id, reason=hold.reason, auto=hold.auto,
                invoice_ids=json.dumps(list(hold.invoice_ids)), seq=seq,
                placed_at=hold.placed_at, placed_by="bridge" if hold.auto else "staff"))

    def release_hold(self, hold_id: str, *, at: datetime, by: str) -> None:
        with write_tx(self.engine) as conn:
            changed = conn.execute(update(H).where(H.c.hold_id == hold_id, H.c.released_at.is_(None))
                                   .values(released_at=at, released_by=by[:80]))
            if changed.rowcount != 1:
                raise StaleRecord(hold_id)

    def hold(self, hold_id: str) -> Hold | None:
        with read_tx(self.engine) as conn:
            row = conn.execute(select(H).where(H.c.hold_id == hold_id)).first()
        return _hold(row) if row else None

    def holds_for(self, client_id: int) -> list[Hold]:
        with read_tx(self.engine) as conn:
            rows = conn.execute(select(H).where(H.c.client_id == client_id).order_by(H.c.placed_at, H.c.hold_id))
            return [_hold(r) for r in rows]

    def active_holds(self) -> list[Hold]:
        with read_tx(self.engine) as conn:
            rows = conn.execute(select(H).where(H.c.released_at.is_(None)).order_by(H.c.client_id, H.c.placed_at))
            return [_hold(r) for r in rows]

    # -- cursors -----------------------------------------------------------------------------
    def meta(self, name: str) -> str | None:
        with read_tx(self.engine) as conn:
            return conn.execute(select(M.c.value).where(M.c.name == name)).scalar()

    def set_meta(self, name: str, value: str) -> None:
        with write_tx(self.engine) as conn:
            if conn.execute(update(M).where(M.c.name == name).values(value=value)).rowcount == 0:
                conn.execute(insert(M).values(name=name, value=value))

    def known_clients(self, *, after: int, limit: int) -> list[int]:
        known = KnownState.__table__
        query = (select(known.c.client_id).where(known.c.client_id > after, known.c.subject.like("client:%"))
                 .distinct().order_by(known.c.client_id).limit(limit))
        with read_tx(self.engine) as conn:
            return [r[0] for r in conn.execute(query)]
