"""Handlers for client-account hooks: sign-up, edits, status, closure, deletion, cards, merges.

Consent fields are split off into their own consent.changed entry, so consent history can be
read by event type; status moves into and out of Closed add client.closed / client.reactivated,
the entries retention schedules and cancels purges on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridge.ingest.diff import Diff, between, initial, plain, split
from bridge.ingest.drafting import PASSWORD_CHANGED, client_draft
from bridge.ingest.envelope import HookEnvelope
from bridge.ingest.fields import FieldPolicy
from bridge.ledger.entries import Category, EntryDraft, EventType
from bridge.vocabulary import CARD_FIELDS

Handler = Callable[[HookEnvelope, FieldPolicy], list[EntryDraft]]
_CLOSED = "closed"
_REOPENED = frozenset({"active", "inactive"})


def client_added(envelope: HookEnvelope, fields: FieldPolicy) -> list[EntryDraft]:
    """client.created with old=None for every tracked value, plus consent.changed for the
    consent given at sign-up. The password WHMCS passes never reaches here (schema drops it)."""
    client_id = envelope.vars["client_id"]
    consent, rest = split(initial(envelope.vars, fields.client_category), Category.CONSENT)
    entries = [
        client_draft(
            envelope, EventType.CLIENT_CREATED, client_id, rest,
            owner_user_id=envelope.vars.get("user_id"),
        )
    ]
    if consent.changes:
        entries.append(client_draft(envelope, EventType.CONSENT_CHANGED, client_id, consent))
    return entries


def client_edited(envelope: HookEnvelope, fields: FieldPolicy) -> list[EntryDraft]:
    """client.updated (diff vs olddata), consent.changed when consent moved, and a status entry
    when the account was closed or reopened. Always at least one entry: the edit happened."""
    client_id = envelope.vars["userid"]
    old = envelope.vars.get("olddata") or {}
    diff = between(envelope.vars, old, fields.client_category, envelope.unreadable_vars)
    consent, rest = split(diff, Category.CONSENT)
    entries = []
    if rest.changes or not consent.changes:
        entries.append(client_draft(envelope, EventType.CLIENT_UPDATED, client_id, rest))
    if consent.changes:
        entries.append(client_draft(envelope, EventType.CONSENT_CHANGED, client_id, consent))
    return entries + _status_moves(envelope, client_id, old)


def _status_moves(
    envelope: HookEnvelope, client_id: int, old: dict[str, Any]
) -> list[EntryDraft]:
    new_status, old_status = plain(envelope.vars.get("status")), plain(old.get("status"))
    if new_status is None:
        return []
    moves = {"from": old_status, "to": new_status}
    # An unknown old status counts as "not closed": a second closure entry is harmless (the purge
    # date is fixed when first scheduled), a missed one would leave data kept forever.
    if _is(new_status, {_CLOSED}) and not _is(old_status, {_CLOSED}):
        return [client_draft(envelope, EventType.CLIENT_CLOSED, client_id, **moves)]
    if _is(old_status, {_CLOSED}) and _is(new_status, _REOPENED):
        return [client_draft(envelope, EventType.CLIENT_REACTIVATED, client_id, **moves)]
    return []


def _is(status: Any, names: set[str] | frozenset[str]) -> bool:
    return isinstance(status, str) and status.casefold() in names


def client_closed(envelope: HookEnvelope, fields: FieldPolicy) -> list[EntryDraft]:
    return [client_draft(envelope, EventType.CLIENT_CLOSED, envelope.vars["userid"])]


def client_deleted(envelope: HookEnvelope, fields: FieldPolicy) -> list[EntryDraft]:
    """PreDeleteClient (8.x) and ClientDelete (older) both mean: this account is going away."""
    return [client_draft(envelope, EventType.CLIENT_DELETED, envelope.vars["userid"])]


def client_password_changed(envelope: HookEnvelope, fields: FieldPolicy) -> list[EntryDraft]:
    diff = Diff((PASSWORD_CHANGED,))
    return [client_draft(envelope, EventType.CREDENTIALS_CHANGED, envelope.vars["userid"], diff)]


def card_updated(envelope: HookEnvelope, fields: FieldPolicy) -> list[EntryDraft]:
    """paymethod.changed with the card type and last four only; nothing else of a card is kept."""
    def category_of(name: str) -> str | None:
        return Category.BILLING if name in CARD_FIELDS else None

    diff = initial(envelope.vars, category_of)
    return [client_draft(envelope, EventType.PAYMETHOD_CHANGED, envelope.vars["userid"], diff)]


def clients_merged(envelope: HookEnvelope, fields: FieldPolicy) -> list[EntryDraft]:
    """client.updated on the surviving account, naming the account merged into it."""
    target, source = envelope.vars["toUserID"], envelope.vars["fromUserID"]
    return [client_draft(envelope, EventType.CLIENT_UPDATED, target, merged_from=source)]


HANDLERS: dict[str, Handler] = {
    "ClientAdd": client_added,
    "ClientEdit": client_edited,
    "ClientClose": client_closed,
    "PreDeleteClient": client_deleted,
    "ClientDelete": client_deleted,
    "ClientChangePassword": client_password_changed,
    "CCUpdate": card_updated,
    "AfterClientMerge": clients_merged,
}
