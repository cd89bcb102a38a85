"""Two bridge instances, each with several gunicorn workers, share nothing but one PostgreSQL
database. Events sent to both at once end as one gapless chain, each acknowledged webhook-id
exactly once. The CI profile sends 2,000 events; BRIDGE_LONG=1 sends the full 20,000."""

import base64
import os

import pytest
from sqlalchemy import text

from tests.support.servers import bridge_server, send_events

COUNT = 20_000 if os.environ.get("BRIDGE_LONG") == "1" else 2_000


@pytest.fixture
def pg_env(pg_database_url):
    from bridge.db.base import make_engine
    from tests.conftest import TEST_MASTER_KEY, TEST_WEBHOOK_SECRET, _reset_postgres

    engine = make_engine(pg_database_url)
    _reset_postgres(engine)
    engine.dispose()
    return {"BRIDGE_DATABASE_URL": pg_database_url, "BRIDGE_WEBHOOK_SECRET": TEST_WEBHOOK_SECRET,
            "BRIDGE_MASTER_KEY": TEST_MASTER_KEY}


@pytest.mark.slow
def test_two_instances_on_one_postgres_write_one_chain(pg_env, tmp_path):
    secret = base64.b64decode(pg_env["BRIDGE_WEBHOOK_SECRET"].removeprefix("whsec_"))
    with (bridge_server(pg_env, workers=2, cwd=tmp_path) as first,
          bridge_server(pg_env, workers=2, cwd=tmp_path) as second):
        stats = send_events([first, second], secret, COUNT, threads=8)
    assert stats.failed == []
    assert len(stats.acknowledged) == COUNT
    from bridge.db.base import make_engine
    from tests.support.ledger import make_ledger

    engine = make_engine(pg_env["BRIDGE_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            ids = {r[0] for r in conn.execute(text(
                "SELECT webhook_id FROM webhook_ids WHERE webhook_id NOT LIKE 'bridge:%'"))}
            per_id = conn.execute(text(
                "SELECT count(*) FROM (SELECT body FROM ledger_entries WHERE event_type = 'client.updated') t"
            )).scalar_one()
        assert ids == set(stats.acknowledged)
        assert per_id == COUNT  # one client.updated per acknowledged event, never two
        from bridge.clock import SystemClock

        result = make_ledger(engine, SystemClock()).verify()
        print(f"[multi-host:events] sent={COUNT} acknowledged={len(stats.acknowledged)} found={len(ids)} "
              f"lost={len(set(stats.acknowledged) - ids)} duplicated={per_id - len(ids)} verify={result.line()!r}")
        assert result.ok and result.entries >= COUNT
    finally:
        engine.dispose()


RETENTION_COUNT = 600 if os.environ.get("BRIDGE_LONG") == "1" else 60


@pytest.mark.slow
def test_retention_runs_started_on_both_instances_at_once_purge_each_customer_once(pg_env, tmp_path):
    """Both instances get `POST /v1/retention/run` at the same moment, over and over until nothing
    is due: the leases let exactly one of them purge each customer, the other skips it."""
    import threading
    from collections import Counter

    import requests

    from bench.retention import schedule, seed
    from bridge.clock import SystemClock
    from bridge.db.base import make_engine
    from bridge.services import build_services
    from bridge.settings import load_settings
    from bridge.whmcs.emulator.seed import DEMO_IDENTIFIER, DEMO_SECRET
    from bridge.whmcs.emulator.server import api_url, running_emulator
    from bridge.whmcs.emulator.state import LOOPBACK, EmulatorState
    from tests.support.ledger import make_ledger

    state = EmulatorState(allowed_ips=LOOPBACK)
    ids = seed(state, RETENTION_COUNT)
    engine = make_engine(pg_env["BRIDGE_DATABASE_URL"])
    try:
        schedule(engine, ids)
        token = build_services(load_settings(environ=pg_env), engine=engine).tokens.create(name="dpo", role="dpo")
        with running_emulator(state) as base:
            env = {**pg_env, "BRIDGE_WHMCS_API_URL": api_url(base), "BRIDGE_WHMCS_IDENTIFIER": DEMO_IDENTIFIER,
                   "BRIDGE_WHMCS_SECRET": DEMO_SECRET}
            with (bridge_server(env, workers=2, cwd=tmp_path) as first,
                  bridge_server(env, workers=2, cwd=tmp_path) as second):
                purged: list[int] = []
                by_instance: Counter = Counter()
                rounds = 0
                while True:
                    go, answers = threading.Barrier(2), {}

                    def run(url, go=go, answers=answers):
                        go.wait()
                        answers[url] = requests.post(f"{url}/v1/retention/run", json={"limit": 25}, timeout=120,
                                                     headers={"Authorization": f"Bearer {token}"})

                    threads = [threading.Thread(target=run, args=(url,)) for url in (first, second)]
                    for thread in threads:
                        thread.start()
                    for thread in threads:
                        thread.join()
                    assert all(a.status_code == 200 for a in answers.values()), [a.text[:300] for a in answers.values()]
                    reports = [a.json() for a in answers.values()]
                    assert all(not r["errors"] for r in reports)
                    purged += [p["client_id"] for r in reports for p in r["purged"]]
                    for url, answer in answers.items():
                        by_instance[url] += len(answer.json()["purged"])
                    rounds += 1
                    if all(r["remaining"] == 0 for r in reports) or rounds > 4 * RETENTION_COUNT // 25 + 4:
                        break
        print(f"[multi-host:retention] due={len(ids)} purged={len(purged)} rounds={rounds} "
              f"by_instance={sorted(by_instance.values())}")
        assert Counter(purged) == Counter(ids)  # every due customer purged, by exactly one instance
        updates = Counter(int(c.params["clientid"]) for c in state.calls if c.action == "UpdateClient")
        assert set(updates) == set(ids) and set(updates.values()) == {1}  # anonymised once each
        with engine.connect() as conn:
            per_client = Counter(r[0] for r in conn.execute(text(
                "SELECT client_id FROM ledger_entries WHERE event_type = 'retention.purged'")))
        assert per_client == Counter(ids)
        assert make_ledger(engine, SystemClock()).verify().ok
    finally:
        engine.dispose()
