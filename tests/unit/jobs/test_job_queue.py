"""The durable job queue on both backends: leases are exclusive, expire, and retries back off."""

import threading
from datetime import timedelta

import pytest

from bridge.clock import FixedClock
from bridge.db.job_store import SqlJobQueue
from bridge.jobs.worker import Backoff, Final, Retryable, Worker


@pytest.fixture
def queue(engine):
    return SqlJobQueue(engine=engine)


class TestSqlJobQueue:
    def test_a_job_is_leased_once_then_completed(self, queue, clock):
        job_id = queue.enqueue("revert", {"seq": 5}, client_id=42, now=clock.now())
        job = queue.lease(owner="w1", now=clock.now(), lease_for=timedelta(minutes=1))
        assert (job.id, job.kind, job.payload, job.attempts) == (job_id, "revert", {"seq": 5}, 1)
        assert queue.lease(owner="w2", now=clock.now(), lease_for=timedelta(minutes=1)) is None
        assert queue.complete(job_id, owner="w1", now=clock.now())
        assert queue.get(job_id).status == "done"
        assert queue.for_client(42) == []

    def test_an_expired_lease_is_taken_over_and_the_old_owner_cannot_finish(self, queue, clock):
        job_id = queue.enqueue("revert", {}, now=clock.now())
        queue.lease(owner="dead", now=clock.now(), lease_for=timedelta(minutes=1))
        clock.advance(timedelta(minutes=2))
        again = queue.lease(owner="alive", now=clock.now(), lease_for=timedelta(minutes=1))
        assert again.id == job_id and again.attempts == 2
        assert not queue.complete(job_id, owner="dead", now=clock.now())
        assert queue.complete(job_id, owner="alive", now=clock.now())

    def test_an_open_dedupe_key_is_queued_once(self, queue, clock):
        first = queue.enqueue("retention", {}, dedupe_key="retention:42", now=clock.now())
        assert first is not None
        assert queue.enqueue("retention", {}, dedupe_key="retention:42", now=clock.now()) is None
        job = queue.lease(owner="w", now=clock.now(), lease_for=timedelta(minutes=1))
        queue.complete(job.id, owner="w", now=clock.now())
        assert queue.enqueue("retention", {}, dedupe_key="retention:42", now=clock.now()) is not None

    def test_jobs_wait_for_run_after_and_kinds_filter(self, queue, clock):
        queue.enqueue("later", {}, run_after=clock.now() + timedelta(hours=1), now=clock.now())
        queue.enqueue("other", {}, now=clock.now())
        assert queue.lease(owner="w", now=clock.now(), lease_for=timedelta(minutes=1), kinds=("later",)) is None
        clock.advance(timedelta(hours=2))
        assert queue.lease(owner="w", now=clock.now(), lease_for=timedelta(minutes=1), kinds=("later",)).kind == "later"

    def test_concurrent_leasers_never_share_a_job(self, queue, clock):
        for i in range(60):
            queue.enqueue("k", {"i": i}, now=clock.now())
        taken: list[int] = []
        lock = threading.Lock()

        def lease_all(owner: str) -> None:
            while (job := queue.lease(owner=owner, now=clock.now(), lease_for=timedelta(minutes=5))) is not None:
                with lock:
                    taken.append(job.id)

        threads = [threading.Thread(target=lease_all, args=(f"w{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(taken) == sorted(set(taken)) and len(taken) == 60


class TestWorker:
    def test_retryable_errors_back_off_and_final_errors_stop(self, queue, clock):
        calls = []

        def flaky(job):
            calls.append(job.attempts)
            if job.attempts < 3:
                raise Retryable("WHMCS unreachable")

        def refused(job):
            raise Final("WHMCS said no")

        worker = Worker(queue=queue, handlers={"flaky": flaky, "refused": refused}, clock=clock,
                        backoff=Backoff(base_s=10, cap_s=100, max_attempts=5))
        flaky_id = queue.enqueue("flaky", {}, now=clock.now())
        refused_id = queue.enqueue("refused", {}, now=clock.now())
        assert worker.drain() == 2
        assert queue.get(refused_id).status == "failed" and queue.get(refused_id).last_error == "WHMCS said no"
        retry = queue.get(flaky_id)
        assert retry.status == "pending" and retry.last_error == "WHMCS unreachable"
        assert 5 <= (retry.run_after - clock.now()).total_seconds() <= 10
        assert worker.drain() == 0  # not due yet
        for _ in range(3):
            clock.advance(timedelta(minutes=5))
            worker.drain()
        assert calls == [1, 2, 3] and queue.get(flaky_id).status == "done"

    def test_a_worker_gives_up_after_max_attempts(self, queue):
        clock = FixedClock(__import__("datetime").datetime(2026, 1, 1, tzinfo=__import__("datetime").UTC))

        def broken(job):
            raise RuntimeError("boom with secret-ish text")

        worker = Worker(queue=queue, handlers={"b": broken}, clock=clock,
                        backoff=Backoff(base_s=1, cap_s=1, max_attempts=3))
        job_id = queue.enqueue("b", {}, now=clock.now())
        for _ in range(5):
            worker.drain()
            clock.advance(timedelta(seconds=5))
        job = queue.get(job_id)
        assert job.status == "failed" and job.attempts == 3
        assert "secret-ish" not in job.last_error and "RuntimeError" in job.last_error
