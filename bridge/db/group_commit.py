"""Group commit: concurrent callers in one process share one write transaction.

Each caller queues its request. A caller that finds a free lane leads: it takes every queued
request (up to `max_batch`, oldest first) and runs them in one transaction, so N threads appending
at once pay for one lock, one commit and one fsync instead of N. Then it hands its lane to the
oldest caller still waiting, or frees it. Every other caller sleeps until its request is done. When
a batch fails as a whole (say one request's extra write violates a constraint), each of its
requests is retried alone, so one bad request never fails the others and every caller sees its own
outcome, as with a lone transaction.

Only threads share batches: sync gunicorn workers (one request at a time per process) always run
alone, exactly as without it. Across processes and hosts the database lock still orders writers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Result = TypeVar("Result")


class Request(Generic[Result]):
    """One caller's unit of work; the batch runner fills in `result` (or the committer `error`)."""

    __slots__ = ("_lead", "_signal", "done", "error", "result")

    def __init__(self) -> None:
        self.done = False
        self.result: Result | None = None
        self.error: BaseException | None = None
        self._lead = False  # handed a lane: this caller runs the next batch
        self._signal = threading.Event()

    def outcome(self) -> Result:
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


Req = TypeVar("Req", bound=Request)


class GroupCommitter(Generic[Req]):
    def __init__(self, run_batch: Callable[[Sequence[Req]], None], *, max_batch: int = 128, lanes: int = 1) -> None:
        """`run_batch(requests)` runs them in one transaction and sets each `result`; it raises to
        roll the whole transaction back. Up to `lanes` batches run at once (each needs its own
        connection): while one commits, the next is already queued on the database's lock.

        A caller sleeps on its own request's signal, woken once: when its request is done, or when
        it is handed a lane and becomes the leader of the next batch. No caller is woken for
        another's result."""
        self._run_batch = run_batch
        self._max_batch = max_batch
        self._free_lanes = lanes
        self._mutex = threading.Lock()
        self._queue: list[Req] = []

    def submit(self, request: Req):  # noqa: ANN201 - the request's Result
        with self._mutex:
            self._queue.append(request)
            if self._free_lanes:
                self._free_lanes -= 1
                request._lead = True
        while True:
            request._signal.clear()  # flags are set before the signal, so none is missed below
            if request._lead:
                request._lead = False
                self._lead_one_batch()
                continue
            if request.done:
                return request.outcome()
            request._signal.wait()

    def _lead_one_batch(self) -> None:
        """Run what is queued (oldest first), then pass the lane to the oldest queued caller that
        holds none, or free it."""
        with self._mutex:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
        try:
            if batch:
                self._run(batch)
        finally:
            with self._mutex:
                heir = next((r for r in self._queue if not r._lead), None)
                if heir is None:
                    self._free_lanes += 1
                else:
                    heir._lead = True
                    heir._signal.set()

    def _run(self, batch: list[Req]) -> None:
        try:
            self._run_batch(batch)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller(s), never swallowed
            if len(batch) == 1:
                batch[0].error = exc
            else:
                for request in batch:  # alone, each gets its own outcome
                    request.result, request.error = None, None
                    try:
                        self._run_batch([request])
                    except BaseException as alone:  # noqa: BLE001
                        request.error = alone
        finally:
            for request in batch:
                if request.result is None and request.error is None:
                    request.error = RuntimeError("the batch ended without a result")
                request.done = True
                request._signal.set()
