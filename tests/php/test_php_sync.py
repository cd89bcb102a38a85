"""Synchronous hooks: profile validation, EmailPreSend, and the panels (contract 3.2, 3.3)."""

from __future__ import annotations

import socket

import pytest

from tests.php.whmcs_harness import (
    PANEL_PATH,
    VALIDATE_PATH,
    Reply,
    admin_area,
    bridge_accepts,
    client_area,
    cron,
)

pytestmark = pytest.mark.php

FORM = {
    "firstname": "Ada", "lastname": "Lovelace", "companyname": "", "email": "new@example.com",
    "address1": "1 Analytical Way", "address2": "", "city": "London", "state": "",
    "postcode": "N1 1AA", "country": "GB", "phonenumber": "+44.2071234567", "tax_id": "",
    "paymentmethod": "stripe", "customfield": {"3": "x"}, "securityqid": "1",
    "securityqans": "mother's maiden", "password": "pw-123", "password2": "pw-123",
}  # fmt: skip
CLIENT_ROW = {
    "id": 42, "firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com",
    "city": "London", "country": "GB", "tax_id": "GB1", "defaultgateway": "paypal",
    "password": "$2y$hash", "authdata": "2fa",
}  # fmt: skip
BLOCKED = Reply(200, {"allowed": False, "errors": ["Please verify your identity first."]})
UNAVAILABLE = "Changes to these details are temporarily unavailable. Please try again later."


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def client42(whmcs):
    whmcs.seed("tblclients", **CLIENT_ROW)
    return whmcs


class TestClientDetailsValidation:
    def test_allowed_returns_no_errors(self, client42, receiver):
        run = client42.fire("ClientDetailsValidation", FORM, client_area(42))

        assert run.result == []
        [request] = receiver.requests(VALIDATE_PATH)
        assert request.verified
        envelope = request.envelope
        assert "outbox_id" not in envelope and envelope["event"] == "ClientDetailsValidation"
        assert envelope["actor"]["type"] == "client"

    def test_sends_userid_and_the_stored_values_as_current(self, client42, receiver):
        client42.fire("ClientDetailsValidation", FORM, client_area(42))

        sent = receiver.requests(VALIDATE_PATH)[0].envelope["vars"]
        assert sent["userid"] == 42 and sent["email"] == "new@example.com"
        assert sent["current"]["email"] == "ada@example.com"
        assert sent["current"]["tax_id"] == "GB1" and sent["current"]["paymentmethod"] == "paypal"
        assert "password" not in sent["current"] and "authdata" not in sent["current"]
        assert not {"password", "password2", "securityqans", "securityqid", "customfield"} & set(sent)

    def test_admin_area_takes_the_client_from_the_request(self, client42, receiver):
        client42.fire("ClientDetailsValidation", FORM, admin_area(3, userid=42))

        envelope = receiver.requests(VALIDATE_PATH)[0].envelope
        assert envelope["vars"]["userid"] == 42 and envelope["vars"]["current"]["email"]
        assert envelope["actor"] == {"type": "admin", "id": 3, "ip": "198.51.100.7"}

    def test_blocked_returns_the_bridge_errors(self, client42, receiver):
        receiver.queue(VALIDATE_PATH, BLOCKED)

        run = client42.fire("ClientDetailsValidation", FORM, client_area(42))

        assert run.result == ["Please verify your identity first."]

    def test_a_new_signup_is_allowed_without_asking(self, whmcs, receiver):
        context = client_area()
        context["current_user"] = {}

        run = whmcs.fire("ClientDetailsValidation", FORM, context)

        assert run.result == [] and receiver.requests() == []

    def test_fails_open_when_the_bridge_is_down(self, client42, receiver):
        client42.configure(bridge_url=closed_port_url())

        run = client42.fire("ClientDetailsValidation", FORM, client_area(42))

        assert run.result == []

    @pytest.mark.parametrize("reply", [Reply(500), Reply(502), Reply(503)])
    def test_fails_open_on_a_5xx(self, client42, receiver, reply):
        receiver.queue(VALIDATE_PATH, reply)

        assert client42.fire("ClientDetailsValidation", FORM, client_area(42)).result == []
        assert len(receiver.requests(VALIDATE_PATH)) == 1

    def test_fails_open_on_timeout_within_the_timeout(self, client42, receiver):
        client42.configure(validate_timeout_ms=300)
        receiver.queue(VALIDATE_PATH, Reply(200, BLOCKED.body, delay=10))

        run = client42.fire("ClientDetailsValidation", FORM, client_area(42))

        assert run.result == [] and run.elapsed < 3.0

    def test_a_401_blocks_with_a_generic_message_and_logs(self, client42, receiver):
        receiver.queue(VALIDATE_PATH, Reply(401))

        run = client42.fire("ClientDetailsValidation", FORM, client_area(42))

        assert run.result == [UNAVAILABLE]
        assert any("webhook_secret" in line for line in run.activity)

    def test_fail_open_false_blocks_when_unreachable(self, client42, receiver):
        client42.configure(bridge_url=closed_port_url(), fail_open=False)

        run = client42.fire("ClientDetailsValidation", FORM, client_area(42))

        assert run.result == [UNAVAILABLE]

    def test_a_refusal_without_messages_still_blocks(self, client42, receiver):
        receiver.queue(VALIDATE_PATH, Reply(200, {"allowed": False, "errors": []}))

        assert client42.fire("ClientDetailsValidation", FORM, client_area(42)).result == [UNAVAILABLE]


