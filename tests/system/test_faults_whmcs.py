"""WHMCS goes down in the middle of a retention run and of a sync, after some customers were already
done: the failures are reported per customer, nobody is erased twice or early, nothing is
snapshotted twice, and a rerun once WHMCS is back finishes the job."""

import os
from collections import Counter
from datetime import timedelta

import pytest

from bridge.clock import FixedClock
from bridge.demo.world import running_world
from bridge.retention.runner import ANONYMIZE_STEPS
from bridge.whmcs.emulator import builders
from tests.conftest import T0
from tests.support.faults import outage_after

LONG = os.environ.get("BRIDGE_LONG") == "1"
CUSTOMERS = 40 if LONG else 8
DONE_BEFORE_OUTAGE = 3
ADMIN = {"type": "admin", "id": 1, "ip": "198.51.100.7"}
YEAR = timedelta(days=366)
OUTAGES = {"http500": {}, "timeout": {"seconds": 0.05}}
WRITES = ("UpdateClient", "DeleteContact", "DeletePayMethod", "UpdateUser", "DeleteUserClient")
# WHMCS carries a write out but its answer never arrives: the bridge's read timeout is shorter
# than WHMCS's delay. Overwrites with placeholders may repeat harmlessly; a delete may not.
LOST_ANSWER = {"seconds": 0.6, "apply": True}
OVERWRITES = {"UpdateClient", "UpdateUser"}


@pytest.fixture
def world(db_url):
    with running_world(db_url, FixedClock(T0), seed=False) as started:
        yield started


def add_closed_customer(world, n: int) -> int:
    """A closed customer with nothing live and every invoice paid, so due a year after closure."""
    today, now = world.clock.now().date(), world.clock.now()
    with world.emulator.locked() as store:
        client = builders.add_client(store, status="Closed", firstname=f"Fault{n}", lastname="Tester",
                                     email=f"fault{n}@example.org", datecreated=today - timedelta(days=900),
                                     address1=f"{n} Example Road", city="Exampleton", country="GB")
        builders.add_contact(store, client.id, firstname="Con", lastname=f"Tact{n}", email=f"con{n}@example.org")
        builders.add_paymethod(store, client.id, type="CreditCard", last_four="1111", card_type="Visa",
                               expiry_date="01/27")
        builders.add_invoice(store, client.id, status="Paid", date=today - timedelta(days=500),
                             duedate=today - timedelta(days=493), datepaid=now - timedelta(days=495))
    closed = world.hook("ClientClose", {"userid": client.id}, actor=ADMIN)
    assert closed.status_code == 202
    return client.id


@pytest.fixture
def impatient_session():
    """A Session for a client that gives up reading an answer before WHMCS sends it (LOST_ANSWER)."""
    from bridge.whmcs.session import build_session

    with build_session() as session:
        yield session


def runner(world, *, session=None, **options):
    if session is None:
        return world.services.retention_runner(**options)
    from bridge.retention.runner import RetentionRunner
    from bridge.whmcs.http import HttpWhmcsClient
    from bridge.whmcs.retry import RetryPolicy

    settings, services = world.services.settings, world.services
    whmcs = HttpWhmcsClient(session=session, url=settings.whmcs_api_url, identifier=settings.whmcs_identifier,
                            secret=settings.whmcs_secret,
                            policy=RetryPolicy(backoff=0.005, read_timeout=LOST_ANSWER["seconds"] / 3))
    return RetentionRunner(service=services.retention, whmcs=whmcs, strategy=settings.retention_strategy,
                           issue_change=services.changes.for_purge,
                           **options)


def purged_entries(world, client_id):
    page = world.services.ledger.client_page(client_id, limit=500).entries
    return [e for e in page if e["event_type"] == "retention.purged"]


def shredded(world, client_id) -> bool:
    record = world.services.ledger.store.key_for(f"client:{client_id}")
    return record is not None and record.shredded


