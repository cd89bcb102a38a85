"""Section 11, Customer privacy page, end to end: the module's _clientarea page under php-cli talking
to a real bridge (on SQLite and PostgreSQL), its template rendered by Smarty, and "Download my
data" behind a password checked by the WHMCS API emulator's ValidateLogin. Two customers, so that
nothing of one may reach the other."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.php.privacy_live import (
    CHECK_LAST4,
    CSRF,
    STAFF_IP,
    STAFF_ONLY,
    WRONG_PASSWORD,
    download,
    history_rows,
    live_install,
    open_page,
    render,
    tell_story,
)

pytestmark = pytest.mark.php


@pytest.fixture
def live(smarty, tmp_path, db_url):
    with live_install(smarty, tmp_path / "whmcs", db_url) as running:
        tell_story(running)
        yield running


def assert_none_of(values, *texts):  # noqa: ANN001, ANN201
    for text in texts:
        leaked = [v for v in values if v.lower() in text.lower()]
        assert not leaked, leaked


class TestThePage:
    def test_it_shows_the_customers_own_history_id_check_and_what_is_kept(self, live, tmp_path):
        """What is kept and for how long, the ID-check state, the change history (when, which
        details, who, and the Internet address only when it was them), the marketing link and the
        export form with WHMCS's CSRF token; for the logged-in client, whatever client id the
        request names."""
        grace = live.grace
        page = open_page(live, grace).result
        html = page["vars"]["privacy_html"]
        assert page["templatefile"] == "templates/clientarea" and page["requirelogin"] is True
        assert page["vars"]["privacy_notice"] == ""

        assert "What we keep about you" in html and "twelve months after the account is cancelled" in html
        assert "Verified" in html and "Your identity is verified until" in html
        rows = history_rows(html)
        by_who = {(details, who, ip) for _when, details, who, ip in rows}
        assert ("city and phone number", "you", grace.ip) in by_who
        assert ("address", "our staff", "") in by_who
        assert ("company name", "automatic", "") in by_who
        now = datetime.now(UTC)
        for when, *_ in rows:
            assert now - timedelta(minutes=10) < datetime.fromisoformat(when) <= now + timedelta(minutes=1)
        assert [when for when, *_ in rows] == sorted((when for when, *_ in rows), reverse=True)  # newest first
        assert 'href="clientarea.php?action=details"' in html
        assert f'<input type="hidden" name="token" value="{CSRF}" />' in html and 'name="password"' in html
        assert STAFF_IP not in html  # staff's address is not theirs to see

    def test_the_rendered_page_holds_nothing_of_another_customer_and_no_staff_matter(self, live, tmp_path):
        """Never another client's data (checked both ways), never a hold, a staff note or a
        verification document's details, in the module's answer and in the page Smarty renders."""
        for me, other in ((live.grace, live.zeb), (live.zeb, live.grace)):
            run = open_page(live, me)
            rendered = render(run.result, tmp_path, live.whmcs.php)
            assert "privacy-bridge-page" in rendered and "Changes to your details" in rendered
            assert_none_of(other.values(), json.dumps(run.result), rendered, *run.activity)
            assert_none_of((*STAFF_ONLY, CHECK_LAST4, "legal_process", "hold"), rendered)
        zeb_page = render(open_page(live, live.zeb).result, tmp_path, live.whmcs.php)
        assert "Waiting" in zeb_page and live.zeb.ip in zeb_page  # his own check state and address, on his page


class TestDownload:
    def test_the_right_password_downloads_the_customers_own_data_and_it_is_ledgered(self, live):
        """After the password the emulator's ValidateLogin accepts for the logged-in client's own
        login, the bridge's export of that client is the download, recorded as export.created with
        actor client; it carries nothing of the other customer and leaves staff matter out."""
        grace, zeb = live.grace, live.zeb
        run = download(live, grace, grace.password)

        document = json.loads(run.result["download"]["body"])
        assert run.result["download"]["filename"].startswith(f"my-data-{grace.client_id}-")
        assert document["client_id"] == grace.client_id
        assert {e["subject"]["id"] for e in document["entries"] if e["subject"]["type"] == "client"} == {
            str(grace.client_id)}
        assert grace.new_city in run.result["download"]["body"]  # her own values, in clear
        assert_none_of((*zeb.values(), *STAFF_ONLY), run.result["download"]["body"])
        assert not [e for e in document["entries"] if e["event_type"].startswith("hold.")]
        assert document["verification"]["status"] == "verified" and document["verification"]["pending"] is None
        assert live.logins_checked() == [grace.email]
        [created] = live.of_type(grace.client_id, "export.created")
        assert created["actor"]["type"] == "client" and created["actor"]["id"] == str(grace.client_id)
        assert live.of_type(zeb.client_id, "export.created") == []

    @pytest.mark.parametrize("which", ["a wrong one", "none", "the other customer's"])
    def test_a_wrong_password_exports_nothing_and_leaks_nothing(self, live, tmp_path, which):
        """A password ValidateLogin refuses for this client's login (another customer's password
        included) earns a plain refusal: no download, no export.created, the page as before, and
        neither the password typed nor anything of the other customer in the answer."""
        grace, zeb = live.grace, live.zeb
        password = {"a wrong one": "wrong horse battery", "none": "", "the other customer's": zeb.password}[which]
        run = download(live, grace, password)

        assert "download" not in run.result
        assert run.result["vars"]["privacy_notice"] == WRONG_PASSWORD
        assert "Changes to your details" in run.result["vars"]["privacy_html"]
        assert live.of_type(grace.client_id, "export.created") == []
        assert live.logins_checked() == ([] if password == "" else [grace.email])
        rendered = render(run.result, tmp_path, live.whmcs.php)
        assert WRONG_PASSWORD in rendered
        assert_none_of(zeb.values(), json.dumps(run.result), rendered, *run.activity)
        if password:
            assert password not in json.dumps(run.result) and password not in rendered
