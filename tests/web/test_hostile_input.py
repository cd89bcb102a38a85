"""Hostile input: property tests over the hook envelope and its headers, injection strings through
every staff text field and the hook vars, and slow or oversized clients against a real `bridge
serve`. Everything is bounded in count and time and stays on loopback; BRIDGE_LONG=1 runs more
examples."""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bridge.clock import FixedClock
from bridge.db import migrate
from bridge.db.base import make_engine
from bridge.errors import ValidationFailed
from bridge.schemas.hooks import load_envelope
from bridge.signing import sign, signed_headers
from bridge.vocabulary import HANDLED_EVENTS, PANEL_EVENTS, VALIDATE_EVENTS
from bridge.web.app import MAX_BODY, create_app
from tests.conftest import T0, TEST_MASTER_KEY, TEST_WEBHOOK_SECRET
from tests.support.servers import bridge_server
from tests.support.web import make_services

LONG = os.environ.get("BRIDGE_LONG") == "1"
SECRET = base64.b64decode(TEST_WEBHOOK_SECRET.removeprefix("whsec_"))
NOW = int(T0.timestamp())
KINDS = {"/v1/hooks/whmcs": "event", "/v1/hooks/whmcs/validate": "validate", "/v1/hooks/whmcs/panel": "panel"}
PROPERTY = settings(max_examples=300 if LONG else 40, deadline=None, database=None, derandomize=not LONG,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def hooked(tmp_path_factory):
    """One app on a SQLite file for the property tests (hypothesis runs many examples per test)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile')}/bridge.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    services = make_services({"BRIDGE_DATABASE_URL": url, "BRIDGE_WEBHOOK_SECRET": TEST_WEBHOOK_SECRET,
                              "BRIDGE_MASTER_KEY": TEST_MASTER_KEY}, FixedClock(T0))
    app = create_app(services=services)
    app.testing = True  # an internal error raises instead of answering 500
    yield app.test_client(), services
    services.dispose()


def _writes(services) -> tuple:
    with services.engine.connect() as conn:
        remembered = conn.execute(text("SELECT count(*) FROM webhook_ids")).scalar_one()
    return services.ledger.head(), remembered


# -- strategies -------------------------------------------------------------------------------------

scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
           | st.sampled_from(["", " ", "0", "1", "-1", "1e999", "NaN", "null", "true", "2026-11-24T20:00:00Z",
                              "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "x" * 5000]))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=16)
event_names = st.sampled_from(sorted(HANDLED_EVENTS | VALIDATE_EVENTS | PANEL_EVENTS)) | json_values
client_vars = st.fixed_dictionaries({"userid": st.integers(-1, 2**64) | json_values},
                                    optional={"email": json_values, "firstname": json_values,
                                              "status": json_values, "olddata": json_values,
                                              "current": json_values, "user": json_values,
                                              "cardnum": json_values, "password": json_values})
FIELDS = {
    "event": event_names,
    "occurred_at": st.sampled_from(["2026-11-24T19:00:00Z"]) | json_values,
    "whmcs": st.just({"version": "8.13.1"}) | json_values,
    "actor": st.fixed_dictionaries({"type": st.sampled_from(["client", "admin", "api", "cron", "system"])
                                    | json_values}, optional={"id": json_values, "ip": json_values,
                                                              "user_id": json_values,
                                                              "masquerading": json_values}) | json_values,
    "outbox_id": st.integers(-1, 2**64) | json_values,
    "vars": client_vars | json_values,
}


@st.composite
def envelopes(draw) -> object:
    """An envelope where every field may be missing, right, or any JSON value; sometimes not even
    an object."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    present = draw(st.sets(st.sampled_from(sorted(FIELDS)), min_size=3))
    return {name: draw(FIELDS[name]) for name in sorted(present)}


def _body(envelope: object) -> bytes:
    return json.dumps(envelope).encode()


raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([b"", b"{", b"[]", b"null", b'{"event": NaN}', b'{"a": Infinity}', b"\xff\xfe{}",
                     b"[" * 50_000 + b"]" * 50_000, b'{"event": "ClientEdit", "event": "ClientAdd"}',
                     b'"\\ud800"', b"1" * 100_000]),
    envelopes().map(_body),
)

