"""Units of work on SQLite and PostgreSQL: threads appending at once make one gapless chain with
each webhook-id once; everything a unit writes commits together or not at all; a nested unit is a
savepoint; a key created in a unit that rolls back is never used again."""

import threading

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from bridge.db.base import write_tx
from bridge.db.job_store import SqlJobQueue
from tests.support.ledger import email_change


class TestConcurrentAppends:
    def test_many_threads_make_one_gapless_chain_with_each_id_once(self, ledger, engine, clock):
        threads, per_thread = 8, 40
        outcomes: list[tuple[str, bool, tuple]] = []
        lock = threading.Lock()
        start = threading.Barrier(threads)

        def writer(index):
            start.wait()
            for n in range(per_thread):
                webhook_id = f"msg_{n}" if n % 4 == 0 else f"msg_{index}_{n}"  # every 4th id is shared
                draft = email_change(index * 100 + n + 1, "a@example.com", f"b{n}@example.com", clock.now())
                result = ledger.append([draft], webhook_id=webhook_id)
                with lock:
                    outcomes.append((webhook_id, result.duplicate, result.seqs))

        workers = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)
        recorded = [o for o in outcomes if not o[1]]
        ids = [o[0] for o in recorded]
        assert len(ids) == len(set(ids))  # each webhook-id recorded once
        shared = per_thread // 4
        assert len(recorded) == threads * (per_thread - shared) + shared
        seqs = sorted(s for o in recorded for s in o[2])
        assert seqs == list(range(1, len(recorded) + 1))
        result = ledger.verify()
        assert result.ok and result.entries == len(recorded)
        with engine.connect() as conn:
            stored = dict(conn.execute(text("SELECT webhook_id, first_seq FROM webhook_ids")).all())
        assert stored == {o[0]: o[2][0] for o in recorded}

    def test_the_same_id_twice_is_recorded_once(self, ledger, clock):
        first = ledger.append([email_change(1, "a@example.com", "b1@example.com", clock.now())], webhook_id="same-id")
        second = ledger.append([email_change(1, "a@example.com", "b2@example.com", clock.now())], webhook_id="same-id")
        assert first.seqs == (1,) and not first.duplicate
        assert second.duplicate and second.seqs == ()
        assert ledger.verify().entries == 1
        assert ledger.store.webhook_first_seq("same-id") == 1
        # an id with no entries (an event the bridge ignores) is remembered without a seq
        assert ledger.store.remember_webhook("ignored", at=clock.now()) is True
        assert ledger.store.webhook_seen("ignored") and ledger.store.webhook_first_seq("ignored") is None
        assert ledger.store.remember_webhook("ignored", at=clock.now()) is False


class Boom(Exception):
    pass


def count(engine, sql):
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


class TestUnitOfWork:
    def test_entries_and_rows_of_one_unit_commit_together(self, ledger, engine, clock):
        queue = SqlJobQueue(engine=engine)
        with ledger.unit():
            seqs = ledger.append([email_change(1, "a@example.com", "b@example.com", clock.now())]).seqs
            queue.enqueue("revert", {"seq": seqs[0]}, dedupe_key=f"revert:{seqs[0]}", now=clock.now())
            # inside the unit its own writes are visible to its reads
            assert queue.exists("revert:1") and ledger.head()[0] == 1
        assert count(engine, "SELECT count(*) FROM jobs") == 1 and ledger.verify().entries == 1

    def test_a_failing_unit_leaves_nothing_behind(self, ledger, engine, clock):
        queue = SqlJobQueue(engine=engine)
        ledger.append([email_change(1, "a@example.com", "b@example.com", clock.now())], webhook_id="before")
        with pytest.raises(Boom), ledger.unit():
            ledger.append([email_change(2, "a@example.com", "b@example.com", clock.now())], webhook_id="lost")
            queue.enqueue("revert", {"seq": 2}, dedupe_key="revert:2", now=clock.now())
            raise Boom
        assert ledger.verify().entries == 1 and ledger.head()[0] == 1
        assert not ledger.store.webhook_seen("lost") and count(engine, "SELECT count(*) FROM jobs") == 0
        # the chain goes on from the committed head
        assert ledger.append([email_change(3, "a@example.com", "c@example.com", clock.now())]).seqs == (2,)
        assert ledger.verify().ok

    def test_a_nested_unit_is_a_savepoint(self, ledger, clock):
        with ledger.unit():
            ledger.append([email_change(1, "a@example.com", "b@example.com", clock.now())], webhook_id="kept")
            with pytest.raises(Boom), ledger.unit():
                ledger.append([email_change(2, "a@example.com", "b@example.com", clock.now())], webhook_id="undone")
                raise Boom
            ledger.append([email_change(3, "a@example.com", "b@example.com", clock.now())], webhook_id="after")
        assert ledger.verify().ok and ledger.verify().entries == 2
        assert ledger.store.webhook_seen("kept") and ledger.store.webhook_seen("after")
        assert not ledger.store.webhook_seen("undone")

    def test_a_duplicate_job_in_a_unit_does_not_abort_it(self, ledger, engine, clock):
        """A dedupe hit is ON CONFLICT DO NOTHING: on PostgreSQL a failed INSERT would abort the unit."""
        queue = SqlJobQueue(engine=engine)
        with ledger.unit():
            assert queue.enqueue("revert", {"seq": 1}, dedupe_key="revert:1", now=clock.now()) is not None
            assert queue.enqueue("revert", {"seq": 1}, dedupe_key="revert:1", now=clock.now()) is None
            ledger.append([email_change(1, "a@example.com", "b@example.com", clock.now())])
        assert count(engine, "SELECT count(*) FROM jobs") == 1 and ledger.verify().entries == 1

    def test_a_key_created_in_a_unit_that_rolls_back_is_not_reused(self, ledger, clock):
        """Had the key ring cached it, later entries would be sealed under a key nobody stored."""
        with pytest.raises(Boom), ledger.unit():
            ledger.append([email_change(7, "a@example.com", "b@example.com", clock.now())])
            raise Boom
        ledger.append([email_change(7, "a@example.com", "c@example.com", clock.now())])
        entry = ledger.client_page(7, reveal=True).entries[0]
        assert entry["changes"][0]["new"] == "c@example.com"  # readable: its key was stored

    def test_a_failed_statement_fails_the_unit_as_one(self, ledger, engine, clock):
        with pytest.raises(IntegrityError), ledger.unit():
            ledger.append([email_change(1, "a@example.com", "b@example.com", clock.now())], webhook_id="gone")
            with write_tx(engine) as conn:  # joins the unit
                conn.execute(text("INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, 'x')"))  # the id is taken
        assert ledger.verify().entries == 0 and not ledger.store.webhook_seen("gone")


