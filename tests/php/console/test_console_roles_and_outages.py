"""Role mapping (agent_roles / dpo_roles, an admin in neither list acts as auditor), the bridge's
403 shown as a plain notice, and the bridge being down (contract section 11)."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.php.console.conftest import settings_for
from tests.php.console.console import CLIENT, Console, blocked_customer, ledger_types

pytestmark = pytest.mark.php
PAGES = ("queue", "client", "retention", "ledger", "outbox", "settings")


@pytest.mark.parametrize(("admin", "role"), [("alice", "dpo"), ("bob", "agent"), ("carol", "auditor")])
def test_the_whmcs_role_maps_to_the_acting_role(console, admin, role):
    """agent_roles / dpo_roles are comma lists, trimmed and case-insensitive; neither: auditor."""
    page = console.login(admin).get("queue")
    assert f"Acting as {admin} with the bridge role {role} ." in page.text


def test_every_call_carries_the_token_and_the_acting_admin(php, tmp_path):
    """Each staff call sends Authorization: Bearer <console_token>, X-Acting-Admin and X-Acting-Role."""
    seen: list[dict] = []

    class Record(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append({k.lower(): v for k, v in self.headers.items()})
            body = b'{"items": []}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # noqa: ANN002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Record)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        console = Console(php, tmp_path / "w", {"bridge_url": url, "console_token": "pbt_console",
                                                "agent_roles": "Support", "dpo_roles": ""})
        console.login("bob").get("queue")
    finally:
        server.shutdown()
        server.server_close()
    assert seen and seen[0]["authorization"] == "Bearer pbt_console"
    assert seen[0]["x-acting-admin"] == "bob" and seen[0]["x-acting-role"] == "agent"


def test_an_agent_cannot_place_a_hold(console, bridge, needs_console_tokens):
    """The bridge acts with the lower of token and acting role: an agent's hold is a 403, shown as
    a plain notice, and no hold is placed."""
    page = console.login("bob").post("client", "place_hold", {"client_id": CLIENT, "reason": "legal_process",
                                                              "reference": "R-1", "note": ""})
    assert "Your role may not do this." in page.text and page.errors == []
    assert "hold.placed" not in ledger_types(bridge)


def test_an_auditor_cannot_record_an_id_check(console, bridge, needs_console_tokens):
    """An admin in neither list acts as auditor: recording an ID check is a 403 notice."""
    blocked_customer(bridge)
    page = console.login("carol").post("client", "record_verification", {
        "client_id": CLIENT, "document_type": "passport", "issuing_country": "GB"})
    assert "Your role may not do this." in page.text
    assert "verification.recorded" not in ledger_types(bridge)


def test_an_agent_reads_redacted_values_only(console, bridge, needs_console_tokens):
    """Personal values only as the API shows them to the acting role: "[redacted]" below dpo."""
    blocked_customer(bridge)
    console.login("bob")
    assert "jane@example.org" not in console.get("client", client_id=CLIENT).html


def test_the_outbox_checks_the_role_itself(console):
    """The bridge cannot see the outbox table: an auditor may not retry, an agent may not delete."""
    console.seed("mod_privacy_bridge_outbox", id=1, webhook_id="m", event="ClientEdit", payload="{}", attempts=8,
                 dead_at="2026-11-01 00:00:00", created_at="2026-11-01 00:00:00")
    assert "Your role may not do this." in console.login("carol").post("outbox", "retry_all").text
    assert "Your role may not do this." in console.login("bob").post("outbox", "delete_all_dead").text
    assert console.outbox()[0]["dead_at"] is not None


def unreachable_settings(tmp_path, kind: str, bridge) -> dict[str, str]:
    if kind == "refused":
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]  # closed again: connection refused
        return settings_for(bridge, bridge_url=f"http://127.0.0.1:{port}")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)  # accepts into the backlog, never answers: a timeout
    unreachable_settings.keep = listener  # type: ignore[attr-defined]
    return settings_for(bridge, bridge_url=f"http://127.0.0.1:{listener.getsockname()[1]}", timeout_ms="300")


@pytest.mark.parametrize("kind", ["refused", "timeout"])
def test_a_bridge_that_is_down_shows_a_plain_notice_on_every_page(php, tmp_path, bridge, kind):
    """Bridge down (connection refused or timeout): every page and the widget show a plain notice,
    never a PHP error, and a POSTed action changes nothing."""
    console = Console(php, tmp_path / "w", unreachable_settings(tmp_path, kind, bridge)).login("alice")
    for action in PAGES:
        page = console.get(action, client_id=CLIENT)
        assert page.errors == [] and "Fatal" not in page.html and "Stack trace" not in page.html
        if action not in ("outbox", "settings"):
            assert "cannot do this right now" in page.text, action
    assert "Bridge reachable FAIL" in console.get("settings").text
    assert "cannot do this right now" in console.post("client", "place_hold", {"client_id": CLIENT}).text
    assert "cannot be reached right now" in console.widget().text
