"""The emulator's rows: mutable, one dataclass per WHMCS table it models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bridge import vocabulary

# The client flags the emulator models: all but email verification, which it does not emulate.
CLIENT_FLAGS = tuple(name for name in vocabulary.CLIENT_FLAGS if name != "email_verified")


@dataclass
class ClientRecord:
    id: int
    uuid: str
    fields: dict[str, str]
    status: str = "Active"
    datecreated: date | None = None
    groupid: int = 0
    currency: int = 1
    language: str = ""
    notes: str = ""
    billingcid: int = 0
    defaultgateway: str = ""
    credit: str = "0.00"
    email_verified: bool = False
    flags: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(CLIENT_FLAGS, False))
    email_preferences: dict[str, bool] = field(
        default_factory=lambda: dict.fromkeys(vocabulary.EMAIL_KINDS, True)
    )


@dataclass
class ContactRecord:
    id: int
    client_id: int
    fields: dict[str, str]
    email_flags: dict[str, bool] = field(
        default_factory=lambda: dict.fromkeys(vocabulary.EMAIL_KINDS, False)
    )
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class UserRecord:
    id: int
    firstname: str
    lastname: str
    email: str
    datecreated: datetime | None = None
    language: str = ""
    # client id -> is owner
    clients: dict[int, bool] = field(default_factory=dict)
    password_hash: str = ""  # see builders.set_password; empty: no password accepted


@dataclass
class InvoiceRecord:
    id: int
    client_id: int
    status: str
    date: date
    duedate: date
    total: str = "0.00"
    invoicenum: str = ""
    datepaid: datetime | None = None
    date_cancelled: datetime | None = None
    paymentmethod: str = "banktransfer"
    notes: str = ""


@dataclass
class ProductRecord:
    id: int
    client_id: int
    pid: int
    name: str
    status: str = "Active"
    domain: str = ""
    username: str = ""
    password: str = ""
    nextduedate: date | None = None
    billingcycle: str = "Monthly"
    amount: str = "0.00"
    paymentmethod: str = "banktransfer"
    regdate: date | None = None


@dataclass
class PayMethodRecord:
    id: int
    client_id: int
    type: str
    description: str = ""
    gateway: str = ""
    last_four: str = ""
    card_type: str = ""
    expiry_date: str = ""
    bank_name: str = ""
    remote_token: str = ""
    last_updated: datetime | None = None


@dataclass
class ActivityRecord:
    id: int
    date: datetime
    description: str
    client_id: int = 0
    user_id: int = 0
    admin_id: int = 0
    username: str = ""
    ipaddress: str = ""


@dataclass
class NoteRecord:
    id: int
    client_id: int
    notes: str
    sticky: bool
    created: datetime


@dataclass
class EmailRecord:
    id: int
    template: str
    related_id: int
    client_id: int
    custom_vars: dict[str, str]
    sent_at: datetime


@dataclass
class Template:
    name: str
    type: str = "general"
    disabled: bool = False
    marketing: bool = False
