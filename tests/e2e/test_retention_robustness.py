"""Retention under contract section 10, end to end against the emulator on SQLite and PostgreSQL:
a cron event stamped ahead of the bridge's clock purges nobody early, blocked customers never
keep the daily run from those due behind them, and the purge entry names what it cannot reach."""

from datetime import date, timedelta

import pytest

from bridge.demo.hooks import envelope
from bridge.ledger.entries import Actor
from bridge.retention import jobs
from bridge.retention.entries import KEPT_DATA
from bridge.retention.planner import CLOSED, StatusEvent
from bridge.whmcs.emulator import builders

CRON = {"type": "cron"}
STAFF = Actor(type="staff", id="dpo-1")
DEAD_OUTBOX = "undelivered (dead) rows of the hook's outbox table mod_privacy_bridge_outbox, payload kept up to 7 days"


def new_customer(world, name, *, service=None, invoice=None):
    """A customer Closed in WHMCS, with an optional service or invoice in the given status."""
    today = world.clock.now().date()
    with world.emulator.locked() as store:
        client = builders.add_client(store, status="Closed", firstname=name, lastname="Example",
                                     email=f"{name.lower()}@example.com")
        if service:
            builders.add_product(store, client.id, name="VPS", status=service)
        if invoice:
            builders.add_invoice(store, client.id, status=invoice, date=today, duedate=today + timedelta(days=7))
        return client.id


def close(world, client_id):
    body = envelope("ClientClose", {"userid": client_id}, actor={"type": "admin", "id": 1}, at=world.clock.now())
    assert world.post("/v1/hooks/whmcs", body).status_code == 202


def daily_cron(world, *, ahead=timedelta(0)):
    """A signed DailyCronJob whose occurred_at is `ahead` of the bridge's clock (the signature's
    timestamp is the bridge's now), then the job worker run to completion."""
    body = envelope("DailyCronJob", {}, actor=CRON, at=world.clock.now() + ahead)
    assert world.post("/v1/hooks/whmcs", body).status_code == 202
    world.worker.drain()


def purge_due_at(world, client_id):
    return world.services.retention.store.get(client_id).purge_due_at


def status(world, client_id):
    return world.services.retention.retention_status(client_id)["status"]


def runs_done(world):
    return world.services.queue.counts_by_kind().get(("retention_run", "done"), 0)


def purge_entry(world, client_id):
    page = world.services.ledger.client_page(client_id, limit=1000, reveal=True).entries
    return [e for e in page if e["event_type"] == "retention.purged"]


def runner(world, **options):
    return world.services.retention_runner(**options)


class TestClocks:
    def test_a_daily_cron_dated_years_ahead_purges_nobody_before_purge_due_at(self, world):
        """Section 10, Clocks: retention started by a DailyCronJob runs as of min(occurred_at, now);
        no purge is ever earlier than purge_due_at by the bridge's clock."""
        earlier, alan = new_customer(world, "Grace"), new_customer(world, "Alan")
        close(world, earlier)
        world.clock.advance(timedelta(days=30))
        close(world, alan)
        due = purge_due_at(world, alan)
        world.clock.set(due - timedelta(days=1))
        daily_cron(world, ahead=timedelta(days=3650))
        assert runs_done(world) == 1 and status(world, earlier) == "purged"  # the run happened
        assert status(world, alan) == "scheduled" and purge_entry(world, alan) == []
        world.clock.set(due + timedelta(days=1))
        daily_cron(world, ahead=timedelta(days=3650))
        assert status(world, alan) == "purged" and len(purge_entry(world, alan)) == 1

    def test_a_daily_cron_a_few_minutes_ahead_across_midnight_purges_nobody_early(self, world):
        """Section 10, Clocks: a DailyCronJob stamped four minutes ahead (within the webhook
        tolerance), just after midnight by WHMCS's clock, runs as of the bridge's day: a customer
        due at 23:59 is not purged at 23:58, and is purged by the first run after it."""
        earlier, alan = new_customer(world, "Grace"), new_customer(world, "Alan")
        close(world, earlier)
        world.clock.set(world.clock.now().replace(hour=23, minute=59, second=0, microsecond=0) + timedelta(days=1))
        close(world, alan)
        due = purge_due_at(world, alan)
        assert (due.hour, due.minute) == (23, 59)
        world.clock.set(due - timedelta(minutes=1))
        daily_cron(world, ahead=timedelta(minutes=4))
        queue, day = world.services.queue, world.clock.now().date()
        assert queue.exists(f"retention-run:{day}:0") and not queue.exists(f"retention-run:{day + timedelta(days=1)}:0")
        assert runs_done(world) == 1 and status(world, earlier) == "purged"
        assert status(world, alan) == "scheduled"
        world.clock.set(due + timedelta(minutes=3))
        daily_cron(world)
        assert status(world, alan) == "purged"

    def test_the_runner_given_a_future_as_of_purges_only_those_due_by_the_bridges_clock(self, world):
        """Section 10, Clocks (defence in depth): whatever as_of a run is given, it refuses to purge
        anyone whose purge_due_at is later than the bridge's now."""
        earlier, alan = new_customer(world, "Grace"), new_customer(world, "Alan")
        close(world, earlier)
        world.clock.advance(timedelta(days=30))
        close(world, alan)
        world.clock.set(purge_due_at(world, alan) - timedelta(days=1))
        report = runner(world).run(date(2099, 1, 1), limit=100)
        assert report.purged == [{"client_id": earlier, "strategy": "anonymize"}]
        assert status(world, alan) == "scheduled" and report.remaining == 0
        assert purge_entry(world, earlier)[0]["details"]["as_of"] == world.clock.now().date().isoformat()


