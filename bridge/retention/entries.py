"""The ledger entries retention writes. Details hold ids, dates, reasons and API action names;
a staff hold's reference and note are free text, so they go to `private` (encrypted)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bridge.clock import rfc3339
from bridge.ledger.entries import Actor, EntryDraft, EventType, Subject

RETENTION_ACTOR = Actor(type="system", id="bridge-retention")

# What the WHMCS API cannot reach; recorded in every purge entry and listed in the README.
RESIDUAL_DATA = (
    "email log (GetEmails has no delete action)",
    "activity log entries naming the customer",
    "IP addresses stored with orders",
    "marketing consent history",
    "support ticket contents (only DeleteTicket, per ticket)",
    "module and gateway logs",
    "invoice name and address snapshots, where WHMCS keeps them",
    "undelivered (dead) rows of the hook's outbox table mod_privacy_bridge_outbox, payload kept up to 7 days",
)


# What stays on purpose once the WHMCS module has carried out the purge's residual-erasure order;
# whatever the module reports as skipped is in its retention.residual_erased entry.
KEPT_DATA = (
    "invoices, kept for accounting, with the name and address WHMCS copies onto them",
    "module and gateway logs (the addon module does not erase them)",
)


def stamp(at: datetime | None) -> str | None:
    return None if at is None else rfc3339(at)


def client_entry(event_type: EventType, client_id: int, *, at: datetime, actor: Actor = RETENTION_ACTOR,
                 details: Mapping[str, Any], private: Mapping[str, Any] | None = None) -> EntryDraft:
    return EntryDraft(event_type=event_type, occurred_at=at, subject=Subject.of("client", client_id), actor=actor,
                      client_id=client_id, details=dict(details), private=dict(private or {}))
