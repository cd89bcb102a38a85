"""Every console action, posted with WHMCS's CSRF token (it acts at the bridge) and without it
(refused, nothing changed at the bridge); a GET never acts (contract section 11)."""

from __future__ import annotations

import pytest

from tests.php.console.console import CLIENT, blocked_customer, holds, ledger_types, place_hold, send_hook, staff

pytestmark = pytest.mark.php

ID_CHECK = {"client_id": CLIENT, "document_type": "passport", "issuing_country": "gb", "document_last4": "",
            "document_expires": "", "note": ""}
REFUSED = "CSRF token check failed"


def verification_status(bridge) -> str:
    return staff(bridge, "GET", f"/v1/clients/{CLIENT}/privacy").json()["verification"]["status"]


@pytest.mark.parametrize("csrf", [True, False])
def test_record_an_id_check_from_the_queue(console, bridge, csrf):
    """Record an ID check: POST /v1/clients/{id}/verifications only with a valid CSRF token."""
    blocked_customer(bridge)
    page = console.post("client", "record_verification", ID_CHECK, csrf=csrf)
    assert page.errors == []
    assert ("ID check recorded." in page.text) is csrf and (REFUSED in page.text) is not csrf
    assert verification_status(bridge) == ("verified" if csrf else "unverified")


@pytest.mark.parametrize("csrf", [True, False])
def test_revoke_an_id_check(console, bridge, csrf):
    """Revoke: DELETE /v1/clients/{id}/verifications/current only with a valid CSRF token."""
    console.post("client", "record_verification", ID_CHECK)
    page = console.post("client", "revoke_verification", {"client_id": CLIENT}, csrf=csrf)
    assert ("ID check revoked." in page.text) is csrf
    assert verification_status(bridge) == ("revoked" if csrf else "verified")


@pytest.mark.parametrize("csrf", [True, False])
def test_billing_disclosure_without_an_id_check_is_refused_and_recorded(console, bridge, csrf):
    """Billing disclosure: without a current ID check the API gives no summary (403
    verification-required, recorded); the page says so and shows no billing values."""
    send_hook(bridge, "ClientAdd")
    page = console.post("client", "billing_disclosure", {"client_id": CLIENT, "channel": "phone",
                                                         "purpose": "caller asks for the balance"}, csrf=csrf)
    assert ("No current ID check" in page.text) is csrf
    assert "Billing summary for client" not in page.text
    assert ("disclosure.billing_refused" in ledger_types(bridge)) is csrf


@pytest.mark.parametrize("csrf", [True, False])
def test_third_party_disclosure(console, bridge, csrf):
    """Third-party disclosure: POST /v1/clients/{id}/disclosures (dpo) only with the token."""
    page = console.post("client", "third_party_disclosure", {
        "client_id": CLIENT, "recipient": "Example Police", "ground": "legal_process", "reference": "ORDER-1",
        "categories": ["contact", "billing"]}, csrf=csrf)
    assert ("Third-party disclosure recorded." in page.text) is csrf
    items = staff(bridge, "GET", f"/v1/clients/{CLIENT}/disclosures").json()["items"]
    assert len(items) == (1 if csrf else 0)


def test_a_ground_outside_the_policy_is_shown_as_the_bridges_refusal(console, bridge):
    """The API's 422 problem is shown as a plain refusal with its detail, nothing recorded."""
    page = console.post("client", "third_party_disclosure", {
        "client_id": CLIENT, "recipient": "Curious Ltd", "ground": "marketing", "reference": "X",
        "categories": ["contact"]})
    assert "The bridge refused this." in page.text and page.errors == []
    assert staff(bridge, "GET", f"/v1/clients/{CLIENT}/disclosures").json()["items"] == []


@pytest.mark.parametrize("csrf", [True, False])
def test_place_a_hold(console, bridge, csrf):
    """Place a hold: POST /v1/clients/{id}/holds only with the token."""
    page = console.post("client", "place_hold", {"client_id": CLIENT, "reason": "legal_obligation",
                                                 "reference": "TAX-2026", "note": ""}, csrf=csrf)
    assert ("Hold placed." in page.text) is csrf
    assert ("hold.placed" in ledger_types(bridge)) is csrf


