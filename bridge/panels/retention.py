"""The retention block of the privacy summary, read tolerantly: until the retention module lands
the block is None ("no closure recorded"); afterwards it is a mapping with `closed_at`,
`purge_due_at`, optional `purged_at` and `reactivated_at`, and `holds` [{hold_id, reason,
reference, placed_at}]. Dates may be datetimes or ISO 8601 texts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bridge.panels import words


@dataclass(frozen=True)
class HoldLine:
    reason: str
    reference: str
    placed_at: str


@dataclass(frozen=True)
class RetentionView:
    state: str  # none | open | scheduled | held | purged
    closed_at: datetime | None = None
    purge_due_at: datetime | None = None
    purged_at: datetime | None = None
    reactivated_at: datetime | None = None
    holds: tuple[HoldLine, ...] = ()

    def stamp(self, name: str) -> str:
        """One of the dates in the staff form ('2026-11-24 20:00 UTC'), or ''."""
        return words.stamp(getattr(self, name))


def retention_view(block: Mapping[str, Any] | None) -> RetentionView:
    if not isinstance(block, Mapping):
        return RetentionView(state="none")
    dates = {key: words.as_utc(block.get(key))
             for key in ("closed_at", "purge_due_at", "purged_at", "reactivated_at")}
    holds = tuple(_hold(h) for h in block.get("holds") or () if isinstance(h, Mapping))
    if dates["purged_at"] is not None:
        state = "purged"
    elif dates["closed_at"] is None and dates["purge_due_at"] is None:
        state = "open"
    else:
        state = "held" if holds else "scheduled"
    if state == "open" and dates["reactivated_at"] is None and not holds:
        state = "none"
    return RetentionView(state=state, holds=holds, **dates)


def _hold(hold: Mapping[str, Any]) -> HoldLine:
    reason = str(hold.get("reason") or "")
    return HoldLine(reason=words.HOLD_LABELS.get(reason, reason or "unspecified"),
                    reference=str(hold.get("reference") or ""),
                    placed_at=words.stamp(words.as_utc(hold.get("placed_at"))))
