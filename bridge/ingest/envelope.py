"""A hook envelope after verification and parsing: plain, typed, immutable.

The web layer builds one with `bridge.schemas.hooks.load_envelope`; everything in `bridge.ingest`
takes it from there. By construction `vars` holds no secret (see `bridge.ingest.secrets`) and
`occurred_at` is an aware UTC datetime.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bridge.ledger.entries import Actor


@dataclass(frozen=True)
class WhmcsInfo:
    """Which WHMCS sent the hook. Metadata only; never personal."""

    version: str
    system_url: str | None = None


@dataclass(frozen=True)
class HookEnvelope:
    """One hook call. `outbox_id` is set for events and None for validate and panel calls."""

    event: str
    occurred_at: datetime
    whmcs: WhmcsInfo
    actor: Actor
    outbox_id: int | None
    vars: dict[str, Any]

    def __post_init__(self) -> None:
        # Ordering and retention decisions compare occurred_at values; a naive one would
        # silently compare in the server's local zone.
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")
        object.__setattr__(self, "occurred_at", self.occurred_at.astimezone(UTC))
