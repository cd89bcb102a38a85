"""A hook envelope after verification and parsing: plain, typed, immutable.

The web layer builds one with `bridge.schemas.hooks.load_envelope`; everything in `bridge.ingest`
takes it from there. By construction `vars` holds no secret (see `bridge.ingest.secrets`) and
`occurred_at` is an aware UTC datetime.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bridge.clock import rfc3339
from bridge.ledger.entries import Actor


@dataclass(frozen=True)
class WhmcsInfo:
    """Which WHMCS sent the hook. Metadata only; never personal."""

    version: str
    system_url: str | None = None


@dataclass(frozen=True)
class HookEnvelope:
    """One hook call. `outbox_id` is set for events and None for validate and panel calls.

    `unreadable` names the vars (dotted paths, "olddata.email") that were sent but could not be
    read and so were dropped; `truncated` the ones the hook cut or dropped for size; both are
    data, never a reason to refuse the call. `sent_occurred_at` keeps a time WHMCS sent that lay
    in the bridge's future (see `not_in_future`)."""

    event: str
    occurred_at: datetime
    whmcs: WhmcsInfo
    actor: Actor
    outbox_id: int | None
    vars: dict[str, Any]
    unreadable: tuple[str, ...] = ()
    truncated: tuple[str, ...] = ()
    sent_occurred_at: datetime | None = None

    def __post_init__(self) -> None:
        # Ordering and retention decisions compare occurred_at values; a naive one would
        # silently compare in the server's local zone.
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")
        object.__setattr__(self, "occurred_at", self.occurred_at.astimezone(UTC))

    @property
    def unreadable_vars(self) -> frozenset[str]:
        """Top-level vars whose value is not known as sent: unreadable, or cut or dropped for size."""
        return frozenset(path for path in (*self.unreadable, *self.truncated) if "." not in path)

    def notes(self) -> dict[str, Any]:
        """What the bridge noticed about this envelope, for the details of the entries it causes."""
        noted: dict[str, Any] = {}
        if self.unreadable:
            noted["unreadable"] = list(self.unreadable)
        if self.truncated:
            noted["truncated"] = list(self.truncated)
        if self.sent_occurred_at is not None:
            noted["occurred_at_sent"] = rfc3339(self.sent_occurred_at)
        return noted


def not_in_future(envelope: HookEnvelope, *, now: datetime, tolerance: timedelta) -> HookEnvelope:
    """Section 10, clocks: an `occurred_at` later than now + tolerance is taken as now (the time
    sent is kept), so nothing in the future is ever acted on."""
    if envelope.occurred_at <= now + tolerance:
        return envelope
    return replace(envelope, occurred_at=now, sent_occurred_at=envelope.occurred_at)
