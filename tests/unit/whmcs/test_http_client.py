"""HttpWhmcsClient against HTTP answers the emulator should not fake: resets, timeouts, broken
bodies, error pages. The retry rules are in test_retry_policy.py."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs

import pytest
import requests
import responses
from responses import matchers

from bridge.whmcs.api import (
    WhmcsAuthError,
    WhmcsIpRefused,
    WhmcsNotFound,
    WhmcsPermissionDenied,
    WhmcsRejected,
    WhmcsUnavailable,
)
from tests.unit.whmcs.conftest import API_URL, IDENTIFIER, SECRET

CLIENT_ROW = {"id": 1, "firstname": "Ada", "lastname": "L", "companyname": "",
              "email": "ada@example.com", "datecreated": "2020-01-02", "groupid": 0,
              "status": "Active"}


def page_of(rows, total=None):
    return {"result": "success", "totalresults": len(rows) if total is None else total,
            "startnumber": 0, "numreturned": len(rows), "clients": {"client": rows}}


def form_of(call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(call.request.body).items()}


class TestRequestShape:
    def test_posts_form_encoded_credentials_action_and_json_responsetype(self, mocked, whmcs):
        mocked.post(API_URL, json=page_of([]), match=[matchers.urlencoded_params_matcher(
            {"action": "GetClients", "identifier": IDENTIFIER, "secret": SECRET,
             "responsetype": "json", "limitstart": "0", "limitnum": "25"})])
        whmcs.get_clients()
        assert mocked.calls[0].request.headers["Content-Type"] == (
            "application/x-www-form-urlencoded")

    def test_sends_the_access_key_only_when_configured(self, mocked, make_client):
        mocked.post(API_URL, json=page_of([]))
        make_client().get_clients()
        make_client(accesskey="k3y!").get_clients()
        assert "accesskey" not in form_of(mocked.calls[0])
        assert form_of(mocked.calls[1])["accesskey"] == "k3y!"

    def test_a_write_carries_the_change_id(self, mocked, whmcs):
        mocked.post(API_URL, json={"result": "success", "clientid": "7"})
        whmcs.update_client(7, {"email": "new@example.com", "marketing_emails_opt_in": False,
                                "email_preferences": {"invoices": True}}, change_id="c-1")
        form = form_of(mocked.calls[0])
        assert form["bridge_change_id"] == "c-1"
        assert form["clientid"] == "7"
        assert form["marketingoptin"] == "0"
        assert form["email_preferences[invoice]"] == "1"

    def test_a_write_without_change_id_is_refused_before_sending(self, mocked, whmcs):
        with pytest.raises(ValueError):
            whmcs.close_client(3, change_id="")
        assert len(mocked.calls) == 0


class TestUnavailable:
    @pytest.mark.parametrize("answer", [
        {"body": requests.ConnectionError("Connection reset by peer")},
        {"body": requests.exceptions.ReadTimeout("read timed out")},
        {"body": requests.exceptions.ConnectTimeout("connect timed out")},
        {"status": 503, "body": "<html>Service Unavailable</html>"},
        {"status": 500, "json": {"result": "success"}},
        {"status": 200, "body": "<html><body>Maintenance</body></html>"},
        {"status": 200, "body": '{"result":"success","clients":'},
        {"status": 200, "json": ["not", "an", "envelope"]},
        {"status": 200, "json": {"clients": {}}},
        {"status": 404, "body": "Not Found"},
    ])
    def test_is_raised_for_transport_failures_and_unreadable_answers(
        self, mocked, make_client, answer,
    ):
        mocked.post(API_URL, **answer)
        with pytest.raises(WhmcsUnavailable) as raised:
            make_client(attempts=1).get_client(1)
        assert raised.value.action == "GetClientsDetails"
        assert raised.value.retryable is True


class TestRejected:
    @pytest.mark.parametrize(("message", "status", "kind"), [
        ("Authentication Failed", 403, WhmcsAuthError),
        ("Invalid or missing credentials", 403, WhmcsAuthError),
        ("Invalid IP 203.0.113.9", 403, WhmcsIpRefused),
        ('Invalid Permissions: API action "getclientsdetails" is not allowed', 403,
         WhmcsPermissionDenied),
        ("Client Not Found", 200, WhmcsNotFound),
        ("Client ID Not Found", 200, WhmcsNotFound),
        ("Duplicate Email Address", 200, WhmcsRejected),
    ])
    def test_maps_whmcs_messages_to_error_classes(self, mocked, whmcs, message, status, kind):
        mocked.post(API_URL, status=status, json={"result": "error", "message": message})
        with pytest.raises(kind) as raised:
            whmcs.get_client(1)
        assert type(raised.value) is kind
        assert raised.value.whmcs_message == message
        assert raised.value.http_status == status

    def test_is_final_for_reads_too(self, mocked, whmcs, sleeps):
        mocked.post(API_URL, json={"result": "error", "message": "Client Not Found"})
        with pytest.raises(WhmcsNotFound):
            whmcs.get_client(1)
        assert len(mocked.calls) == 1
        assert sleeps == []


class TestLogging:
    def test_logs_action_and_outcome_but_no_params_answers_or_secrets(
        self, mocked, whmcs, caplog,
    ):
        """Section 10, call log: the line names the action, the outcome (the error's class) and
        the time in ms, never parameters or values."""
        caplog.set_level(logging.DEBUG, logger="bridge.whmcs")
        mocked.post(API_URL, json={"result": "error", "message": "Duplicate Email Address"})
        with pytest.raises(WhmcsRejected) as raised:
            whmcs.update_client(4, {"email": "taken@example.com"}, change_id="c-2")
        text = caplog.text + str(raised.value) + repr(whmcs)
        [line] = [r.getMessage() for r in caplog.records]
        assert re.fullmatch(r"whmcs UpdateClient WhmcsRejected in \d+ ms", line)
        for leaked in (SECRET, "taken@example.com"):
            assert leaked not in text

    def test_a_success_and_a_transport_failure_are_logged_by_outcome(
        self, mocked, whmcs, caplog,
    ):
        """Section 10, call log: `success`, or the class of the error (here WhmcsUnavailable)."""
        caplog.set_level(logging.INFO, logger="bridge.whmcs")
        mocked.post(API_URL, json={"result": "success", "clientid": "4"})
        whmcs.update_client(4, {"city": "Leeds"}, change_id="c-3")
        mocked.replace(responses.POST, API_URL, body="<html>oops</html>", status=502)
        with pytest.raises(WhmcsUnavailable):
            whmcs.close_client(4, change_id="c-4")
        lines = [r.getMessage() for r in caplog.records]
        assert re.fullmatch(r"whmcs UpdateClient success in \d+ ms", lines[0])
        assert re.fullmatch(r"whmcs CloseClient WhmcsUnavailable in \d+ ms", lines[1])
        assert "Leeds" not in caplog.text
