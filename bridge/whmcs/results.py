"""Typed results of WHMCS API reads.

WHMCS sends ids and counts sometimes as numbers and sometimes as strings, booleans as true, "1",
"on" or 1, and empty dates as "0000-00-00"; the `from_api` constructors normalise all of that, so
callers never see the loose typing. Personal fields are left out of `repr` so that an object
that ends up in a log line does not carry them. Secrets WHMCS returns (service passwords, pay-method
remote tokens) are never copied into these objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bridge.vocabulary import CONTACT_SWITCHES, PROFILE_FIELDS

Row = Mapping[str, Any]


def to_int(value: object, default: int = 0) -> int:
    if isinstance(value, bool):
        return int(value)
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "on", "yes"}


def to_text(value: object) -> str:
    return "" if value is None else str(value)


def to_date(value: object) -> date | None:
    text = to_text(value).strip()[:10]
    if not text or text.startswith("0000"):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def personal_field() -> Any:
    """A personal field: defaults to empty, kept out of repr."""
    return field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class ClientSummary:
    """One row of GetClients."""

    id: int
    status: str
    groupid: int = 0
    datecreated: date | None = None
    firstname: str = personal_field()
    lastname: str = personal_field()
    companyname: str = personal_field()
    email: str = personal_field()

    @classmethod
    def from_api(cls, row: Row) -> ClientSummary:
        return cls(
            id=to_int(row.get("id")), status=to_text(row.get("status")),
            groupid=to_int(row.get("groupid")), datecreated=to_date(row.get("datecreated")),
            firstname=to_text(row.get("firstname")), lastname=to_text(row.get("lastname")),
            companyname=to_text(row.get("companyname")), email=to_text(row.get("email")),
        )


@dataclass(frozen=True, slots=True)
class ClientUserLink:
    """A User with access to a client account (GetClientsDetails `users.user[]`)."""

    user_id: int
    is_owner: bool


@dataclass(frozen=True, slots=True)
class ClientStats:
    """The counters of GetClientsDetails `stats=true` the bridge decides on."""

    unpaid_invoices: int = 0
    overdue_invoices: int = 0
    collections_invoices: int = 0
    payment_pending_invoices: int = 0
    active_products: int = 0

    @classmethod
    def from_api(cls, row: Row) -> ClientStats:
        return cls(
            unpaid_invoices=to_int(row.get("numunpaidinvoices")),
            overdue_invoices=to_int(row.get("numoverdueinvoices")),
            collections_invoices=to_int(row.get("numcollectionsinvoices")),
            payment_pending_invoices=to_int(row.get("numpaymentpendinginvoices")),
            active_products=to_int(row.get("productsnumactive")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """The personal fields a client account and a contact share (`vocabulary.PROFILE_FIELDS`),
    each keyword-only, empty by default and kept out of repr."""

    firstname: str = personal_field()
    lastname: str = personal_field()
    companyname: str = personal_field()
    email: str = personal_field()
    address1: str = personal_field()
    address2: str = personal_field()
    city: str = personal_field()
    state: str = personal_field()
    postcode: str = personal_field()
    country: str = personal_field()
    phonenumber: str = personal_field()
    tax_id: str = personal_field()

    @staticmethod
    def read(row: Row) -> dict[str, str]:
        """The profile fields of an API row, as text: keyword arguments for a subclass."""
        return {name: to_text(row.get(name)) for name in PROFILE_FIELDS}

    def fields(self) -> dict[str, str]:
        """The profile fields by the names of the contract's field categories."""
        return {name: getattr(self, name) for name in PROFILE_FIELDS}


@dataclass(frozen=True, slots=True)
class Contact(Profile):
    """One row of GetContacts; `client_id` is WHMCS's `userid`. `email_flags` maps a kind of
    service mail (`general` ...) to its switch (`generalemails` ...)."""

    id: int
    client_id: int
    email_flags: Mapping[str, bool] = field(default_factory=dict)

    @classmethod
    def from_api(cls, row: Row) -> Contact:
        flags = {
            switch.removesuffix("emails"): to_bool(row.get(switch)) for switch in CONTACT_SWITCHES if switch in row
        }
        return cls(
            id=to_int(row.get("id")), client_id=to_int(row.get("userid")), email_flags=flags, **Profile.read(row),
        )


@dataclass(frozen=True, slots=True)
class Invoice:
    """One row of GetInvoices. `status` is WHMCS's stored status; "Overdue" is not one of them
    but a filter of GetInvoices (Unpaid and past its due date), hence `is_overdue(today)`."""

    id: int
    client_id: int
    status: str
    invoicenum: str = ""
    date: date | None = None
    duedate: date | None = None
    datepaid: date | None = None
    date_cancelled: date | None = None
    total: str = "0.00"
    paymentmethod: str = ""

    def is_overdue(self, today: date) -> bool:
        return self.status == "Unpaid" and self.duedate is not None and self.duedate < today

    @classmethod
    def from_api(cls, row: Row) -> Invoice:
        return cls(
            id=to_int(row.get("id")), client_id=to_int(row.get("userid")),
            status=to_text(row.get("status")), invoicenum=to_text(row.get("invoicenum")),
            date=to_date(row.get("date")), duedate=to_date(row.get("duedate")),
            datepaid=to_date(row.get("datepaid")),
            date_cancelled=to_date(row.get("date_cancelled")),
            total=to_text(row.get("total")) or "0.00",
            paymentmethod=to_text(row.get("paymentmethod")),
        )


