"""SqlSyncStore: the one checkpoint row of `bridge sync`."""

from __future__ import annotations

from sqlalchemy import Engine, delete, insert, select, update

from bridge.clock import Clock
from bridge.db.base import read_tx, write_tx
from bridge.db.models import SyncCheckpoint

T = SyncCheckpoint.__table__


class SqlSyncStore:
    def __init__(self, *, engine: Engine, clock: Clock) -> None:
        self.engine, self.clock = engine, clock

    def checkpoint(self) -> int:
        with read_tx(self.engine) as conn:
            return conn.execute(select(T.c.last_client_id).where(T.c.id == 1)).scalar() or 0

    def save_checkpoint(self, client_id: int) -> None:
        now = self.clock.now()
        with write_tx(self.engine) as conn:
            moved = conn.execute(update(T).where(T.c.id == 1, T.c.last_client_id < client_id)
                                 .values(last_client_id=client_id, updated_at=now))
            if moved.rowcount == 0 and conn.execute(select(T.c.id).where(T.c.id == 1)).first() is None:
                conn.execute(insert(T).values(id=1, last_client_id=client_id, updated_at=now))

    def finish(self) -> None:
        with write_tx(self.engine) as conn:
            conn.execute(delete(T))
