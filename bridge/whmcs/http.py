"""HttpWhmcsClient: `WhmcsClient` over WHMCS's External API (includes/api.php).

This is the only module that knows the wire protocol: a form-encoded POST carrying `action`,
`identifier`, `secret`, `accesskey` (when configured) and `responsetype=json`, answered by a
`result`/`message` envelope. Reads are retried as `retry.RetryPolicy` says (backoff with jitter
inside one total deadline); writes are sent exactly once and carry `bridge_change_id`. Only the
parameters WHMCS documents for an action are sent (`documented.PARAMETERS`). Redirects are never
followed: the secret travels in the body, and a 3xx is an error naming the location. Logs name the
action, the outcome (`success` or the error's class) and the duration only: never parameters,
answers or credentials.
"""

from __future__ import annotations

import logging
import random as _random
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

import requests

from bridge.vocabulary import CHANGE_ID
from bridge.whmcs import documented
from bridge.whmcs.api import Fields, ResultPage
from bridge.whmcs.client_details import ClientDetails
from bridge.whmcs.errors import WhmcsError, WhmcsRedirected, WhmcsUnavailable, classify_rejection
from bridge.whmcs.paging import extract_rows, parse_page
from bridge.whmcs.phpserial import encode_array
from bridge.whmcs.results import (
    ActivityEntry,
    ClientSummary,
    Contact,
    Invoice,
    PayMethod,
    Product,
    User,
    to_int,
)
from bridge.whmcs.retry import RetryPolicy, Timeout, retry_read

log = logging.getLogger("bridge.whmcs")


class _Row(Protocol):
    @property
    def id(self) -> int: ...


T = TypeVar("T")
R = TypeVar("R", bound=_Row)
WhmcsReply = dict[str, Any]

_PREFERENCE_ALIASES = {"invoices": "invoice"}
_BUSY = (408, 429)  # request timeout, too many requests: answered by a proxy or WHMCS, transient


def encode_fields(fields: Fields) -> dict[str, str]:
    """Form fields in PHP's conventions: booleans as 1/0, None as "", mappings as key[sub]."""
    form: dict[str, str] = {}
    for key, value in fields.items():
        name = documented.api_name(key)
        if isinstance(value, Mapping):
            for sub, item in value.items():
                form[f"{name}[{_PREFERENCE_ALIASES.get(sub, sub)}]"] = _scalar(item)
        else:
            form[name] = _scalar(value)
    return form


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


