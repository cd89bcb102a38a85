"""The retention store on SQLite and PostgreSQL: leases keep two runs off one customer, status
writes are compare-and-set, and due customers come oldest first with failures last."""

from datetime import UTC, datetime, timedelta

import pytest

from bridge.db.retention_store import SqlRetentionStore
from bridge.retention.planner import CLOSED, Retention, StatusEvent, on_status
from bridge.retention.store import StaleRecord

T = datetime(2026, 1, 1, tzinfo=UTC)


def put(engine, record, version):
    SqlRetentionStore(engine=engine).put(record, expected_version=version)


def closed(client_id, at):
    return on_status(None, StatusEvent(CLOSED, at), months=12, client_id=client_id).record


class TestRetentionStore:
    def test_compare_and_set_refuses_a_stale_version(self, engine):
        put(engine, closed(1, T), 0)
        with pytest.raises(StaleRecord):
            put(engine, closed(1, T), 0)
        store = SqlRetentionStore(engine=engine)
        assert store.get(1).version == 1
        with pytest.raises(StaleRecord):
            put(engine, store.get(1), 7)

    def test_one_lease_at_a_time_until_it_expires(self, engine):
        put(engine, closed(1, T), 0)
        store = SqlRetentionStore(engine=engine)
        now = T + timedelta(days=400)
        assert store.lease(1, owner="a", now=now, until=now + timedelta(minutes=10)) is not None
        assert store.lease(1, owner="b", now=now, until=now + timedelta(minutes=10)) is None
        assert store.save_step(1, owner="b", step="checked", progress={}) is False
        assert store.save_step(1, owner="a", step="checked", progress={"x": 1}) is True
        later = now + timedelta(minutes=11)
        taken = store.lease(1, owner="b", now=later, until=later + timedelta(minutes=10))
        assert taken.step == "checked" and taken.progress == {"x": 1}

    def test_an_event_never_rewinds_the_runs_step(self, engine):
        put(engine, closed(1, T), 0)
        store = SqlRetentionStore(engine=engine)
        store.lease(1, owner="a", now=T, until=T + timedelta(minutes=5))
        store.save_step(1, owner="a", step="client_updated", progress={})
        put(engine, Retention(**{**store.get(1).__dict__, "step": None}), 1)
        assert store.get(1).step == "client_updated"

    def test_due_oldest_first_failed_apart_held_excluded(self, engine):
        store = SqlRetentionStore(engine=engine)
        for client_id, days in ((1, 3), (2, 1), (3, 2), (4, 0)):
            put(engine, closed(client_id, T + timedelta(days=days)), 0)
        store.lease(2, owner="a", now=T, until=T)
        store.save_step(2, owner="a", step=None, progress={}, error="WHMCS unavailable")
        from bridge.retention.planner import Hold

        store.place_hold(Hold(hold_id="h1", client_id=4, reason="legal_process", auto=False, placed_at=T), 9)
        as_of = T + timedelta(days=800)
        assert [r.client_id for r in store.due(as_of, limit=10)] == [3, 1]
        assert [r.client_id for r in store.due(as_of, limit=10, failed=True)] == [2]
        assert store.count_due(as_of) == 3
        assert store.hold("h1").seq == 9 and store.active_holds()[0].client_id == 4

    def test_due_pages_past_a_cursor_ties_broken_by_client_id(self, engine):
        """Section 10, Nothing stops the pipeline: the due set is read a page at a time past a
        cursor, so a run can go on past any number of customers it could not purge."""
        store = SqlRetentionStore(engine=engine)
        for client_id in (5, 1, 4, 2, 3):
            put(engine, closed(client_id, T + timedelta(days=0 if client_id in (2, 4) else client_id)), 0)
        as_of = T + timedelta(days=800)
        first = store.due(as_of, limit=2)
        assert [r.client_id for r in first] == [2, 4]  # same purge_due_at: client id decides
        after = (first[-1].purge_due_at, first[-1].client_id)
        assert [r.client_id for r in store.due(as_of, limit=2, after=after)] == [1, 3]
        after = (first[0].purge_due_at, first[0].client_id)
        assert [r.client_id for r in store.due(as_of, limit=10, after=after)] == [4, 1, 3, 5]
        assert store.due(as_of, limit=10, failed=True) == []

    def test_planned_reads_in_pages_by_client_id(self, engine, monkeypatch):
        import bridge.db.retention_store as module

        monkeypatch.setattr(module, "PLAN_PAGE", 2)
        for client_id in (5, 1, 4, 2, 3):
            put(engine, closed(client_id, T), 0)
        store = SqlRetentionStore(engine=engine)
        assert [r.client_id for r in store.planned()] == [1, 2, 3, 4, 5]
        assert [r.client_id for r in store.planned(after=1, limit=3)] == [2, 3, 4]
        assert [r.client_id for r in store.planned(after=4, limit=3)] == [5]
        assert [r.client_id for r in store.planned(after=5)] == []
