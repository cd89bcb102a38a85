"""The emulator's state on its own (no HTTP): access control in WHMCS's order, business rules,
hooks, the call log and failure injection."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from bridge.whmcs.emulator import builders as b
from bridge.whmcs.emulator.state import LOOPBACK, EmulatorState
from tests.unit.whmcs.conftest import IDENTIFIER, SECRET, T0

TODAY = T0.date()


def ok(reply) -> dict:
    assert reply.status == 200, reply.payload
    assert reply.payload["result"] == "success", reply.payload
    return reply.payload


def error(reply, status: int = 200) -> str:
    assert reply.status == status and reply.payload["result"] == "error", reply.payload
    return reply.payload["message"]


@pytest.fixture
def client(state):
    with state.locked() as store:
        return b.add_client(store, firstname="Ada", lastname="L", email="ada@example.com")


class TestAccess:
    def raw(self, state, ip="127.0.0.1", **params):
        return state.handle({"action": "GetClients", "responsetype": "json", **params},
                            remote_ip=ip)

    def test_missing_or_wrong_secret_fails_authentication(self, state):
        assert error(self.raw(state), 403) == "Authentication Failed"
        assert error(self.raw(state, identifier=IDENTIFIER, secret="x"), 403) == (
            "Authentication Failed")

    def test_unknown_identifier(self, state):
        reply = self.raw(state, identifier="nobody", secret="x")
        assert error(reply, 403) == "Invalid or missing credentials"

    def test_legacy_username_password_fields_carry_the_credential(self, state):
        ok(self.raw(state, username=IDENTIFIER, password=SECRET))

    def test_ip_allow_list_and_access_key(self):
        state = EmulatorState(allowed_ips={"192.0.2.1"}, access_key="k3y")
        state.add_credential(IDENTIFIER, SECRET)
        creds = {"identifier": IDENTIFIER, "secret": SECRET, "ip": "198.51.100.7"}
        assert error(self.raw(state, **creds), 403) == "Invalid IP 198.51.100.7"
        assert error(self.raw(state, accesskey="wrong", **creds), 403).startswith("Invalid IP")
        ok(self.raw(state, accesskey="k3y", **creds))

    def test_the_ip_allow_list_is_on_by_default(self):
        """Section 10, the emulator models WHMCS: the API IP allow-list is on by default (even
        loopback is refused until allowed), with WHMCS's `Invalid IP <ip>`; the access key
        bypasses it."""
        state = EmulatorState(access_key="k3y")
        state.add_credential(IDENTIFIER, SECRET)
        creds = {"identifier": IDENTIFIER, "secret": SECRET}
        assert error(self.raw(state, **creds), 403) == "Invalid IP 127.0.0.1"
        ok(self.raw(state, accesskey="k3y", **creds))
        state.access.allowed_ips.add("127.0.0.1")
        ok(self.raw(state, **creds))

    def test_api_role_limits_actions(self, state):
        state.add_credential("limited", "s", actions=["GetClients"])
        ok(self.raw(state, identifier="limited", secret="s"))
        reply = state.handle({"action": "CloseClient", "identifier": "limited", "secret": "s"})
        assert error(reply, 403) == 'Invalid Permissions: API action "closeclient" is not allowed'

    def test_action_names_are_case_insensitive_and_unknown_ones_refused(self, call):
        ok(call("gEtClIeNtS"))
        assert error(call("MakeCoffee")) == (
            'Invalid API Action: "makecoffee" is not a valid API action')


class TestClientRules:
    def test_update_client_refuses_a_duplicate_or_invalid_email(self, state, call, client):
        with state.locked() as store:
            other = b.add_client(store, firstname="B", lastname="C", email="b@example.com")
        assert error(call("UpdateClient", clientid=other.id, email="ADA@example.com")) == (
            "Duplicate Email Address")
        assert error(call("UpdateClient", clientid=other.id, email="no-at-sign")) == (
            "The email address entered is not valid")
        assert ok(call("UpdateClient", clientid=other.id, email="b2@example.com")) == {
            "result": "success", "clientid": str(other.id)}

    def test_blanking_a_required_field_needs_skipvalidation(self, call, client):
        assert error(call("UpdateClient", clientid=client.id, firstname="")).startswith(
            "Required field")
        ok(call("UpdateClient", clientid=client.id, firstname="", skipvalidation="true"))

    def test_unknown_client(self, call):
        assert error(call("UpdateClient", clientid=99)) == "Client ID Not Found"
        assert error(call("GetClientsDetails", clientid=99)) == "Client Not Found"
        assert error(call("GetClientsDetails")) == "Either clientid Or email Is Required"

    def test_close_client_cancels_unpaid_invoices_and_live_products(self, state, call, client):
        with state.locked() as store:
            unpaid = b.add_invoice(store, client.id, status="Unpaid", date=TODAY,
                                   duedate=TODAY - timedelta(days=3))
            paid = b.add_invoice(store, client.id, status="Paid", date=TODAY, duedate=TODAY)
            product = b.add_product(store, client.id, name="Hosting", status="Suspended")
        ok(call("CloseClient", clientid=client.id))
        assert client.status == "Closed"
        assert (unpaid.status, unpaid.date_cancelled, paid.status) == ("Cancelled", T0, "Paid")
        assert product.status == "Cancelled"

    def test_delete_client_removes_its_data_and_with_deleteusers_its_lone_users(
        self, state, call, client,
    ):
        with state.locked() as store:
            b.add_contact(store, client.id, firstname="C", email="c@example.com")
            other = b.add_client(store, firstname="O", lastname="P", email="o@example.com")
            shared = b.add_user(store, firstname="S", lastname="U", email="s@example.com",
                                clients={client.id: False, other.id: False})
        ok(call("DeleteClient", clientid=client.id, deleteusers="1"))
        with state.locked() as store:
            assert client.id not in store.clients and not store.contacts
            assert store.owner_of(client.id) is None
            assert set(store.users) == {shared.id, store.owner_of(other.id).id}
            assert shared.clients == {other.id: False}


class TestInvoices:
    def test_overdue_is_unpaid_past_its_due_date(self, state, call, client):
        with state.locked() as store:
            for status, due in [("Unpaid", -1), ("Unpaid", 0), ("Paid", -9),
                                ("Collections", -9), ("Payment Pending", -1)]:
                b.add_invoice(store, client.id, status=status, date=TODAY - timedelta(days=30),
                              duedate=TODAY + timedelta(days=due))
        overdue = ok(call("GetInvoices", userid=client.id, status="Overdue"))
        assert [i["id"] for i in overdue["invoices"]["invoice"]] == [1]
        collections = ok(call("GetInvoices", status="Collections"))
        assert collections["totalresults"] == 1
        stats = ok(call("GetClientsDetails", clientid=client.id, stats="true"))["stats"]
        assert (stats["numunpaidinvoices"], stats["numoverdueinvoices"]) == (2, 1)
        assert stats["numpaymentpendinginvoices"] == 1


class TestUsers:
    def test_the_account_owner_cannot_be_unlinked(self, state, call, client):
        owner = state.store.owner_of(client.id)
        assert error(call("DeleteUserClient", user_id=owner.id, client_id=client.id)) == (
            "You cannot remove the account owner")

    def test_a_non_owner_is_unlinked(self, state, call, client):
        with state.locked() as store:
            guest = b.add_user(store, firstname="G", lastname="H", email="g@example.com",
                               clients={client.id: False})
        ok(call("DeleteUserClient", user_id=guest.id, client_id=client.id))
        users = ok(call("GetUsers", search="g@example"))["users"]
        assert users[0]["clients"] == []

    def test_update_user_refuses_a_taken_email(self, state, call, client):
        with state.locked() as store:
            guest = b.add_user(store, firstname="G", lastname="H", email="g@example.com")
        assert error(call("UpdateUser", user_id=guest.id, email="ada@example.com")) == (
            "A user already exists with that email address")
        assert error(call("UpdateUser", user_id=999, firstname="X")) == (
            "Invalid User ID requested")


class TestHooks:
    def test_writes_fire_hooks_with_vars_olddata_and_the_api_actor(self):
        events = []
        state = EmulatorState(hook_sink=lambda *event: events.append(event), allowed_ips=LOOPBACK)
        state.add_credential(IDENTIFIER, SECRET)
        _with_client(state)
        base = {"identifier": IDENTIFIER, "secret": SECRET, "bridge_change_id": "chg-1"}
        state.handle({**base, "action": "UpdateClient", "clientid": "1",
                      "email": "new@example.com"})
        state.handle({**base, "action": "AddContact", "clientid": "1", "firstname": "C"})
        state.handle({**base, "action": "UpdateContact", "contactid": "1", "city": "Leeds"})
        state.handle({**base, "action": "DeleteContact", "contactid": "1"})
        state.handle({**base, "action": "UpdateUser", "user_id": "1", "lastname": "M"})
        state.handle({**base, "action": "CloseClient", "clientid": "1"})
        state.handle({**base, "action": "DeleteClient", "clientid": "1"})
        names = [name for name, _, _ in events]
        assert names == ["ClientEdit", "ContactAdd", "ContactEdit", "ContactDelete", "UserEdit",
                         "ClientClose", "PreDeleteClient"]
        name, vars, actor = events[0]
        assert vars["email"] == "new@example.com"
        assert vars["olddata"]["email"] == "old@example.com"
        assert actor == {"type": "api", "id": IDENTIFIER, "change_id": "chg-1"}
        assert events[2][1]["olddata"]["city"] == "" and events[2][1]["city"] == "Leeds"
        assert events[3][1] == {"userid": 1, "contactid": 1}

    def test_no_hook_for_reads_or_failed_writes_and_none_without_change_id(self):
        events = []
        state = EmulatorState(hook_sink=lambda *event: events.append(event), allowed_ips=LOOPBACK)
        state.add_credential(IDENTIFIER, SECRET)
        _with_client(state)
        base = {"identifier": IDENTIFIER, "secret": SECRET}
        state.handle({**base, "action": "GetClientsDetails", "clientid": "1"})
        state.handle({**base, "action": "UpdateClient", "clientid": "1", "email": "bad"})
        state.handle({**base, "action": "CloseClient", "clientid": "1"})
        assert [(n, a["change_id"]) for n, _, a in events] == [("ClientClose", None)]

    def test_the_sink_runs_outside_the_state_lock(self):
        finished = []

        def sink(event, vars, actor):
            # Another thread must be able to use the emulator while the sink runs.
            worker = threading.Thread(target=lambda: finished.append(state.handle(
                {"action": "GetClients", "identifier": IDENTIFIER, "secret": SECRET})))
            worker.start()
            worker.join(timeout=2)

        state = EmulatorState(hook_sink=sink, allowed_ips=LOOPBACK)
        state.add_credential(IDENTIFIER, SECRET)
        _with_client(state)
        state.handle({"action": "CloseClient", "clientid": "1", "identifier": IDENTIFIER,
                      "secret": SECRET})
        assert len(finished) == 1

    def test_a_failing_sink_does_not_undo_the_write(self):
        def sink(*_):
            raise RuntimeError("sink down")

        state = EmulatorState(hook_sink=sink, allowed_ips=LOOPBACK)
        state.add_credential(IDENTIFIER, SECRET)
        _with_client(state)
        reply = state.handle({"action": "CloseClient", "clientid": "1",
                              "identifier": IDENTIFIER, "secret": SECRET})
        assert reply.payload["result"] == "success"
        assert state.hook_errors == ["ClientClose: RuntimeError"]


def _with_client(state) -> None:
    with state.locked() as store:
        b.add_client(store, firstname="A", lastname="B", email="old@example.com")


class TestCallLogAndFaults:
    def test_every_call_is_logged_without_secrets(self, state, call):
        call("GetClients", accesskey="k", bridge_change_id="c-5")
        record = state.calls[-1]
        assert (record.action, record.outcome, record.identifier, record.change_id) == (
            "GetClients", "success", IDENTIFIER, "c-5")
        assert not {"secret", "accesskey", "password"} & set(record.params)

    def test_counted_faults_apply_to_the_next_calls_only(self, state, call):
        state.fail("GetClients", "error", message="Database Error", times=2)
        assert error(call("getclients")) == "Database Error"
        assert error(call("GetClients")) == "Database Error"
        ok(call("GetClients"))
        assert [c.outcome for c in state.calls_to("GetClients")] == ["error", "error", "success"]

    def test_permanent_and_wildcard_faults(self, state, call):
        state.fail("*", "http500", times=None)
        for action in ("GetClients", "UpdateClient"):
            reply = call(action)
            assert reply.fault.kind == "http500" and reply.payload is None
        state.faults.clear()
        ok(call("GetClients"))

    def test_latency_adds_to_a_normal_answer(self, state, call):
        state.fail("GetClients", "latency", seconds=0.25)
        reply = call("GetClients")
        assert reply.delay == 0.25 and reply.payload["result"] == "success"

    def test_a_timeout_may_still_carry_out_the_write(self, state, call, client):
        state.fail("CloseClient", "timeout", seconds=0.1, apply=True)
        reply = call("CloseClient", clientid=client.id)
        assert reply.fault.kind == "timeout" and client.status == "Closed"

    def test_a_timeout_by_default_loses_the_call(self, state, call, client):
        state.fail("CloseClient", "timeout", seconds=0.1)
        call("CloseClient", clientid=client.id)
        assert client.status == "Active"

    def test_unknown_fault_kinds_are_refused(self, state):
        with pytest.raises(ValueError):
            state.fail("GetClients", "explode")
        with pytest.raises(ValueError):
            state.fail("GetClients", "error")


def test_the_demo_seed_covers_every_status():
    from bridge.whmcs.emulator.seed import seed_demo

    state = EmulatorState()
    ids = seed_demo(state)
    store = state.store
    assert {c.status for c in store.clients.values()} == {"Active", "Inactive", "Closed"}
    assert {i.status for i in store.invoices.values()} >= {
        "Paid", "Unpaid", "Cancelled", "Refunded", "Collections", "Payment Pending", "Draft"}
    today = state.clock.now().date()
    assert any(i.status == "Unpaid" and i.duedate < today for i in store.invoices.values())
    assert {p.type for p in store.paymethods.values()} >= {"RemoteCreditCard", "BankAccount"}
    assert len(ids) == 6
