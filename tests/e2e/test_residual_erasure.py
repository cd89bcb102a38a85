"""Section 11, Erasure that reaches all of WHMCS, and the customer privacy page: a purge queues a
residual-erasure order; the module's cron fetches it over signed hook traffic and reports it as
PrivacyBridgeErased; the customer's page and export show them their own data only."""

import threading
from datetime import timedelta

import pytest

from bridge.demo.hooks import envelope, signed
from bridge.retention.entries import KEPT_DATA

ADMIN = {"type": "admin", "id": 1, "ip": "198.51.100.7"}
CRON = {"type": "cron"}
COUNTS = {"tblemails": 4, "tblactivitylog": 3, "tblorders": 1, "tbltickets": 1, "tblticketreplies": 2,
          "tblmarketing_consent": 1, "mod_privacy_bridge_outbox": 0}
SKIPPED = [{"table": "tblticketattachments", "reason": "table not present"}]


def customers(world):
    with world.emulator.locked() as store:
        return {c.fields["firstname"]: c for c in store.clients.values()}


def purge(world, client_id):
    body = envelope("ClientClose", {"userid": client_id}, actor=ADMIN, at=world.clock.now())
    assert world.post("/v1/hooks/whmcs", body).status_code == 202
    world.clock.advance(timedelta(days=366))
    runner = world.services.retention_runner()
    assert runner.run(world.clock.now().date()).purged == [{"client_id": client_id, "strategy": "anonymize"}]


def work(world):
    return world.post("/v1/hooks/whmcs/work", envelope("AfterCronJob", {}, actor=CRON, at=world.clock.now(),
                                                        outbox=False))


def report(world, order_id, client_id, *, webhook_id=None):
    vars_ = {"order_id": order_id, "client_id": client_id, "counts": COUNTS, "skipped": SKIPPED}
    return world.hook("PrivacyBridgeErased", vars_, actor=CRON, webhook_id=webhook_id)


def of_type(world, client_id, event_type):
    entries = world.services.ledger.client_page(client_id, limit=1000, reveal=True).entries
    return [e for e in entries if e["event_type"] == event_type]


def known(world, name):
    """A customer with a known address: the bridge saw the account created (so it knows the
    address), then an edit."""
    customer = customers(world)[name]
    world.hook("ClientAdd", {"client_id": customer.id, "userid": str(customer.id), "email": customer.fields["email"],
                             "firstname": customer.fields["firstname"]}, actor=ADMIN)
    world.hook("ClientEdit", {"userid": customer.id, "email": customer.fields["email"], "city": "Bletchley",
                              "olddata": {"email": customer.fields["email"], "city": "Manchester"}}, actor=ADMIN)
    return customer


@pytest.fixture
def alan(world):
    """A customer with a known address, then purged."""
    alan = known(world, "Alan")
    purge(world, alan.id)
    return alan


class TestOrders:
    def test_a_purge_queues_an_order_with_the_addresses_known_before_the_shred(self, world, alan):
        """Section 11: after a purge the bridge queues a residual-erasure order, with the customer's
        known email addresses read before the shred; the purge entry names the order and only what
        stays on purpose."""
        answer = work(world)
        assert answer.status_code == 200
        [order] = answer.get_json()["orders"]
        assert order["client_id"] == alan.id and order["strategy"] == "anonymize"
        assert order["emails"] == [alan.fields["email"]]
        [purged] = of_type(world, alan.id, "retention.purged")
        assert purged["details"]["residual_order"] == order["order_id"]
        assert purged["details"]["residual_data"] == list(KEPT_DATA)
        assert work(world).get_json() == answer.get_json()  # not de-duplicated: a cron may ask again

    def test_the_work_endpoint_needs_a_signature(self, world, alan):
        """Section 3: hook traffic is signed; an unsigned or badly signed call gets 401."""
        body = envelope("AfterCronJob", {}, actor=CRON, at=world.clock.now(), outbox=False)
        raw, headers = signed(body, secret=b"another-secret-entirely-32bytes!", timestamp=int(
            world.clock.now().timestamp()))
        with world.app.test_client() as client:
            assert client.post("/v1/hooks/whmcs/work", data=raw, headers=headers).status_code == 401
            assert client.post("/v1/hooks/whmcs/work", data=raw,
                               headers={"Content-Type": "application/json"}).status_code == 401

    def test_a_report_is_ledgered_closes_the_order_and_forgets_the_addresses(self, world, alan):
        """Section 11: the module's PrivacyBridgeErased is ledgered as retention.residual_erased with
        counts and skipped tables (metadata only); the order is reported and its addresses shredded."""
        [order] = work(world).get_json()["orders"]
        answer = report(world, order["order_id"], alan.id)
        assert answer.status_code == 202 and answer.get_json()["status"] == "recorded"
        [erased] = of_type(world, alan.id, "retention.residual_erased")
        assert erased["subject"] == {"type": "client", "id": str(alan.id)}
        assert erased["details"]["counts"] == COUNTS and erased["details"]["skipped"] == [
            {"table": "tblticketattachments", "column": None, "reason": "table not present"}]
        assert alan.fields["email"] not in str(erased)
        assert work(world).get_json() == {"orders": []}
        stored = world.services.residual.store.get(order["order_id"])
        assert stored.reported_at is not None and stored.sealed is None
        assert world.services.ledger.store.key_for(f"order:{order['order_id']}").shredded

    def test_a_second_report_writes_nothing_and_an_unknown_order_changes_nothing(self, world, alan):
        """Section 11: an order is idempotent (a second report, even under a new webhook-id, writes
        nothing new); a report for an unknown order is recorded but closes nothing."""
        [order] = work(world).get_json()["orders"]
        assert report(world, order["order_id"], alan.id, webhook_id="msg_first").status_code == 202
        assert report(world, order["order_id"], alan.id, webhook_id="msg_first").status_code == 200
        assert report(world, order["order_id"], alan.id).get_json() == {"status": "duplicate"}
        assert len(of_type(world, alan.id, "retention.residual_erased")) == 1
        unknown = report(world, "00000000-0000-4000-8000-000000000000", alan.id)
        assert unknown.status_code == 202
        entries = of_type(world, alan.id, "retention.residual_erased")
        assert [e["details"]["order"] for e in entries] == ["open", "unknown"]


