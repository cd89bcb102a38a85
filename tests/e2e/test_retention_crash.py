"""Crash safety by fault injection: a run killed at any step (an exception raised at a named step
marker, which like a kill skips every cleanup and leaves the lease held) is finished by a later
run exactly once; WHMCS failures are retried with backoff and reported per customer."""

from datetime import timedelta

import pytest

from bridge.demo.hooks import envelope
from bridge.demo.world import running_world
from bridge.retention.runner import ANONYMIZE_STEPS, DELETE_STEPS

ADMIN = {"type": "admin", "id": 1, "ip": "198.51.100.7"}  # an IP: the customer has a data key
YEAR = timedelta(days=366)
LEASE_EXPIRED = timedelta(minutes=11)


class Killed(BaseException):  # noqa: N818 - not an error the runner may catch: the process dies here
    pass


def kill_at(step):
    def checkpoint(reached, _client_id):
        if reached == step:
            raise Killed(step)

    return checkpoint


def due_alan(world):
    with world.emulator.locked() as store:
        alan = next(c.id for c in store.clients.values() if c.fields["firstname"] == "Alan")
    world.post("/v1/hooks/whmcs", envelope("ClientClose", {"userid": alan}, actor=ADMIN, at=world.clock.now()))
    world.clock.advance(YEAR)
    return alan


def runner(world, **options):
    return world.services.retention_runner(**{"retry_delays": (0, 0), "sleep": lambda _s: None, **options})


def purged_entries(world, client_id):
    return [e for e in world.services.ledger.client_page(client_id, limit=500).entries
            if e["event_type"] == "retention.purged"]


def key_shredded(world, client_id):
    record = world.services.ledger.store.key_for(f"client:{client_id}")
    assert record is not None
    return record.shredded


def writes(world, action):
    return [c for c in world.emulator.calls_to(action) if c.outcome == "success"]


@pytest.mark.parametrize("step", ANONYMIZE_STEPS)
def test_anonymize_killed_at_any_step_finishes_exactly_once(world, step):
    alan = due_alan(world)
    with pytest.raises(Killed):
        runner(world, checkpoint=kill_at(step)).run(world.clock.now().date())
    assert purged_entries(world, alan) == []
    assert key_shredded(world, alan) is (step == "shredded")  # shredded only once WHMCS was erased
    busy = runner(world).run(world.clock.now().date())  # the dead run's lease still holds the customer
    assert busy.purged == [] and busy.remaining == 1
    world.clock.advance(LEASE_EXPIRED)
    report = runner(world).run(world.clock.now().date())
    assert report.purged == [{"client_id": alan, "strategy": "anonymize"}] and report.errors == []
    assert len(purged_entries(world, alan)) == 1 and key_shredded(world, alan)
    assert len(writes(world, "UpdateClient")) == 1 and len(writes(world, "UpdateUser")) == 1
    assert len(writes(world, "DeleteContact")) == 1 and len(writes(world, "DeletePayMethod")) == 1
    assert runner(world).run(world.clock.now().date()).purged == []
    assert world.worker.drain() == 0  # no echo of the bridge's own writes is reverted
    assert world.services.ledger.verify().ok


@pytest.mark.parametrize("step", DELETE_STEPS)
def test_delete_killed_at_any_step_finishes_exactly_once(db_url, clock, step):
    with running_world(db_url, clock, settings={"BRIDGE_RETENTION_STRATEGY": "delete"}) as world:
        alan = due_alan(world)
        with pytest.raises(Killed):
            runner(world, checkpoint=kill_at(step)).run(world.clock.now().date())
        world.clock.advance(LEASE_EXPIRED)
        report = runner(world).run(world.clock.now().date())
        assert report.purged == [{"client_id": alan, "strategy": "delete"}]
        assert len(purged_entries(world, alan)) == 1 and key_shredded(world, alan)
        assert len(writes(world, "DeleteClient")) == 1


def test_killed_after_a_write_but_before_its_marker_the_step_is_redone_harmlessly(world):
    alan = due_alan(world)
    with pytest.raises(Killed):
        runner(world, checkpoint=kill_at("paymethods_deleted")).run(world.clock.now().date())
    store = world.services.retention.store
    store.lease(alan, owner="rewind", now=world.clock.now() + LEASE_EXPIRED, until=world.clock.now() + LEASE_EXPIRED)
    record = store.get(alan)
    store.save_step(alan, owner="rewind", step="client_updated", progress=record.progress)  # marker not yet saved
    store.release(alan, owner="rewind")
    world.clock.advance(LEASE_EXPIRED)
    assert runner(world).run(world.clock.now().date()).purged == [{"client_id": alan, "strategy": "anonymize"}]
    assert len(writes(world, "DeleteContact")) == 1 and len(writes(world, "DeletePayMethod")) == 1
    assert len(purged_entries(world, alan)) == 1


def test_whmcs_unavailable_is_retried_with_backoff(world):
    alan = due_alan(world)
    world.emulator.fail("UpdateClient", "http500", times=2)
    slept = []
    report = runner(world, retry_delays=(0.5, 2.0), sleep=slept.append).run(world.clock.now().date())
    assert report.purged == [{"client_id": alan, "strategy": "anonymize"}] and slept == [0.5, 2.0]


def test_whmcs_errors_are_reported_per_customer_and_the_next_run_finishes(world):
    alan = due_alan(world)
    world.emulator.fail("DeleteContact", "http500", times=None)
    report = runner(world).run(world.clock.now().date())
    assert report.purged == [] and report.errors[0]["client_id"] == alan
    assert "DeleteContact" in report.errors[0]["detail"] and report.remaining == 1
    assert world.services.retention.store.get(alan).step == "client_updated"
    assert not key_shredded(world, alan)
    world.emulator.faults.clear()
    assert runner(world).run(world.clock.now().date()).purged == [{"client_id": alan, "strategy": "anonymize"}]
    assert len(writes(world, "UpdateClient")) == 1


def test_a_refusal_is_reported_and_nothing_is_shredded(world):
    alan = due_alan(world)
    world.emulator.fail("UpdateUser", "error", message="A user already exists with that email address")
    report = runner(world).run(world.clock.now().date())
    assert report.errors and "already exists" in report.errors[0]["detail"]
    assert not key_shredded(world, alan) and purged_entries(world, alan) == []
