"""The last changes of one customer, by field name, who and when: never a value."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bridge.panels import words

PAGE = 500


@dataclass(frozen=True)
class ChangeLine:
    event: str
    fields: tuple[str, ...]
    actor: str
    at: str
    at_iso: str


def last_changes(ledger, client_id: int, *, limit: int = 6) -> list[ChangeLine]:  # noqa: ANN001
    """The last `limit` entries to arrive that name changed fields, newest `occurred_at` first.
    Entries are read with values redacted; only field names, event type, actor and time are kept."""
    return [_line(entry) for entry in last_changes_entries(ledger, client_id, limit=limit)]


def last_changes_entries(ledger, client_id: int, *, limit: int) -> list[Mapping[str, Any]]:  # noqa: ANN001
    """The redacted entries behind `last_changes`, newest `occurred_at` first."""
    newest: deque[Mapping[str, Any]] = deque(maxlen=limit)
    for entry in _entries(ledger, client_id):
        if _fields(entry):
            newest.append(entry)
    return sorted(newest, key=lambda entry: (str(entry.get("occurred_at")), entry.get("seq", 0)), reverse=True)


def _entries(ledger, client_id: int) -> Iterator[Mapping[str, Any]]:  # noqa: ANN001
    # The ledger pages oldest first; the panel wants the tail, so it walks to the end.
    after: int | None = 0
    while after is not None:
        page = ledger.client_page(client_id, after=after, limit=PAGE, reveal=False)
        yield from page.entries
        after = page.next_after


def _fields(entry: Mapping[str, Any]) -> tuple[str, ...]:
    names = [change.get("field") for change in entry.get("changes") or ()]
    return tuple(dict.fromkeys(str(name) for name in names if name))


def _line(entry: Mapping[str, Any]) -> ChangeLine:
    at = words.as_utc(entry.get("occurred_at"))
    event = str(entry.get("event_type", ""))
    return ChangeLine(event=words.EVENT_LABELS.get(event, event), fields=_fields(entry),
                      actor=words.actor_text(entry.get("actor") or {}), at=words.stamp(at),
                      at_iso=at.isoformat() if at else "")
