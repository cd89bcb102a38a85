"""Reading the anchors back from WHMCS's activity log, which someone with write access to the
bridge's database alone cannot rewrite."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bridge.errors import Conflict

ANCHOR_PREFIX = "privacy-ledger head"
_ANCHOR = re.compile(r"privacy-ledger head seq=(\d{1,19}) hash=([0-9a-f]{64})")


def parse_anchors(descriptions: Iterable[str]) -> dict[int, str]:
    """seq -> hash from activity-log descriptions; two different hashes for one seq is tampering."""
    found: dict[int, str] = {}
    for text in descriptions:
        match = _ANCHOR.search(text or "")
        if not match:
            continue
        seq, digest = int(match.group(1)), match.group(2)
        if found.setdefault(seq, digest) != digest:
            raise Conflict(f"WHMCS's activity log holds two different anchors for seq {seq}")
    return found


def whmcs_anchor_checkpoints(whmcs) -> dict[int, str]:  # noqa: ANN001 - a WhmcsClient
    return parse_anchors(entry.description for entry in whmcs.iter_activity(description=ANCHOR_PREFIX))