class TestBridgeSchema:
    def test_accepts_every_synchronous_envelope(self, client42, receiver):
        client42.seed("tblemailtemplates", type="general", name="Welcome")
        client42.fire("ClientDetailsValidation", FORM, client_area(42))
        client42.fire("ContactDetailsValidation", {"contactid": "new"}, client_area(42))
        client42.fire("EmailPreSend", {"messagename": "Welcome"}, cron())
        client42.fire("AdminAreaClientSummaryPage", {"userid": 42}, admin_area(3))
        client42.fire("ClientAreaHomepage", {}, client_area(42))

        kinds = {VALIDATE_PATH: "validate", PANEL_PATH: "panel"}
        for request in receiver.requests():
            bridge_accepts(request.envelope, kind=kinds[request.path])
        assert len(receiver.requests()) == 5


class TestContactDetailsValidation:
    def test_sends_the_stored_contact_as_current(self, whmcs, receiver):
        whmcs.seed("tblcontacts", id=5, userid=42, email="old@example.com", password="x")
        form = {"contactid": "5", "email": "new@example.com", "token": "csrf", "password": "x"}

        whmcs.fire("ContactDetailsValidation", form, client_area(42))

        sent = receiver.requests(VALIDATE_PATH)[0].envelope["vars"]
        assert sent["userid"] == 42 and sent["contactid"] == "5"
        assert sent["current"]["email"] == "old@example.com" and "password" not in sent["current"]
        assert "token" not in sent and "password" not in sent

    def test_a_contact_of_another_client_has_no_current(self, whmcs, receiver):
        whmcs.seed("tblcontacts", id=5, userid=99, email="other@example.com")

        whmcs.fire("ContactDetailsValidation", {"contactid": "5"}, client_area(42))

        assert "current" not in receiver.requests(VALIDATE_PATH)[0].envelope["vars"]

    def test_a_contactid_of_new_is_dropped(self, whmcs, receiver):
        whmcs.fire("ContactDetailsValidation", {"contactid": "new"}, client_area(42))

        assert "contactid" not in receiver.requests(VALIDATE_PATH)[0].envelope["vars"]

    def test_a_new_contact_has_no_current(self, whmcs, receiver):
        whmcs.fire("ContactDetailsValidation", {"email": "n@example.com"}, client_area(42))

        sent = receiver.requests(VALIDATE_PATH)[0].envelope["vars"]
        assert sent["userid"] == 42 and "current" not in sent

    def test_blocked_returns_the_errors(self, whmcs, receiver):
        receiver.queue(VALIDATE_PATH, BLOCKED)

        run = whmcs.fire("ContactDetailsValidation", {"contactid": "5"}, client_area(42))

        assert run.result == ["Please verify your identity first."]


class TestEmailPreSend:
    VARS = {"messagename": "Newsletter", "relid": 42, "mergefields": {"client_email": "a@b.c"}}

    def test_abort_answer_aborts_the_send(self, whmcs, receiver):
        whmcs.seed("tblemailtemplates", type="general", name="Newsletter")
        receiver.queue(VALIDATE_PATH, Reply(200, {"allowed": False, "errors": [], "abort": True}))

        run = whmcs.fire("EmailPreSend", self.VARS, cron())

        assert run.result == {"abortsend": True}
        sent = receiver.requests(VALIDATE_PATH)[0].envelope["vars"]
        assert sent == {"messagename": "Newsletter", "relid": 42, "userid": 42}

    def test_without_relid_no_client_is_named(self, whmcs, receiver):
        whmcs.seed("tblemailtemplates", type="general", name="Welcome")

        whmcs.fire("EmailPreSend", {"messagename": "Welcome"}, cron())

        sent = receiver.requests(VALIDATE_PATH)[0].envelope["vars"]
        assert sent == {"messagename": "Welcome", "userid": None}

    def test_allowed_answer_sends(self, whmcs, receiver):
        whmcs.seed("tblemailtemplates", type="general", name="Newsletter")

        run = whmcs.fire("EmailPreSend", self.VARS, cron())

        assert run.result == [] and len(receiver.requests(VALIDATE_PATH)) == 1

    @pytest.mark.parametrize("reply", [Reply(401), Reply(400), Reply(500), Reply(200, "<html>")])
    def test_failures_never_abort_mail(self, whmcs, receiver, reply):
        whmcs.seed("tblemailtemplates", type="general", name="Newsletter")
        whmcs.configure(fail_open=False)
        receiver.queue(VALIDATE_PATH, reply)

        assert whmcs.fire("EmailPreSend", self.VARS, cron()).result == []
        assert len(receiver.requests(VALIDATE_PATH)) == 1