header_values = st.one_of(
    st.just(""), st.text(max_size=60), st.text(alphabet=st.characters(min_codepoint=0x80), max_size=30),
    st.sampled_from(["v1,", "v1,AAAA", "v2," + "A" * 44, "v1," + "=" * 44, "v1,!!!!", " v1,abc  v1,def ",
                     "1" * 30, "-1", "1e10", "99999999999999999999999", str(NOW), str(NOW - 10_000), "\u00e9\u00e8",
                     "msg_" + "x" * 70_000, "v1," + base64.b64encode(b"x" * 32).decode() * 200]),
)


@st.composite
def unsigned_headers(draw, body: bytes) -> list[tuple[str, str]]:
    """Header forms that can never verify: absent, empty, unicode, huge, repeated, a signature from
    another secret, one over other bytes, or a right one outside the tolerance."""
    form = draw(st.sampled_from(["random", "wrong-secret", "other-body", "stale", "future"]))
    msg_id = draw(st.sampled_from(["msg_1", "msg_hostile"]) | st.text(min_size=1, max_size=30))
    if form == "random":
        headers = []
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
            for value in draw(st.lists(header_values, max_size=3)):
                headers.append((name, value))
        return headers
    stamp = {"stale": NOW - 3600, "future": NOW + 3600}.get(form, NOW)
    key = b"another-secret-0123456789abcdef!" if form == "wrong-secret" else SECRET
    signed = body + b" " if form == "other-body" else body
    return [("webhook-id", msg_id), ("webhook-timestamp", str(stamp)),
            ("webhook-signature", sign(key, msg_id=msg_id, timestamp=stamp, body=signed))]


