"""SIGKILL under load: a real `bridge serve` with several gunicorn workers takes a steady signed load
from senders that retry like the WHMCS outbox. One worker is killed, later the whole process group,
and a new server starts on the same database and port. Every acknowledged event is in the ledger
exactly once, every other one arrives on retry, and the chain verifies without a gap."""

import base64
import os

import pytest

from bridge.db.base import make_engine
from tests.conftest import TEST_MASTER_KEY, TEST_WEBHOOK_SECRET
from tests.support.faults import Load, ServeProcess, audit

LONG = os.environ.get("BRIDGE_LONG") == "1"
COUNT = 3_000 if LONG else 300
RATE = 150.0 if LONG else 60.0
SECRET = base64.b64decode(TEST_WEBHOOK_SECRET.removeprefix("whsec_"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/bridge.db"  # `serve` migrates an empty SQLite database itself
    from tests.conftest import _reset_postgres

    url = request.getfixturevalue("pg_database_url")
    engine = make_engine(url)
    _reset_postgres(engine)
    engine.dispose()
    return url


@pytest.mark.slow
def test_killing_a_worker_then_the_whole_server_loses_and_duplicates_nothing(database_url, tmp_path):
    env = {"BRIDGE_DATABASE_URL": database_url, "BRIDGE_WEBHOOK_SECRET": TEST_WEBHOOK_SECRET,
           "BRIDGE_MASTER_KEY": TEST_MASTER_KEY}
    with ServeProcess(env, cwd=tmp_path, workers=3) as server:
        server.start()
        load = Load(lambda: server.url, SECRET, COUNT, rate=RATE).start()
        try:
            load.wait_acknowledged(COUNT // 4)
            victim = server.kill_worker()
            load.wait_acknowledged(COUNT // 2)
            assert victim not in server.worker_pids() and len(server.worker_pids()) == 3  # the arbiter replaced it
            server.kill_all()
            server.start()
            stats = load.join(timeout=180)
        finally:
            load.stop()
    assert stats.failed == [] and stats.bad_answers == []
    assert set(stats.problems) <= {"/problems/storage-unavailable"}
    engine = make_engine(database_url)
    try:
        result = audit(engine, stats)
    finally:
        engine.dispose()
    print(result.line(f"kill-{engine.dialect.name}"), f"attempts={stats.attempts}",
          f"transport_errors={stats.transport_errors}", f"statuses={dict(stats.statuses)}")
    assert (result.acknowledged, result.found, result.lost, result.duplicated) == (COUNT, COUNT, 0, 0)
    assert result.unrequested == 0 and result.gapless
    assert result.verify_line.startswith("ok ")