class TestPanels:
    def test_admin_summary_passes_the_html_through_with_outbox_health(self, whmcs, receiver):
        receiver.queue(PANEL_PATH, Reply(200, {"html": "<div>verified &amp; kept</div>"}))

        run = whmcs.fire("AdminAreaClientSummaryPage", {"userid": 42}, admin_area(3))

        assert run.result.startswith("<div>verified &amp; kept</div>")
        envelope = receiver.requests(PANEL_PATH)[0].envelope
        assert envelope["vars"] == {
            "userid": 42,
            "outbox": {"pending": 0, "dead": 0, "oldest_pending_at": None},
        }
        assert envelope["actor"]["type"] == "admin" and "outbox_id" not in envelope

    def test_admin_summary_links_to_the_clients_console_page(self, whmcs, receiver):
        """Contract 11: the admin client summary panel links to the client's console page."""
        run = whmcs.fire("AdminAreaClientSummaryPage", {"userid": 42}, admin_area(3))

        link = 'href="addonmodules.php?module=privacy_bridge&amp;action=client&amp;client_id=42"'
        assert run.result.startswith("<p>bridge panel</p>") and link in run.result

    def test_the_console_link_is_there_when_the_bridge_is_down(self, whmcs, receiver):
        """Contract 11: the link to the console stays when the panel falls back to the offline notice."""
        whmcs.configure(bridge_url=closed_port_url())

        run = whmcs.fire("AdminAreaClientSummaryPage", {"userid": 7}, admin_area(3))

        assert "Privacy bridge unreachable" in run.result and "client_id=7" in run.result

    def test_admin_summary_counts_pending_and_dead_rows(self, whmcs, receiver):
        receiver.queue("/v1/hooks/whmcs", *[Reply(500)] * 2, Reply(404))
        for user in (1, 2):
            whmcs.fire("ClientClose", {"userid": user}, client_area())
        whmcs.execute("UPDATE mod_privacy_bridge_outbox SET dead_at = '2026-01-01 00:00:00' WHERE id = 2")
        created = whmcs.outbox()[0]["created_at"]

        whmcs.fire("AdminAreaClientSummaryPage", {"userid": 42}, admin_area(3))

        outbox = receiver.requests(PANEL_PATH)[0].envelope["vars"]["outbox"]
        assert outbox == {
            "pending": 1,
            "dead": 1,
            "oldest_pending_at": created.replace(" ", "T") + "Z",
        }

    def test_admin_summary_shows_an_escaped_notice_when_the_bridge_is_down(self, whmcs, receiver):
        receiver.queue(PANEL_PATH, Reply(401))

        run = whmcs.fire("AdminAreaClientSummaryPage", {"userid": 42}, admin_area(3))

        assert "Privacy bridge unreachable" in run.result and "webhook_secret" in run.result
        assert "<script" not in run.result

    def test_client_homepage_asks_for_the_logged_in_client(self, whmcs, receiver):
        run = whmcs.fire("ClientAreaHomepage", {}, client_area(42))

        assert run.result == "<p>bridge panel</p>"
        envelope = receiver.requests(PANEL_PATH)[0].envelope
        assert envelope["vars"] == {"userid": 42} and envelope["actor"]["type"] == "client"

    def test_client_homepage_is_empty_when_the_bridge_is_down(self, whmcs, receiver):
        whmcs.configure(bridge_url=closed_port_url())

        assert whmcs.fire("ClientAreaHomepage", {}, client_area(42)).result == ""

    def test_header_output_only_on_the_account_details_page(self, whmcs, receiver):
        elsewhere = whmcs.fire("ClientAreaHeaderOutput", {"filename": "index"}, client_area(42))
        details = whmcs.fire(
            "ClientAreaHeaderOutput", {"filename": "clientarea"},
            client_area(42, script="clientarea.php", get={"action": "details"}),
        )  # fmt: skip

        assert elsewhere.result == "" and details.result.startswith("<p>bridge panel</p>")
        assert 'href="index.php?m=privacy_bridge"' in details.result
        assert len(receiver.requests(PANEL_PATH)) == 1
