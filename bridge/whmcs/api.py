"""The interface the bridge uses to talk to WHMCS, its result types and its errors.

`WhmcsClient` is implemented by `bridge.whmcs.http.HttpWhmcsClient` over api.php; tests and the
demo point that same implementation at the emulator. Reads (`get_*`, `iter_*`) may be retried by
the implementation (`bridge.whmcs.retry`, the only retry layer: callers add none); writes are sent
once and take a required keyword `change_id`, sent to WHMCS as
`bridge_change_id` so the hook can tell the bridge's own writes from everyone else's (contract
section 6). A write that raises `WhmcsUnavailable` may or may not have happened: the caller's
durable job decides when to try again, after re-reading.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from bridge.whmcs.client_details import ClientDetails
from bridge.whmcs.errors import (
    WhmcsAuthError,
    WhmcsError,
    WhmcsIpRefused,
    WhmcsNotFound,
    WhmcsPermissionDenied,
    WhmcsRejected,
    WhmcsUnavailable,
)
from bridge.whmcs.results import (
    AccountLink,
    ActivityEntry,
    ClientStats,
    ClientSummary,
    ClientUserLink,
    Contact,
    Invoice,
    PayMethod,
    Product,
    User,
)

__all__ = [
    "AccountLink", "ActivityEntry", "ClientDetails", "ClientStats", "ClientSummary",
    "ClientUserLink", "Contact", "Fields", "Invoice", "ResultPage", "PayMethod", "Product", "User",
    "WhmcsAuthError", "WhmcsClient", "WhmcsError", "WhmcsIpRefused", "WhmcsNotFound",
    "WhmcsPermissionDenied", "WhmcsRejected", "WhmcsUnavailable", "check_whmcs",
]

T = TypeVar("T")
# Values for UpdateClient/UpdateContact/UpdateUser, under WHMCS's own parameter names.
# `email_preferences` may be a mapping ({"general": True}); booleans are sent as 1/0.
Fields = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class ResultPage(Generic[T]):
    """One page of a paged read; `next_start` is None when WHMCS reported no further rows."""

    rows: tuple[T, ...]
    total: int
    start: int
    next_start: int | None


class WhmcsClient(Protocol):
    """The WHMCS External API actions the bridge uses. Every method raises `WhmcsUnavailable` or a
    `WhmcsRejected` subclass, never a transport library's exception."""

    def get_clients(
        self, *, limitstart: int = 0, limitnum: int = 25, status: str | None = None,
        search: str | None = None,
    ) -> ResultPage[ClientSummary]: ...

    def iter_clients(
        self, *, status: str | None = None, search: str | None = None, start: int = 0,
    ) -> Iterator[ClientSummary]: ...

    def get_client(self, client_id: int, *, stats: bool = False) -> ClientDetails: ...

    def update_client(
        self, client_id: int, fields: Fields, *, change_id: str, skip_validation: bool = False,
    ) -> None: ...

    def close_client(self, client_id: int, *, change_id: str) -> None: ...

    def delete_client(
        self, client_id: int, *, change_id: str, delete_users: bool = False,
        delete_transactions: bool = False,
    ) -> None: ...

    def iter_contacts(self, client_id: int) -> Iterator[Contact]: ...

    def add_contact(self, client_id: int, fields: Fields, *, change_id: str) -> int: ...

    def update_contact(self, contact_id: int, fields: Fields, *, change_id: str) -> None: ...

    def delete_contact(self, contact_id: int, *, change_id: str) -> None: ...

    def iter_invoices(self, client_id: int, *, status: str | None = None) -> Iterator[Invoice]: ...

    def get_pay_methods(self, client_id: int) -> list[PayMethod]: ...

    def delete_pay_method(self, client_id: int, paymethod_id: int, *, change_id: str) -> None: ...

    def iter_users(self, *, search: str | None = None) -> Iterator[User]: ...

    def update_user(self, user_id: int, fields: Fields, *, change_id: str) -> None: ...

    def delete_user_client(self, user_id: int, client_id: int, *, change_id: str) -> None: ...

    def iter_client_products(self, client_id: int) -> Iterator[Product]: ...

    def log_activity(
        self, description: str, *, change_id: str, client_id: int | None = None,
    ) -> None: ...

    def iter_activity(
        self, *, client_id: int | None = None, description: str | None = None,
    ) -> Iterator[ActivityEntry]: ...

    def add_client_note(
        self, client_id: int, notes: str, *, change_id: str, sticky: bool = False,
    ) -> int: ...

    def send_email(
        self, template: str, related_id: int, *, change_id: str,
        custom_vars: Mapping[str, str] | None = None,
    ) -> None: ...


def check_whmcs(client: WhmcsClient) -> dict[str, object]:
    """Readiness probe: one cheap read (GetClients, one row). Never raises.

    Answers {"ok": bool, "detail": ...}; detail is one of "reachable", "authentication failed",
    "ip refused", "permission denied", "rejected", "unreachable" or "error". No credential or
    WHMCS message is included.
    """
    try:
        client.get_clients(limitnum=1)
    except WhmcsAuthError:
        return {"ok": False, "detail": "authentication failed"}
    except WhmcsIpRefused:
        return {"ok": False, "detail": "ip refused"}
    except WhmcsPermissionDenied:
        return {"ok": False, "detail": "permission denied"}
    except WhmcsRejected:
        return {"ok": False, "detail": "rejected"}
    except WhmcsUnavailable:
        return {"ok": False, "detail": "unreachable"}
    except Exception:  # a probe reports, it never takes the readiness endpoint down
        return {"ok": False, "detail": "error"}
    return {"ok": True, "detail": "reachable"}
