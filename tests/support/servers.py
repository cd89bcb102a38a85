"""Real `bridge serve` processes for system tests, and a sender that retries like the outbox."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests

from bridge.signing import signed_headers

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


@contextmanager
def bridge_server(env: dict[str, str], *, workers: int = 2, cwd: Path | None = None) -> Iterator[str]:
    """`bridge serve` on a free loopback port; yields its base URL; SIGTERM on exit."""
    port = free_port()
    full_env = {**{k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")}, **env}
    log = open(Path(cwd or ROOT) / f"bridge-serve-{port}.log", "wb")  # a pipe nobody reads would block
    proc = subprocess.Popen(
        [sys.executable, "-m", "bridge.cli", "serve", "--port", str(port), "--workers", str(workers), "--no-worker"],
        cwd=cwd or ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@dataclass
class SendStats:
    sent: int = 0
    acknowledged: set[str] = field(default_factory=set)
    duplicates: int = 0
    retries: int = 0
    failed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def client_edit(n: int) -> dict:
    client_id = 1 + n % 500
    return {"event": "ClientEdit", "occurred_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "whmcs": {"version": "8.13.1"}, "actor": {"type": "admin", "id": 1}, "outbox_id": n + 1,
            "vars": {"userid": client_id, "email": f"c{n}@example.com", "olddata": {"email": f"o{n}@example.com"}}}


def send_events(urls: list[str], secret: bytes, count: int, *, threads: int = 8, deadline_s: float = 600,
                duplicate_every: int = 10) -> SendStats:
    """Send `count` distinct signed events spread over `urls`; every tenth also goes to another
    instance. Each is retried (fresh signature) until acknowledged or the deadline passes."""
    stats = SendStats()
    ids = [f"msg_{uuid.uuid4().hex}" for _ in range(count)]
    next_index = iter(range(count))
    index_lock = threading.Lock()
    stop_at = time.monotonic() + deadline_s

    def deliver(session: requests.Session, n: int, url: str) -> bool:
        body = json.dumps(client_edit(n)).encode()
        while time.monotonic() < stop_at:
            headers = {**signed_headers(secret, msg_id=ids[n], timestamp=int(time.time()), body=body),
                       "Content-Type": "application/json"}
            try:
                response = session.post(f"{url}/v1/hooks/whmcs", data=body, headers=headers, timeout=10)
            except requests.RequestException:
                response = None
            if response is not None and response.status_code in (200, 202):
                with stats.lock:
                    stats.acknowledged.add(ids[n])
                    stats.duplicates += response.status_code == 200
                return True
            with stats.lock:
                stats.retries += 1
            time.sleep(random.uniform(0.05, 0.3))  # noqa: S311
        return False

    def work() -> None:
        session = requests.Session()
        while True:
            with index_lock:
                n = next(next_index, None)
            if n is None:
                return
            targets = [urls[n % len(urls)]]
            if duplicate_every and n % duplicate_every == 0 and len(urls) > 1:
                targets.append(urls[(n + 1) % len(urls)])
            for url in targets:
                if not deliver(session, n, url):
                    with stats.lock:
                        stats.failed.append(ids[n])
            with stats.lock:
                stats.sent += 1

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stats.ids = ids  # type: ignore[attr-defined]
    return stats
