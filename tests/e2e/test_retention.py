"""Retention end to end: hook events schedule, the runner erases through the emulated WHMCS
(which fires its hooks back at the bridge, signed), keys are shredded, and the daily cron event
drives it all from the job table."""

from datetime import timedelta

import pytest

from bridge.demo.hooks import envelope
from bridge.demo.world import running_world
from bridge.retention.entries import KEPT_DATA
from bridge.whmcs.emulator import builders

ADMIN = {"type": "admin", "id": 1, "ip": "198.51.100.7"}
YEAR = timedelta(days=366)


def customers(world):
    with world.emulator.locked() as store:
        return {c.fields["firstname"]: c.id for c in store.clients.values()}


def close(world, client_id, *, ago=timedelta(0)):
    body = envelope("ClientClose", {"userid": client_id}, actor=ADMIN, at=world.clock.now() - ago)
    assert world.post("/v1/hooks/whmcs", body).status_code == 202


def runner(world, **options):
    return world.services.retention_runner(**options)


def run(world, **options):
    return runner(world).run(world.clock.now().date(), **options).as_dict()


def entries(world, client_id, *, reveal=True):
    return world.services.ledger.client_page(client_id, limit=1000, reveal=reveal).entries


def of_type(world, client_id, event_type):
    return [e for e in entries(world, client_id) if e["event_type"] == event_type]


def whmcs_client(world, client_id):
    with world.emulator.locked() as store:
        return store.clients.get(client_id)


@pytest.fixture
def ids(world):
    return customers(world)