def _headers_safe(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # the WSGI test client rejects control characters in header values; a real server never passes them
    return [(k, "".join(ch for ch in v if ch >= " " and ch != "\x7f")) for k, v in headers]


def _is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status and problem["type"].startswith("/problems/")
    return problem


# -- the hook envelope --------------------------------------------------------------------------------


class TestHookEnvelope:
    @PROPERTY
    @given(path=st.sampled_from(sorted(KINDS)), body=raw_bodies, data=st.data())
    def test_an_unsigned_or_wrongly_signed_request_is_401_and_writes_nothing(self, hooked, path, body, data):
        client, services = hooked
        headers = _headers_safe(data.draw(unsigned_headers(body)))
        before = _writes(services)
        response = client.post(path, data=body, headers=headers + [("Content-Type", "application/json")])
        problem = _is_problem(response, 401)
        assert problem["detail"] == "missing or invalid webhook signature"
        assert _writes(services) == before

    @PROPERTY
    @given(path=st.sampled_from(sorted(KINDS)), body=raw_bodies)
    @example(path="/v1/hooks/whmcs", body=b"[" * 50_000 + b"]" * 50_000)
    @example(path="/v1/hooks/whmcs", body=_body({"event": "ClientEdit", "occurred_at": "0945-01-01T00:00:00Z",
                                                 "whmcs": {"version": "8"}, "actor": {"type": "client"},
                                                 "outbox_id": 1, "vars": {"userid": 1}}))
    def test_a_signed_body_is_answered_as_its_schema_says_and_never_5xx(self, hooked, path, body):
        client, services = hooked
        headers = signed_headers(SECRET, msg_id=f"msg_{uuid.uuid4().hex}", timestamp=NOW, body=body)
        before = _writes(services)
        response = client.post(path, data=body, headers={**headers, "Content-Type": "application/json"})
        try:
            load_envelope(json.loads(body.decode("utf-8"), parse_float=str), kind=KINDS[path])
        except (ValidationFailed, ValueError, RecursionError):
            problem = _is_problem(response, 400)
            assert problem["type"] == "/problems/validation" and problem["errors"]
            assert _writes(services) == before
            return
        assert response.status_code in ((200, 202) if path == "/v1/hooks/whmcs" else (200,))

    @PROPERTY
    @given(body=envelopes().map(_body), repeats=st.integers(2, 3))
    def test_a_replayed_webhook_id_never_writes_twice(self, hooked, body, repeats):
        client, services = hooked
        msg_id = f"msg_{uuid.uuid4().hex}"
        headers = {**signed_headers(SECRET, msg_id=msg_id, timestamp=NOW, body=body),
                   "Content-Type": "application/json"}
        first = client.post("/v1/hooks/whmcs", data=body, headers=headers)
        after_first = _writes(services)
        for _ in range(repeats - 1):
            again = client.post("/v1/hooks/whmcs", data=body, headers=headers)
            assert again.status_code == (200 if first.status_code in (200, 202) else first.status_code)
            assert _writes(services) == after_first

    def test_a_body_over_one_mebibyte_is_413_before_the_signature(self, hooked):
        client, services = hooked
        body = b"{" + b" " * MAX_BODY + b"}"
        before = _writes(services)
        response = client.post("/v1/hooks/whmcs", data=body, headers={"Content-Type": "application/json"})
        _is_problem(response, 413)
        assert _writes(services) == before


# -- injection strings through every text field ---------------------------------------------------------

HOSTILE = [
    "'; DROP TABLE ledger_entries; --",
    "Robert'); DELETE FROM webhook_ids WHERE '1'='1",
    "\" OR \"1\"=\"1\" --",
    "1 UNION SELECT hash FROM chain_head",
    "<script>alert(document.cookie)</script>",
    "<img src=x onerror=alert(1)>",
    "</textarea><svg/onload=alert(1)>",
    "{{ 7*7 }}{% raw %}",
    "${7*7} #{7*7} %s%n%x",
    "\u02bc OR 1=1 -- \u00fcn\u00efc\u00f6d\u00e9 \U0001f642 \u202e",
]
CLIENT = 4242


def _values(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _values(value)
    else:
        yield node


def _staff_posts(value: str) -> list[tuple[str, str, dict, list[str]]]:
    """(role, path, body, fields expected back exactly in the new ledger entries)."""
    base = f"/v1/clients/{CLIENT}"
    return [  # billing first: refused (and recorded) while the customer is not yet verified
        ("agent", f"{base}/billing-disclosures", {"channel": "phone", "purpose": value}, ["purpose"]),
        ("agent", f"{base}/verifications", {"document_type": "passport", "issuing_country": "DE", "note": value},
         ["note"]),
        ("agent", f"{base}/consent", {"marketing": False, "channel": "email", "note": value}, ["note"]),
        ("dpo", f"{base}/disclosures", {"recipient": value, "ground": "legal_process", "reference": value,
                                        "categories": ["contact"]}, ["recipient", "reference"]),
        ("dpo", f"{base}/holds", {"reason": "legal_process", "reference": value, "note": value},
         ["reference", "note"]),
    ]


def _refused(value: str) -> list[tuple[str, str, dict]]:
    """Fields whose format is fixed: a hostile value is a 400/422 problem, never stored."""
    base = f"/v1/clients/{CLIENT}"
    return [
        ("agent", f"{base}/verifications", {"document_type": value, "issuing_country": value}),
        ("agent", f"{base}/consent", {"marketing": False, "channel": value}),
        ("dpo", f"{base}/disclosures", {"recipient": "r", "ground": value, "reference": "x", "categories": [value]}),
        ("dpo", f"{base}/holds", {"reason": value, "reference": "x"}),
        ("dpo", "/v1/policies", {"version": value, "published_at": value, "document_sha256": value, "url": value}),
        ("dpo", "/v1/retention/run", {"as_of": value, "dry_run": value, "limit": value}),
    ]


def _new_entries(client, token_for, after: int) -> list[dict]:
    page = client.get(f"/v1/clients/{CLIENT}/ledger?after={after}&limit=1000", headers=token_for("dpo"))
    assert page.status_code == 200
    return page.get_json()["entries"]


def _hostile_event(signer, value: str, n: int):
    return signer.request({
        "event": "ClientEdit", "occurred_at": "2026-11-24T19:00:00Z", "whmcs": {"version": "8.13.1"},
        "actor": {"type": "api", "id": value, "ip": "203.0.113.7"}, "outbox_id": 1000 + n,
        "vars": {"userid": CLIENT, "firstname": value, "email": f"{n}{value}", "notes": value,
                 "olddata": {"firstname": f"old {value}", "email": f"old{n}@example.com"}},
    }, webhook_id=_webhook_id(n, value))


def _webhook_id(n: int, value: str) -> str:
    # header values are latin-1 on the wire; the hostile part stays, the rest becomes "?"
    return f"msg_{n}_" + value.encode("ascii", "replace").decode()


class TestInjection:
    @pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
    def test_staff_text_round_trips_exactly_and_nothing_executes(self, client, token_for, services, value):
        for role, path, body, expected in _staff_posts(value):
            after = services.ledger.head()[0]
            response = client.post(path, json=body, headers=token_for(role))
            assert response.status_code in (201, 403), (path, response.get_data(as_text=True)[:300])
            stored = list(_values([e["details"] for e in _new_entries(client, token_for, after)]))
            for field in expected:
                assert body[field] in stored, (path, field)
        for role, path, body in _refused(value):
            response = client.post(path, json=body, headers=token_for(role))
            assert response.status_code in (400, 422), (path, response.status_code)
            assert response.mimetype == "application/problem+json"
            assert value not in response.get_data(as_text=True)  # never echoed
        verify = client.get("/v1/ledger/verify", headers=token_for("auditor")).get_json()
        assert verify["ok"] is True and verify["entries"] == services.ledger.head()[0]

    @pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
    def test_hook_vars_round_trip_exactly_and_panels_escape(self, client, signer, token_for, services, value):
        after = services.ledger.head()[0]
        body, headers = _hostile_event(signer, value, 1)
        response = client.post("/v1/hooks/whmcs", data=body, headers=headers)
        assert response.status_code == 202, response.get_data(as_text=True)[:300]
        assert client.post("/v1/hooks/whmcs", data=body, headers=headers).get_json() == {"status": "duplicate"}
        entries = _new_entries(client, token_for, after)
        update = next(e for e in entries if e["event_type"] == "client.updated")
        changes = {c["field"]: (c["old"], c["new"]) for c in update["changes"]}
        assert changes["firstname"] == (f"old {value}", value)
        assert changes["email"] == ("old1@example.com", f"1{value}")
        assert update["actor"]["id"] == value and update["details"]["webhook_id"] == _webhook_id(1, value)
        below = client.get(f"/v1/clients/{CLIENT}/ledger?after={after}", headers=token_for("auditor")).get_json()
        assert value not in json.dumps([c for e in below["entries"] for c in e["changes"]], ensure_ascii=False)
        for event, kind in (("AdminAreaClientSummaryPage", "panel"), ("ClientAreaHomepage", "panel"),
                            ("ClientDetailsValidation", "validate")):
            payload = {"event": event, "occurred_at": "2026-11-24T19:05:00Z", "whmcs": {"version": "8.13.1"},
                       "actor": {"type": "admin", "id": value[:100]},
                       "vars": {"userid": CLIENT, "firstname": value, "current": {"firstname": value}}}
            body, headers = signer.request(payload)
            answer = client.post(f"/v1/hooks/whmcs/{kind}", data=body, headers=headers)
            assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
            html = answer.get_json().get("html", "")
            # metadata (the API identifier) may be shown, escaped: no tag of the value survives
            assert not any(tag in html for tag in ("<script", "<img", "<svg", "</textarea"))
            assert "<" not in value or value not in html
        assert client.get("/v1/ledger/verify", headers=token_for("auditor")).get_json()["ok"] is True


# -- slow and oversized clients against a real server ------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("serve")
    env = {"BRIDGE_DATABASE_URL": f"sqlite:///{workdir}/bridge.db", "BRIDGE_WEBHOOK_SECRET": TEST_WEBHOOK_SECRET,
           "BRIDGE_MASTER_KEY": TEST_MASTER_KEY, "BRIDGE_LOG_FORMAT": "json"}
    with bridge_server(env, workers=2, cwd=workdir) as url:
        services = make_services(env, FixedClock(T0))
        token = services.tokens.create(name="hostile-dpo", role="dpo")
        services.dispose()
        yield url, token


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1"
    return parts.hostname, parts.port


def _responsive(url: str) -> float:
    started = time.monotonic()
    assert requests.get(f"{url}/healthz", timeout=3).status_code == 200
    return time.monotonic() - started


def _read_status(sock: socket.socket, deadline: float) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data and time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
    return data


def _signed_request_head(path: str, body_headers: str) -> bytes:
    now = int(datetime.now(UTC).timestamp())
    signature = sign(SECRET, msg_id="msg_slow", timestamp=now, body=b"{}")
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"webhook-id: msg_slow\r\nwebhook-timestamp: {now}\r\nwebhook-signature: {signature}\r\n"
            f"{body_headers}\r\n").encode()


class TestRealServer:
    def test_a_slow_loris_client_does_not_stop_normal_requests(self, server):
        server, _token = server
        stop = threading.Event()
        sent = []

        def loris() -> None:
            with socket.create_connection(_address(server), timeout=5) as sock:
                for byte in _signed_request_head("/v1/hooks/whmcs", "Content-Length: 2\r\n"):
                    if stop.is_set():
                        return
                    sock.send(bytes([byte]))
                    sent.append(byte)
                    time.sleep(0.02)

        thread = threading.Thread(target=loris, daemon=True)
        thread.start()
        try:
            time.sleep(0.3)
            deadline = time.monotonic() + (6 if LONG else 2.5)
            timings = []
            while time.monotonic() < deadline:
                timings.append(_responsive(server))
                time.sleep(0.1)
            assert thread.is_alive() and len(sent) > 20  # the slow client was still mid-headers
            assert len(timings) >= 5 and max(timings) < 1.5
        finally:
            stop.set()
            thread.join(timeout=5)
        assert _responsive(server) < 1.5

    @pytest.mark.parametrize("path", ["/v1/hooks/whmcs", "/v1/policies"])
    def test_a_declared_length_over_one_mebibyte_is_413_without_reading_it(self, server, path):
        server, token = server
        with socket.create_connection(_address(server), timeout=5) as sock:
            sock.sendall(_signed_request_head(path, f"Content-Length: {MAX_BODY + 1}\r\n"
                                                    f"Authorization: Bearer {token}\r\n"))
            sock.sendall(b"{" + b" " * 1000)
            head = _read_status(sock, time.monotonic() + 5)
        assert head.startswith(b"HTTP/1.1 413"), head[:200]
        assert b"application/problem+json" in head
        assert _responsive(server) < 1.5

    @pytest.mark.parametrize("path", ["/v1/hooks/whmcs", "/v1/policies"])
    def test_a_chunked_body_growing_past_one_mebibyte_is_413(self, server, path):
        server, token = server
        chunk = b" " * 65536
        stop = threading.Event()

        def feed(sock: socket.socket) -> None:
            total = 0
            try:
                while total <= MAX_BODY + len(chunk) and not stop.is_set():
                    sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    total += len(chunk)
            except OSError:
                pass  # the server answered and closed: what we want

        with socket.create_connection(_address(server), timeout=5) as sock:
            sock.sendall(_signed_request_head(path, f"Transfer-Encoding: chunked\r\nAuthorization: Bearer {token}\r\n"))
            feeder = threading.Thread(target=feed, args=(sock,), daemon=True)
            feeder.start()
            head = _read_status(sock, time.monotonic() + 10)
            stop.set()
            feeder.join(timeout=5)
        assert head.startswith(b"HTTP/1.1 413"), head[:200]
        assert b"application/problem+json" in head
        assert _responsive(server) < 1.5

    def test_a_chunked_body_of_exactly_one_mebibyte_is_read_whole(self, server):
        server, _token = server
        body = b'{"pad": "' + b"x" * (MAX_BODY - 11) + b'"}'
        assert len(body) == MAX_BODY
        now = int(datetime.now(UTC).timestamp())
        headers = {**signed_headers(SECRET, msg_id=f"msg_{uuid.uuid4().hex}", timestamp=now, body=body),
                   "Content-Type": "application/json"}
        pieces = (body[i:i + 65536] for i in range(0, len(body), 65536))  # a generator: sent chunked
        response = requests.post(f"{server}/v1/hooks/whmcs", data=pieces, headers=headers, timeout=10)
        assert response.status_code == 400 and response.json()["type"] == "/problems/validation"
