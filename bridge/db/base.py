"""Declarative base, engine and connection helpers (plain SQLAlchemy 2).

SQLite runs in WAL mode with a busy timeout; write transactions take the write lock up front
(BEGIN IMMEDIATE) so two writers never deadlock upgrading a read lock. PostgreSQL needs nothing
special here: the chain-head row lock lives in the ledger store.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext, suppress
from datetime import UTC
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from bridge.errors import StorageUnavailable

_log = logging.getLogger("bridge.db")


def _driver_unavailable() -> tuple[type[BaseException], ...]:
    """The drivers' own "the database is away" errors, raised by raw cursors on the hot paths."""
    errors: list[type[BaseException]] = [sqlite3.OperationalError]
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return tuple(errors)
    return (*errors, psycopg.OperationalError, psycopg.InterfaceError)


DRIVER_UNAVAILABLE = _driver_unavailable()

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on SQLite (which has no zones) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


# A commit would otherwise checkpoint the WAL itself every 1,000 pages: copy them into the database
# and fsync it, 5-20 ms inside whichever request crossed the line. The Checkpointer does it on a
# thread of its own; this bound only matters if that thread cannot keep up.
_AUTOCHECKPOINT_PAGES = 10_000


class Checkpointer:
    """SQLite WAL checkpoints off the request path: a daemon thread per process and database runs
    a PASSIVE checkpoint (it never blocks readers or writers) every `every_s` seconds, on a
    connection of its own. Started on the engine's first connection, again after a fork, and
    stopped when the engine is disposed. A failed checkpoint (say, a full disk) is logged and
    retried on the next tick; the commits' own bound (`_AUTOCHECKPOINT_PAGES`) is the fallback."""

    def __init__(self, path: str, *, every_s: float = 0.5) -> None:
        self.path, self.every_s = path, every_s
        self._lock = threading.Lock()
        self._pid = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def ensure_running(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._stop = threading.Event()  # a fresh one: a fork, or a start after a stop
            self._thread = threading.Thread(target=self._run, args=(self._stop,), name="sqlite-checkpoint",
                                            daemon=True)
            self._pid = os.getpid()
            self._thread.start()

    def stop(self) -> None:
        with self._lock:
            thread, mine = self._thread, self._pid == os.getpid()
            self._stop.set()
            self._thread, self._pid = None, 0
        if thread is not None and mine and thread is not threading.current_thread():
            thread.join(timeout=5)

    def _run(self, stop: threading.Event) -> None:
        try:
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            _log.warning("wal checkpoints not running", extra={"error_type": type(exc).__name__})
            return
        failing = False
        try:
            connection.execute("PRAGMA busy_timeout=1000")
            while not stop.wait(self.every_s):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    failing = False
                except sqlite3.Error as exc:
                    if not failing:  # once per run of failures, not every tick
                        _log.warning("wal checkpoint failed", extra={"error_type": type(exc).__name__})
                    failing = True
        finally:
            connection.close()


def _sqlite_setup(engine: Engine) -> None:
    database = engine.url.database
    checkpointer = Checkpointer(database) if database and database != ":memory:" else None
    if checkpointer is not None:
        event.listen(engine, "engine_disposed", lambda _engine: checkpointer.stop())

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA wal_autocheckpoint={_AUTOCHECKPOINT_PAGES:d}")
        cursor.close()
        if checkpointer is not None:
            checkpointer.ensure_running()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        immediate = conn.get_execution_options().get("bridge_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for the bridge; creates the parent folder of a SQLite file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        _sqlite_setup(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _write_lock_path(engine: Engine) -> str | None:
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    return f"{database}.writelock" if database and database != ":memory:" else None


@contextmanager
def _sqlite_writer(path: str | None) -> Iterator[None]:
    """Queue SQLite writers on an flock before BEGIN IMMEDIATE. SQLite's own busy handler polls
    with sleeps of up to 100 ms, so under contention writers idle; a kernel lock wakes the next
    writer the moment the previous one commits. busy_timeout stays as the fallback."""
    if path is None:
        yield
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


@contextmanager
def write_tx(engine: Engine, *, durable: bool = True) -> Iterator[Connection]:
    """A write transaction: IMMEDIATE on SQLite; commits on success, rolls back on error.

    `durable=False` is for state whose loss in a power cut costs nothing that matters (validate
    allowances): the commit does not wait for the disk (SQLite synchronous=NORMAL for this commit,
    PostgreSQL synchronous_commit=off). It still survives a crash of the process, is atomic, and
    cannot corrupt the database; the next durable commit flushes it too."""
    sqlite = is_sqlite(engine)
    with _sqlite_writer(_write_lock_path(engine)), engine.connect() as conn:
        conn = conn.execution_options(bridge_write=True)
        if sqlite and not durable:
            conn.connection.dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        try:
            with conn.begin():
                if not sqlite and not durable:
                    conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                yield conn
        finally:
            if sqlite and not durable:
                try:
                    conn.connection.dbapi_connection.execute("PRAGMA synchronous=FULL")
                except Exception:  # noqa: BLE001 - never hand a relaxed connection back to the pool
                    conn.invalidate()


class DriverWriter:
    """Write transactions on one driver connection of its own, for a hot path whose statements are
    fixed SQL: no pool checkout, no SQLAlchemy events or bookkeeping per transaction. The caller
    runs one transaction at a time (the ledger's group committer guarantees it). Same lock order as
    write_tx (flock, then BEGIN IMMEDIATE on SQLite). The connection is opened on first use (also
    after a fork) and dropped after any failure, so the next transaction starts on a fresh one."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock_path = _write_lock_path(engine)
        self._sqlite = engine.dialect.name == "sqlite"
        self._owned: _Owned | None = None
        event.listen(engine, "engine_disposed", lambda _engine: self.close())  # closes with the pool

    def _open(self) -> Any:
        owned = self._owned
        if owned is None or owned.pid != os.getpid() or owned.connection is None:
            owned = self._owned = _Owned(_own_connection(self.engine))  # an inherited one is let go
        return owned.connection

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """Yields a DB-API cursor inside a write transaction; commits on success."""
        with _sqlite_writer(self._lock_path):
            connection = self._open()
            try:
                # psycopg: pipeline mode sends the statements and the COMMIT without waiting for
                # each answer (a read, such as the head's or a RETURNING, still waits for its own)
                pipeline = getattr(connection.dbapi_connection, "pipeline", None)
                with pipeline() if pipeline is not None else nullcontext():
                    cursor = connection.cursor()
                    try:
                        if self._sqlite:
                            cursor.execute("BEGIN IMMEDIATE")
                        yield cursor
                    finally:
                        cursor.close()
                    connection.commit()
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        """Drop the connection (closing it ends any open transaction); the next one opens anew."""
        owned, self._owned = self._owned, None
        if owned is not None and owned.pid == os.getpid():
            owned.close()


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


_FOREIGN: list[Any] = []  # connections inherited through a fork: never closed nor freed here


def _own_connection(engine: Engine) -> Any:
    """A driver connection taken out of the engine's pool for good (the engine's connect
    listeners, such as SQLite's pragmas, have run on it); closing it closes the connection."""
    pooled = engine.raw_connection()
    pooled.detach()
    return pooled


class _Owned:
    """A connection owned by one process (and, for the reader, one thread). Closed with its owner,
    or when freed (a reader's goes when its thread ends). One inherited through a fork is never
    closed by the child, not even by being freed: closing it would end the parent's session."""

    __slots__ = ("__weakref__", "connection", "pid")

    def __init__(self, connection: Any) -> None:
        self.connection, self.pid = connection, os.getpid()

    def close(self) -> None:
        """Close without the pool's reset: a rollback on a lost connection only fails again."""
        connection, self.connection = self.connection, None
        if connection is None:
            return
        raw = connection.dbapi_connection
        with suppress(Exception):
            connection.invalidate()
        with suppress(Exception):
            raw.close()

    def __del__(self) -> None:
        if self.pid == os.getpid():
            self.close()
        elif self.connection is not None:
            _FOREIGN.append(self.connection)


class DriverReader:
    """Hot-path look-ups (fixed SQL, one row or a few) on a driver connection of each thread's
    own, in autocommit: no pool checkout, no pre-ping round trip, no SQLAlchemy work per statement.
    What pool_pre_ping would do before the read happens after it instead: a read that fails for a
    lost connection is retried once on a new connection (a read can safely run twice); a second
    failure raises StorageUnavailable. Connections are per thread and per process (a fork opens
    its own), close when their thread ends, and close with the engine's pool."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.qmark = engine.dialect.name == "sqlite"
        self._local = threading.local()
        self._opened: weakref.WeakSet[_Owned] = weakref.WeakSet()
        self._lock = threading.Lock()
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def _connection(self) -> _Owned:
        held = getattr(self._local, "held", None)
        if held is not None and held.pid == os.getpid() and held.connection is not None:
            return held
        pooled = _own_connection(self.engine)
        try:
            if not self.qmark:
                pooled.rollback()  # leave any transaction the checkout's ping began
                pooled.dbapi_connection.autocommit = True
        except BaseException:
            pooled.close()
            raise
        held = _Owned(pooled)
        with self._lock:
            self._opened.add(held)
        self._local.held = held
        return held

    def rows(self, sql: str, params: Sequence[Any]) -> list[tuple]:
        """All rows of one read; `sql` uses the driver's placeholders (see `qmark`)."""
        for attempt in (1, 2):
            held = None
            try:
                held = self._connection()  # a failed connect raises the driver's own error
                cursor = held.connection.cursor()
                try:
                    cursor.execute(sql, params)
                    return cursor.fetchall()
                finally:
                    cursor.close()
            except DRIVER_UNAVAILABLE as exc:
                if held is not None:
                    self._local.held = None
                    held.close()
                if attempt == 2:
                    raise StorageUnavailable("the database is unavailable") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        """Close this process's connections (a fork's inherited ones belong to its parent)."""
        with self._lock:
            mine = [held for held in self._opened if held.pid == os.getpid()]
        for held in mine:
            held.close()
        self._local = threading.local()
