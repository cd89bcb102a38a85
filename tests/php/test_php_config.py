"""Settings (tbladdonmodules): without them the hooks stay silent but for one activity line a day (contract 8, 11)."""

from __future__ import annotations

import pytest

from tests.php.test_php_outbox import closed_port_url
from tests.php.whmcs_harness import client_area, cron

pytestmark = pytest.mark.php

NOT_CONFIGURED = "Privacy bridge: not configured"


def not_configured_lines(whmcs) -> list[str]:
    return [line for line in whmcs.activity_log() if line.startswith(NOT_CONFIGURED)]


class TestWithoutSettings:
    def test_does_nothing_but_log_once_a_day(self, whmcs, receiver):
        whmcs.unconfigure()

        first = whmcs.fire("ClientEdit", {"userid": 42, "password": "x"}, client_area())
        whmcs.fire("ClientDetailsValidation", {"email": "a@example.com"}, client_area())
        whmcs.fire("AdminAreaClientSummaryPage", {"userid": 42}, client_area())
        whmcs.fire("AfterCronJob", {}, cron())

        assert receiver.requests() == []
        assert not_configured_lines(whmcs) == [
            "Privacy bridge: not configured, nothing is sent (bridge_url and webhook_secret are not set)"
        ]
        assert first.result is None
        assert whmcs.outbox() == []

    def test_logs_again_the_next_day(self, whmcs, receiver):
        whmcs.unconfigure()
        whmcs.fire("ClientClose", {"userid": 1}, client_area())
        whmcs.execute(
            "UPDATE tblconfiguration SET value = '2000-01-01' WHERE setting = 'PrivacyBridgeModuleNotConfiguredLogged'"
        )

        whmcs.fire("ClientClose", {"userid": 1}, client_area())

        assert len(not_configured_lines(whmcs)) == 2

    def test_the_defaults_of_the_settings_form_are_not_a_configuration(self, whmcs, receiver):
        """Contract 11: the _config defaults (no URL, no secret) send nothing."""
        whmcs.save_settings({"bridge_url": "", "webhook_secret": "", "fail_open": "on", "timeout_ms": "2000"})

        whmcs.fire("ClientClose", {"userid": 1}, client_area())

        assert receiver.requests() == []
        assert "webhook_secret" in not_configured_lines(whmcs)[0]

    def test_a_secret_without_a_url_is_reported(self, whmcs, receiver):
        whmcs.save_settings({"webhook_secret": receiver.secret})

        whmcs.fire("ClientClose", {"userid": 1}, client_area())

        assert receiver.requests() == [] and "bridge_url" in not_configured_lines(whmcs)[0]


class TestBridgeUrl:
    @pytest.mark.parametrize(
        "url",
        ["http://bridge.example.com", "http://10.0.0.5:8080", "ftp://127.0.0.1", "bridge.local",
         "http://user:pw@127.0.0.1", ""],
    )  # fmt: skip
    def test_must_be_https_unless_loopback(self, whmcs, receiver, url):
        whmcs.configure(bridge_url=url)

        whmcs.fire("ClientClose", {"userid": 1}, client_area())

        assert receiver.requests() == []
        assert "bridge_url" in not_configured_lines(whmcs)[0]

    @pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
    def test_http_is_fine_on_loopback(self, whmcs, receiver, host):
        whmcs.configure(bridge_url=receiver.url.replace("127.0.0.1", host) + "/")

        whmcs.fire("ClientClose", {"userid": 1}, client_area())

        assert len(receiver.events()) == 1 and not_configured_lines(whmcs) == []

    def test_https_is_accepted_and_attempted(self, whmcs, receiver):
        # Nothing listens with TLS there: the event stays pending, which proves it was accepted.
        whmcs.configure(bridge_url=receiver.url.replace("http://", "https://"), timeout_ms=500)

        whmcs.fire("ClientClose", {"userid": 1}, client_area())

        assert not_configured_lines(whmcs) == []
        [row] = whmcs.outbox()
        assert row["attempts"] == 1 and row["last_error"].startswith("curl error")


class TestSecret:
    @pytest.mark.parametrize("secret", ["", "plain-secret", "whsec_", "whsec_not*base64"])
    def test_must_be_whsec_base64(self, whmcs, receiver, secret):
        whmcs.configure(webhook_secret=secret)

        whmcs.fire("ClientClose", {"userid": 1}, client_area())

        assert receiver.requests() == []
        assert "webhook_secret" in not_configured_lines(whmcs)[0]


class TestNeverThrowsIntoWhmcs:
    def test_missing_whmcs_tables_only_lose_the_extras(self, whmcs, receiver):
        context = client_area()
        context["drop_tables"] = ["tblclients", "tblemailtemplates"]
        context["config_globals"] = None

        whmcs.fire("ClientEdit", {"userid": 42, "email": "a@example.com"}, context)
        validation = whmcs.fire("ClientDetailsValidation", {"email": "b@example.com"}, context)
        email = whmcs.fire("EmailPreSend", {"messagename": "Welcome", "relid": 42}, context)

        assert receiver.events()[0]["vars"] == {"userid": 42, "email": "a@example.com"}
        assert validation.result == [] and email.result == []
        assert "current" not in receiver.requests()[1].envelope["vars"]

    def test_unreadable_settings_count_as_not_configured(self, whmcs, receiver):
        context = client_area()
        context["drop_tables"] = ["tbladdonmodules"]

        run = whmcs.fire("ClientClose", {"userid": 1}, context)

        assert receiver.requests() == []
        assert "could not be read" in not_configured_lines(whmcs)[0] and run.result is None


class TestSettingsFromTbladdonmodules:
    """Contract 11: the settings are the module's tbladdonmodules rows, read once per request."""

    def test_fail_open_is_the_yesno_field(self, whmcs, receiver):
        whmcs.seed("tblclients", id=42, email="a@example.com")
        whmcs.configure(bridge_url=closed_port_url(), fail_open=False)
        assert whmcs.settings()["fail_open"] == ""

        run = whmcs.fire("ClientDetailsValidation", {"email": "b@example.com"}, client_area(42))

        assert run.result == ["Changes to these details are temporarily unavailable. Please try again later."]
