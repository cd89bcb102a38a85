"""PostgreSQL restarted under load, on a private cluster this test owns. While the database is down
`/readyz` and hook posts answer 503 problem documents (never a 500); once it is back the same bridge
processes recover without a restart, and the outbox-style retries leave every event in the ledger
exactly once."""

import base64
import json
import os
import time

import pytest
import requests

from bridge.db import migrate
from bridge.db.base import make_engine
from bridge.signing import signed_headers
from tests.conftest import TEST_MASTER_KEY, TEST_WEBHOOK_SECRET
from tests.support.faults import Load, ServeProcess, audit, is_problem
from tests.support.pg_cluster import private_cluster
from tests.support.servers import client_edit

LONG = os.environ.get("BRIDGE_LONG") == "1"
COUNT = 3_000 if LONG else 300
RATE = 150.0 if LONG else 60.0
DOWN_S = 10.0 if LONG else 2.0
SECRET = base64.b64decode(TEST_WEBHOOK_SECRET.removeprefix("whsec_"))


@pytest.fixture
def cluster():
    with private_cluster() as started:
        yield started


def readiness(url: str) -> int:
    return requests.get(f"{url}/readyz", timeout=10).status_code


def wait_readiness(url: str, status: int, *, timeout: float = 30, in_a_row: int = 6) -> None:
    """Several answers in a row, so that every gunicorn worker has most likely been asked."""
    deadline, streak = time.monotonic() + timeout, 0
    while streak < in_a_row:
        assert time.monotonic() < deadline, f"/readyz never settled on {status}"
        streak = streak + 1 if readiness(url) == status else 0
        time.sleep(0.05)


def post_probe(url: str, n: int) -> requests.Response:
    raw = json.dumps(client_edit(n)).encode()
    headers = {**signed_headers(SECRET, msg_id=f"msg_probe_{n}", timestamp=int(time.time()), body=raw),
               "Content-Type": "application/json"}
    return requests.post(f"{url}/v1/hooks/whmcs", data=raw, headers=headers, timeout=10)


def while_down(url: str) -> None:
    wait_readiness(url, 503, timeout=15)
    body = requests.get(f"{url}/readyz", timeout=10).json()
    assert body["checks"]["database"] == "unreachable"
    for n in range(6):
        response = post_probe(url, 10_000_000 + n)
        assert response.status_code == 503 and is_problem(response), response.text[:300]
        assert response.json()["type"] == "/problems/storage-unavailable"


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_postgres_restart_under_load_is_survived_without_restarting_the_bridge(cluster, mode, tmp_path):
    url = cluster.create_database("bridge")
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    env = {"BRIDGE_DATABASE_URL": url, "BRIDGE_WEBHOOK_SECRET": TEST_WEBHOOK_SECRET,
           "BRIDGE_MASTER_KEY": TEST_MASTER_KEY}
    with ServeProcess(env, cwd=tmp_path, workers=3) as server:
        base = server.start()
        arbiter = server.proc.pid
        load = Load(base, SECRET, COUNT, rate=RATE).start()
        try:
            load.wait_acknowledged(COUNT // 3)
            cluster.stop(mode)
            started = time.monotonic()
            while_down(base)
            time.sleep(max(0.0, DOWN_S - (time.monotonic() - started)))
            cluster.start()
            wait_readiness(base, 200, timeout=30)
            stats = load.join(timeout=180)
        finally:
            load.stop()
        assert server.proc.pid == arbiter and server.proc.poll() is None  # never restarted
    assert stats.failed == [] and stats.bad_answers == []
    assert set(stats.problems) <= {"/problems/storage-unavailable"}
    engine = make_engine(url)
    try:
        result = audit(engine, stats)
    finally:
        engine.dispose()
    print(result.line(f"postgres-restart-{mode}"), f"attempts={stats.attempts}",
          f"statuses={dict(stats.statuses)}")
    assert (result.acknowledged, result.found, result.lost, result.duplicated) == (COUNT, COUNT, 0, 0)
    assert result.unrequested == 0 and result.gapless
    assert result.verify_line.startswith("ok ")
