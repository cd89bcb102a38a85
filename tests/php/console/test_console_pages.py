"""Every console page rendered by the real module code under php-cli against a real bridge
(contract section 11, staff console)."""

from __future__ import annotations

import pytest

from tests.php.console.console import CLIENT, blocked_customer, place_hold, send_hook

pytestmark = pytest.mark.php


def test_the_queue_lists_a_blocked_customer_with_a_form(console, bridge):
    """Pending ID checks: the queue of GET /v1/verifications?status=pending, each with a form to
    record an ID check that carries WHMCS's CSRF token."""
    blocked_customer(bridge)
    page = console.get("queue")
    assert page.errors == []
    assert f"#{CLIENT}" in page.text and "email" in page.text
    assert 'name="do" value="record_verification"' in page.html
    assert f'name="token" value="{console.session["tkval"]}"' in page.html


def test_the_client_page_shows_verification_retention_holds_and_changes(console, bridge):
    """Client page: verification, retention, holds, consent, last changes and open jobs, as the
    API gives them to a dpo (personal values in clear only because the API shows them)."""
    blocked_customer(bridge)
    send_hook(bridge, "ClientClose")
    place_hold(bridge, reference="CASE-7")
    page = console.get("client", client_id=CLIENT)
    assert page.errors == []
    for phrase in ("Client #1042: privacy", "Status: unverified", "Waiting since", "legal_process",
                   "Retention", "Marketing:", "Open jobs", "Last changes", "change.blocked", "client.closed"):
        assert phrase in page.text, phrase
    for do in ("record_verification", "revoke_verification", "billing_disclosure", "third_party_disclosure",
               "place_hold", "release_hold"):
        assert f'value="{do}"' in page.html


def test_the_retention_page_shows_the_plan_and_its_forms(console, bridge):
    """Retention: the plan (GET /v1/retention/plan) with a dry-run form and a run form that only
    leads to a confirmation step."""
    send_hook(bridge, "ClientClose")
    page = console.get("retention")
    assert page.errors == [] and "Plan as of" in page.text and "scheduled" in page.text
    assert 'value="dry_run"' in page.html and 'value="prepare_run"' in page.html
    assert 'value="run"' not in page.html


def test_the_ledger_page_offers_verify_now(console, bridge):
    """Ledger: head and anchors from GET /v1/ledger/status (a plain notice where the bridge lacks
    it) and a "verify now" button."""
    page = console.get("ledger")
    assert page.errors == [] and 'value="verify"' in page.html
    assert "Head: seq" in page.text or "does not report its ledger status" in page.text


def test_the_outbox_page_shows_rows_but_never_payloads(console):
    """Outbox: pending and dead rows from mod_privacy_bridge_outbox: event, times, attempts and
    last_error only, never a payload's personal values."""
    console.seed("mod_privacy_bridge_outbox", webhook_id="msg_1", event="ClientEdit",
                 payload='{"vars": {"email": "jane@example.org"}}', attempts=2, next_attempt_at="2026-12-01 10:00:00",
                 created_at="2026-12-01 09:00:00")
    console.seed("mod_privacy_bridge_outbox", webhook_id="msg_2", event="ContactAdd",
                 payload='{"vars": {"email": "secret-contact@example.org"}}', attempts=8,
                 dead_at="2026-12-01 11:00:00", last_error="HTTP 401", created_at="2026-12-01 08:00:00")
    page = console.get("outbox")
    assert page.errors == []
    assert "Pending: 1" in page.text and "Given up (dead): 1" in page.text
    assert "ClientEdit" in page.text and "ContactAdd" in page.text and "HTTP 401" in page.text
    assert "example.org" not in page.html and "msg_" not in page.html


def test_the_outbox_page_shows_open_and_finished_erasure_orders(console):
    """Outbox: the residual-erasure orders (contract 11), open ones and finished ones with the rows
    they erased, never the e-mail addresses of the order."""
    console.seed("mod_privacy_bridge_erasures", order_id="ord_open", client_id=42, strategy="anonymize",
                 counts='{"tblemails": 2}', started_at="2026-12-01 09:00:00")
    console.seed("mod_privacy_bridge_erasures", order_id="ord_done", client_id=43, strategy="delete",
                 counts='{"tblemails": 1, "tbltickets": 3}', started_at="2026-12-01 08:00:00",
                 finished_at="2026-12-01 08:01:00", reported_at="2026-12-01 08:01:00")
    page = console.get("outbox")
    assert page.errors == []
    assert "ord_open" in page.text and "open (finished on the next cron run)" in page.text
    assert "ord_done" in page.text and "finished, reported 2026-12-01 08:01:00" in page.text
    assert page.text.index("ord_open") < page.text.index("ord_done")


def test_the_settings_check_passes_with_matching_settings(console, bridge):
    """Settings check: bridge reachable (/healthz), ready (/readyz, with its WHMCS credential),
    webhook secret accepted by a signed panel call, console token accepted."""
    page = console.get("settings")
    assert page.errors == []
    checks = ("Bridge reachable OK", "Bridge database OK", "Webhook secret OK accepted", "Console token OK accepted")
    for name in checks:
        assert name in page.text, name
    assert "WHMCS API credential FAIL not configured" in page.text  # this test bridge has no WHMCS
    assert bridge.token not in page.html and bridge.secret not in page.html


def test_the_settings_check_names_a_wrong_secret_and_token(php, tmp_path, bridge):
    """Settings check: a 401 to the signed call means the secrets differ; a 401 to a staff GET
    means the console token is invalid."""
    from tests.php.console.conftest import settings_for
    from tests.php.console.console import Console, new_secret

    wrong = Console(php, tmp_path / "w", settings_for(bridge, webhook_secret=new_secret(), console_token="pbt_nope"))
    page = wrong.login("alice").get("settings")
    assert "Webhook secret FAIL the bridge rejects the signature: the secrets differ" in page.text
    assert "Console token FAIL invalid or revoked" in page.text


def test_every_page_names_the_old_hook_files_to_delete(console):
    """Section 11: with an older loose install's files still in includes/hooks/, the module's pages
    say which old files to delete."""
    page = console.get("settings")
    assert page.errors == [] and "older hook install" not in page.text  # the setup: nothing left over
    hooks = console.root / "whmcs" / "includes" / "hooks"
    hooks.mkdir(parents=True)
    (hooks / "privacy_bridge.php").write_text("<?php\n")
    for action in ("settings", "queue", "outbox"):
        page = console.get(action)
        assert "older hook install" in page.text and "includes/hooks/privacy_bridge.php" in page.text, action
