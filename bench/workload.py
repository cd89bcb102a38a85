"""Realistic traffic: ClientEdit hook requests and ledger drafts carrying personal values.

The ClientEdit is one of 5,000 known customers changing a contact field (the city) from the client
area: WHMCS sends every client field with `olddata`, so the bridge diffs the whole account, seals
the old and new value and the actor's IP, records one `client.updated` entry and remembers the new
known state. Two workloads (`WORKLOADS`):

- `verified`: every customer has a current ID check (recorded before the run), as a change that
  passed WHMCS's validate hook has; the event is the entry and the known state.
- `unverified`: nobody checked the customers' IDs, so the protected change is reverted after the
  fact: the event also appends `verification.requested`, opens the pending request and queues the
  revert job. This is the path of a change that got past the validate hook.

"client.updated entries == 202 responses" stays checkable after a run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from bridge.demo.hooks import envelope
from bridge.ledger.entries import Actor, Category, Change, EntryDraft, EventType, Subject
from bridge.signing import sign

LANGUAGES = ("english", "french", "german", "dutch", "spanish", "italian")
CLIENTS = 500  # the append benches' subjects
KNOWN_CUSTOMERS = 5000  # the HTTP ingest's customers, each seen by the bridge before the run
WORKLOADS = ("verified", "unverified")
CITIES = ("London", "Leeds", "York", "Bath", "Ely", "Hull")


def client_vars(client_id: int) -> dict:
    return {
        "userid": client_id, "firstname": "Ada", "lastname": f"Lovelace{client_id}",
        "companyname": "Analytical Engines Ltd", "email": f"ada{client_id}@example.com",
        "address1": "12 Example Road", "address2": "", "city": "London", "state": "Greater London",
        "postcode": "N1 9GU", "country": "GB", "phonenumber": "+44.2079460000", "tax_id": "GB123456789",
        "status": "Active", "language": "english", "paymentmethod": "stripe", "defaultgateway": "stripe",
        "marketing_emails_opt_in": True, "emailoptout": False,
    }


def client_edit(n: int, *, at: datetime) -> dict:
    """The n-th ClientEdit envelope: customer n % KNOWN_CUSTOMERS changes city."""
    client_id = n % KNOWN_CUSTOMERS + 1
    old = client_vars(client_id)
    old["city"] = CITIES[(n // KNOWN_CUSTOMERS) % len(CITIES)]
    new = {**old, "city": CITIES[(n // KNOWN_CUSTOMERS + 1) % len(CITIES)], "olddata": dict(old)}
    actor = {"type": "client", "id": client_id, "user_id": client_id + 10000, "ip": f"203.0.113.{n % 250 + 1}"}
    return envelope("ClientEdit", new, actor=actor, at=at)


def client_add(client_id: int, *, at: datetime) -> dict:
    """How the bridge first met customer `client_id` (its sign-up), before the measured run."""
    vars_ = {**client_vars(client_id), "client_id": client_id, "city": CITIES[0]}
    return envelope("ClientAdd", vars_, actor={"type": "client", "id": client_id, "ip": "203.0.113.1"}, at=at)


def signed_lines(count: int, *, secret: bytes, timestamp: int, prefix: str) -> Iterator[str]:
    """One tab-separated line per request: webhook-id, timestamp, signature, body (JSON has no tabs)."""
    at = datetime.fromtimestamp(timestamp, UTC)
    for n in range(count):
        body = json.dumps(client_edit(n, at=at - timedelta(seconds=1)), separators=(",", ":")).encode()
        msg_id = f"msg_{prefix}_{n:08d}"
        yield "\t".join((msg_id, str(timestamp), sign(secret, msg_id=msg_id, timestamp=timestamp, body=body),
                         body.decode()))


def draft(n: int, *, at: datetime, client_id: int | None = None) -> EntryDraft:
    """A client.updated draft like the one a ClientEdit of two contact fields produces (by default
    for client n % CLIENTS + 1)."""
    client_id = n % CLIENTS + 1 if client_id is None else client_id
    return EntryDraft(
        event_type=EventType.CLIENT_UPDATED, occurred_at=at, subject=Subject.of("client", client_id),
        actor=Actor(type="admin", id="1", ip=f"198.51.100.{n % 250 + 1}"),
        changes=(
            Change("address1", Category.CONTACT, old=f"{n} Example Road", new=f"{n + 1} Example Road"),
            Change("phonenumber", Category.CONTACT, old="+44.2079460000", new=f"+44.20794{n % 100000:05d}"),
        ),
        details={"event": "ClientEdit", "outbox_id": n + 1, "whmcs_version": "8.13.1"},
        client_id=client_id,
    )