class TestPurge:
    def test_a_due_customer_is_anonymised_shredded_and_recorded_once(self, world, ids):
        alan = ids["Alan"]
        world.hook("ClientEdit", {"userid": alan, "city": "Bletchley", "status": "Closed",
                                  "olddata": {"city": "Manchester", "status": "Closed"}}, actor={"type": "system"})
        close(world, alan)
        assert entries(world, alan)[0]["changes"][0]["new"] == "Bletchley"
        assert run(world)["purged"] == []  # not due yet: nobody is erased early
        world.clock.advance(YEAR)
        report = run(world)
        assert report == {"as_of": world.clock.now().date().isoformat(), "dry_run": False,
                          "purged": [{"client_id": alan, "strategy": "anonymize"}], "held": [], "errors": [],
                          "remaining": 0}
        record = whmcs_client(world, alan)
        assert record.fields["email"] == f"deleted-{alan}@invalid.example" and record.fields["firstname"] == "Deleted"
        assert record.fields["address1"] == "" and record.fields["phonenumber"] == "" and record.status == "Closed"
        assert record.flags["marketing_emails_opt_in"] is False
        with world.emulator.locked() as store:
            assert store.rows_of(store.contacts, alan) == [] and store.rows_of(store.paymethods, alan) == []
            owner = store.owner_of(alan)
            assert owner.firstname == "Deleted" and owner.email.endswith("@invalid.example")
        assert entries(world, alan)[0]["changes"][0]["new"] == "[shredded]"
        [purged] = of_type(world, alan, "retention.purged")
        details = purged["details"]
        assert [c["action"] for c in details["api_calls"]] == [
            "UpdateClient", "DeleteContact", "DeletePayMethod", "UpdateUser", "DeleteUserClient", "GetClientsDetails"]
        assert details["shredded"] == [f"client:{alan}", f"user:{owner.id}"] and details["run_id"]
        assert details["residual_data"] == list(KEPT_DATA)  # the rest is the module's residual order
        assert world.services.retention.retention_status(alan)["status"] == "purged"
        # every write carried a change id the bridge issued, so nothing it did is reverted
        writes = [c for c in world.emulator.calls if c.action in {"UpdateClient", "DeleteContact", "UpdateUser"}]
        assert writes and all(c.change_id for c in writes)
        assert world.worker.drain() == 0
        assert run(world)["purged"] == [] and len(world.emulator.calls_to("UpdateClient")) == 1
        assert world.services.ledger.verify().ok

    def test_users_linked_elsewhere_are_unlinked_not_anonymised(self, world, ids):
        edsger = ids["Edsger"]
        with world.emulator.locked() as store:
            for invoice in store.rows_of(store.invoices, edsger):
                invoice.status = "Paid"
        close(world, edsger)
        world.clock.advance(YEAR)
        assert run(world)["purged"] == [{"client_id": edsger, "strategy": "anonymize"}]
        with world.emulator.locked() as store:
            ken = next(u for u in store.users.values() if u.firstname == "Ken")
            assert edsger not in ken.clients and ken.clients  # still linked to Ada's account
        details = of_type(world, edsger, "retention.purged")[0]["details"]
        assert details["users"]["unlink"] == [ken.id]

    def test_a_reactivation_whose_event_was_lost_is_not_purged_and_says_so(self, world, ids):
        alan = ids["Alan"]
        close(world, alan)
        world.clock.advance(YEAR)
        whmcs_client(world, alan).status = "Active"
        report = run(world)
        assert report["purged"] == [] and report["held"] == [
            {"client_id": alan, "hold_id": None, "reason": "reactivated_in_whmcs", "reference": None}]
        plan = world.services.retention
        assert plan.retention_status(alan)["status"] == "reactivated"
        assert whmcs_client(world, alan).fields["firstname"] == "Alan"
        cancelled = of_type(world, alan, "retention.cancelled")
        assert cancelled[0]["details"]["reason"] == "reactivated_in_whmcs"

    def test_a_live_service_skips_the_customer(self, world, ids):
        alan = ids["Alan"]
        with world.emulator.locked() as store:
            builders.add_product(store, alan, name="Forgotten VPS", status="Suspended")
        close(world, alan)
        world.clock.advance(YEAR)
        report = run(world)
        assert report["held"][0]["reason"] == "active_service" and report["remaining"] == 1
        assert world.emulator.calls_to("UpdateClient") == []

    def test_open_invoices_place_an_automatic_hold_released_once_resolved(self, world, ids):
        claude = ids["Claude"]
        close(world, claude)
        world.clock.advance(YEAR)
        report = run(world)
        [held] = report["held"]
        assert held["reason"] == "accounting_irregularity" and held["hold_id"]
        assert of_type(world, claude, "hold.placed")[0]["details"]["auto"] is True
        assert run(world)["held"][0]["hold_id"] == held["hold_id"]  # one hold, not one per run
        with world.emulator.locked() as store:
            for invoice in store.rows_of(store.invoices, claude):
                invoice.status = "Paid"
        assert run(world)["purged"] == [{"client_id": claude, "strategy": "anonymize"}]
        released = of_type(world, claude, "hold.released")
        assert released[0]["details"]["auto"] is True and released[0]["details"]["resolved"] is True

    def test_a_dpo_releasing_the_automatic_hold_waives_those_invoices(self, world, ids, tokens):
        edsger = ids["Edsger"]  # a past-due invoice cancelled at closure
        close(world, edsger)
        world.clock.advance(YEAR)
        hold_id = run(world)["held"][0]["hold_id"]
        assert world.staff("DELETE", f"/v1/holds/{hold_id}", tokens["dpo"]).status_code == 204
        assert run(world)["purged"] == [{"client_id": edsger, "strategy": "anonymize"}]

    def test_a_staff_hold_is_reported_and_never_purged_until_released(self, world, ids, tokens):
        alan = ids["Alan"]
        close(world, alan)
        placed = world.staff("POST", f"/v1/clients/{alan}/holds", tokens["dpo"],
                             json={"reason": "legal_process", "reference": "Court order 17", "note": "keep all"})
        assert placed.status_code == 201
        hold = placed.get_json()
        world.clock.advance(YEAR)
        report = run(world)
        assert report["held"] == [{"client_id": alan, "hold_id": hold["hold_id"], "reason": "legal_process",
                                   "reference": "[redacted]"}]
        assert report["purged"] == [] and world.emulator.calls_to("GetClientsDetails") == []
        world.staff("DELETE", f"/v1/holds/{hold['hold_id']}", tokens["dpo"])
        assert run(world)["purged"] == [{"client_id": alan, "strategy": "anonymize"}]
        assert of_type(world, alan, "hold.placed")[0]["details"]["reference"] == "[shredded]"

    def test_a_dry_run_changes_nothing(self, world, ids):
        alan, claude = ids["Alan"], ids["Claude"]
        close(world, alan)
        close(world, claude)
        world.clock.advance(YEAR)
        before = len(world.services.ledger.client_page(alan, limit=100).entries)
        future = (world.clock.now() + timedelta(days=30)).date()
        report = runner(world).run(future, dry_run=True).as_dict()
        assert report["purged"] == [{"client_id": alan, "strategy": "anonymize"}]
        assert report["held"][0]["reason"] == "accounting_irregularity" and report["remaining"] == 1
        writes = [c for c in world.emulator.calls if c.change_id]
        assert writes == [] and len(world.services.ledger.client_page(alan, limit=100).entries) == before
        assert world.services.retention.store.holds_for(claude) == []


