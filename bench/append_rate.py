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


@dataclass
class AppendFigure:
    backend: str
    threads: int
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
    began = time.perf_counter()
    start.wait()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    flat = [v for part in latencies for v in part]
    return Rate(ops=len(flat), seconds=round(elapsed, 2), per_s=round(len(flat) / elapsed, 1),
                p50_ms=round(percentile(flat, 50), 3), p99_ms=round(percentile(flat, 99), 3))


def _sample_row(engine: Engine) -> dict:
    from sqlalchemy import text

    with engine.connect() as conn:
        row = conn.execute(text("SELECT entry_id, prev_hash, hash, body, event_type, client_id "
                                "FROM ledger_entries ORDER BY seq DESC LIMIT 1")).one()
    return dict(row._mapping) | {"body": bytes(row.body)}


def run(*, backend: str, database_url: str, threads: int, seconds: float) -> AppendFigure:
    from bridge.services import build_services
    from bridge.settings import load_settings

    services = build_services(load_settings(environ=secrets_env(database_url)))
    ledger, engine = services.ledger, services.engine
    try:
        at = datetime.now(UTC)
        for n in range(CLIENTS):  # every subject's data key exists: the steady state of a live bridge
            ledger.append([draft(n, at=at)])
        rate = _drive(threads, seconds, lambda _i, n: ledger.append([draft(n, at=at)]))
        row = _sample_row(engine)
        _PLAIN.create_all(engine)

        def plain_insert(_index: int, n: int) -> None:
            with write_tx(engine) as conn:
                conn.execute(insert(PLAIN).values(**row, ))

        base = _drive(threads, seconds, plain_insert)
        ok = ledger.verify().ok
    finally:
        services.dispose()
    return AppendFigure(backend=backend, threads=threads, ledger=rate, baseline=base,
                        ratio=round(rate.per_s / base.per_s, 3), body_bytes=len(row["body"]), ledger_ok=ok)
