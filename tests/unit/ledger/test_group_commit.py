"""Group commit: threads of one process that append at once share one transaction, yet every caller
gets its own outcome, exactly as if it had been alone."""

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bridge.db.group_commit import GroupCommitter, Request
from tests.support.ledger import email_change


class Job(Request):
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class TestCommitter:
    def test_requests_queued_while_a_batch_runs_share_the_next_batch(self):
        batches: list[list[str]] = []
        first_running, release = threading.Event(), threading.Event()

        def run_batch(batch):
            batches.append([job.name for job in batch])
            if len(batches) == 1:
                first_running.set()
                assert release.wait(10)
            for job in batch:
                job.result = job.name.upper()

        committer = GroupCommitter(run_batch)
        results: dict[str, str] = {}

        def submit(name):
            results[name] = committer.submit(Job(name))

        leader = threading.Thread(target=submit, args=("a",))
        leader.start()
        assert first_running.wait(10)
        followers = [threading.Thread(target=submit, args=(n,)) for n in ("b", "c", "d")]
        for thread in followers:
            thread.start()
        while len(committer._queue) < 3:  # all three are waiting behind the running batch
            threading.Event().wait(0.001)
        release.set()
        for thread in (leader, *followers):
            thread.join(10)
        assert batches[0] == ["a"]
        assert sorted(batches[1]) == ["b", "c", "d"] and len(batches) == 2
        assert results == {"a": "A", "b": "B", "c": "C", "d": "D"}

    def test_a_failing_batch_is_retried_request_by_request(self):
        calls: list[list[str]] = []

        def run_batch(batch):
            calls.append([job.name for job in batch])
            for job in batch:
                if job.name == "bad":
                    raise ValueError("bad request")
                job.result = "ok:" + job.name

        committer = GroupCommitter(run_batch)
        jobs = [Job("one"), Job("bad"), Job("two")]
        committer._queue.extend([jobs[0], jobs[2]])  # as if two other threads had queued first
        with pytest.raises(ValueError, match="bad request"):
            committer.submit(jobs[1])
        assert calls == [["one", "two", "bad"], ["one"], ["two"], ["bad"]]
        assert [job.outcome() for job in (jobs[0], jobs[2])] == ["ok:one", "ok:two"]

    def test_a_lone_caller_runs_alone(self):
        seen = []
        committer = GroupCommitter(lambda batch: [seen.append(len(batch)), setattr(batch[0], "result", 1)])
        assert committer.submit(Job("x")) == 1
        assert seen == [1]


class TestLedgerBatches:
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

    def test_one_failing_extra_write_fails_only_its_own_append(self, ledger, engine, clock):
        store = ledger.store
        store_batches = []
        original = store._append_batch

        def spy(batch):
            store_batches.append(len(batch))
            return original(batch)

        store._committer._run_batch = spy

        def broken(conn, seqs):
            conn.execute(text("INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, 'x')"))  # the id is taken

        prepared = [ledger._prepare(email_change(n, "a@example.com", "b@example.com", clock.now()),
                                    ledger.keyring.for_writing(f"client:{n}"), recorded_at=clock.now())
                    for n in (1, 2, 3)]
        from bridge.db.ledger_store import _Append

        requests = [_Append((prepared[0],), "ok-1", clock.now(), ()),
                    _Append((prepared[1],), "bad", clock.now(), (broken,)),
                    _Append((prepared[2],), "ok-2", clock.now(), ())]
        store._committer._queue.extend([requests[0], requests[2]])
        with pytest.raises(IntegrityError):
            store._committer.submit(requests[1])
        assert store_batches == [3, 1, 1, 1]
        assert [r.outcome().seqs for r in (requests[0], requests[2])] == [(1,), (2,)]
        assert ledger.verify().ok and ledger.verify().entries == 2
        assert not store.webhook_seen("bad") and store.webhook_seen("ok-1") and store.webhook_seen("ok-2")

    def test_the_same_id_twice_in_one_batch_is_recorded_once(self, ledger, clock):
        store = ledger.store
        from bridge.db.ledger_store import _Append

        prepared = [ledger._prepare(email_change(1, "a@example.com", f"b{n}@example.com", clock.now()),
                                    ledger.keyring.for_writing("client:1"), recorded_at=clock.now()) for n in (1, 2)]
        first, second = (_Append((p,), "same-id", clock.now(), ()) for p in prepared)
        store._committer._queue.append(first)
        store._committer.submit(second)
        assert first.outcome().seqs == (1,) and not first.outcome().duplicate
        assert second.outcome().duplicate and second.outcome().seqs == ()
        assert ledger.verify().entries == 1

    def test_a_batch_led_by_a_seen_id_records_only_the_fresh_ones(self, ledger, clock):
        """On PostgreSQL the first id of a batch is remembered in the statement that locks the head."""
        store = ledger.store
        from bridge.db.ledger_store import _Append

        prepared = [ledger._prepare(email_change(1, "a@example.com", f"b{n}@example.com", clock.now()),
                                    ledger.keyring.for_writing("client:1"), recorded_at=clock.now()) for n in (1, 2, 3)]
        assert ledger.append([email_change(1, "x@example.com", "y@example.com", clock.now())],
                             webhook_id="seen").seqs == (1,)
        seen = _Append((prepared[0],), "seen", clock.now(), ())
        fresh = _Append((prepared[1],), "fresh", clock.now(), ())
        store._committer._queue.append(seen)
        store._committer.submit(fresh)
        assert seen.outcome().duplicate and fresh.outcome().seqs == (2,)
        assert store.webhook_first_seq("seen") == 1 and store.webhook_first_seq("fresh") == 2
        # an id with no entries (an event the bridge ignores) is remembered without a seq
        assert store.remember_webhook("ignored", at=clock.now()) is True
        assert store.webhook_seen("ignored") and store.webhook_first_seq("ignored") is None
        assert store.remember_webhook("ignored", at=clock.now()) is False
        alone = _Append((prepared[2],), "alone", clock.now(), ())
        assert store._committer.submit(alone).seqs == (3,)
        assert store.webhook_first_seq("alone") == 3
        assert ledger.verify().ok and ledger.verify().entries == 3
