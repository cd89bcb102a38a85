"""GetInvoices, GetPayMethods, DeletePayMethod, GetClientsProducts."""

from __future__ import annotations

from bridge.whmcs.emulator import render
from bridge.whmcs.emulator.records import InvoiceRecord
from bridge.whmcs.emulator.store import ActionResult, ApiError, Call, Store, page

INVOICE_ORDER = ("id", "invoicenum", "date", "duedate", "total", "status")


def is_overdue(invoice: InvoiceRecord, call: Call) -> bool:
    """WHMCS's "Overdue" is not a stored status: an Unpaid invoice past its due date."""
    return invoice.status == "Unpaid" and invoice.duedate < call.today


def get_invoices(store: Store, call: Call) -> ActionResult:
    rows = list(store.invoices.values())
    if call.has("userid"):
        rows = [i for i in rows if i.client_id == call.int("userid")]
    status = call.text("status")
    if status == "Overdue":
        rows = [i for i in rows if is_overdue(i, call)]
    elif status:
        rows = [i for i in rows if i.status == status]
    orderby = call.text("orderby", "id") if call.text("orderby") in INVOICE_ORDER else "id"
    key = (lambda i: float(i.total)) if orderby == "total" else (lambda i: getattr(i, orderby))
    rows.sort(key=key, reverse=call.text("order").lower() == "desc")
    chosen, counters = page(rows, call)
    invoices = [render.invoice(i, store.clients.get(i.client_id)) for i in chosen]
    return {**counters, "invoices": {"invoice": invoices}}


def get_pay_methods(store: Store, call: Call) -> ActionResult:
    if not call.int("clientid"):
        raise ApiError("Client ID Is Required")
    client = store.client(call.int("clientid"), "Client Not Found")
    rows = sorted(store.rows_of(store.paymethods, client.id), key=lambda p: p.id)
    if call.int("paymethodid"):
        rows = [p for p in rows if p.id == call.int("paymethodid")]
    wanted = call.text("type")
    if wanted in {"CreditCard", "BankAccount"}:
        rows = [p for p in rows if p.type.endswith(wanted)]
    return {"clientid": str(client.id), "paymethods": [render.paymethod(p) for p in rows]}


def delete_pay_method(store: Store, call: Call) -> ActionResult:
    if not call.int("clientid"):
        raise ApiError("Client ID Is Required")
    client = store.client(call.int("clientid"), "Client Not Found")
    record = store.paymethods.get(call.int("paymethodid"))
    if record is None or record.client_id != client.id:
        raise ApiError("Pay Method does not belong to passed Client ID")
    del store.paymethods[record.id]
    return {"paymethodid": str(record.id)}


def get_clients_products(store: Store, call: Call) -> ActionResult:
    rows = sorted(store.products.values(), key=lambda p: p.id)
    if call.has("clientid"):
        rows = [p for p in rows if p.client_id == call.int("clientid")]
    if call.int("serviceid"):
        rows = [p for p in rows if p.id == call.int("serviceid")]
    if call.int("pid"):
        rows = [p for p in rows if p.pid == call.int("pid")]
    if call.text("domain"):
        rows = [p for p in rows if p.domain == call.text("domain")]
    chosen, counters = page(rows, call)
    echo = {name: call.params.get(name) for name in ("clientid", "serviceid", "pid", "domain")}
    products = [render.product(p) for p in chosen]
    return {**echo, **counters, "products": {"product": products}}
