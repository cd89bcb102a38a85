"""Crash safety by fault injection: a run killed at any step (an exception raised at a named step
marker, which like a kill skips every cleanup and leaves the lease held) is finished by a later
run exactly once; WHMCS failures are reported per customer, and a write WHMCS was unavailable for
is sent once per run and retried by the run's job, with the worker's backoff."""

from datetime import timedelta

import pytest

from bridge.demo.hooks import envelope
from bridge.demo.world import running_world
from bridge.retention.runner import ANONYMIZE_STEPS, DELETE_STEPS
from bridge.retention.service import RUN_JOB

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
    return world.services.retention_runner(**options)


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


def close_now(world, firstname):
    with world.emulator.locked() as store:
        client = next(c for c in store.clients.values() if c.fields["firstname"] == firstname)
        client.status, client_id = "Closed", client.id
    world.post("/v1/hooks/whmcs", envelope("ClientClose", {"userid": client_id}, actor=ADMIN, at=world.clock.now()))
    return client_id


def queue_run(world):
    day = world.clock.now().date().isoformat()
    return world.services.queue.enqueue(RUN_JOB, {"as_of": day, "batch": 0}, dedupe_key=f"retention-run:{day}:0",
                                        now=world.clock.now())


def test_a_write_met_by_an_unavailable_whmcs_is_sent_once_and_the_run_job_retries_it(world):
    """WHMCS writes are sent once: the UpdateClient that met a 500 is not repeated by the client or
    the runner; the retention job is retried with the worker's backoff, and that finishes it."""
    alan = due_alan(world)
    world.emulator.fail("UpdateClient", "http500", times=1)
    job_id = queue_run(world)
    world.worker.drain()
    job = world.services.queue.get(job_id)
    assert job.status == "pending" and job.last_error == "retention run: 1 customers failed"
    assert [c.outcome for c in world.emulator.calls_to("UpdateClient")] == ["fault:http500"]
    assert purged_entries(world, alan) == [] and not key_shredded(world, alan)
    world.clock.advance(timedelta(minutes=1))  # past the worker's backoff
    world.worker.drain()
    assert world.services.queue.get(job_id).status == "done"
    assert [c.outcome for c in world.emulator.calls_to("UpdateClient")] == ["fault:http500", "success"]
    assert len(purged_entries(world, alan)) == 1 and key_shredded(world, alan)


def test_a_run_that_purged_some_is_still_retried_for_those_whmcs_was_unavailable_for(world):
    """One customer purged, the other's write met a 500: the job is retried for the second one
    (not left to tomorrow's run), and the first is not erased again."""
    grace, alan = close_now(world, "Grace"), close_now(world, "Alan")
    world.clock.advance(YEAR)
    world.emulator.fail("UpdateClient", "http500", times=1)
    job_id = queue_run(world)
    world.worker.drain()
    assert world.services.queue.get(job_id).status == "pending"
    first = [c.params["clientid"] for c in world.emulator.calls_to("UpdateClient")]
    assert len(first) == 2 and sorted(first) == sorted([str(grace), str(alan)])
    failed = int(first[0])  # the call that met the fault
    done = alan if failed == grace else grace
    assert len(purged_entries(world, done)) == 1 and purged_entries(world, failed) == []
    world.clock.advance(timedelta(minutes=1))
    world.worker.drain()
    assert world.services.queue.get(job_id).status == "done"
    assert [c.params["clientid"] for c in writes(world, "UpdateClient")] == [str(done), str(failed)]
    assert len(purged_entries(world, failed)) == 1 and len(purged_entries(world, done)) == 1


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
