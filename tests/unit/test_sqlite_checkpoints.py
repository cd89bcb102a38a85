"""SQLite WAL checkpoints run on a thread of their own, not inside a request's commit."""

import os
import threading
import time

from sqlalchemy import text

from bridge.db.base import make_engine, write_tx


def checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "sqlite-checkpoint"]


def test_commits_leave_checkpoints_to_the_background_thread(tmp_path):
    path = tmp_path / "wal.db"
    engine = make_engine(f"sqlite:///{path}")
    before = len(checkpoint_threads())
    try:
        with write_tx(engine) as conn:
            conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)"))
        assert len(checkpoint_threads()) == before + 1
        with engine.connect() as conn:  # commits checkpoint only far beyond SQLite's usual 1,000 pages
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10_000
        for _ in range(300):  # about 1,200 pages: past SQLite's default 1,000-page checkpoint
            with write_tx(engine) as conn:
                conn.execute(text("INSERT INTO t (body) VALUES (:b)"), {"b": os.urandom(4000)})
        deadline = time.monotonic() + 10
        while os.path.getsize(path) < 1024 * 1024 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert os.path.getsize(path) > 1024 * 1024  # the thread copied the pages into the database
    finally:
        engine.dispose()
    assert len(checkpoint_threads()) == before  # stopped with the engine
