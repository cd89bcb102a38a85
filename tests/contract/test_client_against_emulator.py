"""Conformance: the real HttpWhmcsClient against the emulator over real HTTP, for every action
the bridge uses, the errors it must tell apart, and the failures the emulator can inject."""

from __future__ import annotations

import socket

import pytest

from bridge.whmcs.api import (
    WhmcsAuthError,
    WhmcsIpRefused,
    WhmcsNotFound,
    WhmcsPermissionDenied,
    WhmcsRejected,
    WhmcsUnavailable,
    check_whmcs,
)
from bridge.whmcs.emulator.seed import DEMO_IDENTIFIER, DEMO_SECRET
from bridge.whmcs.emulator.server import api_url, running_emulator
from bridge.whmcs.emulator.state import EmulatorState
from bridge.whmcs.http import HttpWhmcsClient
from bridge.whmcs.retry import RetryPolicy
from bridge.whmcs.session import build_session
from tests.contract.conftest import T0


class TestReads:
    def test_pages_through_every_client(self, whmcs, emulator):
        clients = list(whmcs.iter_clients())
        assert [c.id for c in clients] == sorted(emulator.store.clients)
        assert len(emulator.calls_to("GetClients")) == 3  # 6 clients, pages of 2
        assert {c.id for c in whmcs.iter_clients(status="Closed")} == {
            c.id for c in emulator.store.clients.values() if c.status == "Closed"}

    def test_a_single_page_with_its_total(self, whmcs):
        page = whmcs.get_clients(limitstart=4, limitnum=4)
        assert (len(page.rows), page.total, page.start, page.next_start) == (2, 6, 4, None)

    def test_client_details_with_stats_and_users(self, whmcs, ids):
        details = whmcs.get_client(ids["overdue"], stats=True)
        assert details.email == "barbara@example.com" and details.status == "Active"
        assert details.stats.overdue_invoices == 1 and details.stats.payment_pending_invoices == 1
        active = whmcs.get_client(ids["active"])
        assert [(u.user_id, u.is_owner) for u in active.users][0][1] is True
        assert len(active.users) == 2 and active.marketing_opt_in is True

    def test_contacts_invoices_products_pay_methods(self, whmcs, ids):
        assert [c.email for c in whmcs.iter_contacts(ids["active"])] == [
            "billing@example.com", "tech@example.com"]
        overdue = list(whmcs.iter_invoices(ids["overdue"], status="Overdue"))
        assert len(overdue) == 1 and overdue[0].is_overdue(T0.date())
        assert [p.status for p in whmcs.iter_client_products(ids["overdue"])] == ["Suspended"]
        methods = whmcs.get_pay_methods(ids["active"])
        assert [(m.type, m.last_four) for m in methods] == [
            ("RemoteCreditCard", "4242"), ("BankAccount", "")]

    def test_users_with_their_accounts(self, whmcs, ids):
        users = list(whmcs.iter_users())
        shared = next(u for u in users if u.email == "ken@example.net")
        assert shared.client_ids == {ids["active"], ids["closed_cancelled_unpaid"]}
        assert not shared.owns(ids["active"])


class TestWrites:
    def test_update_client_and_read_back(self, whmcs, ids, emulator, hook_events):
        whmcs.update_client(ids["active"], {"city": "Bath", "marketing_emails_opt_in": False},
                            change_id="chg-1")
        details = whmcs.get_client(ids["active"])
        assert details.city == "Bath" and details.marketing_opt_in is False
        assert emulator.calls_to("UpdateClient")[0].change_id == "chg-1"
        name, vars, actor = hook_events[-1]
        assert name == "ClientEdit" and vars["olddata"]["city"] == "London"
        assert actor == {"type": "api", "id": DEMO_IDENTIFIER, "change_id": "chg-1"}

    def test_duplicate_email_is_rejected(self, whmcs, ids):
        with pytest.raises(WhmcsRejected) as raised:
            whmcs.update_client(ids["active"], {"email": "grace@example.net"}, change_id="c")
        assert raised.value.whmcs_message == "Duplicate Email Address"

    def test_close_then_delete(self, whmcs, ids, emulator):
        whmcs.close_client(ids["overdue"], change_id="c-close")
        assert whmcs.get_client(ids["overdue"]).status == "Closed"
        statuses = {i.status for i in whmcs.iter_invoices(ids["overdue"])}
        assert statuses == {"Cancelled", "Payment Pending"}
        whmcs.delete_client(ids["overdue"], delete_users=True, change_id="c-del")
        with pytest.raises(WhmcsNotFound):
            whmcs.get_client(ids["overdue"])

    def test_contacts_lifecycle(self, whmcs, ids, hook_events):
        contact_id = whmcs.add_contact(ids["inactive"], {"firstname": "New",
                                                         "email": "new@example.org"},
                                       change_id="c1")
        whmcs.update_contact(contact_id, {"city": "York"}, change_id="c2")
        assert [c.city for c in whmcs.iter_contacts(ids["inactive"])] == ["York"]
        whmcs.delete_contact(contact_id, change_id="c3")
        assert list(whmcs.iter_contacts(ids["inactive"])) == []
        with pytest.raises(WhmcsNotFound):
            whmcs.delete_contact(contact_id, change_id="c4")
        assert [e[0] for e in hook_events] == ["ContactAdd", "ContactEdit", "ContactDelete"]

    def test_pay_methods_and_users(self, whmcs, ids):
        card = whmcs.get_pay_methods(ids["active"])[0]
        whmcs.delete_pay_method(ids["active"], card.id, change_id="c1")
        assert [m.id for m in whmcs.get_pay_methods(ids["active"])] != [card.id]
        with pytest.raises(WhmcsNotFound):
            whmcs.delete_pay_method(ids["inactive"], card.id, change_id="c2")
        owner = whmcs.get_client(ids["closed_paid"]).users[0]
        whmcs.update_user(owner.user_id, {"firstname": "Deleted"}, change_id="c3")
        with pytest.raises(WhmcsRejected) as raised:
            whmcs.delete_user_client(owner.user_id, ids["closed_paid"], change_id="c4")
        assert raised.value.whmcs_message == "You cannot remove the account owner"

    def test_notes_activity_and_email(self, whmcs, ids, emulator):
        assert whmcs.add_client_note(ids["active"], "Reverted an email change",
                                     change_id="c1") >= 1
        whmcs.log_activity("privacy-ledger head seq=3 hash=abc", change_id="c2")
        entries = list(whmcs.iter_activity(description="privacy-ledger head"))
        assert [e.description for e in entries] == ["privacy-ledger head seq=3 hash=abc"]
        whmcs.send_email("Privacy Policy Update", ids["active"], change_id="c3")
        assert emulator.store.emails[1].client_id == ids["active"]
        with pytest.raises(WhmcsRejected):
            whmcs.send_email("No Such Template", ids["active"], change_id="c4")