def applied_writes(world) -> Counter:
    """Successful erasing calls per (action, target): more than one means something erased twice."""
    counts = Counter()
    for call in world.emulator.calls:
        if call.action in WRITES and call.outcome == "success":
            target = next(call.params[k] for k in ("contactid", "paymethodid", "user_id", "clientid")
                          if k in call.params)
            counts[(call.action, target)] += 1
    return counts


def take_whmcs_down(world, kind: str) -> None:
    if kind == "lost-answer":
        for action in WRITES:
            world.emulator.fail(action, "timeout", times=None, **LOST_ANSWER)
    else:
        world.emulator.fail("*", kind, times=None, **OUTAGES[kind])


def outage_at_the_next_customer(world, kind: str):
    """A checkpoint that takes WHMCS down half-way through the customer after the first few."""
    finished: list[int] = []

    def checkpoint(step, client_id):
        if step == "shredded":
            finished.append(client_id)
        elif step == "contacts_deleted" and len(finished) == DONE_BEFORE_OUTAGE:
            take_whmcs_down(world, kind)
            finished.append(-1)  # only once

    return checkpoint


@pytest.mark.slow
@pytest.mark.parametrize("kind", [*sorted(OUTAGES), "lost-answer"])
def test_whmcs_down_mid_retention_run_reports_errors_and_a_rerun_finishes_once(world, kind, impatient_session):
    due = [add_closed_customer(world, n) for n in range(CUSTOMERS)]
    world.clock.advance(YEAR)
    not_due = add_closed_customer(world, CUSTOMERS)  # closed today: erasing it would be early
    today = world.clock.now().date()

    session = impatient_session if kind == "lost-answer" else None
    first = runner(world, checkpoint=outage_at_the_next_customer(world, kind), session=session).run(today)
    done = [p["client_id"] for p in first.purged]
    failed = [e["client_id"] for e in first.errors]
    assert done == due[:DONE_BEFORE_OUTAGE] and sorted(failed) == sorted(due[DONE_BEFORE_OUTAGE:])
    assert all(e["detail"] for e in first.errors) and first.remaining == len(failed)
    assert not any(shredded(world, c) or purged_entries(world, c) for c in failed)
    half_done = world.services.retention.store.get(failed[0])
    # the rerun resumes from the last step done, not from scratch (a lost answer may have let a
    # re-reading step finish: the pay methods it deleted were gone when it looked again)
    assert ANONYMIZE_STEPS.index(half_done.step) in range(ANONYMIZE_STEPS.index("contacts_deleted"),
                                                          ANONYMIZE_STEPS.index("shredded"))

    world.emulator.faults.clear()
    second = runner(world, session=session).run(today)
    assert sorted(p["client_id"] for p in second.purged) == sorted(failed)
    assert second.errors == [] and second.remaining == 0

    twice = {target: n for target, n in applied_writes(world).items()
             if n > 1 and not (kind == "lost-answer" and target[0] in OVERWRITES)}
    print(f"[fault:whmcs-retention-{kind}] due={len(due)} purged_before_outage={len(done)} "
          f"errors_reported={len(failed)} purged_on_rerun={len(second.purged)} erased_twice={len(twice)} "
          f"erased_early={int(bool(purged_entries(world, not_due)))}")
    assert twice == {}
    for client_id in due:
        assert len(purged_entries(world, client_id)) == 1 and shredded(world, client_id)
        assert world.services.retention.retention_status(client_id)["status"] == "purged"
    assert purged_entries(world, not_due) == [] and not shredded(world, not_due)
    assert not [c for c in world.emulator.calls if c.params.get("clientid") == str(not_due) and c.change_id]
    assert world.worker.drain() == 0  # the hooks WHMCS fired for the bridge's own writes queued no revert
    assert world.services.ledger.verify().ok


