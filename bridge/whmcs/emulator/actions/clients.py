"""GetClients, GetClientsDetails, UpdateClient, CloseClient, DeleteClient, as WHMCS applies them."""

from __future__ import annotations

from typing import Any

from bridge.vocabulary import (
    CONSENT_STATE,
    EMAIL_KINDS,
    EMAIL_PREFERENCES,
    MARKETING_OPT_IN,
    MARKETING_OPT_IN_FORM,
    PROFILE_FIELDS,
)
from bridge.whmcs.emulator import render
from bridge.whmcs.emulator.records import CLIENT_FLAGS, ClientRecord
from bridge.whmcs.emulator.store import ActionResult, ApiError, Call, Store, page, valid_email

STATUSES = ("Active", "Inactive", "Closed")
# Fields WHMCS insists on unless `skipvalidation` is set. The emulator's wording of this one
# error is its own: the reference documents the flag, not the message.
REQUIRED = ("firstname", "lastname", "email", "address1", "city", "state", "postcode", "country",
            "phonenumber")
ORDERABLE = ("id", "firstname", "lastname", "companyname", "email", "groupid", "datecreated",
             "status")


def get_clients(store: Store, call: Call) -> ActionResult:
    rows = [c for c in store.clients.values() if _matches(c, call)]
    orderby = call.text("orderby", "id") if call.text("orderby", "id") in ORDERABLE else "id"
    rows.sort(key=lambda c: _sort_key(c, orderby), reverse=call.text("sorting") == "DESC")
    chosen, counters = page(rows, call)
    return {**counters, "clients": {"client": [render.client_summary(c) for c in chosen]}}


def _matches(client: ClientRecord, call: Call) -> bool:
    if call.text("status") and client.status != call.text("status"):
        return False
    search = call.text("search").strip().lower()
    if not search:
        return True
    f = client.fields
    names = (f["email"], f["firstname"], f["lastname"], f["companyname"],
             f"{f['firstname']} {f['lastname']}")
    return any(name.lower().startswith(search) for name in names)


def _sort_key(client: ClientRecord, orderby: str) -> Any:
    if orderby in client.fields:
        return (client.fields[orderby].lower(), client.id)
    value = getattr(client, orderby)
    return (str(value) if orderby in {"status", "datecreated"} else value, client.id)


def get_clients_details(store: Store, call: Call) -> ActionResult:
    if not call.int("clientid") and not call.text("email"):
        raise ApiError("Either clientid Or email Is Required")
    client = store.clients.get(call.int("clientid")) or (
        store.client_by_email(call.text("email")) if call.text("email") else None
    )
    if client is None:
        raise ApiError("Client Not Found")
    users = store.users_of(client.id)
    details = render.client_details(client, users)
    # WHMCS repeats the client's fields at the top level for old callers (deprecated).
    legacy = {k: v for k, v in details.items() if k not in {"users", "email_preferences"}}
    answer: ActionResult = {**legacy, "client": details}
    if call.flag("stats"):
        answer["stats"] = _stats(store, client, call)
    return answer


def _stats(store: Store, client: ClientRecord, call: Call) -> dict[str, Any]:
    invoices = store.rows_of(store.invoices, client.id)
    unpaid = [i for i in invoices if i.status == "Unpaid"]
    amount = sum(float(i.total) for i in unpaid)

    def count(status: str) -> int:
        return sum(1 for i in invoices if i.status == status)

    return {
        "numdueinvoices": len(unpaid), "numunpaidinvoices": len(unpaid),
        "unpaidinvoicesamount": f"${amount:.2f} USD",
        "numoverdueinvoices": sum(1 for i in unpaid if i.duedate < call.today),
        "numcollectionsinvoices": count("Collections"),
        "numpaymentpendinginvoices": count("Payment Pending"),
        "productsnumactive": sum(
            1 for p in store.rows_of(store.products, client.id) if p.status == "Active"
        ),
        "numactivedomains": 0, "isAffiliate": False,
    }