class TestDeletionInWhmcs:
    def test_an_admin_deleting_a_client_queues_an_order_that_deletes_the_rows_left_behind(self, world):
        """Section 11 with section 7: PreDeleteClient shreds at once and is recorded as
        retention.purged, so it queues a residual-erasure order like any purge (strategy delete:
        the account is gone); WHMCS's own delete leaves activity-log lines, guest tickets and dead
        outbox payloads that name the customer."""
        alan = known(world, "Alan")
        assert world.hook("PreDeleteClient", {"userid": alan.id}, actor=ADMIN).status_code == 202

        [order] = work(world).get_json()["orders"]
        assert order["client_id"] == alan.id and order["strategy"] == "delete"
        assert order["emails"] == [alan.fields["email"]]  # read before the shred
        [purged] = of_type(world, alan.id, "retention.purged")
        assert purged["details"]["strategy"] == "deleted_in_whmcs"
        assert purged["details"]["residual_order"] == order["order_id"]
        assert purged["details"]["residual_data"] == list(KEPT_DATA)
        assert world.services.ledger.store.key_for(f"client:{alan.id}").shredded
        assert report(world, order["order_id"], alan.id).get_json()["status"] == "recorded"
        assert work(world).get_json() == {"orders": []}
        assert world.hook("ClientDelete", {"userid": alan.id}, actor=ADMIN).status_code == 202  # older WHMCS too
        assert len(of_type(world, alan.id, "retention.purged")) == 1 and work(world).get_json() == {"orders": []}

    def test_a_deletion_under_a_hold_queues_its_order_only_when_the_hold_is_released(self, world):
        """Section 7: under an active hold the shred waits for the release; the rows a legal process
        may need in WHMCS wait with it, and the order comes with the shred."""
        alan = known(world, "Alan")
        hold = world.services.retention.place_hold(alan.id, reason="legal_process", reference="case 9", note=None,
                                                   actor=_staff())
        world.hook("PreDeleteClient", {"userid": alan.id}, actor=ADMIN)
        assert work(world).get_json() == {"orders": []}

        world.services.retention.release_hold(hold["hold_id"], actor=_staff())

        [order] = work(world).get_json()["orders"]
        assert order["client_id"] == alan.id and order["strategy"] == "delete"
        assert order["emails"] == [alan.fields["email"]]


class TestConcurrentReports:
    @pytest.mark.parametrize("where", ["two connections", "one process"])
    def test_two_reports_racing_under_different_webhook_ids_write_one_entry(self, world, alan, where):
        """Section 11: an order is idempotent, also when two deliveries of its report (two webhook-ids:
        the outbox retried after a lost answer) arrive at once, at two bridge processes (two
        connections) or at two threads of one (which may share a group commit). Both see the order
        open; the report closes it with a conditional update inside the entry's transaction, so the
        loser's entry rolls back and it answers duplicate."""
        from bridge.services import build_services
        from bridge.web.app import create_app

        [order] = work(world).get_json()["orders"]
        other = build_services(world.services.settings, clock=world.clock, whmcs=world.services.whmcs)
        try:
            apps = [world.app, create_app(services=other) if where == "two connections" else world.app]
            both_read = threading.Barrier(2, timeout=20)
            for services in {id(a): a.extensions["bridge"] for a in apps}.values():
                _after_get(services.residual.store, both_read.wait)
            answers = _in_threads([lambda app=app, n=n: _report_on(world, app, order["order_id"], alan.id,
                                                                   webhook_id=f"msg_race_{n}")
                                   for n, app in enumerate(apps)])
        finally:
            del world.services.residual.store.get  # the race is over: reads go straight through again
            other.dispose()
        assert sorted(a["status"] for a in answers) == ["duplicate", "recorded"]
        assert len(of_type(world, alan.id, "retention.residual_erased")) == 1
        assert world.services.ledger.verify().ok
        for n in range(2):  # the loser's webhook-id is remembered too: its replay stays a duplicate
            assert report(world, order["order_id"], alan.id, webhook_id=f"msg_race_{n}").status_code == 200
        assert len(of_type(world, alan.id, "retention.residual_erased")) == 1


