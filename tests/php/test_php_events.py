"""Events of contract 3.1 leave WHMCS signed, enveloped, allow-listed and without secrets."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.php.whmcs_harness import (
    EVENTS_PATH,
    admin_area,
    api_request,
    bridge_accepts,
    client_area,
    cron,
    masquerading,
)

pytestmark = pytest.mark.php

CONTACT = {
    "firstname": "Ada",
    "lastname": "Lovelace",
    "companyname": "Engines Ltd",
    "email": "ada@example.com",
    "address1": "1 Analytical Way",
    "address2": "",
    "city": "London",
    "state": "Greater London",
    "postcode": "N1 1AA",
    "country": "GB",
    "phonenumber": "+44.2071234567",
}
SECRET_VALUES = ("s3cret-Passw0rd", "4111111111111111", "737", "2fa-authdata-blob", "mother's maiden")

# The reference's documented vars per hook (section 2), secrets included on purpose.
DOCUMENTED: dict[str, dict[str, Any]] = {
    "ClientAdd": {
        "client_id": 42,
        "user_id": 7,
        "userid": 42,
        **CONTACT,
        "tax_id": "GB123",
        "password": "s3cret-Passw0rd",
        "customFields": {"1": "x"},
        "taxexempt": False,
        "latefeeoveride": False,
        "overideduenotices": False,
        "separateinvoices": False,
        "disableautocc": False,
        "emailoptout": False,
        "marketing_emails_opt_in": True,
        "overrideautoclose": False,
        "notes": "VIP",
        "groupid": 0,
    },
    "ClientEdit": {
        "userid": 42,
        "uuid": "8d7f-uuid",
        **CONTACT,
        "currency": 1,
        "notes": "n",
        "status": "Active",
        "taxexempt": False,
        "latefeeoveride": False,
        "overideduenotices": False,
        "separateinvoices": False,
        "disableautocc": False,
        "emailoptout": False,
        "marketing_emails_opt_in": True,
        "isOptedInToMarketingEmails": True,
        "overrideautoclose": False,
        "language": "",
        "billingcid": 0,
        "groupid": 0,
        "allow_sso": True,
        "authmodule": "totp",
        "authdata": "2fa-authdata-blob",
        "email_verified": True,
        "email_preferences": {"general": 1, "invoices": 1, "support": 1, "product": 1, "domain": 1, "affiliate": 0},
        "olddata": {
            **CONTACT,
            "email": "old@example.com",
            "password": "$2y$hash",
            "authdata": "2fa-authdata-blob",
            "securityqans": "mother's maiden",
        },
    },
    "ClientClose": {"userid": 42},
    "PreDeleteClient": {"userid": 42},
    "ClientDelete": {"userid": 42},
    "ClientChangePassword": {"userid": 42, "password": "s3cret-Passw0rd"},
    "UserAdd": {
        "user_id": 7,
        "firstname": "Ada",
        "lastname": "Lovelace",
        "email": "ada@example.com",
        "password": "s3cret-Passw0rd",
        "language": "english",
    },
    "UserEdit": {
        "user_id": 7,
        "firstname": "Ada",
        "lastname": "Lovelace",
        "email": "new@example.com",
        "olddata": {"email": "ada@example.com", "password": "$2y$hash"},
    },
    "UserChangePassword": {"userid": 7, "password": "s3cret-Passw0rd"},
    "UserLogin": {
        "user": {
            "__class__": "WHMCS\\User\\User",
            "id": 7,
            "firstname": "Ada",
            "lastname": "Lovelace",
            "email": "ada@example.com",
            "password": "$2y$hash",
            "second_factor_config": "2fa-authdata-blob",
            "security_question_answer": "mother's maiden",
        }
    },
    "ContactAdd": {
        "userid": 42,
        "contactid": 5,
        **CONTACT,
        "tax_id": "",
        "generalemails": 1,
        "productemails": 0,
        "domainemails": 0,
        "invoiceemails": 1,
        "supportemails": 0,
        "affiliateemails": 0,
        "password": "s3cret-Passw0rd",
    },
    "ContactEdit": {
        "userid": 42,
        "contactid": 5,
        **CONTACT,
        "tax_id": "",
        "generalemails": 1,
        "productemails": 0,
        "domainemails": 0,
        "invoiceemails": 1,
        "supportemails": 0,
        "affiliateemails": 0,
        "olddata": {**CONTACT, "email": "old@example.com"},
    },
    "ContactDelete": {"userid": 42, "contactid": 5},
    "CCUpdate": {
        "userid": 42,
        "cardtype": "Visa",
        "cardnum": "4111 1111 1111 1111",
        "cardcvv": "737",
        "expdate": "1228",
        "cardstart": "",
        "cardissue": "",
    },
    "AfterClientMerge": {"toUserID": 42, "fromUserID": 43},
    "DailyCronJob": {},
}

EXPECTED_VARS: dict[str, dict[str, Any]] = {
    "ClientClose": {"userid": 42},
    "PreDeleteClient": {"userid": 42},
    "ClientDelete": {"userid": 42},
    "ClientChangePassword": {"userid": 42},
    "UserAdd": {
        "user_id": 7,
        "firstname": "Ada",
        "lastname": "Lovelace",
        "email": "ada@example.com",
        "language": "english",
    },
    "UserEdit": {
        "user_id": 7,
        "firstname": "Ada",
        "lastname": "Lovelace",
        "email": "new@example.com",
        "olddata": {"email": "ada@example.com"},
    },
    "UserChangePassword": {"userid": 7},
    "UserLogin": {"user": {"id": 7, "firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com"}},
    "ContactDelete": {"userid": 42, "contactid": 5},
    "CCUpdate": {"userid": 42, "cardtype": "Visa", "cardlastfour": "1111"},
    "AfterClientMerge": {"toUserID": 42, "fromUserID": 43},
    "DailyCronJob": {},
}
FORBIDDEN_KEY = re.compile(
    r"^(password.*|authdata|securityq.*|card(?!type$|lastfour$).*|remote_?token|mergefields|token)$",
    re.IGNORECASE,
)


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


class TestEveryEvent:
    @pytest.mark.parametrize("event", sorted(DOCUMENTED))
    def test_is_delivered_at_once_signed_and_without_secrets(self, whmcs, receiver, event):
        run = whmcs.fire(event, DOCUMENTED[event], client_area())

        assert run.result is None
        [request] = receiver.requests(EVENTS_PATH)
        assert request.verified
        assert not any(secret in request.body.decode() for secret in SECRET_VALUES)
        assert not [k for k in _keys(request.envelope) if FORBIDDEN_KEY.match(k)]
        envelope = request.envelope
        assert list(envelope) == ["event", "occurred_at", "whmcs", "actor", "outbox_id", "vars"]
        assert envelope["event"] == event
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", envelope["occurred_at"])
        assert envelope["whmcs"] == {"version": "8.13.1-release.1", "system_url": "https://billing.example.com/"}
        [row] = whmcs.outbox()
        assert envelope["outbox_id"] == row["id"]
        assert request.headers["webhook-id"] == row["webhook_id"]
        assert row["delivered_at"] is not None and row["payload"] is None
        if event in EXPECTED_VARS:
            assert envelope["vars"] == EXPECTED_VARS[event]

    @pytest.mark.parametrize("event", sorted(DOCUMENTED))
    def test_is_accepted_by_the_bridge_schema(self, whmcs, receiver, event):
        whmcs.fire(event, DOCUMENTED[event], client_area())

        loaded = bridge_accepts(receiver.events()[0], kind="event")

        assert loaded.event == event and loaded.outbox_id == 1

    def test_client_add_keeps_profile_and_consent_but_not_notes(self, whmcs, receiver):
        whmcs.fire("ClientAdd", DOCUMENTED["ClientAdd"], client_area())

        sent = receiver.events()[0]["vars"]
        assert {k: sent[k] for k in CONTACT} == CONTACT
        assert sent["client_id"] == 42 and sent["user_id"] == 7 and sent["tax_id"] == "GB123"
        assert sent["marketing_emails_opt_in"] is True and sent["emailoptout"] is False
        assert "notes" not in sent and "customFields" not in sent

    def test_client_edit_adds_tax_id_and_gateway_from_tblclients(self, whmcs, receiver):
        whmcs.seed(
            "tblclients", id=42, email="ada@example.com", tax_id="GB999", defaultgateway="stripe", password="$2y$hash"
        )

        whmcs.fire("ClientEdit", DOCUMENTED["ClientEdit"], admin_area(userid=42))

        sent = receiver.events()[0]["vars"]
        assert sent["tax_id"] == "GB999" and sent["defaultgateway"] == "stripe"
        assert sent["olddata"]["email"] == "old@example.com"
        assert set(sent["olddata"]) == set(CONTACT)
        assert sent["email_preferences"]["affiliate"] == 0
        assert "authdata" not in sent and "authmodule" not in sent

    def test_client_edit_without_tblclients_row_still_goes_out(self, whmcs, receiver):
        whmcs.fire("ClientEdit", {"userid": 77, "email": "x@example.com", "olddata": {}}, cron())

        sent = receiver.events()[0]["vars"]
        assert sent == {"userid": 77, "email": "x@example.com", "olddata": {}}

    def test_cc_update_without_a_local_card_number_sends_type_only(self, whmcs, receiver):
        whmcs.fire(
            "CCUpdate",
            {"userid": 42, "cardtype": "MasterCard", "cardnum": "", "cardcvv": "", "remote_token": "tok_123"},
            client_area(),
        )

        assert receiver.events()[0]["vars"] == {"userid": 42, "cardtype": "MasterCard"}


class TestActor:
    @pytest.mark.parametrize(
        ("context", "actor"),
        [
            (client_area(42, 7, "203.0.113.5"), {"type": "client", "id": 42, "user_id": 7, "ip": "203.0.113.5"}),
            (admin_area(3, userid=42), {"type": "admin", "id": 3, "ip": "198.51.100.7"}),
            (
                masquerading(3, 42, 7),
                {"type": "admin", "id": 3, "masquerading": True, "user_id": 7, "ip": "203.0.113.5"},
            ),
            (
                api_request("bridge-api", change_id="chg_1"),
                {"type": "api", "id": "bridge-api", "change_id": "chg_1", "ip": "192.0.2.10"},
            ),
            (api_request("billing-sync"), {"type": "api", "id": "billing-sync", "ip": "192.0.2.10"}),
            (cron(), {"type": "cron", "id": None}),
        ],
        ids=["client", "admin", "masquerading", "api-own-write", "api-other", "cron"],
    )
    def test_is_derived_from_the_request(self, whmcs, receiver, context, actor):
        whmcs.fire("ClientEdit", {"userid": 42, "olddata": {}}, context)

        assert receiver.events()[0]["actor"] == actor

    def test_change_id_is_ignored_outside_the_api(self, whmcs, receiver):
        context = client_area()
        context["post"] = {"bridge_change_id": "forged"}

        whmcs.fire("ClientEdit", {"userid": 42}, context)

        assert "change_id" not in receiver.events()[0]["actor"]

    def test_ip_falls_back_to_remote_addr_without_app(self, whmcs, receiver):
        context = client_area(ip="203.0.113.9")
        context["app_ip"] = None

        whmcs.fire("ClientClose", {"userid": 42}, context)

        assert receiver.events()[0]["actor"]["ip"] == "203.0.113.9"

    def test_legacy_session_keys_identify_the_client(self, whmcs, receiver):
        context = client_area()
        context["current_user"] = {}
        context["session"] = {"uid": 42}

        whmcs.fire("ClientClose", {"userid": 42}, context)

        assert receiver.events()[0]["actor"]["type"] == "client"
        assert receiver.events()[0]["actor"]["id"] == 42

    def test_api_call_without_identifier_is_still_named(self, whmcs, receiver):
        context = api_request()
        del context["post"]["identifier"]

        whmcs.fire("ClientClose", {"userid": 42}, context)

        assert receiver.events()[0]["actor"]["id"] == "unknown"
        bridge_accepts(receiver.events()[0], kind="event")

    def test_whmcs_info_comes_from_tblconfiguration_without_config_globals(self, whmcs, receiver):
        whmcs.seed("tblconfiguration", setting="Version", value="8.10.0-release.1")
        context = client_area()
        context["config_globals"] = None

        whmcs.fire("ClientClose", {"userid": 42}, context)

        assert receiver.events()[0]["whmcs"] == {"version": "8.10.0-release.1", "system_url": None}
        bridge_accepts(receiver.events()[0], kind="event")

    def test_nobody_logged_in_on_a_web_request_is_system(self, whmcs, receiver):
        context = client_area()
        context["current_user"] = {}

        whmcs.fire("ClientAdd", {"client_id": 50}, context)

        assert receiver.events()[0]["actor"] == {"type": "system", "id": None, "ip": "203.0.113.5"}
