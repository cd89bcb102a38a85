"""POST /v1/hooks/whmcs/panel: the admin summary and the customer's panels, every value escaped,
no personal value ever shown, signed but not de-duplicated, and a plain read that writes nothing."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from bridge.ledger.entries import Actor, Change, EntryDraft, EventType, Subject
from bridge.panels.client import kept_statement
from bridge.verification.service import Attestation
from tests.browser.story import (
    CLIENT,
    PANEL,
    PANEL_EVENTS,
    blocked_and_reverted,
    close_account,
    install_retention,
    place_hold,
    post_panel,
    render,
    send,
)
from tests.support.fixtures import EVENTS, hook

INJECTIONS = ('<script>alert(1)</script>', '<img src=x onerror=alert(2)>', '"><svg onload=alert(3)>',
              "' onmouseover='alert(4)")
ALLOWED_TAGS = {"div", "h3", "h4", "p", "span", "code", "table", "thead", "tbody", "tr", "th", "td", "time", "ul",
                "li", "strong", "hr"}
PERSONAL_KEYS = {"firstname", "lastname", "companyname", "email", "address1", "address2", "city", "state",
                 "postcode", "phonenumber", "tax_id", "notes", "cardlastfour", "expdate", "ip", "uuid"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append((tag, attrs))


def assert_inert(html: str) -> None:
    """Only plain markup: no script, no handler, no style, no link or resource of any kind."""
    parser = _Tags()
    parser.feed(html)
    assert {tag for tag, _ in parser.tags} <= ALLOWED_TAGS
    names = {name for _, attrs in parser.tags for name, _ in attrs}
    assert names <= {"class", "id", "role", "datetime"}
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<svg" not in html.lower()


def personal_values() -> set[str]:
    """Every personal value in the hook fixtures (keys of the profile, at any depth)."""
    found: set[str] = set()

    def walk(value, key=None):  # noqa: ANN001
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif key in PERSONAL_KEYS and isinstance(value, str) and len(value.strip()) >= 4:
            found.add(value.strip())

    for name in (*EVENTS, "ClientDetailsValidation", "ContactDetailsValidation", *PANEL_EVENTS):
        walk(hook(name))
    return found


def panels(client, signer) -> dict[str, str]:  # noqa: ANN001
    return {event: render(client, signer, event) for event in PANEL_EVENTS}


class TestAdminSummary:
    def test_an_unknown_client_renders_a_sensible_empty_state(self, client, signer):
        html = render(client, signer, "AdminAreaClientSummaryPage", vars_={"userid": 987654})
        for phrase in ("No record for client 987654", "Not verified", "No closure recorded", "Not known yet",
                       "No changes recorded", "0 ledger entries", "2 pending (oldest 5 min), 0 dead"):
            assert phrase in html
        assert "alert-warning" not in html
        assert_inert(html)

    def test_blocked_and_reverted_changes_show_by_field_name_who_and_when(self, client, signer):
        blocked_and_reverted(client, signer)
        html = render(client, signer, "AdminAreaClientSummaryPage")
        assert "Not verified" in html and "for an ID check since 2026-11-24 20:16 UTC" in html
        assert "<code>email</code>" in html and "<code>phonenumber</code>" in html
        assert "Change blocked (no ID check)" in html and "client 1042 (user 2042)" in html
        assert "Account details changed" in html and "admin 3" in html
        assert "Opted out." in html
        assert "Revert of an unverified change: pending, 0 attempts" in html
        assert "No record for client" not in html
        assert_inert(html)

    def test_a_current_verification_shows_its_expiry_and_who_recorded_it(self, client, signer, token_for):
        response = client.post(f"/v1/clients/{CLIENT}/verifications",
                               json={"document_type": "passport", "issuing_country": "GB", "document_last4": "9876"},
                               headers=token_for("agent"))
        assert response.status_code == 201
        html = render(client, signer, "AdminAreaClientSummaryPage")
        assert "Verified</span> until <time datetime=\"2026-12-24 20:00 UTC\">2026-12-24 20:00 UTC</time>" in html
        assert "recorded 2026-11-24 20:00 UTC by t-agent" in html
        assert "9876" not in html and "passport" not in html

    def test_a_revoked_verification_says_so(self, client, signer, token_for):
        client.post(f"/v1/clients/{CLIENT}/verifications", json={"document_type": "passport", "issuing_country": "GB"},
                    headers=token_for("agent"))
        client.delete(f"/v1/clients/{CLIENT}/verifications/current", headers=token_for("agent"))
        assert "Revoked</span>" in render(client, signer, "AdminAreaClientSummaryPage")

    def test_a_closed_client_shows_closure_purge_date_and_holds_by_reason_only(self, client, signer, services):
        close_account(client, signer)
        place_hold(client, services)
        html = render(client, signer, "AdminAreaClientSummaryPage")
        assert "Closed 2026-11-24 20:02 UTC; purge due 2027-11-24 20:02 UTC" in html and "On hold" in html
        assert "Hold: accounting irregularity, since 2026-11-24 20:02 UTC" in html  # placed after the closure
        assert "INV-2231" not in html and "disputes" not in html  # a hold's free text is personal
        assert_inert(html)

    def test_a_scheduled_purge_without_holds_is_not_on_hold(self, client, signer):
        close_account(client, signer)
        html = render(client, signer, "AdminAreaClientSummaryPage")
        assert "purge due 2027-11-24" in html and "On hold" not in html and "Hold:" not in html

    def test_a_released_hold_is_no_longer_shown(self, client, signer, services, token_for):
        close_account(client, signer)
        hold_id = place_hold(client, services)
        assert client.delete(f"/v1/holds/{hold_id}", headers=token_for("dpo")).status_code == 204
        html = render(client, signer, "AdminAreaClientSummaryPage")
        assert "On hold" not in html and "Hold:" not in html

    @pytest.mark.parametrize(("status", "phrase"), [
        ("due", "Due</span>"), ("purging", "Purge in progress"), ("reactivated", "Reactivated; the scheduled purge"),
        ("purged", "Purged</span>"), ("deleted", "Deleted in WHMCS; the ledger key is shredded"),
        ("deleted_held", "the ledger key is kept until the hold is released"), ("not_closed", "No closure recorded"),
    ])
    def test_every_retention_status_has_its_words(self, client, signer, services, status, phrase):
        install_retention(services, {"closed_at": "2025-11-01T00:00:00Z", "purge_due_at": "2026-11-01T00:00:00Z",
                                     "status": status, "holds": []})
        assert phrase in render(client, signer, "AdminAreaClientSummaryPage")

    @pytest.mark.parametrize(("outbox", "warning"), [
        ({"pending": 0, "dead": 2, "oldest_pending_at": None}, "2 events given up after repeated delivery failures"),
        ({"pending": 5, "dead": 0, "oldest_pending_at": "2026-11-24T18:30:00Z"},
         "5 events waiting, the oldest for 1 h 30 min"),
        ({"pending": 5, "dead": 0, "oldest_pending_at": "2026-11-24T19:30:00Z"}, None),
    ])
    def test_outbox_health_warns_on_dead_events_or_a_stale_queue(self, client, signer, outbox, warning):
        html = render(client, signer, "AdminAreaClientSummaryPage", vars_={"outbox": outbox})
        assert (f"{outbox['pending']} pending" in html) and (f"{outbox['dead']} dead" in html)
        if warning is None:
            assert "alert-warning" not in html
        else:
            assert "Hook outbox needs attention" in html and warning in html

    def test_without_outbox_health_the_panel_says_it_was_not_reported(self, client, signer):
        data = hook("AdminAreaClientSummaryPage")
        del data["vars"]["outbox"]
        body, headers = signer.request(data)
        html = client.post(PANEL, data=body, headers=headers).get_json()["html"]
        assert "Not reported by the hook." in html


class TestClientPanels:
    @pytest.mark.parametrize("event", ["ClientAreaHomepage", "ClientAreaHeaderOutput"])
    def test_an_unverified_customer_is_told_a_change_needs_an_id_check(self, client, signer, event):
        html = render(client, signer, event)
        assert "ID check needed" in html and "Please contact our support team first." in html
        assert "which details changed, who made the change, when, and from which Internet address" in html
        assert "twelve months after the account is cancelled, unless we are under a legal obligation" in html
        assert_inert(html)

    def test_the_home_card_and_the_details_notice_use_client_area_markup(self, client, signer):
        home = render(client, signer, "ClientAreaHomepage")
        details = render(client, signer, "ClientAreaHeaderOutput")
        assert 'class="card privacy-bridge"' in home and "badge badge-warning" in home
        assert 'class="alert alert-warning privacy-bridge"' in details
        assert "email address" in details and "phone number" in details  # the protected details, by name

    def test_a_blocked_change_is_shown_to_the_customer_by_label(self, client, signer):
        blocked_and_reverted(client, signer)
        html = render(client, signer, "ClientAreaHomepage")
        assert "Your recent change to your address, email address and phone number needs an ID check" in html

    def test_a_verified_customer_may_change_details_until_the_expiry(self, client, signer, services):
        services.verifications.record_verification(
            CLIENT, Attestation(document_type="passport", issuing_country="GB"), actor=Actor("staff", "t-agent"))
        for event in ("ClientAreaHomepage", "ClientAreaHeaderOutput"):
            html = render(client, signer, event)
            assert "until 24 December 2026 you can change your contact and billing details" in html
            assert "ID check needed" not in html

    def test_a_check_naming_another_user_does_not_cover_this_login(self, client, signer, services):
        services.verifications.record_verification(
            CLIENT, Attestation(document_type="passport", issuing_country="GB", user_id=9999),
            actor=Actor("staff", "t-agent"))
        assert "ID check needed" in render(client, signer, "ClientAreaHomepage")

    def test_a_closed_account_is_told_the_deletion_date_in_the_policys_words(self, client, signer, services):
        close_account(client, signer)
        place_hold(client, services, reason="legal_process", reference="COURT-77")
        html = render(client, signer, "ClientAreaHomepage")
        assert ("Your account was closed on 24 November 2026. Your personally identifiable account information will "
                "be deleted on 24 November 2027, twelve months after cancellation, unless a legal obligation or an "
                "accounting irregularity requires keeping it.") in html
        assert "COURT-77" not in html and "legal process" not in html  # holds are never disclosed to the customer

    def test_the_period_follows_the_retention_setting_and_a_past_date_is_due_now(self, clock):
        now = clock.now()
        assert "eighteen months after the account is cancelled" in kept_statement(None, months=18, now=now)[1]
        closed = {"closed_at": "2026-01-31T00:00:00Z", "purge_due_at": "2026-07-31T00:00:00Z", "status": "held"}
        assert "is now due for deletion, six months after cancellation" in kept_statement(closed, months=6, now=now)[0]
        assert "has been deleted" in kept_statement({**closed, "status": "purged"}, months=6, now=now)[0]

    def test_retention_switched_off_in_panels_is_no_closure(self, client, signer, services):
        install_retention(services, None)
        assert "No closure recorded." in render(client, signer, "AdminAreaClientSummaryPage")


class TestNothingLeaks:
    def test_no_personal_value_from_the_fixtures_appears_in_any_panel(self, client, signer):
        send(client, signer, "ClientDetailsValidation")
        send(client, signer, "ContactDetailsValidation")
        for name in EVENTS:
            send(client, signer, name)
        values = personal_values()
        assert {"jane.doe@example.net", "22 Sample Road", "203.0.113.5"} <= values
        for event, html in panels(client, signer).items():
            leaked = sorted(value for value in values if value.lower() in html.lower())
            assert leaked == [], event

    def test_injected_markup_from_every_source_is_escaped(self, client, signer, services, clock):
        script, img, svg, quote = INJECTIONS
        send(client, signer, "ClientEdit", actor={"type": "api", "id": script})
        send(client, signer, "ClientDetailsValidation", actor={"type": "admin", "id": img})
        services.ledger.append([EntryDraft(
            event_type=EventType.CONSENT_CHANGED, occurred_at=clock.now(), subject=Subject.of("client", CLIENT),
            actor=Actor("staff", svg), client_id=CLIENT, changes=(Change(quote, "consent", None, True),))])
        services.verifications.record_verification(
            CLIENT, Attestation(document_type="passport", issuing_country="GB"), actor=Actor("staff", img))
        services.queue.enqueue(script, {"client_id": CLIENT}, client_id=CLIENT, now=clock.now())
        install_retention(services, {"closed_at": script, "purge_due_at": img, "status": svg, "holds": [
            {"hold_id": text, "reason": text, "reference": text, "placed_at": text} for text in INJECTIONS]})
        html = render(client, signer, "AdminAreaClientSummaryPage",
                      vars_={"injected": script, "outbox": {"pending": 1, "dead": 1, "note": img}})
        assert_inert(html)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
        assert "&lt;img src=x onerror=alert(2)&gt;" in html and "&#34;&gt;&lt;svg onload=alert(3)&gt;" in html
        assert "&#39; onmouseover=&#39;alert(4)" in html
        for event in ("ClientAreaHomepage", "ClientAreaHeaderOutput"):
            assert_inert(render(client, signer, event, vars_={"injected": script}))

    def test_markup_in_the_client_id_is_a_400_that_echoes_nothing(self, client, signer):
        response = post_panel(client, signer, "AdminAreaClientSummaryPage",
                              vars_={"userid": "<script>alert(1)</script>"})
        assert response.status_code == 400
        assert response.mimetype == "application/problem+json"
        assert "script" not in json.dumps(response.get_json())

    @pytest.mark.parametrize("bad", [{"outbox": {"pending": "<b>", "dead": 0, "oldest_pending_at": None}},
                                     {"outbox": {"pending": 1, "dead": 0, "oldest_pending_at": "<svg onload=x>"}}])
    def test_markup_in_typed_vars_is_dropped_and_never_shown(self, client, signer, bad):
        """Section 10, form input is data: an unreadable value is dropped, never a 400, never shown."""
        response = post_panel(client, signer, "AdminAreaClientSummaryPage", vars_=bad)
        assert response.status_code == 200
        html = response.get_json()["html"]
        assert "privacy-bridge-summary" in html
        assert "<b>" not in html and "svg" not in html


class TestTransport:
    def test_the_read_writes_nothing_and_is_not_deduplicated(self, client, signer, services):
        blocked_and_reverted(client, signer)
        head = services.ledger.head()
        first = post_panel(client, signer, "AdminAreaClientSummaryPage", webhook_id="msg_same")
        second = post_panel(client, signer, "AdminAreaClientSummaryPage", webhook_id="msg_same")
        assert first.status_code == second.status_code == 200
        assert first.get_json() == second.get_json()
        assert services.ledger.head() == head
        assert not services.ledger.store.webhook_seen("msg_same")

    @pytest.mark.parametrize("breakage", ["unsigned", "wrong-secret", "stale", "garbage-signature"])
    def test_bad_signatures_are_401_problems(self, client, signer, clock, breakage):
        from bridge.signing import signed_headers

        body, headers = signer.request(hook("AdminAreaClientSummaryPage"))
        if breakage == "unsigned":
            headers = {"Content-Type": "application/json"}
        elif breakage == "wrong-secret":
            headers = signed_headers(b"w" * 32, msg_id="m", timestamp=int(clock.now().timestamp()), body=body)
        elif breakage == "stale":
            body, headers = signer.request(hook("AdminAreaClientSummaryPage"),
                                           timestamp=int(clock.now().timestamp()) - 301)
        else:
            headers["webhook-signature"] = "v1,%%%"
        response = client.post(PANEL, data=body, headers=headers)
        assert response.status_code == 401
        assert response.get_json()["type"] == "/problems/unauthorized" and "html" not in response.get_json()

    def test_an_oversized_body_is_413_before_the_signature_is_checked(self, client):
        response = client.post(PANEL, data=b"x" * (1024 * 1024 + 1), headers={"Content-Type": "application/json"})
        assert response.status_code == 413 and response.mimetype == "application/problem+json"

    @pytest.mark.parametrize("raw", [b"not json", b"\xff\xfe", b"[]", b'{"event": "ClientAreaHomepage"}'])
    def test_malformed_bodies_are_400_problems(self, client, signer, raw):
        response = client.post(PANEL, data=raw, headers=signer.headers(raw))
        assert response.status_code == 400 and response.mimetype == "application/problem+json"

    def test_a_panel_call_without_userid_is_400(self, client, signer):
        data = hook("ClientAreaHomepage")
        del data["vars"]["userid"]
        body, headers = signer.request(data)
        response = client.post(PANEL, data=body, headers=headers)
        assert response.status_code == 400 and "vars.userid" in response.get_json()["errors"]

    def test_an_output_hook_the_bridge_does_not_fill_gets_empty_html(self, client, signer):
        body, headers = signer.request(hook("ClientAreaHomepage", event="ClientAreaFooterOutput"))
        response = client.post(PANEL, data=body, headers=headers)
        assert response.status_code == 200 and response.get_json() == {"html": ""}
