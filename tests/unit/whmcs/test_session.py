"""The Session: default timeout on every call; transport retries only before a request is sent."""

from __future__ import annotations

import socket
import time

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError

from bridge.whmcs.session import build_session, connect_only_retry


class TestRetryPolicy:
    def test_connection_errors_before_sending_are_retried(self):
        retry = connect_only_retry(2, 0)
        error = NewConnectionError(None, "refused")
        retry = retry.increment(method="POST", url="/", error=error)
        retry = retry.increment(method="POST", url="/", error=error)
        with pytest.raises(MaxRetryError):
            retry.increment(method="POST", url="/", error=error)

    @pytest.mark.parametrize("error", [
        ProtocolError("Connection aborted.", ConnectionResetError()),
        ReadTimeoutError(None, "/", "read timed out"),
    ])
    def test_errors_after_sending_are_never_retried_even_for_reads(self, error):
        for method in ("POST", "GET"):
            with pytest.raises((MaxRetryError, type(error))):
                connect_only_retry(3, 0).increment(method=method, url="/", error=error)

    def test_statuses_are_not_retried(self):
        retry = connect_only_retry(3, 0)
        assert retry.is_retry("POST", 503) is False


class TestDefaultTimeout:
    def test_applies_when_the_caller_sets_none(self):
        # A listening socket that never answers: the read timeout must end the call.
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            url = f"http://127.0.0.1:{server.getsockname()[1]}/includes/api.php"
            with build_session(timeout=(1.0, 0.2), connect_retries=0) as session:
                started = time.monotonic()
                with pytest.raises(requests.ReadTimeout):
                    session.post(url, data={"action": "GetClients"})
            assert time.monotonic() - started < 3

    def test_connection_refused_is_a_connection_error(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with build_session(connect_retries=1, connect_backoff=0) as session:
            with pytest.raises(requests.ConnectionError):
                session.post(f"http://127.0.0.1:{port}/includes/api.php", data={})
