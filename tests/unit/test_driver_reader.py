"""DriverReader: hot-path reads on a connection of each thread's own, retried once on a new
connection when the old one is lost, StorageUnavailable when the database is away."""

from __future__ import annotations

import gc
import os
import sqlite3
import threading

import pytest
from sqlalchemy import text

from bridge.db.base import DriverReader, make_engine
from bridge.errors import StorageUnavailable
from tests.support import pg_cluster


def _sql(reader: DriverReader) -> str:
    """The head's row by id, in the driver's placeholder style."""
    if reader.qmark:
        return "SELECT seq, hash FROM chain_head WHERE id = ?"
    return "SELECT seq, hash FROM chain_head WHERE id = %s"


def _backend_pid(reader: DriverReader) -> int:
    return reader.rows("SELECT pg_backend_pid()", ())[0][0]


def _is_closed(raw) -> bool:  # noqa: ANN001 - a DB-API connection
    if isinstance(raw, sqlite3.Connection):
        try:
            raw.execute("SELECT 1")
        except sqlite3.ProgrammingError:
            return True
        return False
    return raw.closed


def test_reads_rows_and_keeps_one_connection_per_thread(engine):
    reader = DriverReader(engine)
    assert reader.rows(_sql(reader), (1,)) == [(0, "0" * 64)]
    assert reader.rows(_sql(reader), (2,)) == []
    first = reader._connection().connection
    assert reader._connection().connection is first
    seen = []
    other = threading.Thread(target=lambda: seen.append(reader._connection().connection))
    other.start()
    other.join()
    assert seen[0] is not first
    raw = first.dbapi_connection
    reader.close()
    assert _is_closed(raw)
    assert reader._connection().connection is not first  # closing forgets every connection
    reader.close()


def test_a_thread_that_ends_closes_its_connection(engine):
    reader = DriverReader(engine)
    raws = []

    def read() -> None:
        reader.rows(_sql(reader), (1,))
        raws.append(reader._connection().connection.dbapi_connection)

    threads = [threading.Thread(target=read) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    gc.collect()
    assert len(raws) == 5 and all(_is_closed(raw) for raw in raws)
    assert len(reader._opened) == 0
    reader.close()


def test_sees_what_other_connections_commit(engine):
    reader = DriverReader(engine)
    reader.rows(_sql(reader), (1,))
    with engine.begin() as conn:
        conn.execute(text("UPDATE chain_head SET seq = 7 WHERE id = 1"))
    assert reader.rows(_sql(reader), (1,))[0][0] == 7  # autocommit: no stale snapshot held
    reader.close()


def test_a_forked_child_opens_its_own_connection_and_leaves_the_parents_alone(engine):
    reader = DriverReader(engine)
    parent = reader._connection().connection
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: must neither use nor close the parent's session
        try:
            mine = reader._connection().connection
            ok = mine is not parent and reader.rows(_sql(reader), (1,))[0][0] == 0
            reader.close()  # closes the child's connection only
            reader._local = threading.local()  # the inherited holder goes: not closed either
            gc.collect()
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert reader.rows(_sql(reader), (1,))[0][0] == 0
    assert reader._connection().connection is parent  # served by the parent's session: no retry was needed
    reader.close()


@pytest.fixture
def pg_engine(pg_database_url):
    from tests.conftest import _reset_postgres

    engine = make_engine(pg_database_url)
    _reset_postgres(engine)
    yield engine
    engine.dispose()


@pytest.mark.storage
def test_a_lost_postgres_connection_is_replaced_and_the_read_repeated(pg_engine):
    reader = DriverReader(pg_engine)
    victim = _backend_pid(reader)
    with pg_engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim})
    assert reader.rows(_sql(reader), (1,)) == [(0, "0" * 64)]  # retried on a new connection
    assert _backend_pid(reader) != victim
    reader.close()


@pytest.mark.slow
def test_postgres_away_is_storage_unavailable_and_back_is_served():
    pg_cluster.skip_unless_available()
    from bridge.db import migrate

    with pg_cluster.private_cluster() as cluster:
        engine = make_engine(cluster.create_database("reader"))
        try:
            migrate.upgrade(engine)
            reader = DriverReader(engine)
            assert reader.rows(_sql(reader), (1,))[0][0] == 0
            cluster.stop("fast")
            with pytest.raises(StorageUnavailable):
                reader.rows(_sql(reader), (1,))
            with pytest.raises(StorageUnavailable):  # no connection at all now: the connect fails
                reader.rows(_sql(reader), (1,))
            cluster.start()
            assert reader.rows(_sql(reader), (1,))[0][0] == 0  # no restart of the reader needed
            reader.close()
        finally:
            engine.dispose()