@dataclass(frozen=True, slots=True)
class PayMethod:
    """A stored card or bank account, masked: never the remote token. A card keeps its last four
    digits; a bank account keeps its bank's name only (GetPayMethods documents no account number
    for bank accounts, so there are no last four to keep)."""

    id: int
    type: str
    last_four: str = ""
    description: str = field(default="", repr=False)
    gateway: str = ""
    bank_name: str = field(default="", repr=False)

    @property
    def is_card(self) -> bool:
        return self.type.endswith("CreditCard")

    @classmethod
    def from_api(cls, row: Row) -> PayMethod:
        kind = to_text(row.get("type"))
        card = kind.endswith("CreditCard")
        digits = "".join(ch for ch in to_text(row.get("card_last_four")) if ch.isdigit())
        return cls(
            id=to_int(row.get("id")), type=kind, last_four=digits[-4:] if card else "",
            description=to_text(row.get("description")),
            gateway=to_text(row.get("gateway_name")),
            bank_name="" if card else to_text(row.get("bank_name")),
        )

    @property
    def masked(self) -> str:
        """What the bridge records of it: type and last four (a card) or bank name (a bank)."""
        detail = self.last_four if self.is_card else self.bank_name.strip()
        return f"{self.type}:{detail}" if detail else self.type


@dataclass(frozen=True, slots=True)
class AccountLink:
    """A client account a User may access (GetUsers `clients[]`)."""

    client_id: int
    is_owner: bool


@dataclass(frozen=True, slots=True)
class User:
    """An 8.x login identity (GetUsers) and the client accounts it may access."""

    id: int
    clients: tuple[AccountLink, ...] = ()
    datecreated: date | None = None
    firstname: str = personal_field()
    lastname: str = personal_field()
    email: str = personal_field()

    def owns(self, client_id: int) -> bool:
        return any(link.client_id == client_id and link.is_owner for link in self.clients)

    @property
    def client_ids(self) -> frozenset[int]:
        return frozenset(link.client_id for link in self.clients)

    @classmethod
    def from_api(cls, row: Row) -> User:
        links = tuple(
            AccountLink(to_int(link.get("id")), to_bool(link.get("isOwner")))
            for link in row.get("clients") or () if isinstance(link, Mapping)
        )
        return cls(
            id=to_int(row.get("id")), clients=links, datecreated=to_date(row.get("datecreated")),
            firstname=to_text(row.get("firstname")), lastname=to_text(row.get("lastname")),
            email=to_text(row.get("email")),
        )


@dataclass(frozen=True, slots=True)
class Product:
    """A service of a client (GetClientsProducts); its server username and password are dropped."""

    id: int
    client_id: int
    status: str
    pid: int = 0
    name: str = ""
    domain: str = field(default="", repr=False)
    nextduedate: date | None = None
    billingcycle: str = ""

    @property
    def is_live(self) -> bool:
        """Active or Suspended: a customer with such a service is not purged."""
        return self.status in {"Active", "Suspended"}

    @classmethod
    def from_api(cls, row: Row) -> Product:
        return cls(
            id=to_int(row.get("id")), client_id=to_int(row.get("clientid")),
            status=to_text(row.get("status")), pid=to_int(row.get("pid")),
            name=to_text(row.get("name")), domain=to_text(row.get("domain")),
            nextduedate=to_date(row.get("nextduedate")),
            billingcycle=to_text(row.get("billingcycle")),
        )


@dataclass(frozen=True, slots=True)
class ActivityEntry:
    """One activity-log entry (GetActivityLog `activity.entry[]`)."""

    id: int
    client_id: int
    user_id: int
    admin_id: int
    date: str
    description: str = field(default="", repr=False)
    username: str = field(default="", repr=False)
    ipaddress: str = field(default="", repr=False)

    def matches(self, *, client_id: int | None, description: str | None) -> bool:
        """GetActivityLog's filters, as WHMCS documents them (description: a substring)."""
        if client_id is not None and self.client_id != client_id:
            return False
        return description is None or description.lower() in self.description.lower()

    @classmethod
    def from_api(cls, row: Row) -> ActivityEntry:
        client_id = row.get("clientId", row.get("userid"))
        return cls(
            id=to_int(row.get("id")), client_id=to_int(client_id),
            user_id=to_int(row.get("userId")), admin_id=to_int(row.get("adminId")),
            date=to_text(row.get("date")), description=to_text(row.get("description")),
            username=to_text(row.get("username")), ipaddress=to_text(row.get("ipaddress")),
        )
