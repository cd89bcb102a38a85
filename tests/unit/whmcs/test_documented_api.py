"""Contract section 10, "The WHMCS API as documented", for HttpWhmcsClient and its settings."""

from __future__ import annotations

import json
import shutil
import subprocess
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

import pytest

from bridge.errors import ConfigError
from bridge.settings import load_settings
from bridge.whmcs.api import WhmcsUnavailable
from bridge.whmcs.errors import WhmcsRedirected
from bridge.whmcs.http import HttpWhmcsClient
from bridge.whmcs.phpserial import decode_array, encode_array, serialize, unserialize
from bridge.whmcs.session import build_session
from tests.support.local_whmcs import LocalWhmcs
from tests.unit.whmcs.conftest import API_URL, IDENTIFIER, SECRET


def form_of(call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(call.request.body).items()}


@pytest.fixture
def servers():
    started: list[LocalWhmcs] = []

    def start(reply) -> LocalWhmcs:  # noqa: ANN001
        server = LocalWhmcs(reply)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def _answer_json(handler: BaseHTTPRequestHandler) -> None:
    body = b'{"result":"success","clientid":"1"}'
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class TestRedirects:
    @pytest.mark.parametrize("status", [301, 302, 307, 308])
    def test_a_redirect_is_never_followed_and_the_secret_never_reaches_its_target(
        self, servers, status,
    ):
        """Section 10, no redirects: a 3xx is an error naming the location (never the secret),
        and the API secret is never sent to the redirect target."""
        target = servers(_answer_json)

        def redirect(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(status)
            handler.send_header("Location", target.url + "?secret=" + SECRET)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        origin = servers(redirect)
        client = HttpWhmcsClient(session=build_session(), url=origin.url,
                                 identifier=IDENTIFIER, secret=SECRET, sleep=lambda _s: None)
        with pytest.raises(WhmcsRedirected) as raised:
            client.update_client(1, {"city": "Leeds"}, change_id="c-1")
        assert SECRET.encode() in origin.bodies[0]  # the setup: the origin got the credential
        assert target.bodies == []
        assert isinstance(raised.value, WhmcsUnavailable)
        assert target.url in str(raised.value) and SECRET not in str(raised.value)

    def test_a_read_redirected_is_retried_then_fails_without_following(self, mocked, whmcs):
        """Section 10, no redirects: reads too (their retries never follow the location)."""
        mocked.post(API_URL, status=302, headers={"Location": "https://elsewhere.example/api"})
        with pytest.raises(WhmcsRedirected, match="https://elsewhere.example/api"):
            whmcs.get_client(1)
        assert all(call.request.url == API_URL for call in mocked.calls)


class TestApiUrlSetting:
    @pytest.mark.parametrize("url", [
        "https://billing.example.com/includes/api.php", "http://127.0.0.1:8081/includes/api.php",
        "http://127.9.9.9/includes/api.php", "http://[::1]:8081/includes/api.php",
        "http://localhost/includes/api.php",
    ])
    def test_https_or_a_loopback_host_is_accepted(self, url):
        """Section 10: BRIDGE_WHMCS_API_URL is https unless its host is a loopback address."""
        assert load_settings(environ={"BRIDGE_WHMCS_API_URL": url}).whmcs_api_url == url

    @pytest.mark.parametrize("url", [
        "http://billing.example.com/includes/api.php", "http://10.0.0.5/includes/api.php",
        "http://128.0.0.1/includes/api.php", "http://localhost.example.com/includes/api.php",
    ])
    def test_plain_http_elsewhere_stops_start_up_naming_the_setting(self, url):
        """Section 10: otherwise start-up stops with a one-line ConfigError naming the setting."""
        with pytest.raises(ConfigError) as raised:
            load_settings(environ={"BRIDGE_WHMCS_API_URL": url})
        message = raised.value.message
        assert "BRIDGE_WHMCS_API_URL" in message and url not in message and "\n" not in message


class TestOnlyDocumentedParameters:
    def test_update_contact_never_sends_tax_id(self, mocked, whmcs):
        """Section 10: UpdateContact has no `tax_id`; the client refuses to send it."""
        mocked.post(API_URL, json={"result": "success", "contactid": "3"})
        whmcs.update_contact(3, {"city": "Leeds"}, change_id="c-1")
        assert form_of(mocked.calls[0])["city"] == "Leeds"  # the setup: a contact write is sent
        with pytest.raises(ValueError, match="UpdateContact does not document tax_id"):
            whmcs.update_contact(3, {"tax_id": "GB123"}, change_id="c-2")
        assert len(mocked.calls) == 1

    def test_update_client_opts_out_with_marketingoptin_0_and_sends_no_emailoptout(
        self, mocked, whmcs,
    ):
        """Section 10: UpdateClient opts out with `marketingoptin=0`; `emailoptout` is not an
        UpdateClient parameter."""
        mocked.post(API_URL, json={"result": "success", "clientid": "7"})
        whmcs.update_client(7, {"marketing_emails_opt_in": False}, change_id="c-1")
        assert form_of(mocked.calls[0])["marketingoptin"] == "0"
        with pytest.raises(ValueError, match="emailoptout"):
            whmcs.update_client(7, {"emailoptout": True}, change_id="c-2")
        assert len(mocked.calls) == 1

    def test_send_email_customvars_is_base64_of_a_php_serialized_array(self, mocked, whmcs):
        """Section 10: SendEmail `customvars` is base64 of a PHP-serialized array."""
        mocked.post(API_URL, json={"result": "success"})
        whmcs.send_email("Privacy Policy Update", 4, change_id="c-1",
                         custom_vars={"policy_version": "2", "policy_url": "https://x.example/p"})
        form = form_of(mocked.calls[0])
        assert "customvars[policy_version]" not in form
        assert decode_array(form["customvars"]) == {
            "policy_version": "2", "policy_url": "https://x.example/p"}


class TestPayMethods:
    def test_a_bank_account_is_recorded_by_bank_name_and_never_with_digits(self, mocked, whmcs):
        """Section 10: GetPayMethods gives bank accounts no last four: record `bank_name` only."""
        mocked.post(API_URL, json={"result": "success", "clientid": "1", "paymethods": [
            {"id": 1, "type": "RemoteCreditCard", "card_last_four": "4242", "remote_token": "tok"},
            {"id": 2, "type": "BankAccount", "bank_name": "Example Bank",
             "account_number": "12345678", "remote_token": ""},
        ]})
        card, bank = whmcs.get_pay_methods(1)
        assert (card.masked, bank.masked) == ("RemoteCreditCard:4242", "BankAccount:Example Bank")
        assert bank.last_four == "" and "5678" not in repr(bank)


class TestActivityLog:
    def test_entries_are_filtered_by_the_bridge_as_well(self, mocked, whmcs):
        """Section 10: GetActivityLog's `clientid` filter exists from WHMCS 8.5, so entries are
        filtered by the bridge as well (an older WHMCS answers every client's entries)."""
        entries = [
            {"id": 3, "clientId": 9, "description": "privacy-ledger head seq=2 hash=" + "b" * 64},
            {"id": 2, "clientId": 4, "description": "privacy-ledger head seq=1 hash=" + "a" * 64},
            {"id": 1, "clientId": 4, "description": "Client logged in"},
        ]
        mocked.post(API_URL, json={"result": "success", "totalresults": 3, "startnumber": 0,
                                   "activity": {"entry": entries}})
        found = list(whmcs.iter_activity(client_id=4, description="privacy-ledger head"))
        assert form_of(mocked.calls[0])["clientid"] == "4"  # the filter is still asked for
        assert [e.id for e in found] == [2]


SAMPLES = [
    {"policy_version": "2", "url": "https://x.example/p?a=1&b=\"q\""},
    {"name": "Zoë ☃", "count": 3, "on": True, "off": False, "none": None},
    {"list": ["a", 1, None], "nested": {"k": {"deep": "v"}}, "7": "int key", "": "empty"},
]


class TestPhpSerialize:
    @pytest.mark.parametrize("value", SAMPLES)
    def test_round_trip(self, value):
        assert unserialize(serialize(value)) == {
            (int(k) if k.isdigit() else k): (dict(enumerate(v)) if isinstance(v, list) else v)
            for k, v in value.items()
        }

    @pytest.mark.skipif(shutil.which("php") is None, reason="php-cli is not installed")
    @pytest.mark.parametrize("value", SAMPLES)
    def test_php_unserializes_it_to_the_same_array(self, value):
        """Section 10: customvars is base64 of a PHP-serialized array, as PHP itself reads it
        (identical, types and order included, to the same value decoded from JSON)."""
        script = ("$v = unserialize(base64_decode($argv[1]));"
                  "var_dump($v === json_decode($argv[2], true)); var_dump($v);")
        out = subprocess.run(["php", "-r", script, encode_array(value), json.dumps(value)],
                             capture_output=True, text=True, check=True, timeout=30).stdout
        assert out.startswith("bool(true)"), out
