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
        assert result.ok and result.entries >= COUNT
    finally:
        engine.dispose()
