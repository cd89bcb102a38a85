"""In-process append rate: Ledger.append of one realistic draft per call (sealed values, so the
encryption counts), against a raw INSERT of a same-size row into a plain table of the same
database, one write transaction per row through the same engine (same pragmas, same fsync)."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, Engine, Integer, LargeBinary, MetaData, String, Table, insert

from bench.common import percentile, secrets_env
from bench.workload import CLIENTS, draft
from bridge.db.base import write_tx

_PLAIN = MetaData()
PLAIN = Table(
    "bench_plain_rows", _PLAIN,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", String(36)), Column("prev_hash", String(64)), Column("hash", String(64)),
    Column("body", LargeBinary), Column("event_type", String(64)), Column("client_id", Integer),
)


@dataclass
class Rate:
    ops: int
    seconds: float
    per_s: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_op: float  # process CPU (all threads) per call: near the wall time means CPU-bound


@dataclass
class AppendFigure:
    backend: str
    threads: int
    per_call: int
    ledger: Rate
    baseline: Rate
    ratio: float
    body_bytes: int
    ledger_ok: bool

    def as_dict(self) -> dict:
        return asdict(self)


def _drive(threads: int, seconds: float, op) -> Rate:  # noqa: ANN001 - op(thread, n) does one write
    """Run `op` in `threads` threads until the deadline; per-call latencies in ms."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    deadline = time.perf_counter() + seconds
    start = threading.Barrier(threads + 1)

    def loop(index: int) -> None:
        start.wait()
        n, out = index, latencies[index]
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            op(index, n)
            out.append((time.perf_counter() - began) * 1000)
            n += threads

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    began, cpu = time.perf_counter(), time.process_time()
    start.wait()
    for worker in workers:
        worker.join()
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    flat = [v for part in latencies for v in part]
    return Rate(ops=len(flat), seconds=round(elapsed, 2), per_s=round(len(flat) / elapsed, 1),
                p50_ms=round(percentile(flat, 50), 3), p99_ms=round(percentile(flat, 99), 3),
                cpu_ms_per_op=round(cpu * 1000 / max(1, len(flat)), 3))


def _sample_row(engine: Engine) -> dict:
    from sqlalchemy import text

    with engine.connect() as conn:
        row = conn.execute(text("SELECT entry_id, prev_hash, hash, body, event_type, client_id "
                                "FROM ledger_entries ORDER BY seq DESC LIMIT 1")).one()
    return dict(row._mapping) | {"body": bytes(row.body)}


def _relaxed_engine(database_url: str) -> Engine:
    """What-if only: the bridge's SQLite engine, then synchronous=NORMAL (WAL fsyncs at checkpoints,
    not at every commit). Not the shipped setting: it shows how much of a commit is the fsync."""
    from sqlalchemy import event

    from bridge.db.base import make_engine

    engine = make_engine(database_url)

    @event.listens_for(engine, "connect")
    def _normal(dbapi_conn, _record) -> None:  # noqa: ANN001 - runs after the bridge's own listener
        dbapi_conn.execute("PRAGMA synchronous=NORMAL")

    return engine


def _per_entry(rate: Rate, per_call: int) -> Rate:
    """A rate of calls as a rate of entries (latencies stay per call)."""
    if per_call == 1:
        return rate
    return Rate(ops=rate.ops * per_call, seconds=rate.seconds, per_s=round(rate.per_s * per_call, 1),
                p50_ms=rate.p50_ms, p99_ms=rate.p99_ms, cpu_ms_per_op=round(rate.cpu_ms_per_op / per_call, 4))


def run(*, backend: str, database_url: str, threads: int, seconds: float, relaxed: bool = False,
        per_call: int = 1) -> AppendFigure:
    """`per_call` drafts per Ledger.append (one transaction), as sync and retention append; the
    baseline then inserts as many raw rows per transaction."""
    from bridge.services import build_services
    from bridge.settings import load_settings

    engine = _relaxed_engine(database_url) if relaxed else None
    services = build_services(load_settings(environ=secrets_env(database_url)), engine=engine)
    ledger, engine = services.ledger, services.engine
    try:
        at = datetime.now(UTC)
        for n in range(CLIENTS):  # every subject's data key exists: the steady state of a live bridge
            ledger.append([draft(n, at=at)])
        rate = _per_entry(_drive(threads, seconds, lambda _i, n: ledger.append(
            [draft(n * per_call + k, at=at) for k in range(per_call)])), per_call)
        row = _sample_row(engine)
        _PLAIN.create_all(engine)

        def plain_insert(_index: int, n: int) -> None:
            with write_tx(engine) as conn:
                conn.execute(insert(PLAIN), [row] * per_call)

        base = _per_entry(_drive(threads, seconds, plain_insert), per_call)
        ok = ledger.verify().ok
    finally:
        services.dispose()
    if relaxed:
        backend += " (what-if: synchronous=NORMAL)"
    return AppendFigure(backend=backend, threads=threads, per_call=per_call, ledger=rate, baseline=base,
                        ratio=round(rate.per_s / base.per_s, 3), body_bytes=len(row["body"]), ledger_ok=ok)
