"""Shared fixtures: database backends (every storage test runs on SQLite and PostgreSQL), settings,
the ledger and the app."""

from __future__ import annotations

import base64
import os
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from bridge.clock import FixedClock
from bridge.db import migrate
from bridge.db.base import make_engine

PG_ADMIN_URL = os.environ.get(
    "BRIDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TEST_WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"test-webhook-secret-0123456789ab").decode()
TEST_MASTER_KEY = base64.b64encode(bytes(range(32))).decode()
T0 = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def _pg_available() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return False


@pytest.fixture(scope="session")
def pg_database_url():
    """A throwaway PostgreSQL database for this test run, migrated once, dropped at the end."""
    if not _pg_available():
        if os.environ.get("BRIDGE_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (BRIDGE_REQUIRE_POSTGRES=1) but not reachable")
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    name = f"bridge_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _reset_postgres(engine) -> None:
    with engine.begin() as conn:
        tables = [
            r[0] for r in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename NOT IN ('alembic_version')"))
        ]
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY"))
        conn.execute(text("INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, :z)"), {"z": "0" * 64})


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A migrated, empty database URL on each backend."""
    request.node.add_marker(pytest.mark.storage)
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/bridge.db"
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        return url
    url = request.getfixturevalue("pg_database_url")
    engine = make_engine(url)
    _reset_postgres(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return FixedClock(T0)


@pytest.fixture
def services(base_env, clock):
    """The real composition root over the test database (web and browser tests)."""
    from tests.support.web import make_services

    services = make_services(base_env, clock)
    yield services
    services.dispose()


@pytest.fixture
def base_env(db_url):
    return {
        "BRIDGE_DATABASE_URL": db_url,
        "BRIDGE_WEBHOOK_SECRET": TEST_WEBHOOK_SECRET,
        "BRIDGE_MASTER_KEY": TEST_MASTER_KEY,
    }


# -- the log scan: every log line of the whole run is kept and checked at the end ------------------

class _Capture(__import__("logging").Handler):
    def __init__(self) -> None:
        super().__init__(level=0)
        from bridge.logs import JsonFormatter

        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record) -> None:  # noqa: ANN001
        self.lines.append(self.format(record))


LOG_CAPTURE = _Capture()


@pytest.fixture(scope="session", autouse=True)
def _capture_bridge_logs():
    import logging

    logger = logging.getLogger("bridge")
    logger.addHandler(LOG_CAPTURE)
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    yield
    logger.removeHandler(LOG_CAPTURE)
    logger.setLevel(previous)


def pytest_collection_modifyitems(session, config, items):
    """The log scan looks at what every other test logged, so it runs last."""
    last = [item for item in items if item.nodeid.endswith("test_no_log_line_carries_a_personal_value_or_secret")]
    items[:] = [item for item in items if item not in last] + last
