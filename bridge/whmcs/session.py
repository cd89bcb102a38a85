"""The one requests.Session the bridge uses for WHMCS.

Transport-level retries are limited to failures that happen before a request leaves this host
(DNS, connection refused, connect timeout): those are safe even for writes, because WHMCS never
saw the request. Read timeouts, resets after sending and HTTP statuses are not retried here;
`HttpWhmcsClient` decides that per action, since only it knows whether an action is a read.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

Timeout = tuple[float, float]
DEFAULT_TIMEOUT: Timeout = (5.0, 30.0)


class TimeoutHTTPAdapter(HTTPAdapter):
    """An HTTPAdapter that applies a default (connect, read) timeout to calls that set none."""

    def __init__(self, *, timeout: Timeout = DEFAULT_TIMEOUT, **kwargs: Any) -> None:
        self.timeout = timeout
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def connect_only_retry(connect: int, backoff: float) -> Retry:
    """Retry connection errors only; any error after sending is raised at once. `read=False`
    re-raises a read error as itself, so requests reports a ReadTimeout, not a ConnectionError."""
    return Retry(
        total=None, connect=connect, read=False, status=0, other=0, redirect=0,
        allowed_methods=None, backoff_factor=backoff, raise_on_status=False,
    )


def build_session(
    *, timeout: Timeout = DEFAULT_TIMEOUT, pool_size: int = 10, connect_retries: int = 2,
    connect_backoff: float = 0.2,
) -> requests.Session:
    """A Session with a pooled adapter for http and https, connect-only retries and a default
    timeout on every call. TLS verification stays on (requests' default)."""
    session = requests.Session()
    adapter = TimeoutHTTPAdapter(
        timeout=timeout, pool_connections=pool_size, pool_maxsize=pool_size,
        max_retries=connect_only_retry(connect_retries, connect_backoff),
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
