"""Rows for tests and seeds, written straight into a `Store` (no API call, no hooks fired).

Call them inside `with state.locked() as store:`. Each returns the new record.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time

from bridge.vocabulary import PROFILE_FIELDS
from bridge.whmcs.emulator.records import (
    ActivityRecord,
    ClientRecord,
    ContactRecord,
    InvoiceRecord,
    PayMethodRecord,
    ProductRecord,
    UserRecord,
)
from bridge.whmcs.emulator.store import Store

# WHMCS returns a service's server password in GetClientsProducts; the emulator does too, so the
# client's dropping of it is tested. Not a real credential.
SERVICE_PASSWORD = "emulated-service-password"  # noqa: S105


def add_client(
    store: Store, *, status: str = "Active", datecreated: date | None = None,
    owner: bool = True, marketing: bool = False, **fields: str,
) -> ClientRecord:
    """A client account; with `owner`, also its owner User (same name and email)."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown client fields: {sorted(unknown)}")
    record = ClientRecord(
        id=store.next_id("clients"), uuid=str(uuid.uuid4()),
        fields={name: fields.get(name, "") for name in PROFILE_FIELDS},
        status=status, datecreated=datecreated,
    )
    record.flags["marketing_emails_opt_in"] = marketing
    store.clients[record.id] = record
    if owner:
        created = datetime.combine(datecreated, time(9), tzinfo=UTC) if datecreated else None
        add_user(
            store, firstname=record.fields["firstname"], lastname=record.fields["lastname"],
            email=record.fields["email"], clients={record.id: True}, datecreated=created,
        )
    return record


def add_user(
    store: Store, *, firstname: str, lastname: str, email: str,
    clients: Mapping[int, bool] | None = None, datecreated: datetime | None = None,
    password: str | None = None,
) -> UserRecord:
    record = UserRecord(
        id=store.next_id("users"), firstname=firstname, lastname=lastname, email=email,
        datecreated=datecreated, clients=dict(clients or {}),
    )
    store.users[record.id] = record
    if password is not None:
        set_password(record, password)
    return record


def set_password(user: UserRecord, password: str) -> None:
    """What ValidateLogin checks the `password2` against. Kept as a salted hash, as WHMCS does."""
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 1000).hex()
    user.password_hash = f"{salt.hex()}${digest}"


def password_matches(user: UserRecord, password: str) -> bool:
    if not user.password_hash:
        return False
    salt, _, digest = user.password_hash.partition("$")
    given = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), 1000).hex()
    return hmac.compare_digest(given, digest)


def add_contact(store: Store, client_id: int, **fields: str) -> ContactRecord:
    record = ContactRecord(
        id=store.next_id("contacts"), client_id=client_id,
        fields={name: fields.get(name, "") for name in PROFILE_FIELDS},
    )
    store.contacts[record.id] = record
    return record


def add_invoice(
    store: Store, client_id: int, *, status: str, date: date, duedate: date,
    total: str = "10.00", datepaid: datetime | None = None,
    date_cancelled: datetime | None = None,
) -> InvoiceRecord:
    record = InvoiceRecord(
        id=store.next_id("invoices"), client_id=client_id, status=status, date=date,
        duedate=duedate, total=total, datepaid=datepaid, date_cancelled=date_cancelled,
    )
    record.invoicenum = str(record.id)
    store.invoices[record.id] = record
    return record


def add_product(
    store: Store, client_id: int, *, name: str, status: str = "Active", domain: str = "",
    pid: int = 1, nextduedate: date | None = None,
) -> ProductRecord:
    record = ProductRecord(
        id=store.next_id("products"), client_id=client_id, pid=pid, name=name, status=status,
        domain=domain, username=f"user{client_id}", password=SERVICE_PASSWORD,
        nextduedate=nextduedate,
    )
    store.products[record.id] = record
    return record


def add_paymethod(
    store: Store, client_id: int, *, type: str, last_four: str = "", description: str = "",
    gateway: str = "", card_type: str = "", bank_name: str = "", expiry_date: str = "",
) -> PayMethodRecord:
    remote = type.startswith("Remote")
    record = PayMethodRecord(
        id=store.next_id("paymethods"), client_id=client_id, type=type,
        description=description, gateway=gateway, last_four=last_four, card_type=card_type,
        bank_name=bank_name, expiry_date=expiry_date,
        remote_token='{"customer":"cus_emulated","method":"pm_emulated"}' if remote else "",
    )
    store.paymethods[record.id] = record
    return record


def add_activity(
    store: Store, description: str, *, at: datetime, client_id: int = 0,
    admin_id: int = 0, username: str = "System",
) -> ActivityRecord:
    record = ActivityRecord(
        id=store.next_id("activity"), date=at, description=description,
        client_id=client_id, admin_id=admin_id, username=username,
    )
    store.activity[record.id] = record
    return record
