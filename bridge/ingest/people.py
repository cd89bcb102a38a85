"""Handlers for contacts (a client's extra address records) and 8.x Users (login identities).

A contact's entries are encrypted under its client's data key and carry that client's id; a
User has a data key of its own and belongs to no single client account.
"""

from __future__ import annotations

from collections.abc import Callable

from bridge.ingest.diff import Diff, between, initial
from bridge.ingest.drafting import PASSWORD_CHANGED, client_subject, diff_details, draft, user_subject
from bridge.ingest.envelope import HookEnvelope
from bridge.ingest.fields import FieldPolicy
from bridge.ledger.entries import EntryDraft, EventType, Subject

Handler = Callable[[HookEnvelope, FieldPolicy], list[EntryDraft]]


def _contact_draft(envelope: HookEnvelope, event_type: EventType, diff: Diff) -> EntryDraft:
    client_id = envelope.vars["userid"]
    return draft(
        envelope, event_type, Subject.of("contact", envelope.vars["contactid"]),
        changes=diff.changes, client_id=client_id, key_subject=client_subject(client_id),
        **diff_details(diff),
    )


def contact_added(envelope: HookEnvelope, fields: FieldPolicy) -> list[EntryDraft]:
    diff = initial(envelope.vars, fields.contact.get)
    return [_contact_draft(envelope, EventType.CONTACT_CREATED, diff)]


def contact_edited(envelope: HookEnvelope, fields: FieldPolicy) -> list[EntryDraft]:
    old = envelope.vars.get("olddata") or {}
    diff = between(envelope.vars, old, fields.contact.get, envelope.unreadable_vars)
    return [_contact_draft(envelope, EventType.CONTACT_UPDATED, diff)]


def contact_deleted(envelope: HookEnvelope, fields: FieldPolicy) -> list[EntryDraft]:
    return [_contact_draft(envelope, EventType.CONTACT_DELETED, Diff(()))]


def _user_draft(
    envelope: HookEnvelope, event_type: EventType, user_id: int, diff: Diff
) -> EntryDraft:
    return draft(
        envelope, event_type, user_subject(user_id), changes=diff.changes, **diff_details(diff),
    )


def user_added(envelope: HookEnvelope, fields: FieldPolicy) -> list[EntryDraft]:
    diff = initial(envelope.vars, fields.user.get)
    return [_user_draft(envelope, EventType.USER_CREATED, envelope.vars["user_id"], diff)]


def user_edited(envelope: HookEnvelope, fields: FieldPolicy) -> list[EntryDraft]:
    old = envelope.vars.get("olddata") or {}
    diff = between(envelope.vars, old, fields.user.get, envelope.unreadable_vars)
    return [_user_draft(envelope, EventType.USER_UPDATED, envelope.vars["user_id"], diff)]


def user_password_changed(envelope: HookEnvelope, fields: FieldPolicy) -> list[EntryDraft]:
    # UserChangePassword names the User `userid`, unlike every other User hook.
    diff = Diff((PASSWORD_CHANGED,))
    return [_user_draft(envelope, EventType.CREDENTIALS_CHANGED, envelope.vars["userid"], diff)]


def user_logged_in(envelope: HookEnvelope, fields: FieldPolicy) -> list[EntryDraft]:
    """user.login about the User; who and from where is the envelope's actor (its IP included)."""
    user_id = envelope.vars["user"]["id"]
    return [_user_draft(envelope, EventType.USER_LOGIN, user_id, Diff(()))]


HANDLERS: dict[str, Handler] = {
    "ContactAdd": contact_added,
    "ContactEdit": contact_edited,
    "ContactDelete": contact_deleted,
    "UserAdd": user_added,
    "UserEdit": user_edited,
    "UserChangePassword": user_password_changed,
    "UserLogin": user_logged_in,
}
