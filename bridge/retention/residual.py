"""Residual-erasure orders (contract section 11): after a purge, the WHMCS module erases what the
API cannot reach and reports back. The customer's email addresses travel with the order, sealed
under the order's own data key (subject `order:<order_id>`), read before the customer's shred and
shredded once the module reports: they outlive the customer's key only until then."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bridge.crypto import open_value, seal_value
from bridge.ingest.envelope import HookEnvelope
from bridge.ingest.service import IngestResult
from bridge.ledger.entries import EventType
from bridge.ledger.service import Ledger
from bridge.retention.entries import client_entry

WORK_LIMIT = 50


@dataclass(frozen=True)
class Order:
    order_id: str
    client_id: int
    strategy: str
    sealed: str | None = None  # the sealed email list (JSON), None once reported
    queued_at: datetime | None = None
    reported_at: datetime | None = None


class ResidualStore(Protocol):
    def for_client(self, client_id: int) -> Order | None: ...

    def get(self, order_id: str) -> Order | None: ...

    def create(self, order: Order, *, at: datetime) -> Order: ...

    def queue(self, client_id: int, *, order_id: str, strategy: str, at: datetime) -> None:
        """Make the customer's order visible to the module (creating an empty one if none was prepared)."""

    def report(self, order_id: str, *, at: datetime, seq: int | None) -> bool:
        """Close an open order as reported by ledger entry `seq`; False when it was closed already."""

    def open_orders(self, *, limit: int) -> list[Order]: ...


class _AlreadyReported(Exception):  # noqa: N818 - a signal, caught in ResidualOrders.report
    pass


def order_subject(order_id: str) -> str:
    return f"order:{order_id}"


class ResidualOrders:
    def __init__(self, *, store: ResidualStore, ledger: Ledger, emails_of: Callable[[int], Sequence[str]]) -> None:
        self.store, self.ledger, self.emails_of = store, ledger, emails_of

    def prepare(self, client_id: int, *, strategy: str) -> Order:
        """Before the shred: the customer's order, its addresses sealed (idempotent per customer).
        It stays invisible to the module until `open` commits with the purge entry."""
        existing = self.store.for_client(client_id)
        if existing is not None:
            return existing
        order_id = str(uuid.uuid4())
        emails = sorted({e.strip() for e in self.emails_of(client_id) if isinstance(e, str) and e.strip()})
        key = self.ledger.keyring.for_writing(order_subject(order_id))
        sealed = seal_value(emails, data_key=key.key, kid=key.kid, entry_id=f"order|{order_id}", field="emails")
        order = Order(order_id=order_id, client_id=client_id, strategy=strategy, sealed=json.dumps(sealed))
        return self.store.create(order, at=self.ledger.clock.now())

    def order_id(self, client_id: int) -> str:
        """The id of the customer's prepared order, or a new one (a purge resumed by older code)."""
        prepared = self.store.for_client(client_id)
        return prepared.order_id if prepared is not None else str(uuid.uuid4())

    def open(self, client_id: int, *, order_id: str, strategy: str, at: datetime) -> None:
        """Open the order for the module, in the unit of work of the purge entry."""
        self.store.queue(client_id, order_id=order_id, strategy=strategy, at=at)

    def open_orders(self, *, limit: int = WORK_LIMIT) -> list[dict[str, Any]]:
        """The unreported orders, oldest first, with their addresses opened."""
        return [{"order_id": o.order_id, "client_id": o.client_id, "emails": self._emails(o),
                 "strategy": o.strategy} for o in self.store.open_orders(limit=limit)]

    def _emails(self, order: Order) -> list[str]:
        if not order.sealed:
            return []
        sealed = json.loads(order.sealed)
        key = self.ledger.keyring.for_reading([sealed["kid"]]).get(sealed["kid"])
        if key is None:
            return []
        return list(open_value(sealed, data_key=key, entry_id=f"order|{order.order_id}", field="emails"))

    def report(self, webhook_id: str, envelope: HookEnvelope) -> IngestResult:
        """Ledger the module's report as `retention.residual_erased` and close the order, then
        shred its key. A report of an order already closed writes nothing (duplicate), also when
        two reports race: the order is closed by a conditional update in the entry's own
        transaction, so the loser's entry rolls back. A report for an unknown order (or another
        client's) is recorded as such and closes nothing."""
        data = envelope.vars
        order_id, client_id = str(data["order_id"]), int(data["client_id"])
        order = self.store.get(order_id)
        if order is not None and order.reported_at is not None:
            self.ledger.store.remember_webhook(webhook_id, at=self.ledger.clock.now())
            return IngestResult("duplicate")
        known = order is not None and order.client_id == client_id
        details = {"order_id": order_id, "order": "open" if known else "unknown", "webhook_id": webhook_id,
                   "counts": dict(data.get("counts") or {}), "skipped": list(data.get("skipped") or ())}
        draft = client_entry(EventType.RETENTION_RESIDUAL_ERASED, client_id, at=envelope.occurred_at,
                             actor=envelope.actor, details=details)
        try:
            with self.ledger.unit():
                result = self.ledger.append([draft], webhook_id=webhook_id)
                if known and not result.duplicate and not self.store.report(
                        order_id, at=self.ledger.clock.now(), seq=result.seqs[-1]):
                    raise _AlreadyReported  # a concurrent report closed it first: undo this one's entry
        except _AlreadyReported:
            self.ledger.store.remember_webhook(webhook_id, at=self.ledger.clock.now())  # a replay: duplicate too
            return IngestResult("duplicate")
        if known and not result.duplicate:
            self.ledger.shred(order_subject(order_id))  # the addresses are forgotten with it
        return IngestResult("duplicate") if result.duplicate else IngestResult("recorded", result.seqs)


def known_emails(states: Any, subjects: Sequence[str]) -> list[str]:
    """Every email address the bridge knows for these subjects (the client and its contacts)."""
    found: list[str] = []
    for subject in subjects:
        values: Mapping[str, Any] | None = states.get(subject)
        email = (values or {}).get("email")
        if isinstance(email, str) and email:
            found.append(email)
    return found
