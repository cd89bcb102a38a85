"""The customer privacy page of the addon module (`index.php?m=privacy_bridge`): what is kept and
for how long, the customer's own ID-check state, their own change history, and where to change
marketing mail and download their data. Only this client's entries are read; the only values
decrypted are the Internet addresses of the changes the customer made themselves. Never a hold,
a staff note, a disclosure or a verification document's details."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bridge.panels import words
from bridge.panels.client import ClientPanel, client_panel
from bridge.panels.history import last_changes_entries
from bridge.privacy import AccountViews
from bridge.verification.messages import labels

HISTORY = 20
MARKETING_URL = "clientarea.php?action=details"


@dataclass(frozen=True)
class HistoryLine:
    at: str
    at_iso: str
    fields: str  # the changed details in words, e.g. "email address and phone number"
    who: str  # you | our staff | automatic
    ip: str  # only for the customer's own changes


@dataclass(frozen=True)
class PrivacyPage:
    check: ClientPanel
    history: tuple[HistoryLine, ...]
    marketing_url: str = MARKETING_URL


def privacy_page(views: AccountViews, client_id: int, *, user_id: int | None) -> PrivacyPage:
    """The page model for the logged-in customer; reads only."""
    lines = []
    for entry in last_changes_entries(views.ledger, client_id, limit=HISTORY):
        actor = entry.get("actor") or {}
        own = _is_own(actor, client_id)
        at = words.as_utc(entry.get("occurred_at"))
        lines.append(HistoryLine(at=words.stamp(at), at_iso=at.isoformat() if at else "",
                                 fields=_fields(entry), who=_who(actor, own),
                                 ip=_own_ip(views.ledger, entry) if own else ""))
    return PrivacyPage(check=client_panel(views, client_id, user_id=user_id), history=tuple(lines))


def _is_own(actor: Mapping[str, Any], client_id: int) -> bool:
    return actor.get("type") == "client" and str(actor.get("id")) == str(client_id) \
        and not actor.get("masquerading")


def _who(actor: Mapping[str, Any], own: bool) -> str:
    if own:
        return "you"
    return "our staff" if actor.get("type") in ("admin", "staff", "client") else "automatic"


def _fields(entry: Mapping[str, Any]) -> str:
    names = [str(c.get("field")) for c in entry.get("changes") or () if c.get("field")]
    return labels(names) if names else ""


def _own_ip(ledger, entry: Mapping[str, Any]) -> str:  # noqa: ANN001
    """The customer's own address on one of their own entries: the one value decrypted here."""
    opened = ledger.entry(entry["seq"], reveal=True)
    ip = ((opened or {}).get("actor") or {}).get("ip")
    return ip if isinstance(ip, str) and ip not in ("[redacted]", "[shredded]") else ""
