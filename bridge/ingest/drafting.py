"""Building entry drafts from an envelope: the parts every handler shares.

Every draft takes its `occurred_at` and `actor` from the envelope, and its `details` carry only
metadata (event name, outbox id, WHMCS version, field names), never a personal value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bridge.ingest.diff import Diff
from bridge.ingest.envelope import HookEnvelope
from bridge.ledger.entries import Category, Change, EntryDraft, EventType, Subject

# The only change ever recorded for a password: that it changed. Never a value, never a hash.
PASSWORD_CHANGED = Change(
    field="password", category=Category.CREDENTIALS, old=None, new="changed"
)


def details(envelope: HookEnvelope, **extra: Any) -> dict[str, Any]:
    """Envelope metadata plus `extra`. Empty lists are left out so entries stay small; None in
    `extra` is kept, because "unknown" is itself information (a closure's unknown old status)."""
    base: dict[str, Any] = {"event": envelope.event, "whmcs_version": envelope.whmcs.version}
    if envelope.outbox_id is not None:
        base["outbox_id"] = envelope.outbox_id
    return base | envelope.notes() | {key: value for key, value in extra.items() if value not in ([], ())}


def diff_details(diff: Diff | None) -> dict[str, list[str]]:
    """The diff's fields of unknown old or new value, for an entry's details."""
    if diff is None:
        return {}
    return {"unknown_old": list(diff.unknown_old), "unknown_new": list(diff.unknown_new)}


def draft(
    envelope: HookEnvelope,
    event_type: EventType,
    subject: Subject,
    *,
    changes: Iterable[Change] = (),
    client_id: int | None = None,
    key_subject: Subject | None = None,
    **extra: Any,
) -> EntryDraft:
    return EntryDraft(
        event_type=event_type,
        occurred_at=envelope.occurred_at,
        subject=subject,
        actor=envelope.actor,
        changes=tuple(changes),
        details=details(envelope, **extra),
        key_subject=key_subject,
        client_id=client_id,
    )


def client_draft(
    envelope: HookEnvelope, event_type: EventType, client_id: int, diff: Diff | None = None,
    **extra: Any,
) -> EntryDraft:
    """A draft about a client account: subject, data key and client_id all that account."""
    changes = diff.changes if diff else ()
    return draft(
        envelope, event_type, client_subject(client_id), changes=changes, client_id=client_id,
        **diff_details(diff), **extra,
    )


def client_subject(client_id: int) -> Subject:
    return Subject.of("client", client_id)


def user_subject(user_id: int) -> Subject:
    return Subject.of("user", user_id)
