"""The Session: a default timeout on every call, and exactly one attempt per request (the retry
policy lives in the client, bridge/whmcs/retry.py, and nowhere else)."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError

from bridge.whmcs.session import build_session, no_retries


class TestNoTransportRetries:
    @pytest.mark.parametrize("error", [
        NewConnectionError(None, "refused"),
        ProtocolError("Connection aborted.", ConnectionResetError()),
        ReadTimeoutError(None, "/", "read timed out"),
    ])
    def test_no_error_is_retried_before_or_after_sending(self, error):
        with pytest.raises((MaxRetryError, type(error))):
            no_retries().increment(method="POST", url="/", error=error)

    def test_statuses_are_not_retried(self):
        assert no_retries().is_retry("POST", 503) is False

    def test_a_dropped_connection_is_one_attempt_on_the_wire(self):
        """A server that accepts and hangs up at once: the Session reports it after one
        connection, never reconnecting on its own."""
        accepted, stop = [], threading.Event()
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen(8)
            server.settimeout(0.1)

            def serve() -> None:
                while not stop.is_set():
                    try:
                        conn, _ = server.accept()
                    except TimeoutError:
                        continue
                    accepted.append(conn)
                    conn.close()

            thread = threading.Thread(target=serve, daemon=True)
            thread.start()
            url = f"http://127.0.0.1:{server.getsockname()[1]}/includes/api.php"
            with build_session() as session, pytest.raises(requests.ConnectionError):
                session.post(url, data={"action": "GetClients"}, timeout=(1.0, 1.0))
            # a reconnect, were there one, would have happened inside post(): the count is final
            stop.set()
            thread.join(timeout=2)
        assert len(accepted) == 1


class TestDefaultTimeout:
    def test_applies_when_the_caller_sets_none(self):
        # A listening socket that never answers: the read timeout must end the call.
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            url = f"http://127.0.0.1:{server.getsockname()[1]}/includes/api.php"
            with build_session(timeout=(1.0, 0.2)) as session:
                started = time.monotonic()
                with pytest.raises(requests.ReadTimeout):
                    session.post(url, data={"action": "GetClients"})
            assert time.monotonic() - started < 3

    def test_connection_refused_is_a_connection_error(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with build_session() as session:
            with pytest.raises(requests.ConnectionError):
                session.post(f"http://127.0.0.1:{port}/includes/api.php", data={})