@pytest.mark.parametrize("csrf", [True, False])
def test_release_a_hold(console, bridge, csrf):
    """Release a hold: DELETE /v1/holds/{id} only with the token."""
    hold_id = place_hold(bridge)
    page = console.post("client", "release_hold", {"client_id": CLIENT, "hold_id": hold_id}, csrf=csrf)
    assert ("Hold released." in page.text) is csrf
    assert ("hold.released" in ledger_types(bridge)) is csrf


@pytest.mark.parametrize("csrf", [True, False])
def test_retention_dry_run(console, bridge, csrf):
    """Dry run: POST /v1/retention/run with dry_run, only with the token; changes nothing."""
    page = console.post("retention", "dry_run", {"as_of": "2099-01-01"}, csrf=csrf)
    assert ("Dry run: nothing was changed." in page.text) is csrf


def test_a_retention_run_needs_the_confirmation_step(console, bridge):
    """Run: the first POST only shows what would be purged and a confirm form; a run without
    confirm=yes runs nothing; with it, the run happens (here the bridge has no WHMCS: its refusal)."""
    step = console.post("retention", "prepare_run")
    assert "Confirm the retention run" in step.text and 'name="confirm" value="yes"' in step.html
    assert "not confirmed: nothing was purged" in console.post("retention", "run").text
    confirmed = console.post("retention", "run", {"confirm": "yes"})
    assert "cannot do this right now" in confirmed.text and "BRIDGE_WHMCS_API_URL" in confirmed.text


@pytest.mark.parametrize("csrf", [True, False])
def test_verify_now(console, bridge, csrf):
    """Verify now: GET /v1/ledger/verify from a POSTed button, only with the token."""
    send_hook(bridge, "ClientAdd")
    page = console.post("ledger", "verify", csrf=csrf)
    assert ("Ledger verified: " in page.text and "entries, head seq" in page.text) is csrf


def outbox_rows(console) -> None:
    console.seed("mod_privacy_bridge_outbox", id=1, webhook_id="msg_1", event="ClientEdit", payload="{}",
                 attempts=8, next_attempt_at="2026-11-01 00:00:00", dead_at="2026-11-01 00:00:00",
                 last_error="HTTP 401", created_at="2026-11-01 00:00:00")
    console.seed("mod_privacy_bridge_outbox", id=2, webhook_id="msg_2", event="ClientAdd", payload="{}",
                 attempts=8, next_attempt_at="2026-11-01 00:00:00", dead_at="2026-11-01 00:00:00",
                 last_error="HTTP 401", created_at="2026-11-01 00:00:00")


@pytest.mark.parametrize("csrf", [True, False])
def test_outbox_retry_one(console, csrf):
    """Retry: resets next_attempt_at and dead_at of that row only, with the token only."""
    outbox_rows(console)
    console.post("outbox", "retry", {"id": 1}, csrf=csrf)
    rows = console.outbox()
    assert (rows[0]["dead_at"] is None) is csrf and rows[1]["dead_at"] is not None
    assert (rows[0]["next_attempt_at"] > "2026-11-01 00:00:00") is csrf


@pytest.mark.parametrize("csrf", [True, False])
def test_outbox_retry_all_and_delete_dead(console, csrf):
    """Retry all revives every undelivered row; delete removes dead rows only; both need the token."""
    outbox_rows(console)
    console.post("outbox", "delete_dead", {"id": 2}, csrf=csrf)
    assert [r["id"] for r in console.outbox()] == ([1] if csrf else [1, 2])
    console.post("outbox", "retry_all", csrf=csrf)
    assert all((r["dead_at"] is None) is csrf for r in console.outbox())
    console.post("outbox", "delete_all_dead", csrf=csrf)
    assert len(console.outbox()) == (1 if csrf else 2)  # a revived row is not dead: kept


def test_a_get_never_acts(console, bridge):
    """A GET carrying an action's fields (even with the token) changes nothing."""
    console.get("client", client_id=CLIENT)
    console.get("client", client_id=CLIENT, do="place_hold", reason="legal_obligation", reference="X",
                token=console.session["tkval"])
    assert "hold.placed" not in ledger_types(bridge)
    assert holds(bridge)["holds"] == []