def update_client(store: Store, call: Call) -> ActionResult:
    client = _target(store, call)
    before = _hook_vars(client)
    _check_update(store, client, call)
    for name in PROFILE_FIELDS:
        if call.has(name):
            client.fields[name] = call.text(name)
    _apply_settings(client, call)
    call.fire("ClientEdit", **_hook_vars(client), olddata=before)
    return {"clientid": str(client.id)}


def _target(store: Store, call: Call) -> ClientRecord:
    if call.has("clientid"):
        return store.client(call.int("clientid"))
    found = store.client_by_email(call.text("clientemail")) if call.text("clientemail") else None
    if found is None:
        raise ApiError("Client ID Not Found")
    return found


def _check_update(store: Store, client: ClientRecord, call: Call) -> None:
    if call.has("email"):
        email = call.text("email")
        if email and not valid_email(email):
            raise ApiError("The email address entered is not valid")
        other = store.client_by_email(email) if email else None
        if other is not None and other.id != client.id:
            raise ApiError("Duplicate Email Address")
    if not call.flag("skipvalidation"):
        blanked = [name for name in REQUIRED if call.has(name) and not call.text(name).strip()]
        if blanked:
            raise ApiError(f"Required field missing: {blanked[0]}")
    if call.has("status") and call.text("status") not in STATUSES:
        raise ApiError("Invalid Status")


def _apply_settings(client: ClientRecord, call: Call) -> None:
    if call.has("status"):
        client.status = call.text("status")
    if call.has("notes"):
        client.notes = call.text("notes")
    if call.has("language"):
        client.language = call.text("language")
    if call.has("paymentmethod"):
        client.defaultgateway = call.text("paymentmethod")
    if call.has(MARKETING_OPT_IN_FORM):
        client.flags[MARKETING_OPT_IN] = call.flag(MARKETING_OPT_IN_FORM)
    for name in ("groupid", "currency"):
        if call.has(name):
            setattr(client, name, call.int(name))
    # UpdateClient documents no emailoptout (nor billingcid); marketing is `marketingoptin`.
    for name in set(CLIENT_FLAGS) - set(CONSENT_STATE):
        if call.has(name):
            client.flags[name] = call.flag(name)
    for kind, value in call.bracketed(EMAIL_PREFERENCES).items():
        if kind in EMAIL_KINDS:
            client.email_preferences[kind] = value.strip().lower() in {"1", "true", "on"}


def _hook_vars(client: ClientRecord) -> dict[str, Any]:
    """ClientEdit's vars, with the hook's own spellings (`email_preferences[invoices]`)."""
    prefs = {("invoices" if k == "invoice" else k): int(v)
             for k, v in client.email_preferences.items()}
    return {
        "userid": client.id, "uuid": client.uuid, **client.fields, "status": client.status,
        "notes": client.notes, "currency": client.currency, "language": client.language,
        "billingcid": client.billingcid, "groupid": client.groupid,
        **{name: int(value) for name, value in client.flags.items()},
        "isOptedInToMarketingEmails": int(client.flags["marketing_emails_opt_in"]),
        "email_preferences": prefs, "paymentmethod": client.defaultgateway,
    }


def close_client(store: Store, call: Call) -> ActionResult:
    client = store.client(call.int("clientid"))
    client.status = "Closed"
    for invoice in store.rows_of(store.invoices, client.id):
        if invoice.status == "Unpaid":
            invoice.status, invoice.date_cancelled = "Cancelled", call.now
    for product in store.rows_of(store.products, client.id):
        if product.status in {"Pending", "Active", "Suspended"}:
            product.status = "Cancelled"
    call.fire("ClientClose", userid=client.id)
    return {"clientid": str(client.id)}


def delete_client(store: Store, call: Call) -> ActionResult:
    client = store.client(call.int("clientid"))
    call.fire("PreDeleteClient", userid=client.id)
    for table in (store.contacts, store.invoices, store.products, store.paymethods, store.notes):
        for row in store.rows_of(table, client.id):
            del table[row.id]
    for user in store.users_of(client.id):
        store.unlink(user, client.id)
        if call.flag("deleteusers") and not user.clients:
            del store.users[user.id]
    del store.clients[client.id]
    return {"clientid": str(client.id)}
