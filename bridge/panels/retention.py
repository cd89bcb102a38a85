"""The retention block of the privacy summary, as the panels show it. The block is
`{closed_at, purge_due_at, status, holds: [{hold_id, reason, auto, placed_at, released_at}]}`
(bridge.retention), or None when no retention module answers: "no closure recorded". A hold's
reference and note are free text and never reach a panel; its reason does."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bridge.panels import words

# retention status -> the panel's state; an older block without `status` is read from its dates
STATES = {"not_closed": "none", "scheduled": "scheduled", "due": "due", "purging": "purging", "held": "held",
          "reactivated": "reactivated", "purged": "purged", "deleted": "deleted", "deleted_held": "deleted_held"}
CLOSED = ("scheduled", "due", "purging", "held")


@dataclass(frozen=True)
class HoldLine:
    reason: str
    placed_at: str
    auto: bool


@dataclass(frozen=True)
class RetentionView:
    state: str  # none | scheduled | due | purging | held | reactivated | purged | deleted | deleted_held
    closed_at: datetime | None = None
    purge_due_at: datetime | None = None
    holds: tuple[HoldLine, ...] = ()

    @property
    def closed(self) -> bool:
        return self.state in CLOSED

    def stamp(self, name: str) -> str:
        """One of the dates in the staff form ('2026-11-24 20:00 UTC'), or ''."""
        return words.stamp(getattr(self, name))


def retention_view(block: Mapping[str, Any] | None) -> RetentionView:
    if not isinstance(block, Mapping):
        return RetentionView(state="none")
    closed_at, due = words.as_utc(block.get("closed_at")), words.as_utc(block.get("purge_due_at"))
    holds = tuple(_hold(h) for h in block.get("holds") or ()
                  if isinstance(h, Mapping) and h.get("released_at") is None)
    state = STATES.get(str(block.get("status")))
    if state is None:
        state = "none" if closed_at is None and due is None else "held" if holds else "scheduled"
    return RetentionView(state=state, closed_at=closed_at, purge_due_at=due, holds=holds)


def _hold(hold: Mapping[str, Any]) -> HoldLine:
    reason = str(hold.get("reason") or "")
    return HoldLine(reason=words.HOLD_LABELS.get(reason, reason or "unspecified"),
                    placed_at=words.stamp(words.as_utc(hold.get("placed_at"))), auto=bool(hold.get("auto")))