class TestAccessErrors:
    def test_wrong_secret(self, connect):
        with pytest.raises(WhmcsAuthError) as raised:
            connect(secret="wrong").get_client(1)
        assert raised.value.http_status == 403
        assert check_whmcs(connect(secret="wrong"))["detail"] == "authentication failed"

    def test_permission_missing_from_the_api_role(self, connect, emulator):
        emulator.add_credential("reader", "reader-secret", actions=["GetClients"])
        limited = connect(identifier="reader", secret="reader-secret")
        assert check_whmcs(limited) == {"ok": True, "detail": "reachable"}
        with pytest.raises(WhmcsPermissionDenied) as raised:
            limited.close_client(1, change_id="c")
        assert "CloseClient" in str(raised.value)

    def test_ip_allow_list_and_access_key(self):
        state = EmulatorState(allowed_ips={"192.0.2.10"}, access_key="k3y!")
        state.add_credential(DEMO_IDENTIFIER, DEMO_SECRET)
        with running_emulator(state) as base, build_session() as session:
            def make(**extra):
                return HttpWhmcsClient(session=session, url=api_url(base),
                                       identifier=DEMO_IDENTIFIER, secret=DEMO_SECRET, **extra)
            with pytest.raises(WhmcsIpRefused):
                make().get_clients()
            assert make(accesskey="k3y!").get_clients().total == 0

    def test_unreachable(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with build_session() as session:
            client = HttpWhmcsClient(session=session, url=f"http://127.0.0.1:{port}/api.php",
                                     identifier="x", secret="y", policy=RetryPolicy(attempts=1))
            assert check_whmcs(client) == {"ok": False, "detail": "unreachable"}


class TestInjectedFailures:
    def test_a_read_survives_one_server_error(self, whmcs, emulator, sleeps):
        emulator.fail("GetClientsDetails", "http500")
        assert whmcs.get_client(1).id == 1
        assert [c.outcome for c in emulator.calls_to("GetClientsDetails")] == [
            "fault:http500", "success"]
        assert len(sleeps) == 1

    def test_a_write_is_not_retried(self, whmcs, emulator):
        emulator.fail("UpdateClient", "http500")
        with pytest.raises(WhmcsUnavailable):
            whmcs.update_client(1, {"city": "X"}, change_id="c")
        assert len(emulator.calls_to("UpdateClient")) == 1

    def test_a_timeout(self, connect, emulator):
        emulator.fail("CloseClient", "timeout", seconds=1.0, apply=True)
        with pytest.raises(WhmcsUnavailable) as raised:
            connect(read_timeout=0.2).close_client(1, change_id="c")
        assert raised.value.reason == "timed out"
        # WHMCS carried the write out although the caller heard nothing: re-read, don't assume.
        assert connect().get_client(1).status == "Closed"

    def test_malformed_body_and_injected_error(self, connect, emulator):
        client = connect(attempts=1)
        emulator.fail("GetUsers", "malformed")
        with pytest.raises(WhmcsUnavailable):
            list(client.iter_users())
        emulator.fail("GetUsers", "error", message="An unexpected error occurred")
        with pytest.raises(WhmcsRejected) as raised:
            list(client.iter_users())
        assert raised.value.whmcs_message == "An unexpected error occurred"

    def test_latency_below_the_timeout_is_only_slow(self, whmcs, emulator):
        emulator.fail("GetClients", "latency", seconds=0.2, times=None)
        assert whmcs.get_clients().total == 6
