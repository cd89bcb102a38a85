"""Rows as WHMCS's JSON answers show them.

Types follow the reference's example answers: ids and counters in list rows are numbers, money is a
formatted string, GetClientsDetails' email preferences are "1"/"0" strings, write answers echo
ids as strings. Empty dates are WHMCS's zero dates. Actions without a documented example follow
the same conventions.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bridge.vocabulary import EMAIL_KINDS, PROFILE_FIELDS
from bridge.whmcs.emulator.records import (
    CLIENT_FLAGS,
    ActivityRecord,
    ClientRecord,
    ContactRecord,
    InvoiceRecord,
    PayMethodRecord,
    ProductRecord,
    UserRecord,
)

Row = dict[str, Any]
ZERO_DATE = "0000-00-00"
ZERO_DATETIME = "0000-00-00 00:00:00"


def day(value: date | None) -> str:
    return value.isoformat() if value else ZERO_DATE


def stamp(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ZERO_DATETIME


def client_summary(client: ClientRecord) -> Row:
    f = client.fields
    return {
        "id": client.id, "firstname": f["firstname"], "lastname": f["lastname"],
        "companyname": f["companyname"], "email": f["email"],
        "datecreated": day(client.datecreated),
        "groupid": client.groupid, "status": client.status,
    }


def client_details(client: ClientRecord, users: list[UserRecord]) -> Row:
    f = client.fields
    owner = next((u.id for u in users if u.clients.get(client.id)), 0)
    row: Row = {
        "client_id": client.id, "owner_user_id": owner, "userid": client.id, "id": client.id,
        "uuid": client.uuid, **{name: f[name] for name in PROFILE_FIELDS},
        "fullname": f"{f['firstname']} {f['lastname']}".strip(), "fullstate": f["state"],
        "statecode": f["state"], "countrycode": f["country"], "countryname": f["country"],
        "phonecc": "", "phonenumberformatted": f["phonenumber"],
        "telephoneNumber": f["phonenumber"],
        "email_preferences": {k: "1" if v else "0" for k, v in client.email_preferences.items()},
        "billingcid": client.billingcid, "notes": client.notes, "currency": client.currency,
        "currency_code": "USD", "defaultgateway": client.defaultgateway,
        "groupid": client.groupid, "status": client.status, "credit": client.credit,
        **{name: client.flags[name] for name in CLIENT_FLAGS},
        "isOptedInToMarketingEmails": client.flags["marketing_emails_opt_in"],
        "allowSingleSignOn": 1, "email_verified": client.email_verified,
        "language": client.language, "lastlogin": "No Login Logged", "customfields": [],
        "users": {"user": [_client_user(u, client.id) for u in users]},
    }
    return row


def _client_user(user: UserRecord, client_id: int) -> Row:
    return {
        "id": user.id, "name": f"{user.firstname} {user.lastname}".strip(), "email": user.email,
        "is_owner": user.clients.get(client_id, False),
    }


def contact(record: ContactRecord) -> Row:
    row: Row = {"id": record.id, "userid": record.client_id, **record.fields}
    for kind in EMAIL_KINDS:
        row[f"{kind}emails"] = int(record.email_flags.get(kind, False))
    row["created_at"] = stamp(record.created_at)
    row["updated_at"] = stamp(record.updated_at)
    return row


def invoice(record: InvoiceRecord, client: ClientRecord | None) -> Row:
    f = client.fields if client else {}
    return {
        "id": record.id, "userid": record.client_id, "firstname": f.get("firstname", ""),
        "lastname": f.get("lastname", ""), "companyname": f.get("companyname", ""),
        "invoicenum": record.invoicenum, "date": day(record.date), "duedate": day(record.duedate),
        "datepaid": stamp(record.datepaid), "last_capture_attempt": ZERO_DATETIME,
        "date_refunded": ZERO_DATETIME, "date_cancelled": stamp(record.date_cancelled),
        "subtotal": record.total, "credit": "0.00", "tax": "0.00", "tax2": "0.00",
        "total": record.total, "taxrate": "0.00", "taxrate2": "0.00", "status": record.status,
        "paymentmethod": record.paymentmethod, "paymethodid": None, "notes": record.notes,
        "currencycode": "USD", "currencyprefix": "$", "currencysuffix": " USD",
    }


def paymethod(record: PayMethodRecord) -> Row:
    row: Row = {
        "id": record.id, "type": record.type, "description": record.description,
        "gateway_name": record.gateway, "contact_type": "Client", "contact_id": record.client_id,
    }
    if record.type.endswith("CreditCard"):
        row.update(
            card_last_four=record.last_four, expiry_date=record.expiry_date, start_date="",
            issue_number="", card_type=record.card_type,
        )
    else:
        row.update(bank_name=record.bank_name)
    updated = record.last_updated.strftime("%d/%m/%Y %H:%M") if record.last_updated else ""
    row.update(remote_token=record.remote_token, last_updated=updated)
    return row


def user(record: UserRecord) -> Row:
    return {
        "id": record.id, "firstname": record.firstname, "lastname": record.lastname,
        "email": record.email, "datecreated": stamp(record.datecreated), "validationdata": "",
        "clients": [{"id": cid, "isOwner": owner} for cid, owner in sorted(record.clients.items())],
    }


def product(record: ProductRecord) -> Row:
    return {
        "id": record.id, "clientid": record.client_id, "orderid": 0, "pid": record.pid,
        "regdate": day(record.regdate), "name": record.name, "translated_name": record.name,
        "groupname": "Hosting", "domain": record.domain, "dedicatedip": "", "serverid": 0,
        "firstpaymentamount": record.amount, "recurringamount": record.amount,
        "paymentmethod": record.paymentmethod, "billingcycle": record.billingcycle,
        "nextduedate": day(record.nextduedate), "status": record.status,
        "username": record.username, "password": record.password, "notes": "",
    }


def activity(record: ActivityRecord) -> Row:
    return {
        "id": record.id, "clientId": record.client_id, "userId": record.user_id,
        "adminId": record.admin_id, "date": stamp(record.date), "description": record.description,
        "username": record.username, "ipaddress": record.ipaddress, "userid": record.client_id,
    }
