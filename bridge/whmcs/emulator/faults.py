"""Failure injection per action: what a flaky WHMCS or the network in between can do.

Kinds: `http500` (an HTML 500 page), `timeout` (answer only after `seconds`, longer than the
client's read timeout), `error` (a `result=error` answer with `message`), `malformed` (a body
that is not JSON), `latency` (a delay before an otherwise normal answer). Each applies to the next
`times` calls of the action (or of every action, "*"), or always when `times` is None.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

KINDS = ("http500", "timeout", "error", "malformed", "latency")
MAX_SLEEP_S = 30.0  # a forgotten fault must never hang a test run for long


@dataclass
class Fault:
    kind: str
    remaining: int | None
    message: str = ""
    seconds: float = 0.0
    # For `timeout`: whether WHMCS still carries the call out after the caller gave up, the
    # ambiguous case a write's caller has to survive.
    apply: bool = False


class FaultPlan:
    """Thread-safe queue of faults. Sleeps are interruptible: `release()` wakes every sleeper,
    which the server does on shutdown."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[tuple[str, Fault]] = []
        self._stop = threading.Event()

    def inject(
        self, action: str, kind: str, *, times: int | None = 1, message: str = "",
        seconds: float = 2.0, apply: bool = False,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(KINDS)}")
        if kind == "error" and not message:
            raise ValueError("an error fault needs the WHMCS message to answer with")
        fault = Fault(kind, times, message, min(seconds, MAX_SLEEP_S), apply)
        with self._lock:
            self._faults.append((action.lower(), fault))

    def take(self, action: str) -> tuple[float, Fault | None]:
        """(latency to add, the failure to apply or None) for one call, using up counted faults."""
        delay, failure = 0.0, None
        with self._lock:
            for target, fault in list(self._faults):
                if target not in ("*", action.lower()):
                    continue
                if fault.kind == "latency":
                    delay += fault.seconds
                elif failure is None:
                    failure = fault
                else:
                    continue
                self._use(target, fault)
        return delay, failure

    def _use(self, target: str, fault: Fault) -> None:
        if fault.remaining is None:
            return
        fault.remaining -= 1
        if fault.remaining <= 0:
            self._faults.remove((target, fault))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def wait(self, seconds: float) -> None:
        if seconds > 0:
            self._stop.wait(min(seconds, MAX_SLEEP_S))

    def release(self) -> None:
        self._stop.set()

    def rearm(self) -> None:
        """Undo `release()`, for a state served again after a shutdown."""
        self._stop.clear()
