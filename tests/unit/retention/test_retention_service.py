"""Schedules from hook events (late and out of order), holds, and shredding on deletion, over the
real ingest path and a real database (SQLite and PostgreSQL)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from bridge.errors import Conflict, NotFound, Unprocessable
from bridge.ingest.envelope import HookEnvelope, WhmcsInfo
from bridge.ledger.entries import Actor
from bridge.retention.planner import CLOSED, REACTIVATED, StatusEvent

CLIENT = 42
ADMIN = Actor(type="admin", id="1", ip="198.51.100.7")
DPO = Actor(type="staff", id="dpo-1")
T = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def deliver(services, event, vars_, *, at=T, outbox=1, webhook=None):
    envelope = HookEnvelope(event=event, occurred_at=at, whmcs=WhmcsInfo("8.13.1"), actor=ADMIN, outbox_id=outbox,
                            vars=vars_)
    return services.ingest.record_event(webhook or f"wh_{event}_{outbox}_{at.timestamp()}", envelope)


def status_edit(old, new, *, client=CLIENT, email="jane@example.com"):
    return {"userid": client, "status": new, "email": email, "olddata": {"status": old, "email": email}}


def types(services, client=CLIENT):
    return [e["event_type"] for e in services.ledger.client_page(client, limit=500).entries]


class TestSchedules:
    def test_client_close_schedules_the_purge_twelve_calendar_months_on(self, services):
        deliver(services, "ClientClose", {"userid": CLIENT})
        status = services.retention.retention_status(CLIENT)
        assert status["status"] == "scheduled"
        assert status["closed_at"] == "2026-11-24T20:00:00.000000Z"
        assert status["purge_due_at"] == "2027-11-24T20:00:00.000000Z"
        assert types(services) == ["client.closed", "retention.scheduled"]

    def test_a_client_edit_to_closed_then_back_cancels(self, services):
        deliver(services, "ClientEdit", status_edit("Active", "Closed"), outbox=1)
        deliver(services, "ClientEdit", status_edit("Closed", "Active"), at=T + timedelta(days=3), outbox=2)
        status = services.retention.retention_status(CLIENT)
        assert status["status"] == "reactivated" and status["purge_due_at"] is None
        assert types(services).count("retention.cancelled") == 1

    def test_a_reactivation_delivered_before_the_older_closure_wins(self, services):
        deliver(services, "ClientEdit", status_edit("Closed", "Inactive"), at=T + timedelta(hours=1), outbox=8)
        deliver(services, "ClientClose", {"userid": CLIENT}, at=T, outbox=7)
        assert services.retention.retention_status(CLIENT)["status"] == "reactivated"
        assert "retention.scheduled" not in types(services)

    def test_a_late_older_reactivation_does_not_cancel_a_newer_closure(self, services):
        deliver(services, "ClientClose", {"userid": CLIENT}, at=T, outbox=3)
        deliver(services, "ClientEdit", status_edit("Closed", "Active"), at=T - timedelta(days=1), outbox=2)
        assert services.retention.retention_status(CLIENT)["status"] == "scheduled"

    def test_the_same_instant_is_ordered_by_outbox_id(self, services):
        deliver(services, "ClientEdit", status_edit("Closed", "Active"), at=T, outbox=11)
        deliver(services, "ClientClose", {"userid": CLIENT}, at=T, outbox=10)
        assert services.retention.retention_status(CLIENT)["status"] == "reactivated"

    def test_a_duplicate_closure_keeps_the_first_date(self, services):
        deliver(services, "ClientClose", {"userid": CLIENT}, at=T, outbox=1)
        deliver(services, "ClientEdit", status_edit("Active", "Closed"), at=T + timedelta(days=40), outbox=2)
        assert services.retention.retention_status(CLIENT)["purge_due_at"] == "2027-11-24T20:00:00.000000Z"

    def test_concurrent_events_leave_the_latest_status(self, services):
        events = [StatusEvent(CLOSED if i % 2 else REACTIVATED, T + timedelta(minutes=i), i) for i in range(1, 13)]

        def record(event):
            services.retention.record_status(CLIENT, event)

        threads = [threading.Thread(target=record, args=(e,)) for e in reversed(events)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        record_ = services.retention.store.get(CLIENT)
        assert record_.status == REACTIVATED and record_.status_at == T + timedelta(minutes=12)

    def test_sync_back_fills_a_closure_at_sync_time_and_never_earlier(self, services, clock):
        deliver(services, "ClientClose", {"userid": CLIENT}, at=T - timedelta(days=100))
        assert services.retention.schedule_synced_closure(CLIENT) is None
        assert services.retention.schedule_synced_closure(99) == "scheduled"
        assert services.retention.store.get(99).purge_due_at == clock.now().replace(year=2027)


class TestDeletion:
    def _edit(self, services):
        vars_ = {"userid": CLIENT, "email": "new@example.com", "olddata": {"email": "jane@example.com"}}
        deliver(services, "ClientEdit", vars_, outbox=1)

    def test_pre_delete_client_shreds_the_key_at_once(self, services):
        self._edit(services)
        deliver(services, "PreDeleteClient", {"userid": CLIENT}, at=T + timedelta(hours=1), outbox=2)
        entries = services.ledger.client_page(CLIENT, limit=100, reveal=True).entries
        assert {c["new"] for e in entries for c in e["changes"]} == {"[shredded]"}
        purged = [e for e in entries if e["event_type"] == "retention.purged"]
        assert len(purged) == 1 and purged[0]["details"]["strategy"] == "deleted_in_whmcs"
        assert services.retention.retention_status(CLIENT)["status"] == "deleted"

    def test_a_hold_makes_the_shred_wait_for_its_release(self, services):
        self._edit(services)
        hold = services.retention.place_hold(CLIENT, reason="legal_process", reference="Case 12/2026", note=None,
                                             actor=DPO)
        deliver(services, "ClientDelete", {"userid": CLIENT}, at=T + timedelta(hours=1), outbox=2)
        assert services.retention.retention_status(CLIENT)["status"] == "deleted_held"
        first = services.ledger.client_page(CLIENT, limit=100, reveal=True).entries[0]
        assert first["changes"][0]["new"] == "new@example.com"
        services.retention.release_hold(hold["hold_id"], actor=DPO)
        first = services.ledger.client_page(CLIENT, limit=100, reveal=True).entries[0]
        assert first["changes"][0]["new"] == "[shredded]"
        assert services.retention.retention_status(CLIENT)["status"] == "deleted"

    def test_a_deleted_customer_takes_no_hold(self, services):
        deliver(services, "PreDeleteClient", {"userid": CLIENT})
        with pytest.raises(Conflict):
            services.retention.place_hold(CLIENT, reason="legal_process", reference="x", note=None, actor=DPO)


class TestHolds:
    def test_reference_and_note_are_encrypted_in_the_ledger(self, services):
        placed = services.retention.place_hold(CLIENT, reason="legal_obligation", reference="Tax audit 7",
                                               note="keep", actor=DPO)
        assert placed["reference"] == "Tax audit 7" and placed["hold_id"]
        entry = services.ledger.client_page(CLIENT, limit=10).entries[0]
        assert entry["event_type"] == "hold.placed"
        assert entry["details"]["reference"] == "[redacted]" and entry["details"]["reason"] == "legal_obligation"
        raw = services.ledger.store.entry(entry["seq"]).body
        assert b"Tax audit" not in raw

    def test_release_once_then_conflict_and_unknown_is_not_found(self, services):
        placed = services.retention.place_hold(CLIENT, reason="legal_process", reference="r", note=None, actor=DPO)
        services.retention.release_hold(placed["hold_id"], actor=DPO)
        with pytest.raises(Conflict):
            services.retention.release_hold(placed["hold_id"], actor=DPO)
        with pytest.raises(NotFound):
            services.retention.release_hold("00000000-0000-0000-0000-000000000000", actor=DPO)
        assert types(services) == ["hold.placed", "hold.released"]

    def test_an_unknown_reason_is_unprocessable(self, services):
        with pytest.raises(Unprocessable):
            services.retention.place_hold(CLIENT, reason="because", reference="r", note=None, actor=DPO)

    def test_the_privacy_summary_carries_the_retention_block(self, services):
        deliver(services, "ClientClose", {"userid": CLIENT})
        services.retention.place_hold(CLIENT, reason="legal_process", reference="r", note=None, actor=DPO)
        from bridge.privacy import retention_block

        block = retention_block(services, CLIENT)
        assert block["status"] == "held" and block["holds"][0]["reason"] == "legal_process"
        assert set(block) == {"closed_at", "purge_due_at", "status", "holds"}


class TestDailyCron:
    def test_the_daily_cron_queues_background_jobs_only(self, services):
        deliver(services, "DailyCronJob", {})
        kinds = sorted(j.kind for j in _open_jobs(services))
        assert kinds == ["ledger_anchor", "paymethod_poll", "retention_run"]

    def test_without_autorun_no_retention_run_is_queued(self, base_env, clock):
        from tests.support.web import make_services

        services = make_services({**base_env, "BRIDGE_RETENTION_AUTORUN": "false"}, clock)
        try:
            deliver(services, "DailyCronJob", {})
            assert sorted(j.kind for j in _open_jobs(services)) == ["ledger_anchor", "paymethod_poll"]
        finally:
            services.dispose()


def _open_jobs(services):
    from sqlalchemy import select

    from bridge.db.models import JobRow

    with services.engine.connect() as conn:
        return conn.execute(select(JobRow.kind).where(JobRow.status == "pending")).all()
