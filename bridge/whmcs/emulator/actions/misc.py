"""LogActivity, GetActivityLog, AddClientNote, SendEmail."""

from __future__ import annotations

from bridge.whmcs.emulator import render
from bridge.whmcs.emulator.records import ActivityRecord, EmailRecord, NoteRecord, Template
from bridge.whmcs.emulator.store import ActionResult, ApiError, Call, Store, page
from bridge.whmcs.phpserial import UnserializeError, decode_array


def log_activity(store: Store, call: Call) -> ActionResult:
    description = call.text("description").strip()
    if not description:
        raise ApiError("Description is required")
    record = ActivityRecord(
        id=store.next_id("activity"), date=call.now, description=description,
        client_id=call.int("clientid"), username="System",
    )
    store.activity[record.id] = record
    return {}


def get_activity_log(store: Store, call: Call) -> ActionResult:
    # Newest first, as WHMCS's activity log lists it.
    rows = sorted(store.activity.values(), key=lambda a: a.id, reverse=True)
    client_id = call.int("clientid", "userid")
    if client_id:
        rows = [a for a in rows if a.client_id == client_id]
    if call.text("description"):
        needle = call.text("description").lower()
        rows = [a for a in rows if needle in a.description.lower()]
    if call.text("ipaddress"):
        rows = [a for a in rows if a.ipaddress == call.text("ipaddress")]
    chosen, counters = page(rows, call)
    # The documented example has no numreturned for this action.
    del counters["numreturned"]
    return {**counters, "activity": {"entry": [render.activity(a) for a in chosen]}}


def add_client_note(store: Store, call: Call) -> ActionResult:
    client = store.client(call.int("userid"), "Client ID not found")
    notes = call.text("notes")
    if not notes.strip():
        raise ApiError("Notes can not be empty")
    record = NoteRecord(
        id=store.next_id("notes"), client_id=client.id, notes=notes,
        sticky=call.flag("sticky"), created=call.now,
    )
    store.notes[record.id] = record
    return {"noteid": str(record.id)}


def presend(store: Store, call: Call) -> tuple[Template, dict[str, object]]:
    """The template SendEmail would send, and what the hook forwards to the bridge for it
    (EmailPreSend's messagename and relid, with the client it resolves)."""
    template = _template(store, call)
    client_id = _related_client(store, template.type, call.int("id"))
    return template, {"messagename": template.name, "relid": call.int("id"), "userid": client_id}


def send_email(store: Store, call: Call) -> ActionResult:
    template, vars_ = presend(store, call)
    record = EmailRecord(
        id=store.next_id("emails"), template=template.name, related_id=call.int("id"),
        client_id=int(vars_["userid"]), custom_vars=_custom_vars(call), sent_at=call.now,
    )
    store.emails[record.id] = record
    return {}


def _custom_vars(call: Call) -> dict[str, str]:
    """`customvars`: base64 of a PHP-serialized array of merge fields."""
    if not call.text("customvars"):
        return {}
    try:
        values = decode_array(call.text("customvars"))
    except UnserializeError:
        raise ApiError("The custom variables you provided are invalid.") from None
    return {str(k): "" if v is None else str(v) for k, v in values.items()}


def _template(store: Store, call: Call) -> Template:
    if call.text("customtype"):
        return Template(name=call.text("customsubject") or "custom", type=call.text("customtype"))
    template = store.templates.get(call.text("messagename"))
    if template is None:
        raise ApiError("Email Template not found")
    if template.disabled:
        raise ApiError("Email Template is disabled")
    return template


def _related_client(store: Store, kind: str, related_id: int) -> int:
    """The client behind `id`: the client itself for general mail, else the related row's."""
    tables = {"product": store.products, "invoice": store.invoices}
    if kind in tables:
        row = tables[kind].get(related_id)
        if row is None:
            raise ApiError("Sending Failed. Please see documentation.")
        return row.client_id
    return store.client(related_id).id
