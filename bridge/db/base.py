"""Declarative base, engine and connection helpers (plain SQLAlchemy 2).

SQLite runs in WAL mode with a busy timeout; write transactions take the write lock up front
(BEGIN IMMEDIATE) so two writers never deadlock upgrading a read lock. PostgreSQL needs nothing
special beyond JIT off (see `_postgres_setup`): the chain-head row lock lives in the ledger store.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC
from pathlib import Path
from types import MappingProxyType

from sqlalchemy import Connection, DateTime, Engine, MetaData, RootTransaction, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from bridge.errors import StorageUnavailable

_log = logging.getLogger("bridge.db")


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


def dialect_insert(dialect: str, table):  # noqa: ANN001, ANN201 - an INSERT that can say ON CONFLICT
    """The dialect's own INSERT (SQLite and PostgreSQL both have ON CONFLICT and RETURNING)."""
    return (sqlite if dialect == "sqlite" else postgresql).insert(table)


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
        # straight to the driver: a BEGIN has no parameters, result or events worth SQLAlchemy's
        # statement machinery, which cost every transaction a second statement's worth of CPU
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


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
    engine = create_engine(url, **kwargs)
    _postgres_setup(engine)
    return engine


def _postgres_setup(engine: Engine) -> None:
    """Every statement the bridge runs reads or writes a handful of rows, so PostgreSQL's JIT
    (on by default, for plans the planner costs above `jit_above_cost`) can only add its compile
    time. It does when the statistics are missing or stale: on a large ledger with no ANALYZE yet
    the planner takes one customer's `count(*)` for half a percent of the table, and compiling
    that plan cost each privacy summary more than the rest of it (bench/RESULTS.md, Scale). A SET
    on each new connection, not the `options` start-up parameter, which PgBouncer refuses by
    default; behind a transaction-mode pooler, `ALTER ROLE ... SET jit = off` does it instead."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True
        try:
            with dbapi_conn.cursor() as cursor:
                cursor.execute("SET jit = off")
        finally:
            dbapi_conn.autocommit = autocommit


class _Unit:
    """An open unit of work: its connection, and what to do once it has committed."""

    __slots__ = ("after", "conn")

    def __init__(self, conn: Connection) -> None:
        self.conn, self.after = conn, []


# The unit of work open in this context, per engine: every write_tx and read_tx inside it runs on
# its connection, so everything one event or one action writes commits (or rolls back) at once.
_UNITS: ContextVar[Mapping[Engine, _Unit]] = ContextVar("bridge_units", default=MappingProxyType({}))


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[None]:
    """One write transaction for everything the block does through this engine's stores. Inside
    another unit it is a savepoint: its failure undoes its own writes only, and the outer unit
    decides whether to go on."""
    joined = _UNITS.get().get(engine)
    if joined is not None:
        with joined.conn.begin_nested():
            yield
        return
    reading = _open_reading(engine)
    with _begin_write(engine, durable=True) if reading is None else _writes_after(reading) as conn:
        unit = _Unit(conn)
        token = _UNITS.set(MappingProxyType({**_UNITS.get(), engine: unit}))
        try:
            yield
        finally:
            _UNITS.reset(token)
    for callback in unit.after:  # committed: in-process caches may now learn what it wrote
        callback()


def after_commit(engine: Engine, callback: Callable[[], None]) -> None:
    """Run `callback` once the open unit of work commits (never, if it rolls back); at once when
    no unit is open. For caches that must never hold what a rolled-back unit wrote."""
    unit = _UNITS.get().get(engine)
    if unit is None:
        callback()
    else:
        unit.after.append(callback)


@contextmanager
def write_tx(engine: Engine, *, durable: bool = True) -> Iterator[Connection]:
    """A write transaction: IMMEDIATE on SQLite; commits on success, rolls back on error. Inside a
    unit of work, the unit's own transaction (which commits at the unit's end).

    `durable=False` is for state whose loss in a power cut costs nothing that matters (validate
    allowances): the commit does not wait for the disk (SQLite synchronous=NORMAL for this commit,
    PostgreSQL synchronous_commit=off). It still survives a crash of the process, is atomic, and
    cannot corrupt the database; the next durable commit flushes it too."""
    joined = _UNITS.get().get(engine)
    if joined is not None:
        yield joined.conn
        return
    with _begin_write(engine, durable=durable) as conn:
        yield conn


@contextmanager
def storage_errors() -> Iterator[None]:
    """A lost, locked or full database is StorageUnavailable ("try again later") to every caller."""
    try:
        yield
    except (OperationalError, InterfaceError) as exc:
        raise StorageUnavailable("the database is unavailable") from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise StorageUnavailable("the database is unavailable") from exc
        raise


@contextmanager
def _begin_write(engine: Engine, *, durable: bool) -> Iterator[Connection]:
    sqlite = is_sqlite(engine)
    with storage_errors(), engine.connect() as conn:
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


class _Reading:
    """An open reading unit: its connection and its read transaction (None once a unit of work
    has carried on from it)."""

    __slots__ = ("conn", "tx")

    def __init__(self, conn: Connection) -> None:
        self.conn, self.tx = conn, conn.begin()

    @property
    def open(self) -> bool:
        return self.tx is not None and self.tx.is_active

    def hand_over(self) -> RootTransaction:
        tx, self.tx = self.tx, None
        return tx


# The reading unit open in this context, per engine: the reads an event makes before its unit of
# work (known state, keys, verifications) share one read transaction instead of one each.
_READS: ContextVar[Mapping[Engine, _Reading]] = ContextVar("bridge_reads", default=MappingProxyType({}))


@contextmanager
def reading_unit(engine: Engine) -> Iterator[None]:
    """One read transaction for every read_tx of the block (inside a unit of work or another
    reading unit, theirs). Writes inside it are not part of it: a write_tx opens its own
    transaction, and a store that reads back what it wrote does so on the write's connection. A
    unit of work opened inside it carries on from it (`_writes_after`); read_tx after that unit
    has ended opens a transaction of its own."""
    if engine in _UNITS.get() or engine in _READS.get():
        yield
        return
    with storage_errors(), engine.connect() as conn:
        reading = _Reading(conn)
        token = _READS.set(MappingProxyType({**_READS.get(), engine: reading}))
        try:
            yield
        except BaseException:
            if reading.open:
                reading.hand_over().rollback()
            raise
        else:
            if reading.open:
                reading.hand_over().commit()
        finally:
            _READS.reset(token)


def _open_reading(engine: Engine) -> _Reading | None:
    """The reading unit open in this context whose transaction a unit or a read may still join."""
    reading = _READS.get().get(engine)
    return reading if reading is not None and reading.open else None


@contextmanager
def _writes_after(reading: _Reading) -> Iterator[Connection]:
    """The write transaction of a unit of work opened inside a reading unit, on the reading's
    connection (one checkout per event). PostgreSQL carries on in the reading's own transaction:
    its reads took no lock, and under READ COMMITTED each statement sees what is committed anyway,
    so the event is one transaction (one BEGIN, one COMMIT). SQLite ends the read and begins
    IMMEDIATE: a read transaction that later writes can fail to take the write lock there."""
    conn = reading.conn
    with storage_errors():
        tx = reading.hand_over()
        if is_sqlite(conn.engine):
            tx.commit()
            conn.execution_options(bridge_write=True)  # in place: this connection's BEGINs
            tx = conn.begin()
        with tx:
            yield conn


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    """A read transaction; inside a unit of work, the unit's (it sees the unit's own writes);
    inside a reading unit, the reading unit's."""
    joined = _UNITS.get().get(engine)
    if joined is not None:
        yield joined.conn
        return
    reading = _open_reading(engine)
    if reading is not None:
        yield reading.conn
        return
    with storage_errors(), engine.connect() as conn, conn.begin():
        yield conn
