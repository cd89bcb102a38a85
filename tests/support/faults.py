"""Fault-test tools: a `bridge serve` that can be killed and restarted on the same port, a steady
signed load that retries like the WHMCS outbox, and the ledger audit that says nothing was lost or
written twice."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import text

from bridge.signing import signed_headers
from tests.support.servers import ROOT, client_edit, free_port, wait_ready


def children(pid: int) -> list[int]:
    """Direct children of `pid`, read from /proc (gunicorn's workers are its arbiter's children)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


class ServeProcess:
    """One `bridge serve --no-worker` in its own process group, on a port that survives restarts."""

    def __init__(self, env: dict[str, str], *, cwd: Path, workers: int = 3, port: int | None = None,
                 preexec=None) -> None:  # noqa: ANN001
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")}, **env}
        self.cwd, self.workers, self.port = cwd, workers, port or free_port()
        self.preexec = preexec
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        self.starts += 1
        log = open(self.cwd / f"bridge-serve-{self.port}-{self.starts}.log", "wb")
        command = [sys.executable, "-m", "bridge.cli", "serve", "--port", str(self.port),
                   "--workers", str(self.workers), "--no-worker"]
        try:
            self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True, preexec_fn=self.preexec)
        finally:
            log.close()  # the child holds its own copy
        wait_ready(self.url, timeout=60)
        self._wait_workers()
        return self.url

    def _wait_workers(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.worker_pids()) < self.workers and time.monotonic() < deadline:
            time.sleep(0.05)

    def worker_pids(self) -> list[int]:
        return children(self.proc.pid) if self.proc and self.proc.poll() is None else []

    def kill_worker(self) -> int:
        """SIGKILL one gunicorn worker; the arbiter starts a replacement."""
        victim = self.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def kill_all(self) -> None:
        """SIGKILL the whole process group, arbiter and workers at once, as a power cut would."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # a worker the arbiter left behind
        except ProcessLookupError:
            pass

    def __enter__(self) -> ServeProcess:
        return self

    def __exit__(self, *_exc) -> None:  # noqa: ANN002
        self.stop()


def is_problem(response: requests.Response) -> bool:
    return response.headers.get("Content-Type", "").startswith("application/problem+json")


@dataclass
class LoadStats:
    ids: list[str]
    acknowledged: set[str] = field(default_factory=set)
    attempts: int = 0
    statuses: Counter = field(default_factory=Counter)
    transport_errors: int = 0
    bad_answers: list[str] = field(default_factory=list)  # 500s and 5xx that are not problem documents
    problems: Counter = field(default_factory=Counter)  # the `type` of every problem document answered
    failed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def sent(self) -> int:
        return len(self.ids)


class Load:
    """`count` distinct ClientEdit events from `threads` senders, each retried with a fresh
    signature and the same webhook-id until acknowledged (as the outbox does), at about `rate`
    new events a second overall. `url` is read before every attempt, so senders follow a restart
    on another port. Runs in the background; `join()` waits for it."""

    def __init__(self, url, secret: bytes, count: int, *, threads: int = 6, rate: float = 50.0,  # noqa: ANN001
                 deadline_s: float = 120.0, body=client_edit) -> None:  # noqa: ANN001
        self.url = url if callable(url) else (lambda: url)
        self.secret, self.count, self.threads, self.rate = secret, count, threads, rate
        self.deadline_s, self.body = deadline_s, body
        self.stats = LoadStats(ids=[f"msg_{uuid.uuid4().hex}" for _ in range(count)])
        self._next = iter(range(count))
        self._lock = threading.Lock()
        self._workers: list[threading.Thread] = []
        self._stop = threading.Event()

    def start(self) -> Load:
        self._stop_at = time.monotonic() + self.deadline_s
        self._workers = [threading.Thread(target=self._work, daemon=True) for _ in range(self.threads)]
        for worker in self._workers:
            worker.start()
        return self

    def join(self, timeout: float | None = None) -> LoadStats:
        for worker in self._workers:
            worker.join(timeout)
        return self.stats

    def stop(self) -> None:
        self._stop.set()
        self.join(30)

    def acknowledged(self) -> int:
        with self.stats.lock:
            return len(self.stats.acknowledged)

    def wait_acknowledged(self, at_least: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.acknowledged() < at_least:
            assert time.monotonic() < deadline, f"only {self.acknowledged()} of {at_least} acknowledged in time"
            time.sleep(0.02)

    def _work(self) -> None:
        session = requests.Session()
        pause = self.threads / self.rate
        while not self._stop.is_set():
            with self._lock:
                n = next(self._next, None)
            if n is None:
                return
            if not self._deliver(session, n):
                with self.stats.lock:
                    self.stats.failed.append(self.stats.ids[n])
            self._stop.wait(pause * random.uniform(0.5, 1.5))

    def _deliver(self, session: requests.Session, n: int) -> bool:
        raw = json.dumps(self.body(n)).encode()
        webhook_id = self.stats.ids[n]
        while time.monotonic() < self._stop_at and not self._stop.is_set():
            headers = {**signed_headers(self.secret, msg_id=webhook_id, timestamp=int(time.time()), body=raw),
                       "Content-Type": "application/json"}
            outcome = self._attempt(session, raw, headers)
            if outcome in (200, 202):
                with self.stats.lock:
                    self.stats.acknowledged.add(webhook_id)
                return True
            if outcome is not None and outcome < 500 and outcome not in (401, 408, 429):
                return False  # final for the outbox
            time.sleep(random.uniform(0.05, 0.3))
        return False

    def _attempt(self, session: requests.Session, raw: bytes, headers: dict) -> int | None:
        try:
            response = session.post(f"{self.url()}/v1/hooks/whmcs", data=raw, headers=headers, timeout=10)
        except requests.RequestException:
            with self.stats.lock:
                self.stats.attempts += 1
                self.stats.transport_errors += 1
            return None
        with self.stats.lock:
            self.stats.attempts += 1
            self.stats.statuses[response.status_code] += 1
            if response.status_code == 500 or (response.status_code >= 500 and not is_problem(response)):
                self.stats.bad_answers.append(f"{response.status_code} {response.text[:200]}")
            elif is_problem(response):
                self.stats.problems[response.json().get("type")] += 1
        return response.status_code


@dataclass
class Audit:
    sent: int
    acknowledged: int
    found: int
    lost: int
    duplicated: int
    unrequested: int
    reverts_missing: int  # recorded unverified edits whose revert job was never queued
    entries: int
    verify_line: str
    gapless: bool

    def line(self, scenario: str) -> str:
        return (f"[fault:{scenario}] sent={self.sent} acknowledged={self.acknowledged} found={self.found} "
                f"lost={self.lost} duplicated={self.duplicated} reverts_missing={self.reverts_missing} "
                f"entries={self.entries} "
                f"verify={self.verify_line!r} gapless={self.gapless}")


def audit(engine, stats: LoadStats) -> Audit:  # noqa: ANN001
    """Compare what the senders were told with what the ledger holds: each acknowledged id once in
    webhook_ids and once among the client.updated entries; the chain verifies and `seq` has no gap."""
    from bridge.clock import SystemClock
    from tests.support.ledger import make_ledger

    with engine.connect() as conn:
        remembered = Counter(r[0] for r in conn.execute(text(
            "SELECT webhook_id FROM webhook_ids WHERE webhook_id NOT LIKE 'bridge:%'")))
        updates = conn.execute(text("SELECT seq, body FROM ledger_entries WHERE event_type = 'client.updated'")).all()
        recorded = Counter(json.loads(bytes(r[1]))["details"]["webhook_id"] for r in updates)
        queued = {r[0] for r in conn.execute(text("SELECT dedupe_key FROM jobs WHERE kind = 'revert'"))}
        low, high, rows = conn.execute(text("SELECT min(seq), max(seq), count(*) FROM ledger_entries")).one()
    sent = set(stats.ids)
    result = make_ledger(engine, SystemClock()).verify()
    return Audit(
        sent=stats.sent, acknowledged=len(stats.acknowledged), found=len(sent & set(recorded)),
        lost=len(stats.acknowledged - set(recorded)) + len(stats.acknowledged - set(remembered)),
        duplicated=sum(n - 1 for n in recorded.values() if n > 1) + sum(n - 1 for n in remembered.values() if n > 1),
        unrequested=len(set(recorded) - sent), entries=rows,
        reverts_missing=sum(f"revert:{r[0]}" not in queued for r in updates), verify_line=result.line(),
        gapless=rows == 0 or (low == 1 and high == rows),
    )


def outage_after(state, action: str, calls: int, kind: str, **options) -> None:  # noqa: ANN001, ANN003
    """Once `action` has been called `calls` times, every WHMCS API call fails with `kind` until
    `state.faults.clear()`: an outage that begins in the middle of a run, not before it."""
    plan, lock, seen = state.faults, threading.Lock(), Counter()
    take = plan.take

    def counting(name: str):  # noqa: ANN202
        with lock:
            if name.lower() == action.lower():
                seen[name] += 1
                if seen[name] == calls + 1:
                    plan.inject("*", kind, times=None, **options)
        return take(name)

    plan.take = counting
