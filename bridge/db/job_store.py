"""SqlJobQueue. Leasing is one UPDATE over a sub-select of the oldest due job: PostgreSQL skips
rows other workers have locked (FOR UPDATE SKIP LOCKED); SQLite's write lock serialises leasers.
A job whose lease ran out (its worker died) is due again."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select, update

from bridge.db.base import dialect_insert, read_tx, write_tx
from bridge.db.models import OPEN_JOBS, JobRow
from bridge.jobs.queue import DONE, FAILED, PENDING, RUNNING, Job

J = JobRow.__table__


def _insert_unless_queued(dialect: str):  # noqa: ANN202 - INSERT ... ON CONFLICT DO NOTHING RETURNING id
    return (dialect_insert(dialect, J).on_conflict_do_nothing(index_elements=[J.c.dedupe_key], index_where=OPEN_JOBS)
            .returning(J.c.id))


def _job(row) -> Job:  # noqa: ANN001 - a Row of jobs
    return Job(id=row.id, kind=row.kind, payload=json.loads(row.payload), attempts=row.attempts,
               client_id=row.client_id, status=row.status, run_after=row.run_after,
               last_error=row.last_error, dedupe_key=row.dedupe_key)


class SqlJobQueue:
    def __init__(self, *, engine: Engine) -> None:
        self.engine = engine
        self._insert = _insert_unless_queued(engine.dialect.name)

    def enqueue(self, kind: str, payload: Mapping[str, Any], *, client_id: int | None = None,
                dedupe_key: str | None = None, run_after: datetime | None = None,
                now: datetime | None = None) -> int | None:
        stamp = now or run_after
        if stamp is None:
            raise ValueError("enqueue needs now= or run_after=")
        values = {"kind": kind, "payload": json.dumps(dict(payload), sort_keys=True), "status": PENDING,
                  "attempts": 0, "client_id": client_id, "dedupe_key": dedupe_key,
                  "run_after": run_after or stamp, "created_at": stamp, "updated_at": stamp}
        # ON CONFLICT, not a caught IntegrityError: inside a unit of work a failed statement
        # would abort the whole transaction on PostgreSQL
        with write_tx(self.engine) as conn:
            return conn.execute(self._insert, values).scalar()  # None: the same work is queued

    def lease(self, *, owner: str, now: datetime, lease_for: timedelta,
              kinds: tuple[str, ...] | None = None) -> Job | None:
        due = or_(and_(J.c.status == PENDING, J.c.run_after <= now),
                  and_(J.c.status == RUNNING, J.c.leased_until < now))
        pick = select(J.c.id).where(due)
        if kinds:
            pick = pick.where(J.c.kind.in_(kinds))
        pick = pick.order_by(J.c.run_after, J.c.id).limit(1).with_for_update(skip_locked=True)
        with write_tx(self.engine) as conn:
            job_id = conn.execute(pick).scalar_one_or_none()
            if job_id is None:
                return None
            row = conn.execute(
                update(J).where(J.c.id == job_id)
                .values(status=RUNNING, lease_owner=owner, leased_until=now + lease_for,
                        attempts=J.c.attempts + 1, updated_at=now)
                .returning(*J.c)
            ).one()
            return _job(row)

    def _finish(self, job_id: int, owner: str, **values: Any) -> bool:
        with write_tx(self.engine) as conn:
            result = conn.execute(
                update(J).where(J.c.id == job_id, J.c.lease_owner == owner, J.c.status == RUNNING).values(**values)
            )
            return result.rowcount == 1

    def complete(self, job_id: int, *, owner: str, now: datetime) -> bool:
        return self._finish(job_id, owner, status=DONE, leased_until=None, updated_at=now)

    def retry(self, job_id: int, *, owner: str, now: datetime, run_after: datetime, error: str) -> bool:
        return self._finish(job_id, owner, status=PENDING, leased_until=None, lease_owner=None,
                            run_after=run_after, last_error=error[:500], updated_at=now)

    def fail(self, job_id: int, *, owner: str, now: datetime, error: str) -> bool:
        return self._finish(job_id, owner, status=FAILED, leased_until=None, last_error=error[:500], updated_at=now)

    def for_client(self, client_id: int, *, open_only: bool = True) -> list[Job]:
        query = select(J).where(J.c.client_id == client_id).order_by(J.c.id)
        if open_only:
            query = query.where(J.c.status.in_((PENDING, RUNNING)))
        with read_tx(self.engine) as conn:
            return [_job(r) for r in conn.execute(query)]

    def counts(self) -> dict[str, int]:
        with read_tx(self.engine) as conn:
            rows = conn.execute(select(J.c.status, func.count()).group_by(J.c.status))
            return {status: n for status, n in rows}

    def exists(self, dedupe_key: str) -> bool:
        """Whether a job with this key was ever queued (in any status)."""
        with read_tx(self.engine) as conn:
            return conn.execute(select(J.c.id).where(J.c.dedupe_key == dedupe_key).limit(1)).first() is not None

    def counts_by_kind(self) -> dict[tuple[str, str], int]:
        with read_tx(self.engine) as conn:
            rows = conn.execute(select(J.c.kind, J.c.status, func.count()).group_by(J.c.kind, J.c.status))
            return {(kind, status): n for kind, status, n in rows}

    def get(self, job_id: int) -> Job | None:
        with read_tx(self.engine) as conn:
            row = conn.execute(select(J).where(J.c.id == job_id)).first()
            return _job(row) if row else None


