"""The customer privacy page (contract 11): the bridge's page, and "Download my data" behind the password."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.php.whmcs_harness import MODULE_DIR, PANEL_PATH, Reply, client_area

pytestmark = pytest.mark.php

EXPORT_PATH = "/v1/hooks/whmcs/export"
RESPOND = "WHMCS\\Module\\Addon\\PrivacyBridge\\PrivacyPage::respond"
TOKEN = "csrf-token-of-the-session"
PAGE_HTML = (
    '<h2>Your data</h2><form method="post" action="index.php?m=privacy_bridge">'
    '<input type="hidden" name="do" value="export"><input type="password" name="password"></form>'
)
EXPORT = {"client_id": 42, "entries": [{"type": "client.updated"}]}
CLIENTS = {"tblclients": [{"id": 42, "email": "alice@example.com"}, {"id": 43, "email": "bob@example.com"}]}


def page_request(post: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    context = client_area(42, script="index.php", get={"m": "privacy_bridge", "userid": "43"})
    context["server"]["REQUEST_METHOD"] = "POST" if post is not None else "GET"
    context["post"] = post or {}
    context["session"] = {"uid": 42, "tkval": TOKEN}
    context["logins"] = {"alice@example.com": "right horse", "bob@example.com": "bobs password"}
    context.update(extra)
    return context


def open_page(whmcs, context: dict[str, Any], function: str = RESPOND):
    return whmcs.fire("", context=context, seed=CLIENTS, module_call={"function": function, "args": [{}]})


class TestPrivacyPage:
    def test_the_page_shows_the_bridge_html_with_the_csrf_token_for_the_session_client(self, whmcs, receiver):
        """Rule: the page is the bridge's ClientAreaPrivacyPage html for the logged-in client only (never a
        client id from the request), with WHMCS's CSRF token added to its form."""
        receiver.queue(PANEL_PATH, Reply(200, {"html": PAGE_HTML}))

        page = open_page(whmcs, page_request(), "privacy_bridge_clientarea").result

        assert page["templatefile"] == "templates/clientarea" and page["requirelogin"] is True
        html = page["vars"]["privacy_html"]
        assert html.startswith("<h2>Your data</h2><form method=\"post\" action=\"index.php?m=privacy_bridge\">"
                               f'<input type="hidden" name="token" value="{TOKEN}" />')  # fmt: skip
        (asked,) = receiver.requests(PANEL_PATH)
        assert asked.verified and asked.envelope["event"] == "ClientAreaPrivacyPage"
        assert asked.envelope["vars"] == {"userid": 42} and asked.envelope["actor"]["type"] == "client"

    def test_the_right_password_downloads_the_export_of_the_session_client(self, whmcs, receiver):
        """Rule: "Download my data" - with the CSRF token and the re-entered password (ValidateLogin for the
        client's own email), the bridge's export for the logged-in client is sent as a download."""
        receiver.queue(EXPORT_PATH, Reply(200, EXPORT))
        post = {"do": "export", "token": TOKEN, "password": "right horse", "userid": "43", "email": "bob@example.com"}

        run = open_page(whmcs, page_request(post))

        download = run.result["download"]
        assert json.loads(download["body"]) == EXPORT and download["filename"].startswith("my-data-42-")
        assert run.api_calls == [{"command": "ValidateLogin", "email": "alice@example.com"}]
        (asked,) = receiver.requests(EXPORT_PATH)
        assert asked.verified and asked.envelope["event"] == "ClientAreaExport"
        assert asked.envelope["vars"] == {"userid": 42}

    @pytest.mark.parametrize("password", ["wrong", "", "bobs password"])
    def test_a_wrong_password_is_refused_and_nothing_is_exported(self, whmcs, receiver, password):
        """Rule: only a password that ValidateLogin accepts for this client exports; otherwise a plain refusal."""
        receiver.queue(PANEL_PATH, Reply(200, {"html": PAGE_HTML}))

        page = open_page(whmcs, page_request({"do": "export", "token": TOKEN, "password": password})).result

        assert "download" not in page
        assert page["vars"]["privacy_notice"] == "The password was not correct. Nothing was exported."
        assert receiver.requests(EXPORT_PATH) == []

    @pytest.mark.parametrize("token", ["", "forged"])
    def test_without_the_csrf_token_the_password_is_not_even_checked(self, whmcs, receiver, token):
        """Rule: the export acts only on a POST carrying WHMCS's CSRF token."""
        run = open_page(whmcs, page_request({"do": "export", "token": token, "password": "right horse"}))

        assert "download" not in run.result and run.api_calls == []
        assert receiver.requests(EXPORT_PATH) == []

    def test_the_bridge_being_down_shows_a_plain_notice(self, whmcs, receiver):
        """Rule: without an answer from the bridge the page says so plainly, never a PHP error."""
        receiver.queue(PANEL_PATH, Reply(503, {}))

        page = open_page(whmcs, page_request()).result

        notice = "Your privacy page is not available right now. Please try again later."
        assert page["vars"] == {"privacy_html": "", "privacy_notice": notice}

    def test_the_account_menu_gets_a_privacy_item(self, whmcs):
        """Rule: the page is linked from the client area's Account menu (ClientAreaSecondaryNavbar)."""
        context = client_area(42)
        context["menu"] = ["Account"]

        menu = whmcs.fire("ClientAreaSecondaryNavbar", context=context).result

        (account,) = menu["children"]
        options = {"label": "Privacy", "uri": "index.php?m=privacy_bridge", "order": 90}
        assert account["children"] == [{"name": "privacy_bridge", "children": [], "options": options}]
        context["menu"] = []
        assert whmcs.fire("ClientAreaSecondaryNavbar", context=context).result["children"] == []

    def test_the_template_prints_the_bridge_html_unfiltered_and_escapes_the_notice(self):
        """Rule: the bridge's html is already escaped (printed with nofilter); the module's own text is escaped."""
        template = (Path(MODULE_DIR) / "templates" / "clientarea.tpl").read_text()

        assert "{$privacy_html nofilter}" in template and "{$privacy_notice|escape:'html'}" in template