def blocked_customers(world, count):
    """`count` customers due before anyone else, each blocked in one of the ways a run meets:
    an Active or a Suspended service, or an unpaid invoice (an automatic accounting hold)."""
    kinds = ({"service": "Active"}, {"service": "Suspended"}, {"invoice": "Unpaid"})
    ids = [new_customer(world, f"Blocked{n}", **kinds[n % 3]) for n in range(count)]
    at = world.clock.now() - timedelta(days=10)
    for n, client_id in enumerate(ids):
        world.services.retention.record_status(client_id, StatusEvent(CLOSED, at + timedelta(seconds=n)))
    return ids


class TestNothingStopsThePipeline:
    @pytest.mark.parametrize("start", ["cron", "run"])
    def test_150_blocked_customers_due_first_never_keep_the_one_behind_them(self, world, start):
        """Section 10, Nothing stops the pipeline: the daily retention run reaches every due customer
        that is not blocked, however many blocked customers are due before it."""
        blocked = blocked_customers(world, 150)
        held = new_customer(world, "Held")
        world.services.retention.record_status(held, StatusEvent(CLOSED, world.clock.now() - timedelta(days=11)))
        world.services.retention.place_hold(held, reason="legal_obligation", reference="ref", note=None, actor=STAFF)
        alan = new_customer(world, "Alan")
        close(world, alan)
        world.clock.advance(timedelta(days=366))
        if start == "cron":
            daily_cron(world)
            assert runs_done(world) == 1
        else:
            report = runner(world).run(world.clock.now().date(), limit=100)
            assert len(report.held) == 151 and report.errors == [] and report.remaining == 150
        assert status(world, alan) == "purged"
        assert {status(world, c) for c in blocked} == {"due", "held"} and status(world, held) == "held"
        assert len(world.emulator.calls_to("GetClientsProducts")) == 151  # each blocked one checked once

    def test_a_limit_purges_up_to_n_and_the_next_run_goes_on(self, world):
        """Section 10, Nothing stops the pipeline: `limit` still means "purge up to N", past the
        blocked, and a rerun purges the rest without erasing anyone twice."""
        blocked_customers(world, 3)
        ids = [new_customer(world, f"Due{n}") for n in range(3)]
        for client_id in ids:
            close(world, client_id)
        world.clock.advance(timedelta(days=366))
        first = runner(world).run(world.clock.now().date(), limit=2)
        assert [p["client_id"] for p in first.purged] == ids[:2] and first.remaining == 4
        second = runner(world).run(world.clock.now().date(), limit=2)
        assert [p["client_id"] for p in second.purged] == ids[2:] and second.remaining == 3
        assert len(world.emulator.calls_to("UpdateClient")) == 3

    def test_the_days_batches_go_on_past_the_blocked_without_checking_them_again(self, world, monkeypatch):
        """Section 10, Nothing stops the pipeline: when a day's run is split into batches, each
        batch starts where the last stopped, so the blocked are read once a day, not once a batch."""
        monkeypatch.setattr(jobs, "BATCH", 1)
        blocked_customers(world, 3)
        ids = [new_customer(world, f"Due{n}") for n in range(3)]
        for client_id in ids:
            close(world, client_id)
        world.clock.advance(timedelta(days=366))
        daily_cron(world)
        assert runs_done(world) == 4  # three full batches and one that found nobody left
        assert [status(world, c) for c in ids] == ["purged"] * 3
        assert len(world.emulator.calls_to("GetClientsProducts")) == 6


class TestResidualData:
    def test_the_purge_entry_leaves_dead_outbox_rows_to_the_residual_order(self, world):
        """Section 10, What is erased stays erased, with section 11's erasure that reaches all of
        WHMCS: dead outbox rows (and the email log) are the module's residual-erasure order, so the
        purge's residual_data names only what stays on purpose."""
        alan = new_customer(world, "Alan")
        close(world, alan)
        world.clock.advance(timedelta(days=366))
        assert runner(world).run(world.clock.now().date()).purged == [{"client_id": alan, "strategy": "anonymize"}]
        [entry] = purge_entry(world, alan)
        assert entry["details"]["residual_data"] == list(KEPT_DATA) and entry["details"]["residual_order"]
        assert DEAD_OUTBOX not in entry["details"]["residual_data"]


def test_a_deletion_in_whmcs_leaves_dead_outbox_rows_to_its_residual_order(world):
    """Section 10, What is erased stays erased, with section 11: a deletion in WHMCS is recorded as
    a purge and queues a residual-erasure order too, so its purge entry names the order and, in
    residual_data, only what stays on purpose (no dead outbox rows)."""
    alan = new_customer(world, "Alan")
    body = envelope("ClientDelete", {"userid": alan}, actor={"type": "admin", "id": 1}, at=world.clock.now())
    assert world.post("/v1/hooks/whmcs", body).status_code == 202
    [entry] = purge_entry(world, alan)
    assert entry["details"]["strategy"] == "deleted_in_whmcs" and entry["details"]["residual_order"]
    assert entry["details"]["residual_data"] == list(KEPT_DATA) and DEAD_OUTBOX not in entry["details"]["residual_data"]

