"""SqlResidualStore: residual-erasure orders. One order per customer (a customer is purged once);
`op_queue` and `op_report` run inside the ledger append's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from bridge.db.base import read_tx, write_tx
from bridge.db.retention_models import ResidualOrderRow
from bridge.ledger.store import StoreOp
from bridge.retention.residual import Order, OrderClosed

O = ResidualOrderRow.__table__  # noqa: E741 - the table, as R and H are in retention_store


def _order(row) -> Order:  # noqa: ANN001 - a Row of residual_orders
    return Order(order_id=row.order_id, client_id=row.client_id, strategy=row.strategy, sealed=row.emails,
                 queued_at=row.queued_at, reported_at=row.reported_at)


class SqlResidualStore:
    def __init__(self, *, engine: Engine) -> None:
        self.engine = engine

    def for_client(self, client_id: int) -> Order | None:
        with read_tx(self.engine) as conn:
            row = conn.execute(select(O).where(O.c.client_id == client_id)).first()
        return _order(row) if row else None

    def get(self, order_id: str) -> Order | None:
        with read_tx(self.engine) as conn:
            row = conn.execute(select(O).where(O.c.order_id == order_id)).first()
        return _order(row) if row else None

    def create(self, order: Order, *, at: datetime) -> Order:
        """The customer's order: this one, or the one an earlier attempt created."""
        with write_tx(self.engine) as conn:
            row = conn.execute(select(O).where(O.c.client_id == order.client_id)).first()
            if row is not None:
                return _order(row)
            conn.execute(insert(O).values(order_id=order.order_id, client_id=order.client_id,
                                          strategy=order.strategy, emails=order.sealed, created_at=at))
        return order

    def op_queue(self, client_id: int, *, order_id: str, strategy: str, at: datetime) -> StoreOp:
        def run(conn, _seqs) -> None:  # noqa: ANN001
            changed = conn.execute(update(O).where(O.c.client_id == client_id, O.c.queued_at.is_(None))
                                   .values(queued_at=at))
            if changed.rowcount == 0 and conn.execute(select(O.c.order_id).where(O.c.client_id == client_id)) \
                    .first() is None:
                # nothing prepared (a purge resumed by older code): an order without addresses
                conn.execute(insert(O).values(order_id=order_id, client_id=client_id, strategy=strategy,
                                              emails=None, created_at=at, queued_at=at))

        return run

    def op_report(self, order_id: str, *, at: datetime) -> StoreOp:
        def run(conn, seqs) -> None:  # noqa: ANN001
            # Under the chain-head lock, and the row's own lock on PostgreSQL: of two reports
            # racing, the second finds the order closed and its whole append rolls back.
            closed = conn.execute(update(O).where(O.c.order_id == order_id, O.c.reported_at.is_(None))
                                  .values(reported_at=at, report_seq=seqs[-1] if seqs else None, emails=None)
                                  .returning(O.c.order_id)).first()
            if closed is None:
                raise OrderClosed(order_id)

        return run

    def open_orders(self, *, limit: int) -> list[Order]:
        query = (select(O).where(O.c.queued_at.is_not(None), O.c.reported_at.is_(None))
                 .order_by(O.c.queued_at, O.c.order_id).limit(limit))
        with read_tx(self.engine) as conn:
            return [_order(r) for r in conn.execute(query)]