class TestReadsThenUnit:
    """An event reads (keys, verifications) in a reading unit and writes in a unit opened inside
    it: one connection for both; on PostgreSQL one transaction."""

    def test_the_unit_carries_on_from_the_reads_on_their_connection(self, ledger, engine, clock):
        checkouts, begins = [], []

        def checked_out(*_):
            checkouts.append(1)

        def began(conn):
            begins.append(conn)

        # the first key is created apart (a write of its own): warm it, then count
        ledger.append([email_change(1, "a@example.com", "a0@example.com", clock.now())])
        event.listen(engine, "checkout", checked_out)
        event.listen(engine, "begin", began)
        try:
            with ledger.reading():
                assert ledger.store.webhook_seen("first") is False
                sealed = ledger.seal([email_change(1, "a@example.com", "b@example.com", clock.now())])
                with ledger.unit():
                    assert ledger.append_sealed(sealed, webhook_id="first").seqs == (2,)
        finally:
            event.remove(engine, "checkout", checked_out)
            event.remove(engine, "begin", began)
        assert len(checkouts) == 1
        assert len(begins) == (2 if engine.dialect.name == "sqlite" else 1)
        assert ledger.verify().entries == 2 and ledger.store.webhook_seen("first")

    def test_a_failing_unit_inside_the_reads_leaves_nothing_and_later_reads_still_work(self, ledger, clock):
        ledger.append([email_change(1, "a@example.com", "b@example.com", clock.now())], webhook_id="before")
        with ledger.reading():
            sealed = ledger.seal([email_change(2, "a@example.com", "b@example.com", clock.now())])
            with pytest.raises(Boom), ledger.unit():
                ledger.append_sealed(sealed, webhook_id="lost")
                raise Boom
            # the reading's transaction went with the unit: reads after it open their own
            assert ledger.store.webhook_seen("before") and not ledger.store.webhook_seen("lost")
        assert ledger.verify().entries == 1 and ledger.head()[0] == 1

    def test_a_failing_read_after_the_reads_began_rolls_them_back_cleanly(self, ledger, clock):
        with pytest.raises(Boom), ledger.reading():
            assert ledger.store.webhook_seen("x") is False
            raise Boom
        # the connection went back to the pool usable: the next event reads and writes
        with ledger.reading():
            sealed = ledger.seal([email_change(3, "a@example.com", "b@example.com", clock.now())])
            with ledger.unit():
                assert ledger.append_sealed(sealed, webhook_id="next").seqs == (1,)
        assert ledger.verify().ok

    def test_threads_reading_then_writing_at_once_make_one_gapless_chain(self, ledger, clock):
        """On SQLite the write begins IMMEDIATE after the read ends: a read transaction that went on
        to write would fail when another writer committed in between."""
        threads, per_thread = 6, 25
        failures: list[BaseException] = []
        start = threading.Barrier(threads)

        def writer(index):
            start.wait()
            try:
                for n in range(per_thread):
                    with ledger.reading():
                        ledger.store.webhook_seen(f"m{index}_{n}")
                        sealed = ledger.seal([email_change(index * 100 + n + 1, "a@example.com",
                                                           f"b{n}@example.com", clock.now())])
                        with ledger.unit():
                            ledger.append_sealed(sealed, webhook_id=f"m{index}_{n}")
            except BaseException as exc:  # noqa: BLE001 - reported below
                failures.append(exc)

        workers = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)
        assert failures == []
        result = ledger.verify()
        assert result.ok and result.entries == threads * per_thread