def _after_get(store, wait):  # noqa: ANN001, ANN202
    """Holds each reader of an order until both have read it: the race made certain, not likely."""
    read = store.get

    def get(order_id):  # noqa: ANN001, ANN202
        order = read(order_id)
        wait()
        return order

    store.get = get


def _report_on(world, app, order_id, client_id, *, webhook_id):  # noqa: ANN001, ANN202
    vars_ = {"order_id": order_id, "client_id": client_id, "counts": COUNTS, "skipped": SKIPPED}
    raw, headers = signed(envelope("PrivacyBridgeErased", vars_, actor=CRON, at=world.clock.now()),
                          secret=world.secret, timestamp=int(world.clock.now().timestamp()), webhook_id=webhook_id)
    with app.test_client() as client:
        answer = client.post("/v1/hooks/whmcs", data=raw, headers=headers)
    assert answer.status_code in (200, 202), answer.get_json()
    return answer.get_json()


def _in_threads(calls):  # noqa: ANN001, ANN202
    results, errors = [None] * len(calls), []

    def run(i, call):  # noqa: ANN001, ANN202
        try:
            results[i] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


CLIENT_IP = "203.0.113.77"


def client_actor(client_id):
    return {"type": "client", "id": client_id, "ip": CLIENT_IP}


def page(world, client_id, *, actor=None):
    body = envelope("ClientAreaPrivacyPage", {"userid": client_id}, actor=actor or client_actor(client_id),
                    at=world.clock.now(), outbox=False)
    answer = world.post("/v1/hooks/whmcs/panel", body)
    assert answer.status_code == 200
    return answer.get_json()["html"]


class TestPrivacyPage:
    def test_the_page_shows_the_clients_own_changes_and_never_anothers(self, world):
        """Section 11, Customer privacy page: what is kept, their own ID-check state and change
        history ("you" with their own Internet address, "our staff" without), the marketing link and
        the export form; nothing of another client, no hold, no staff note."""
        people = customers(world)
        ada, alan = people["Ada"].id, people["Alan"].id
        world.hook("ClientEdit", {"userid": ada, "city": "Oxford", "olddata": {"city": "London"}},
                   actor=client_actor(ada))
        world.hook("ClientEdit", {"userid": ada, "phonenumber": "+44.1632960001",
                                  "olddata": {"phonenumber": "+44.1632960000"}}, actor=ADMIN)
        world.hook("ClientEdit", {"userid": alan, "city": "Alan-Town<script>", "olddata": {"city": "x"}},
                   actor={"type": "client", "id": alan, "ip": "192.0.2.99"})
        html = page(world, ada)
        assert "you" in html and CLIENT_IP in html and "our staff" in html
        assert "198.51.100.7" not in html  # staff's address is not theirs to see
        assert "192.0.2.99" not in html and "Alan-Town" not in html and "Oxford" not in html  # no values
        assert 'href="clientarea.php?action=details"' in html
        assert '<form method="post"' in html and 'name="password"' in html and 'value="export"' in html
        assert ("Not verified" in html or "Waiting" in html) and "hold" not in html.lower()


class TestCustomerExport:
    def test_the_export_is_the_clients_own_and_recorded_with_actor_client(self, world):
        """Section 11, Download my data: the section 4 export for the logged-in client only, without
        a staff verification, ledgered as export.created with actor client; holds, staff notes and
        disclosure recipients are left out."""
        people = customers(world)
        ada, alan = people["Ada"].id, people["Alan"].id
        world.hook("ClientEdit", {"userid": alan, "city": "Bletchley", "olddata": {"city": "x"}}, actor=ADMIN)
        world.services.retention.place_hold(ada, reason="legal_process", reference="case 7", note="staff only",
                                            actor=_staff())
        body = envelope("ClientAreaExport", {"userid": ada}, actor=client_actor(ada), at=world.clock.now(),
                        outbox=False)
        answer = world.post("/v1/hooks/whmcs/export", body)
        assert answer.status_code == 200
        document = answer.get_json()
        assert document["client_id"] == ada
        assert all(e["subject"]["id"] != str(alan) for e in document["entries"])
        assert "Bletchley" not in str(document) and "case 7" not in str(document) and "staff only" not in str(document)
        assert not any(e["event_type"].startswith("hold.") for e in document["entries"])
        [created] = of_type(world, ada, "export.created")
        assert created["actor"]["type"] == "client" and created["actor"]["id"] == str(ada)

    def test_the_export_is_refused_for_another_clients_id(self, world):
        """Section 11: each call is for vars.userid = the logged-in client only."""
        people = customers(world)
        body = envelope("ClientAreaExport", {"userid": people["Alan"].id}, actor=client_actor(people["Ada"].id),
                        at=world.clock.now(), outbox=False)
        assert world.post("/v1/hooks/whmcs/export", body).status_code == 400


def _staff():
    from bridge.ledger.entries import Actor

    return Actor(type="staff", id="e2e-dpo")