class HttpWhmcsClient:
    """See the module docstring. Collaborators are injected: the Session (from
    `session.build_session`), the retry policy (its numbers are settings), and the monotonic
    `clock`, `sleep` and `random` the policy runs on (replaceable in tests)."""

    def __init__(
        self, *, session: requests.Session, url: str, identifier: str, secret: str,
        accesskey: str | None = None, policy: RetryPolicy | None = None, page_size: int = 100,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self._session = session
        self._url = url
        self._auth = {"identifier": identifier, "secret": secret}
        if accesskey:
            self._auth["accesskey"] = accesskey
        self._policy = policy or RetryPolicy()
        self._page_size = page_size
        self._clock = clock
        self._sleep = sleep
        self._random = random

    def __repr__(self) -> str:
        return f"HttpWhmcsClient(url={self._url!r})"

    # -- transport -------------------------------------------------------------------------

    @property
    def policy(self) -> RetryPolicy:
        return self._policy

    def _post(self, action: str, params: Mapping[str, str], timeout: Timeout) -> WhmcsReply:
        """One request; raises WhmcsUnavailable or a WhmcsRejected subclass."""
        unknown = documented.undocumented(action, params)
        if unknown:  # a bridge bug: WHMCS would ignore them silently
            raise ValueError(f"{action} does not document {', '.join(unknown)}")
        form = {**params, "action": action, "responsetype": "json", **self._auth}
        started = time.monotonic()
        outcome = "success"
        try:
            return self._decode(action, self._send(action, form, timeout))
        except WhmcsError as exc:
            outcome = type(exc).__name__
            raise
        finally:
            elapsed_ms = (time.monotonic() - started) * 1000
            log.info("whmcs %s %s in %.0f ms", action, outcome, elapsed_ms)

    def _send(self, action: str, form: Mapping[str, str], timeout: Timeout) -> requests.Response:
        try:
            return self._session.post(self._url, data=form, timeout=timeout, allow_redirects=False)
        except requests.Timeout:
            raise WhmcsUnavailable(action, "timed out") from None
        except requests.ConnectionError:
            raise WhmcsUnavailable(action, "connection failed") from None
        except requests.exceptions.ChunkedEncodingError:
            raise WhmcsUnavailable(action, "answer cut off") from None
        except requests.RequestException as exc:  # a bad URL or the like: trying again won't help
            raise WhmcsUnavailable(action, exc.__class__.__name__, transient=False) from None

    @staticmethod
    def _decode(action: str, response: requests.Response) -> WhmcsReply:
        status = response.status_code
        if 300 <= status < 400:
            raise WhmcsRedirected(action, _shown_location(response.headers.get("Location", "")))
        if status >= 500 or status in _BUSY:
            raise WhmcsUnavailable(action, f"HTTP {status}")
        # an unreadable 2xx is a maintenance page or a cut-off body (worth another try); an
        # unreadable 4xx is the wrong URL, which only the operator can fix
        passing = status < 300
        try:
            answer = response.json()
        except ValueError:
            raise WhmcsUnavailable(action, f"answer is not JSON (HTTP {status})",
                                   transient=passing) from None
        result = answer.get("result") if isinstance(answer, dict) else None
        if result == "error":
            message = answer.get("message")
            raise classify_rejection(action, str(message or ""), http_status=status)
        if result != "success" or status >= 300:
            raise WhmcsUnavailable(action, f"unexpected answer (HTTP {status})", transient=passing)
        return answer

    def _read(self, action: str, params: Mapping[str, object]) -> WhmcsReply:
        """A read, retried as the policy says."""
        if not documented.is_read(action):
            raise ValueError(f"{action} is not documented as a read; it is never retried")
        form = encode_fields(params)
        return retry_read(self._policy, lambda timeout: self._post(action, form, timeout),
                          clock=self._clock, sleep=self._sleep, random=self._random)

    def _write(self, action: str, params: Mapping[str, object], change_id: str) -> WhmcsReply:
        """A write: one request, whatever happens. A `WhmcsUnavailable` leaves it unknown whether
        WHMCS carried it out; the job that holds the write re-reads and retries it later."""
        if documented.is_read(action):
            raise ValueError(f"{action} is a read; writes carry a change id and are sent once")
        if not change_id:
            raise ValueError("a WHMCS write needs a change_id")
        form = {**encode_fields(params), CHANGE_ID: change_id}
        return self._post(action, form, self._policy.write_timeout())

    def _iter(
        self, action: str, params: Mapping[str, object], *, container: str, item: str,
        parse: Callable[[Mapping[str, Any]], R], start: int = 0,
    ) -> Iterator[R]:
        """Every row of a paged read, ending on an empty page, on the reported total, or on a page
        that brings nothing new (a server ignoring limitstart). A row that shifts into the next
        page or the one after (rows inserted while paging) is yielded once: the ids of the last
        two pages are remembered, not every id, so memory stays flat however many rows there are."""
        recent: deque[set[int]] = deque(maxlen=2)
        next_start: int | None = start
        while next_start is not None:
            page = self._page(action, params, container, item, parse, next_start)
            fresh = [row for row in page.rows if not any(row.id in ids for ids in recent)]
            if not fresh:
                return
            recent.append({row.id for row in page.rows})
            yield from fresh
            next_start = page.next_start

    def _page(
        self, action: str, params: Mapping[str, object], container: str, item: str,
        parse: Callable[[Mapping[str, Any]], T], start: int, limit: int | None = None,
    ) -> ResultPage[T]:
        query = {**params, "limitstart": start, "limitnum": limit or self._page_size}
        answer = self._read(action, query)
        return parse_page(action, answer, container=container, item=item, parse=parse, start=start)

    # -- clients ---------------------------------------------------------------------------

    def get_clients(
        self, *, limitstart: int = 0, limitnum: int = 25, status: str | None = None,
        search: str | None = None,
    ) -> ResultPage[ClientSummary]:
        params = _present(status=status, search=search)
        return self._page(
            "GetClients", params, "clients", "client", ClientSummary.from_api, limitstart, limitnum,
        )

    def iter_clients(
        self, *, status: str | None = None, search: str | None = None, start: int = 0,
    ) -> Iterator[ClientSummary]:
        params = {**_present(status=status, search=search), "orderby": "id", "sorting": "ASC"}
        return self._iter(
            "GetClients", params, container="clients", item="client",
            parse=ClientSummary.from_api, start=start,
        )

    def get_client(self, client_id: int, *, stats: bool = False) -> ClientDetails:
        answer = self._read("GetClientsDetails", {"clientid": client_id, "stats": stats})
        return ClientDetails.from_api(answer)

    def update_client(
        self, client_id: int, fields: Fields, *, change_id: str, skip_validation: bool = False,
    ) -> None:
        params = {**fields, "clientid": client_id}
        if skip_validation:
            params["skipvalidation"] = True
        self._write("UpdateClient", params, change_id)

    def close_client(self, client_id: int, *, change_id: str) -> None:
        self._write("CloseClient", {"clientid": client_id}, change_id)

    def delete_client(
        self, client_id: int, *, change_id: str, delete_users: bool = False,
        delete_transactions: bool = False,
    ) -> None:
        params = {
            "clientid": client_id, "deleteusers": delete_users,
            "deletetransactions": delete_transactions,
        }
        self._write("DeleteClient", params, change_id)

    # -- contacts --------------------------------------------------------------------------

    def iter_contacts(self, client_id: int) -> Iterator[Contact]:
        return self._iter(
            "GetContacts", {"userid": client_id}, container="contacts", item="contact",
            parse=Contact.from_api,
        )

    def add_contact(self, client_id: int, fields: Fields, *, change_id: str) -> int:
        answer = self._write("AddContact", {**fields, "clientid": client_id}, change_id)
        return to_int(answer.get("contactid"))

    def update_contact(self, contact_id: int, fields: Fields, *, change_id: str) -> None:
        self._write("UpdateContact", {**fields, "contactid": contact_id}, change_id)

    def delete_contact(self, contact_id: int, *, change_id: str) -> None:
        self._write("DeleteContact", {"contactid": contact_id}, change_id)

    # -- billing ---------------------------------------------------------------------------

    def iter_invoices(self, client_id: int, *, status: str | None = None) -> Iterator[Invoice]:
        params = {"userid": client_id, **_present(status=status)}
        return self._iter(
            "GetInvoices", params, container="invoices", item="invoice", parse=Invoice.from_api,
        )

    def get_pay_methods(self, client_id: int) -> list[PayMethod]:
        answer = self._read("GetPayMethods", {"clientid": client_id})
        rows = extract_rows("GetPayMethods", answer, "paymethods", None)
        return [PayMethod.from_api(row) for row in rows]

    def delete_pay_method(self, client_id: int, paymethod_id: int, *, change_id: str) -> None:
        params = {"clientid": client_id, "paymethodid": paymethod_id}
        self._write("DeletePayMethod", params, change_id)

    def iter_client_products(self, client_id: int) -> Iterator[Product]:
        return self._iter(
            "GetClientsProducts", {"clientid": client_id}, container="products", item="product",
            parse=Product.from_api,
        )

    # -- users -----------------------------------------------------------------------------

    def iter_users(self, *, search: str | None = None) -> Iterator[User]:
        return self._iter(
            "GetUsers", _present(search=search), container="users", item="user",
            parse=User.from_api,
        )

    def update_user(self, user_id: int, fields: Fields, *, change_id: str) -> None:
        self._write("UpdateUser", {**fields, "user_id": user_id}, change_id)

    def delete_user_client(self, user_id: int, client_id: int, *, change_id: str) -> None:
        params = {"user_id": user_id, "client_id": client_id}
        self._write("DeleteUserClient", params, change_id)

    # -- activity, notes, email ------------------------------------------------------------

    def log_activity(
        self, description: str, *, change_id: str, client_id: int | None = None,
    ) -> None:
        params = {"description": description, **_present(clientid=client_id)}
        self._write("LogActivity", params, change_id)

    def iter_activity(
        self, *, client_id: int | None = None, description: str | None = None,
    ) -> Iterator[ActivityEntry]:
        """The filters are sent and applied again here: WHMCS before 8.5 has no `clientid`
        filter (it answers every client's entries), and a server's filter is not evidence."""
        params = _present(clientid=client_id, description=description)
        entries = self._iter(
            "GetActivityLog", params, container="activity", item="entry",
            parse=ActivityEntry.from_api,
        )
        return (e for e in entries if e.matches(client_id=client_id, description=description))

    def add_client_note(
        self, client_id: int, notes: str, *, change_id: str, sticky: bool = False,
    ) -> int:
        params = {"userid": client_id, "notes": notes, "sticky": sticky}
        return to_int(self._write("AddClientNote", params, change_id).get("noteid"))

    def send_email(
        self, template: str, related_id: int, *, change_id: str,
        custom_vars: Mapping[str, str] | None = None,
    ) -> None:
        params: dict[str, object] = {"messagename": template, "id": related_id}
        if custom_vars:
            params["customvars"] = encode_array(custom_vars)
        self._write("SendEmail", params, change_id)


def _shown_location(location: str) -> str:
    """A redirect target fit for a log: scheme, host and path only (a query or user info could
    carry anything)."""
    try:
        parts = urlsplit(location)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "an unreadable location"
    return urlunsplit((parts.scheme, f"{parts.hostname or ''}{port}", parts.path, "", ""))


def _present(**values: object) -> dict[str, object]:
    """Only the filters that were given, so an unset filter is never sent as an empty one."""
    return {key: value for key, value in values.items() if value is not None}