def snapshots(world) -> Counter:
    import json

    counts = Counter()
    for row in world.services.ledger.store.iter_chain():
        entry = json.loads(row.body)
        if entry["event_type"] == "snapshot.synced":
            counts[(entry["subject"]["type"], str(entry["subject"]["id"]))] += 1
    return counts


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(OUTAGES))
def test_whmcs_down_mid_sync_reports_errors_and_a_rerun_snapshots_each_customer_once(world, kind):
    with world.emulator.locked() as store:
        for n in range(CUSTOMERS * 2):
            client = builders.add_client(store, firstname=f"Sync{n}", lastname="Tester",
                                         email=f"sync{n}@example.org", city="Exampleton")
            builders.add_contact(store, client.id, firstname="Con", lastname=f"Tact{n}")
        clients, contacts = len(store.clients), len(store.contacts)
    outage_after(world.emulator, "GetClientsDetails", DONE_BEFORE_OUTAGE * 2, kind, **OUTAGES[kind])

    first = world.services.sync().run(concurrency=2, batch=4)
    assert first.errors and first.recorded >= DONE_BEFORE_OUTAGE and first.recorded + len(first.errors) == clients
    assert all(e["detail"] for e in first.errors)
    checkpoint = world.services.sync().store.checkpoint()
    assert checkpoint < min(e["client_id"] for e in first.errors)  # never past a customer that failed

    world.emulator.faults.clear()
    second = world.services.sync().run(concurrency=2, batch=4)
    assert second.errors == [] and second.resumed_from == checkpoint
    counts = snapshots(world)
    twice = {subject: n for subject, n in counts.items() if n > 1}
    print(f"[fault:whmcs-sync-{kind}] customers={clients} recorded_before_outage={first.recorded} "
          f"errors_reported={len(first.errors)} recorded_on_rerun={second.recorded} "
          f"unchanged_on_rerun={second.unchanged} snapshotted_twice={len(twice)}")
    assert twice == {}
    assert sum(1 for kind_, _ in counts if kind_ == "client") == clients
    assert sum(1 for kind_, _ in counts if kind_ == "contact") == contacts
    assert world.services.sync().store.checkpoint() == 0
    assert world.services.ledger.verify().ok


@pytest.mark.slow
def test_bridge_sync_exits_1_when_whmcs_goes_down_mid_run_and_0_on_the_rerun(world, tmp_path, monkeypatch):
    """The command line as an operator's cron sees it (its real backoff: a few seconds)."""
    import base64

    from click.testing import CliRunner

    from bridge.cli import main

    with world.emulator.locked() as store:
        for n in range(5):
            builders.add_client(store, firstname=f"Cli{n}", lastname="Tester", email=f"cli{n}@example.org")
    settings = world.services.settings
    env = {"BRIDGE_DATABASE_URL": settings.database_url,
           "BRIDGE_MASTER_KEY": base64.b64encode(settings.master_key[0].key).decode(),
           "BRIDGE_WHMCS_API_URL": settings.whmcs_api_url, "BRIDGE_WHMCS_IDENTIFIER": settings.whmcs_identifier,
           "BRIDGE_WHMCS_SECRET": settings.whmcs_secret}
    monkeypatch.chdir(tmp_path)
    outage_after(world.emulator, "GetClientsDetails", 2, "http500")
    down = CliRunner().invoke(main, ["sync", "--concurrency", "4"], env=env)
    assert down.exit_code == 1, down.output
    assert "error client" in down.output and "rerun `bridge sync`" in down.output
    world.emulator.faults.clear()
    back = CliRunner().invoke(main, ["sync", "--concurrency", "4"], env=env)
    assert back.exit_code == 0 and "errors 0" in back.output, back.output
    print(f"[fault:whmcs-sync-cli] exit_codes=({down.exit_code}, {back.exit_code}) "
          f"snapshotted_twice={sum(1 for n in snapshots(world).values() if n > 1)}")
    assert all(n == 1 for n in snapshots(world).values())
