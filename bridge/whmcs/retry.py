"""The one retry policy for WHMCS calls.

A read (an action `documented.READS` lists) is retried on transient trouble (a connection error, a
timeout, HTTP 408, 429 or 5xx, a 2xx answer that is not WHMCS's JSON envelope) with exponential
backoff and jitter, at most `attempts` requests in all, inside one total `deadline` measured from
its first request: no attempt starts once the deadline has passed, a backoff that would end at or
past it is not slept, and every attempt's timeouts are capped by the time left. WHMCS's final word
(`result=error`) and a redirect (the URL setting is wrong) are never retried.

A write is sent exactly once: any failure after its first byte left might have reached WHMCS, so
the client raises `WhmcsUnavailable` and the durable job that holds the write retries it later,
after re-reading (`bridge.jobs.worker`'s backoff). Nothing else retries: the Session's adapter
makes one attempt per request, and callers do not wrap the client in loops of their own.

The numbers come from settings (`RetryPolicy.from_settings`); the clock, sleep and randomness are
passed in by the client so tests can run the policy on a fake clock.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bridge.whmcs.errors import WhmcsUnavailable

T = TypeVar("T")
Timeout = tuple[float, float]  # (connect, read) seconds, as requests takes them


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """attempts: requests a read may make in all (1: never retried). backoff: seconds before the
    second attempt, doubling for each further one up to backoff_cap, then jittered to between half
    and all of that. deadline: seconds from a read's first request within which every attempt must
    start and end. connect_timeout, read_timeout: per request (a write's too), each capped by the
    time left before the deadline."""

    attempts: int = 3
    backoff: float = 0.5
    backoff_cap: float = 8.0
    deadline: float = 45.0
    connect_timeout: float = 5.0
    read_timeout: float = 20.0

    def __post_init__(self) -> None:
        if isinstance(self.attempts, bool) or not isinstance(self.attempts, int) or self.attempts < 1:
            raise ValueError("attempts must be a whole number of at least 1")
        for name in ("deadline", "connect_timeout", "read_timeout"):
            _check_seconds(name, getattr(self, name), positive=True)
        for name in ("backoff", "backoff_cap"):
            _check_seconds(name, getattr(self, name), positive=False)

    @classmethod
    def from_settings(cls, settings: Any) -> RetryPolicy:
        """The policy the `whmcs_*` settings describe (see bridge/settings.py)."""
        return cls(attempts=settings.whmcs_read_attempts, backoff=settings.whmcs_retry_backoff,
                   backoff_cap=settings.whmcs_retry_backoff_cap, deadline=settings.whmcs_read_deadline,
                   connect_timeout=settings.whmcs_connect_timeout, read_timeout=settings.whmcs_read_timeout)

    def delay(self, retry: int, random: float) -> float:
        """Seconds to wait before retry number `retry` (0 for the second attempt); `random` in
        [0, 1) picks the jitter."""
        base = min(self.backoff_cap, self.backoff * 2**retry)
        return base * (0.5 + random / 2)

    def timeout(self, remaining: float) -> Timeout:
        """(connect, read) timeouts for a request with `remaining` seconds left of the deadline."""
        left = max(remaining, 0.0)
        return (min(self.connect_timeout, left), min(self.read_timeout, left))

    def write_timeout(self) -> Timeout:
        """The timeouts of a write's one request."""
        return self.timeout(self.deadline)


def transient(exc: BaseException) -> bool:
    """Whether trying a read again soon may succeed."""
    return isinstance(exc, WhmcsUnavailable) and exc.transient


def retry_read(
    policy: RetryPolicy, attempt: Callable[[Timeout], T], *, clock: Callable[[], float],
    sleep: Callable[[float], None], random: Callable[[], float],
) -> T:
    """`attempt(timeout)` until it succeeds, raises something not `transient`, has been tried
    `policy.attempts` times, or the deadline leaves no room for another try; then the last error is
    raised. `clock` is a monotonic clock in seconds."""
    started = clock()
    tried = 0
    while True:
        remaining = policy.deadline - (clock() - started)
        try:
            return attempt(policy.timeout(remaining))
        except Exception as exc:
            tried += 1
            if not transient(exc) or tried >= policy.attempts:
                raise
            pause = policy.delay(tried - 1, random())
            if clock() - started + pause >= policy.deadline:
                raise  # the next attempt would start at or after the deadline
            sleep(pause)
            if clock() - started >= policy.deadline:
                raise  # the sleep overran: still no attempt after the deadline


def _check_seconds(name: str, value: object, *, positive: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number of seconds")
    if value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be {'more than' if positive else 'at least'} 0 seconds")
