"""GetContacts, AddContact, UpdateContact, DeleteContact."""

from __future__ import annotations

from typing import Any

from bridge.vocabulary import EMAIL_KINDS, PROFILE_FIELDS
from bridge.whmcs.emulator import render
from bridge.whmcs.emulator.records import ContactRecord
from bridge.whmcs.emulator.store import ActionResult, ApiError, Call, Store, page, valid_email


def get_contacts(store: Store, call: Call) -> ActionResult:
    if call.has("userid"):
        rows = store.rows_of(store.contacts, call.int("userid"))
    else:
        rows = sorted(store.contacts.values(), key=lambda c: c.id)
    for name in PROFILE_FIELDS:
        if call.text(name):
            rows = [c for c in rows if c.fields.get(name) == call.text(name)]
    chosen, counters = page(rows, call)
    return {**counters, "contacts": {"contact": [render.contact(c) for c in chosen]}}


def add_contact(store: Store, call: Call) -> ActionResult:
    client = store.client(call.int("clientid"))
    email = call.text("email")
    if email and not valid_email(email):
        raise ApiError("The email address entered is not valid")
    _check_duplicate(store, client.id, email, None)
    record = ContactRecord(
        id=store.next_id("contacts"), client_id=client.id,
        fields={name: call.text(name) for name in PROFILE_FIELDS},
        created_at=call.now, updated_at=call.now,
    )
    _apply_email_flags(record, call)
    store.contacts[record.id] = record
    call.fire("ContactAdd", **_hook_vars(record))
    return {"contactid": record.id}


def update_contact(store: Store, call: Call) -> ActionResult:
    record = store.contact(call.int("contactid"))
    if call.has("email"):
        if not valid_email(call.text("email")):
            raise ApiError("The email address entered is not valid")
        _check_duplicate(store, record.client_id, call.text("email"), record.id)
    before = _hook_vars(record)
    for name in PROFILE_FIELDS:
        if call.has(name):
            record.fields[name] = call.text(name)
    _apply_email_flags(record, call)
    record.updated_at = call.now
    call.fire("ContactEdit", **_hook_vars(record), olddata=before)
    return {"contactid": str(record.id)}


def delete_contact(store: Store, call: Call) -> ActionResult:
    record = store.contact(call.int("contactid"))
    del store.contacts[record.id]
    client = store.clients.get(record.client_id)
    if client is not None and client.billingcid == record.id:
        client.billingcid = 0
    call.fire("ContactDelete", userid=record.client_id, contactid=record.id)
    return {"contactid": str(record.id)}


def _check_duplicate(store: Store, client_id: int, email: str, own_id: int | None) -> None:
    wanted = email.strip().lower()
    if not wanted:
        return
    for other in store.rows_of(store.contacts, client_id):
        if other.id != own_id and other.fields.get("email", "").lower() == wanted:
            raise ApiError("Duplicate Email Address")


def _apply_email_flags(record: ContactRecord, call: Call) -> None:
    prefs = call.bracketed("email_preferences")
    for kind in EMAIL_KINDS:
        if kind in prefs:
            record.email_flags[kind] = prefs[kind].strip().lower() in {"1", "true", "on"}


def _hook_vars(record: ContactRecord) -> dict[str, Any]:
    flags = {f"{kind}emails": int(value) for kind, value in record.email_flags.items()}
    return {"userid": record.client_id, "contactid": record.id, **record.fields, **flags}
