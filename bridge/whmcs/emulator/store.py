"""The emulator's tables and the small vocabulary its action handlers share.

A handler receives a `Call` (the request's parameters, today's date, and a list to which it
appends the hooks WHMCS would fire) and the `Store`; it returns the answer's fields or raises
`ApiError` with WHMCS's message. The state runs handlers under its lock and fires hooks after.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bridge.whmcs.emulator.records import (
    ActivityRecord,
    ClientRecord,
    ContactRecord,
    EmailRecord,
    InvoiceRecord,
    NoteRecord,
    PayMethodRecord,
    ProductRecord,
    Template,
    UserRecord,
)

ActionResult = dict[str, Any]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ApiError(Exception):
    """A `result=error` answer. WHMCS sends business errors with HTTP 200, auth failures 403."""

    def __init__(self, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Hook:
    event: str
    vars: dict[str, Any]


@dataclass
class Call:
    params: Mapping[str, str]
    now: datetime
    hooks: list[Hook] = field(default_factory=list)

    @property
    def today(self) -> date:
        return self.now.date()

    def text(self, name: str, default: str = "") -> str:
        return self.params.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.params

    def int(self, *names: str) -> int:
        """The first of `names` present, as an int (0 when absent or not a number)."""
        for name in names:
            if name in self.params:
                try:
                    return int(self.params[name].strip() or 0)
                except ValueError:
                    return 0
        return 0

    def flag(self, name: str) -> bool:
        return self.params.get(name, "").strip().lower() in {"1", "true", "on", "yes"}

    def bracketed(self, name: str) -> dict[str, str]:
        """PHP array params: name[key]=value -> {key: value}."""
        prefix = f"{name}["
        return {
            key[len(prefix):-1]: value for key, value in self.params.items()
            if key.startswith(prefix) and key.endswith("]")
        }

    def fire(self, event: str, **vars: Any) -> None:
        self.hooks.append(Hook(event, vars))


def valid_email(value: str) -> bool:
    return bool(_EMAIL.match(value.strip()))


class Store:
    """All emulated WHMCS tables. Not thread-safe on its own: the state holds the lock."""

    def __init__(self) -> None:
        self.clients: dict[int, ClientRecord] = {}
        self.contacts: dict[int, ContactRecord] = {}
        self.users: dict[int, UserRecord] = {}
        self.invoices: dict[int, InvoiceRecord] = {}
        self.products: dict[int, ProductRecord] = {}
        self.paymethods: dict[int, PayMethodRecord] = {}
        self.activity: dict[int, ActivityRecord] = {}
        self.notes: dict[int, NoteRecord] = {}
        self.emails: dict[int, EmailRecord] = {}
        self.templates: dict[str, Template] = {}
        self._ids: dict[str, Iterator[int]] = {}
        self._issued: dict[str, int] = {}
        self._indexes: dict[int, tuple[tuple[int, ...], dict[int, list[Any]]]] = {}
        self._unlinks = 0

    def next_id(self, table: str) -> int:
        value = next(self._ids.setdefault(table, itertools.count(1)))
        self._issued[table] = value
        return value

    def client(self, client_id: int, message: str = "Client ID Not Found") -> ClientRecord:
        try:
            return self.clients[client_id]
        except KeyError:
            raise ApiError(message) from None

    def contact(self, contact_id: int) -> ContactRecord:
        try:
            return self.contacts[contact_id]
        except KeyError:
            raise ApiError("Contact ID Not Found") from None

    def user(self, user_id: int) -> UserRecord:
        try:
            return self.users[user_id]
        except KeyError:
            raise ApiError("Invalid User ID requested") from None

    def client_by_email(self, email: str) -> ClientRecord | None:
        wanted = email.strip().lower()
        return next(
            (c for c in self.clients.values() if c.fields.get("email", "").lower() == wanted),
            None,
        )

    def owner_of(self, client_id: int) -> UserRecord | None:
        return next((u for u in self.users_of(client_id) if u.clients.get(client_id)), None)

    def users_of(self, client_id: int) -> list[UserRecord]:
        """The Users linked to a client, by id (indexed like rows_of; `unlink` keeps it honest)."""
        generation = (len(self.users), self._issued.get("users", 0), self._unlinks)
        cached = self._indexes.get(id(self.users))
        if cached is None or cached[0] != generation:
            index: dict[int, list[Any]] = {}
            for user_id in sorted(self.users):
                for linked in self.users[user_id].clients:
                    index.setdefault(linked, []).append(self.users[user_id])
            cached = (generation, index)
            self._indexes[id(self.users)] = cached
        return [u for u in cached[1].get(client_id, ()) if client_id in u.clients]

    def unlink(self, user: UserRecord, client_id: int) -> None:
        del user.clients[client_id]
        self._unlinks += 1

    def rows_of(self, table: Mapping[int, Any], client_id: int) -> list[Any]:
        """A client's rows of one table, by id. Indexed per table and rebuilt when the table gains
        or loses rows (rows never move between clients), so per-client calls stay cheap with
        tens of thousands of customers."""
        return list(self._by_client(table).get(client_id, ()))

    def _by_client(self, table: Mapping[int, Any]) -> dict[int, list[Any]]:
        names = {id(getattr(self, n)): n for n in ("contacts", "invoices", "products", "paymethods", "notes",
                                                      "emails", "activity")}
        generation = (len(table), self._issued.get(names.get(id(table), ""), 0))
        cached = self._indexes.get(id(table))
        if cached is not None and cached[0] == generation:
            return cached[1]
        index: dict[int, list[Any]] = {}
        for row_id in sorted(table):
            row = table[row_id]
            index.setdefault(getattr(row, "client_id", None), []).append(row)
        self._indexes[id(table)] = (generation, index)
        return index


def page(rows: list[Any], call: Call) -> tuple[list[Any], ActionResult]:
    """WHMCS paging: `limitstart` (default 0) and `limitnum` (default 25); the counters as the
    reference's examples send them (numbers)."""
    start = max(call.int("limitstart"), 0)
    limit = call.int("limitnum") if call.has("limitnum") else 25
    chosen = rows[start:start + max(limit, 0)]
    counters = {"totalresults": len(rows), "startnumber": start, "numreturned": len(chosen)}
    return chosen, counters
