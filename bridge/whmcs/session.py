"""The one requests.Session the bridge uses for WHMCS.

The adapter makes exactly one attempt per request: no transport-level retries of any kind, so a
read makes at most `RetryPolicy.attempts` requests in all and a write exactly one. Retrying is the
client's business (`bridge.whmcs.retry`), since only it knows whether an action is a read. A
default (connect, read) timeout applies to any call that sets none; the client always sets its
own, from the policy.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from bridge.whmcs.retry import RetryPolicy, Timeout

DEFAULT_TIMEOUT: Timeout = (RetryPolicy().connect_timeout, RetryPolicy().read_timeout)


class TimeoutHTTPAdapter(HTTPAdapter):
    """An HTTPAdapter that applies a default (connect, read) timeout to calls that set none."""

    def __init__(self, *, timeout: Timeout = DEFAULT_TIMEOUT, **kwargs: Any) -> None:
        self.timeout = timeout
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def no_retries() -> Retry:
    """One attempt: any error, before or after sending, is raised at once. `read=False` re-raises a
    read error as itself, so requests reports a ReadTimeout, not a ConnectionError."""
    return Retry(total=0, connect=0, read=False, status=0, other=0, redirect=0, raise_on_status=False)


def build_session(*, timeout: Timeout = DEFAULT_TIMEOUT, pool_size: int = 10) -> requests.Session:
    """A Session with a pooled adapter for http and https, one attempt per request and a default
    timeout on every call. TLS verification stays on (requests' default)."""
    session = requests.Session()
    adapter = TimeoutHTTPAdapter(
        timeout=timeout, pool_connections=pool_size, pool_maxsize=pool_size, max_retries=no_retries(),
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
