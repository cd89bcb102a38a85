"""`bridge sync` back-fills the emulator's customers: baseline snapshots once, diffs after, closed
customers scheduled from sync time, resumable after an interruption."""

from datetime import timedelta

import pytest

from tests.support.whmcs import client_fields, edit_client, seeded_active_client


def _entries(world, event_type="snapshot.synced"):
    rows = world.services.ledger.store.iter_chain()
    import json

    return [json.loads(r.body) for r in rows if json.loads(r.body)["event_type"] == event_type]


def test_a_first_sync_snapshots_everyone_once_and_a_rerun_records_nothing(world):
    with world.emulator.locked() as store:
        clients = set(store.clients)
        contacts = len(store.contacts)
    report = world.services.sync().run(concurrency=4)
    assert (report.seen, report.recorded, report.errors) == (len(clients), len(clients), [])
    snapshots = _entries(world)
    assert {e["client_id"] if "client_id" in e else int(e["subject"]["id"]) for e in snapshots
            if e["subject"]["type"] == "client"} == clients
    assert len([e for e in snapshots if e["subject"]["type"] == "contact"]) == contacts
    assert all(e["details"]["baseline"] for e in snapshots)
    again = world.services.sync().run(concurrency=4)
    assert (again.recorded, again.unchanged) == (0, len(clients))
    assert len(_entries(world)) == len(snapshots)


def test_a_change_since_the_last_snapshot_is_recorded_as_a_diff(world):
    world.services.sync().run()
    ada = seeded_active_client(world)
    edit_client(world, ada, city="Cambridge")  # changed in WHMCS with no hook delivered
    report = world.services.sync().run()
    assert report.recorded == 1
    diff = _entries(world)[-1]
    assert [c["field"] for c in diff["changes"]] == ["city"] and diff["details"]["baseline"] is False
    page = world.services.ledger.client_page(ada, limit=100, reveal=True).entries
    change = [e for e in page if e["event_type"] == "snapshot.synced"][-1]["changes"][0]
    assert (change["old"], change["new"]) == ("London", "Cambridge")
    assert client_fields(world, ada)["city"] == "Cambridge"


def test_closed_customers_get_a_purge_date_from_sync_time(world, clock):
    report = world.services.sync().run()
    assert report.closed
    for client_id in report.closed:
        status = world.services.retention.retention_status(client_id)
        assert status["purge_due_at"].startswith((clock.now() + timedelta(days=365)).date().isoformat()[:7])


def test_an_interrupted_sync_resumes_from_its_checkpoint_without_snapshotting_twice(world):
    service = world.services.sync()
    first = service.run(concurrency=2, batch=2, stop_after=3)
    checkpoint = service.store.checkpoint()
    assert first.seen == 3 and checkpoint == 3
    world.emulator.fail("GetClientsDetails", "http500", times=None)
    failed = world.services.sync().run(concurrency=2, batch=2)
    assert failed.errors and failed.recorded == 0
    world.emulator.faults.clear()
    resumed = world.services.sync().run(concurrency=2, batch=2)
    assert resumed.resumed_from == checkpoint and resumed.errors == []
    with world.emulator.locked() as store:
        clients = len(store.clients)
    per_client = [e for e in _entries(world) if e["subject"]["type"] == "client"]
    assert len(per_client) == clients  # each customer snapshotted exactly once
    assert world.services.sync().store.checkpoint() == 0  # a complete pass clears the checkpoint


def test_a_batch_that_fails_while_it_is_recorded_leaves_none_of_it_and_a_rerun_records_it_once(world):
    with world.emulator.locked() as store:
        clients = set(store.clients)
        assert any(c.status == "Closed" for c in store.clients.values())  # the failure below is reached
    service = world.services.sync()
    schedule, calls = service.on_closed, []

    def full_disk(client_id):
        calls.append(client_id)
        schedule(client_id)  # this customer's schedule row is written, then the batch's commit fails
        raise RuntimeError("the disk is full")

    service.on_closed = full_disk
    with pytest.raises(RuntimeError):
        service.run(concurrency=4, batch=len(clients))
    assert calls
    assert _entries(world) == [] and _entries(world, "retention.scheduled") == []
    assert service.store.checkpoint() == 0
    assert world.services.retention.retention_status(calls[0])["status"] == "not_closed"
    report = world.services.sync().run(concurrency=4, batch=len(clients))
    assert (report.recorded, report.errors) == (len(clients), [])
    assert len([e for e in _entries(world) if e["subject"]["type"] == "client"]) == len(clients)


def test_sync_from_the_cli_shows_a_summary_and_needs_whmcs(world, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from bridge.cli import main

    monkeypatch.chdir(tmp_path)
    settings = world.services.settings
    import base64

    env = {"BRIDGE_DATABASE_URL": settings.database_url, "BRIDGE_MASTER_KEY": base64.b64encode(
        settings.master_key[0].key).decode()}
    no_whmcs = CliRunner().invoke(main, ["sync"], env=env)
    assert no_whmcs.exit_code == 2 and "WHMCS" in no_whmcs.output
    env.update(BRIDGE_WHMCS_API_URL=settings.whmcs_api_url, BRIDGE_WHMCS_IDENTIFIER=settings.whmcs_identifier,
               BRIDGE_WHMCS_SECRET=settings.whmcs_secret)
    result = CliRunner().invoke(main, ["sync", "--concurrency", "2"], env=env)
    assert result.exit_code == 0, result.output
    assert "recorded" in result.output and "errors 0" in result.output