class TestDeleteStrategy:
    def test_delete_client_removes_the_account_and_its_only_users(self, db_url, clock):
        with running_world(db_url, clock, settings={"BRIDGE_RETENTION_STRATEGY": "delete"}) as world:
            alan = customers(world)["Alan"]
            close(world, alan)
            world.clock.advance(YEAR)
            assert run(world)["purged"] == [{"client_id": alan, "strategy": "delete"}]
            [call] = world.emulator.calls_to("DeleteClient")
            assert call.params["deleteusers"] == "1" and call.change_id
            assert whmcs_client(world, alan) is None
            assert [f["event"] for f in world.forwarded] == ["PreDeleteClient"]
            [purged] = of_type(world, alan, "retention.purged")
            assert purged["details"]["strategy"] == "delete"
            assert len(of_type(world, alan, "client.deleted")) == 1


class TestDailyCron:
    def test_the_daily_cron_anchors_purges_and_polls_pay_methods_in_the_background(self, world, ids):
        alan, ada = ids["Alan"], ids["Ada"]
        world.hook("ClientEdit", {"userid": ada, "city": "London", "olddata": {"city": "Londinium"}},
                   actor={"type": "system"})
        close(world, alan)
        world.clock.advance(YEAR)
        assert world.hook("DailyCronJob", {}, actor={"type": "cron"}).status_code == 202
        assert world.emulator.calls_to("LogActivity") == [] and world.emulator.calls_to("UpdateClient") == []
        world.worker.drain()
        [logged] = world.emulator.calls_to("LogActivity")
        seq_hash = logged.params["description"]
        assert seq_hash.startswith("privacy-ledger head seq=")
        assert world.services.retention.retention_status(alan)["status"] == "purged"
        polled = of_type(world, ada, "paymethod.changed")
        assert polled[0]["changes"][0]["new"] == ["BankAccount:Example Bank", "RemoteCreditCard:4242"]  # a bank by name
        with world.emulator.locked() as store:
            card = next(p for p in store.rows_of(store.paymethods, ada) if p.last_four == "4242")
            del store.paymethods[card.id]
        world.clock.advance(timedelta(days=1))
        world.hook("DailyCronJob", {}, actor={"type": "cron"})
        world.worker.drain()
        polled = of_type(world, ada, "paymethod.changed")
        assert len(polled) == 2 and polled[1]["changes"][0]["new"] == ["BankAccount:Example Bank"]


class TestConcurrentRuns:
    def test_two_runs_at_once_never_work_on_one_customer(self, world, ids):
        import threading

        for name in ("Alan", "Grace"):
            with world.emulator.locked() as store:
                store.client(ids[name]).status = "Closed"
            close(world, ids[name])
        world.clock.advance(YEAR)
        reports = []
        go = threading.Barrier(2)

        def start():
            go.wait()
            reports.append(runner(world).run(world.clock.now().date()))

        threads = [threading.Thread(target=start) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        purged = sorted(p["client_id"] for r in reports for p in r.purged)
        assert purged == sorted([ids["Alan"], ids["Grace"]])
        assert len(world.emulator.calls_to("UpdateClient")) == 2
        for name in ("Alan", "Grace"):
            assert len(of_type(world, ids[name], "retention.purged")) == 1
