"""What `make_engine` sets on every connection it opens: one test per backend, since the settings differ."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from bridge.db.base import make_engine

pytestmark = pytest.mark.storage

# One customer's count, as the privacy summary runs it, planned as if it were expensive: with
# jit_above_cost at 0 PostgreSQL compiles any plan it may, which is what a large ledger with no
# statistics yet made of this count.
_COUNT = "SELECT count(*) FROM ledger_entries WHERE client_id = 1"


def _plan(conn) -> dict:  # noqa: ANN001
    with conn.begin():
        conn.execute(text("SET LOCAL jit_above_cost = 0"))
        return conn.execute(text("EXPLAIN (ANALYZE, FORMAT JSON) " + _COUNT)).scalar_one()[0]


def test_a_sqlite_connection_is_durable_wal_with_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/bridge.db")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 30000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    finally:
        engine.dispose()


def test_postgresql_never_compiles_a_bridge_statement(pg_database_url):
    db_url = pg_database_url
    plain = create_engine(db_url)
    try:
        with plain.connect() as conn:
            available = conn.execute(text("SELECT pg_jit_available()")).scalar_one()
        if not available:
            pytest.skip("this server has no JIT to turn off")
        with plain.connect() as conn:
            assert "JIT" in _plan(conn)  # the server compiles this plan on a connection of its own
    finally:
        plain.dispose()
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert "JIT" not in _plan(conn), json.dumps(_plan(conn))
            transaction = conn.begin()  # a rolled-back transaction does not undo the session's setting
            conn.execute(text("SET LOCAL work_mem = '8MB'"))
            transaction.rollback()
            assert conn.execute(text("SHOW jit")).scalar_one() == "off"
    finally:
        engine.dispose()
