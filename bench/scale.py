"""The scale benchmark (not a test): one ledger filled to a small and then a large size through the
real append path, with the per-client reads timed at both sizes; a retention plan over a small and a
large due set; a `bridge sync` at two sizes, interrupted part way and resumed. SQLite and PostgreSQL.

    python -m bench.scale [--customers 1000000] [--entries 10000000] [--due 100000] [--sync 200000]
                          [--quick | --mid] [--only ledger,retention,sync] [--no-postgres]
                          [--database-url URL] [--keep] [--vacuum]

Ledger: the first `--small-entries` (10,000) entries go to 900 customers (10 each) plus one heavy
customer with 1,000 (so a deep page exists); the reads are timed; then the ledger is filled on to
`--entries` over `--customers` customers (about 10 entries each, spread over the whole ledger), and
the same reads are timed again on customers with the same number of entries. Every entry is a
realistic `client.updated` draft (three sealed values), sealed and appended through
`Ledger.seal` + `Ledger.append_sealed`, 2,000 drafts per transaction, after the batch's data keys
are prepared with `Keyring.prepare_for_writing` (as `bridge sync` does): the chain is real and is
verified at the end.

Reads, in process, as the web views call them: the per-client ledger page
(`Ledger.client_page`, first page of 100, values revealed as for the dpo; and the tenth page of the
heavy customer), the privacy summary (`privacy_summary`), the admin panel (`admin_summary`) and the
customer's export (`export_for_customer`, which also appends its `export.created` entry). Median of
5 runs on each of 5 customers, after one warm-up call each. The small size is also kept as a
reference ledger of its own (a second database filled the same way to 10,000 entries), and every
timed read on the large ledger is followed by the same read on the reference, so both medians come
from the same minutes of a shared machine. Ratio = large / reference; target <= 2.

Retention: a fresh database per backend; customers closed long ago are scheduled through
`RetentionService.record_status` (the path a ClientClose hook takes: entry + schedule row), then
`plan_report` (the whole plan as `bridge retention plan` and `GET /v1/retention/plan` build it), the
same plan a page of 1,000 customers at a time (`GET /v1/retention/plan?limit=1000&after=...`), and a
dry run (`RetentionRunner.run(dry_run=True)`, which walks the due set in pages) are measured, each
in a fresh subprocess: seconds, tracemalloc peak, ru_maxrss growth. Flat: the peak at the large due set
is not ~10x the small one.

Sync: the WHMCS emulator in a subprocess of its own (so its memory is not the bridge's) holding N
customers (owner User, contact, card, as in bench.sync); `SyncService.run` in another subprocess,
first a full pass at N/10 customers, then a pass at N stopped after half the customers
(`stop_after`, which leaves the checkpoint where it stopped, as a crash would), then a new process
that resumes. Memory per pass as tracemalloc peak and ru_maxrss growth.

Prints progress on stderr, a Markdown table at the end, and writes bench/out/scale-*.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.common import OUT, PG_ADMIN_URL, REPO, free_port, migrate_url, pg_available, secrets_env

FILL_BATCH = 2000
HEAVY = 1  # the client id of the customer with many entries
HEAVY_ENTRIES = 1000
PER_CUSTOMER = 10
RUNS, SAMPLE = 5, 5
PLAN_PAGE = 1000  # the paged plan's page size


def say(text_: str) -> None:
    print(text_, file=sys.stderr, flush=True)


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bridge_env(database_url: str) -> dict[str, str]:
    return {**secrets_env(database_url), "BRIDGE_LOG_LEVEL": "WARNING"}


def services_for(env: dict[str, str], **extra):  # noqa: ANN003, ANN201
    from bridge.services import build_services
    from bridge.settings import load_settings

    return build_services(load_settings(environ=env), **extra)


# -- throwaway databases --------------------------------------------------------------------------

@contextmanager
def database(backend: str, *, keep: bool, url: str | None = None, label: str = "scale"):  # noqa: ANN201
    """A migrated empty database: `url` as given, else a temporary SQLite file or a PostgreSQL
    database created for the run; removed afterwards unless `keep` (or given)."""
    if url is not None:
        migrate_url(url)
        yield url
        return
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix=f"bridge-{label}-"))
        db_url = f"sqlite:///{folder / 'bridge.db'}"
        migrate_url(db_url)
        try:
            yield db_url
        finally:
            if keep:
                say(f"kept {db_url}")
            else:
                shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"bridge_{label}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db_url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        migrate_url(db_url)
        yield db_url
    finally:
        if keep:
            say(f"kept {db_url}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def db_size_mib(engine) -> float:  # noqa: ANN001
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database)
        return round(sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20, 1)
    with engine.connect() as conn:
        return round(conn.execute(text("SELECT pg_database_size(current_database())")).scalar() / 2**20, 1)


# -- the ledger fill ------------------------------------------------------------------------------

def entry_draft(n: int, client_id: int, *, at: datetime):  # noqa: ANN201
    """bench.workload.draft's shape (a ClientEdit of two contact fields from an admin) for a given client."""
    from bench.workload import draft

    return draft(n, at=at, client_id=client_id)


class Layout:
    """Which client entry n belongs to. The ledger grows in stages (the small size, then x10 up to
    the large size); each stage's entries go round robin to customers of its own, PER_CUSTOMER
    (entries / customers) each, so one customer's entries are spread over the whole stage. The
    first stage starts with the heavy customer's HEAVY_ENTRIES."""

    def __init__(self, *, small: int, entries: int, customers: int, also: tuple[int, ...] = ()) -> None:
        self.per = max(1, round(entries / customers))
        bounds = {small, entries, *(b for b in also if small < b < entries)}
        size = small
        while size * 10 < entries:
            size *= 10
            bounds.add(size)
        self.bounds = sorted(bounds)
        self.stages = []  # (first entry, end entry, first client, customers)
        first, client = HEAVY_ENTRIES, 2
        for end in self.bounds:
            count = max(1, (end - first) // self.per)
            self.stages.append((first, end, client, count))
            first, client = end, client + count

    def client(self, n: int) -> int:
        if n < HEAVY_ENTRIES:
            return HEAVY
        for first, end, client, count in self.stages:
            if n < end:
                return client + (n - first) % count
        first, _end, client, count = self.stages[-1]
        return client + (n - first) % count

    def typical(self, stage: int) -> list[int]:
        """SAMPLE customers of the stage, spread over its client ids: PER_CUSTOMER entries each."""
        _first, _end, client, count = self.stages[stage]
        step = count // (SAMPLE + 1)
        return [client + step * (k + 1) for k in range(SAMPLE)]

    @property
    def customers(self) -> int:
        return self.stages[-1][2] + self.stages[-1][3] - 1


def fill(services, layout: Layout, *, start: int, upto: int, label: str) -> dict:  # noqa: ANN001
    """Append the fill's entries start..upto through the real path (the exports measured on the way
    append entries of their own, which the layout does not count)."""
    ledger = services.ledger
    have, began, last = start, time.perf_counter(), time.perf_counter()
    at = datetime.now(UTC)
    while have < upto:
        size = min(FILL_BATCH, upto - have)
        drafts = [entry_draft(n, layout.client(n), at=at) for n in range(have, have + size)]
        ledger.keyring.prepare_for_writing({f"client:{d.client_id}" for d in drafts})
        ledger.append_sealed(ledger.seal(drafts))
        have += size
        now = time.perf_counter()
        if now - last >= 15 or have >= upto:
            rate = (have - start) / (now - began)
            eta = (upto - have) / rate if rate else 0
            say(f"fill {label}: {have:,} / {upto:,} entries, {rate:,.0f}/s, "
                f"elapsed {(now - began) / 60:.1f} min, ETA {eta / 60:.1f} min")
            last = now
    seconds = time.perf_counter() - began
    return {"entries": upto, "added": upto - start, "seconds": round(seconds, 1),
            "per_s": round((upto - start) / seconds, 1) if seconds else 0.0}


def known_states(services, client_ids: list[int]) -> None:  # noqa: ANN001
    """What the bridge knows of each measured customer (the summary and export read it)."""
    from bench.workload import client_vars
    from bridge.verification.state import client_ref

    for client_id in client_ids:
        with services.ledger.unit():
            services.states.record(client_id, client_ref(client_id), client_vars(client_id), seq=None)


# -- the read figures -----------------------------------------------------------------------------

def _timed(call) -> float:  # noqa: ANN001
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1000


def _reads(services) -> dict:  # noqa: ANN001
    from bridge.export import export_for_customer
    from bridge.panels.admin import admin_summary
    from bridge.privacy import privacy_summary

    ledger, views = services.ledger, services.views
    heavy = ledger.store.entries_for_client(HEAVY, after=0, limit=HEAVY_ENTRIES)
    deep_after = heavy[899].seq if len(heavy) >= 1000 else 0
    return {
        "ledger_page_first": lambda c: ledger.client_page(c, after=0, limit=100, reveal=True),
        "ledger_page_deep": lambda _c: ledger.client_page(HEAVY, after=deep_after, limit=100, reveal=True),
        "privacy_summary": lambda c: privacy_summary(views, c),
        "admin_panel": lambda c: admin_summary(views, c, outbox=None),
        "export": lambda c: export_for_customer(views, c),
    }


def read_figures(services, customers: list[int], ref=None, ref_customers: list[int] = ()) -> dict:  # noqa: ANN001
    """Median ms of each read over RUNS runs on each customer (one warm-up call each first). With
    `ref` (the small reference database), each run on the large ledger is followed by the same
    read on the reference, so both medians are taken under the same machine load."""
    reads = _reads(services)
    ref_reads = _reads(ref) if ref is not None else {}
    out = {"customers": customers, "entries_each": [services.ledger.store.count_for_client(c) for c in customers]}
    for name, read in reads.items():
        times, ref_times = [], []
        for k, client_id in enumerate(customers):
            read(client_id)
            if ref is not None:
                ref_reads[name](ref_customers[k])
            for _ in range(RUNS):
                times.append(_timed(lambda c=client_id, r=read: r(c)))
                if ref is not None:
                    ref_times.append(_timed(lambda c=ref_customers[k], r=ref_reads[name]: r(c)))
        out[name] = {"median_ms": round(statistics.median(times), 3), "max_ms": round(max(times), 3)}
        if ref_times:
            out[name]["ref_median_ms"] = round(statistics.median(ref_times), 3)
    return out


def explain(services, client_id: int) -> list[str]:  # noqa: ANN001
    """The plan of the per-client page query at the large size, for the record."""
    engine = services.engine
    sql = ("SELECT seq, prev_hash, hash, body FROM ledger_entries WHERE client_id = "  # noqa: S608 - an int
           f"{int(client_id)} AND seq > 0 ORDER BY seq LIMIT 101")
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return [" ".join(str(v) for v in r) for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql))]
        return [r[0] for r in conn.execute(text("EXPLAIN ANALYZE " + sql))]


def summary_plans(services, client_id: int) -> list[dict]:  # noqa: ANN001
    """Every statement the privacy summary runs for one customer, captured as it runs, each with
    its plan as the database executes it again (PostgreSQL: EXPLAIN (ANALYZE, BUFFERS); SQLite:
    EXPLAIN QUERY PLAN). The panel is the summary plus the ledger page, so these are the reads a
    slow summary or panel is slow in."""
    from sqlalchemy import event

    from bridge.privacy import privacy_summary

    engine, seen = services.engine, []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        privacy_summary(services.views, client_id)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    postgres = engine.dialect.name != "sqlite"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "

    def plan(conn, statement: str, parameters) -> list[str]:  # noqa: ANN001
        rows = conn.exec_driver_sql(prefix + statement, parameters).fetchall()
        return [" ".join(str(v) for v in r) if len(r) > 1 else str(r[0]) for r in rows]

    plans = []
    with engine.connect() as conn:
        for statement, parameters in seen:
            figure = {"sql": " ".join(statement.split()), "plan": plan(conn, statement, parameters)}
            conn.rollback()
            if postgres:  # the same with the server's default JIT, which the bridge turns off
                with conn.begin():
                    conn.exec_driver_sql("SET LOCAL jit = on")
                    figure["plan_jit_on"] = plan(conn, statement, parameters)
            plans.append(figure)
    return plans


def vacuum(services) -> float:  # noqa: ANN001
    """VACUUM ANALYZE (PostgreSQL) or ANALYZE (SQLite) the whole database, as autovacuum or a
    maintenance job would after a bulk load; seconds."""
    began = time.perf_counter()
    if services.engine.dialect.name == "sqlite":
        with services.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with services.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return round(time.perf_counter() - began, 1)


def bench_ledger(backend: str, args, url: str | None, *, into: list, save) -> None:  # noqa: ANN001
    """Appends its figures to `into` at once and calls `save` after each size, so a long run that
    is stopped still leaves what it measured."""
    layout = Layout(small=args.small_entries, entries=args.entries, customers=args.customers,
                    also=tuple(int(b) for b in args.also.split(",") if b.strip()))
    with database(backend, keep=args.keep, url=url) as db_url, \
            database(backend, keep=args.keep, label="scaleref") as ref_url:
        env = bridge_env(db_url)
        services = services_for(env)
        ref = services_for(bridge_env(ref_url))
        try:
            say(f"[{backend}] the reference ledger: {layout.bounds[0]:,} entries ...")
            fill(ref, layout, start=0, upto=layout.bounds[0], label=f"{backend} reference")
            ref_customers = layout.typical(0)
            known_states(ref, ref_customers)
            result: dict = {"backend": backend, "customers": layout.customers, "entries": args.entries,
                            "small_entries": args.small_entries, "batch": FILL_BATCH, "sizes": []}
            into.append(result)
            written = 0  # entries of the fill: exports and states add their own on top, counted apart
            for stage, bound in enumerate(layout.bounds):
                say(f"[{backend}] fill to {bound:,} entries ...")
                figure = {"entries": bound}
                figure["fill"] = fill(services, layout, start=written, upto=bound, label=f"{backend} {bound:,}")
                written = bound
                customers = layout.typical(stage)
                known_states(services, customers)
                say(f"[{backend}] reads at {bound:,} ...")
                figure["reads"] = read_figures(services, customers, ref, ref_customers)
                figure["explain"] = explain(services, customers[0])
                figure["summary_plans"] = summary_plans(services, customers[0])
                if args.vacuum:
                    say(f"[{backend}] VACUUM ANALYZE at {bound:,}, then the reads again ...")
                    figure["vacuum_s"] = vacuum(services)
                    vacuum(ref)
                    figure["reads_vacuumed"] = read_figures(services, customers, ref, ref_customers)
                    figure["summary_plans_vacuumed"] = summary_plans(services, customers[0])
                figure["db_mib"] = db_size_mib(services.engine)
                figure["head"] = services.ledger.head()[0]
                result["sizes"].append(figure)
                save()
            say(f"[{backend}] verify ...")
            began = time.perf_counter()
            verified = services.ledger.verify()
            result["verify"] = {"ok": verified.ok, "entries": verified.entries,
                                "seconds": round(time.perf_counter() - began, 1)}
            save()
        finally:
            services.dispose()
            ref.dispose()


# -- retention ------------------------------------------------------------------------------------

def schedule_due(services, first: int, last: int) -> float:  # noqa: ANN001
    """Customers first..last closed 10 years ago, through RetentionService.record_status."""
    from bridge.retention.planner import CLOSED, StatusEvent

    closed = datetime.now(UTC) - timedelta(days=3650)
    began, mark = time.perf_counter(), time.perf_counter()
    for client_id in range(first, last + 1):
        services.retention.record_status(client_id, StatusEvent(CLOSED, closed + timedelta(seconds=client_id),
                                                                client_id))
        if time.perf_counter() - mark > 15:
            done = client_id - first + 1
            say(f"  scheduled {done:,} / {last - first + 1:,} "
                f"({done / (time.perf_counter() - began):,.0f}/s)")
            mark = time.perf_counter()
    return time.perf_counter() - began


def retention_child(mode: str) -> dict:
    """One measurement in a fresh process (env from the parent): plan | dry."""
    env = dict(os.environ)
    services = services_for(env)
    services.ledger.head()
    from bridge.retention.service import plan_report

    today = date.today()  # noqa: DTZ011 - the plan's as_of
    rss0 = maxrss_mib()
    tracemalloc.start()
    began = time.perf_counter()
    if mode == "plan":
        report = plan_report(services.retention, today, reveal=False)
        count = len(report["due"])
    elif mode == "pages":  # the plan a page at a time, as a client of GET /v1/retention/plan?limit= walks it
        count, after = 0, 0
        while after is not None:
            page = plan_report(services.retention, today, reveal=False, after=after, limit=PLAN_PAGE)
            count, after = count + len(page["due"]), page["next_after"]
    else:
        runner = services.retention_runner()
        report = runner.run(today, dry_run=True, limit=1_000_000)
        count = len(report.purged)
    seconds = time.perf_counter() - began
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    services.dispose()
    return {"mode": mode, "due": count, "seconds": round(seconds, 3), "traced_peak_mib": round(peak / 2**20, 2),
            "rss_growth_mib": round(maxrss_mib() - rss0, 1)}


def child_json(args_: list[str], env: dict[str, str], timeout: float = 7200) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.scale", *args_], cwd=REPO,  # noqa: S603
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.scale {args_[:2]} failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_retention(backend: str, args, url: str | None) -> dict:  # noqa: ANN001
    sizes = (args.due // 10, args.due)
    out: dict = {"backend": backend, "sizes": sizes, "runs": []}
    with database(backend, keep=args.keep, url=url, label="retention") as db_url:
        env = bridge_env(db_url)
        services = services_for(env)
        try:
            have = 0
            for size in sizes:
                say(f"[{backend}] retention: scheduling customers {have + 1:,}..{size:,} ...")
                out.setdefault("schedule_s", []).append(round(schedule_due(services, 100_000_000 + have + 1,
                                                                            100_000_000 + size), 1))
                have = size
                for mode in ("plan", "pages", "dry"):
                    say(f"[{backend}] retention {mode} at {size:,} due ...")
                    figure = child_json(["_retention", mode], env)
                    figure["size"] = size
                    out["runs"].append(figure)
        finally:
            services.dispose()
    return out


# -- sync -----------------------------------------------------------------------------------------

def serve_emulator(customers: int, port: int) -> None:
    """A subprocess: the emulator with N customers (as bench.sync seeds them), until terminated."""
    from bench.sync import seed
    from bridge.whmcs.emulator.server import running_emulator
    from bridge.whmcs.emulator.state import LOOPBACK, EmulatorState

    state = EmulatorState(allowed_ips=LOOPBACK)
    seed(state, customers)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_a: stop.append(1))
    with running_emulator(state, port=port):
        print("ready", flush=True)
        while not stop:
            time.sleep(0.2)


@contextmanager
def emulator_process(customers: int):  # noqa: ANN201
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bench.scale", "_emulator", str(customers), str(port)],  # noqa: S603
                            cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError("the emulator did not start")
        from bridge.whmcs.emulator.server import api_url

        yield api_url(f"http://127.0.0.1:{port}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def sync_child(stop_after: int | None) -> dict:
    """One `bridge sync` pass in a fresh process (env from the parent)."""
    from bridge.whmcs.http import HttpWhmcsClient
    from bridge.whmcs.session import build_session

    env = dict(os.environ)
    with build_session() as session:
        whmcs = HttpWhmcsClient(session=session, url=env["BRIDGE_WHMCS_API_URL"],
                                identifier=env["BRIDGE_WHMCS_IDENTIFIER"], secret=env["BRIDGE_WHMCS_SECRET"])
        services = services_for(env, whmcs=whmcs)
        service = services.sync()
        services.ledger.head()
        rss0 = maxrss_mib()
        tracemalloc.start()
        began = time.perf_counter()
        report = service.run(concurrency=4, stop_after=stop_after)
        seconds = time.perf_counter() - began
        _cur, peak = tracemalloc.get_traced_memory()
        top = _top(tracemalloc.take_snapshot())
        tracemalloc.stop()
        checkpoint = service.store.checkpoint()
        entries, _ = services.ledger.head()
        services.dispose()
    return {"resumed_from": report.resumed_from, "seen": report.seen, "recorded": report.recorded,
            "errors": len(report.errors), "seconds": round(seconds, 2),
            "customers_per_s": round(report.seen / seconds, 1) if seconds else 0.0,
            "checkpoint_after": checkpoint, "ledger_head": entries,
            "traced_peak_mib": round(peak / 2**20, 2), "rss_growth_mib": round(maxrss_mib() - rss0, 1),
            "top_held": top}


def _top(snapshot, count: int = 3) -> list[str]:  # noqa: ANN001
    """Where the memory still held at the end of a pass was allocated (the largest sites)."""
    stats = snapshot.filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)]).statistics("lineno")
    return [f"{s.traceback[0].filename.rsplit('/', 2)[-1]}:{s.traceback[0].lineno} {s.size / 2**20:.2f} MiB"
            for s in stats[:count]]


def bench_sync(backend: str, args, url: str | None) -> dict:  # noqa: ANN001
    from bridge.whmcs.emulator.seed import DEMO_IDENTIFIER, DEMO_SECRET

    small, large = args.sync // 10, args.sync
    out: dict = {"backend": backend, "sizes": (small, large), "passes": []}
    for size, halves in ((small, False), (large, True)):
        with database(backend, keep=args.keep, url=url, label="sync") as db_url:
            say(f"[{backend}] sync: emulator with {size:,} customers ...")
            with emulator_process(size) as api:
                env = {**bridge_env(db_url), "BRIDGE_WHMCS_API_URL": api,
                       "BRIDGE_WHMCS_IDENTIFIER": DEMO_IDENTIFIER, "BRIDGE_WHMCS_SECRET": DEMO_SECRET}
                steps = (("interrupted", size // 2), ("resumed", None)) if halves else (("full", None),)
                for name, stop_after in steps:
                    say(f"[{backend}] sync {name} pass at {size:,} ...")
                    figure = child_json(["_sync", "-" if stop_after is None else str(stop_after)], env)
                    out["passes"].append({"size": size, "pass": name, **figure})
                    say(f"  {figure}")
            engine = create_engine(db_url)
            with engine.connect() as conn:
                out.setdefault("entries_at_end", []).append(
                    conn.execute(text("SELECT count(*) FROM ledger_entries")).scalar())
            engine.dispose()
    return out


# -- the report -----------------------------------------------------------------------------------

def table(results: dict) -> str:
    lines = ["| figure | at small | at large | ratio | target | met |", "| --- | --- | --- | --- | --- | --- |"]
    for led in results.get("ledger", []):
        base = led["sizes"][0]
        for size in led["sizes"][1:]:
            for key, note in (("reads", ""), ("reads_vacuumed", ", after VACUUM ANALYZE")):
                if key not in size:
                    continue
                for name in ("ledger_page_first", "ledger_page_deep", "privacy_summary", "admin_panel", "export"):
                    # against the reference ledger read at the same moment (else the first size's figure)
                    a = size[key][name].get("ref_median_ms", base["reads"][name]["median_ms"])
                    b = size[key][name]["median_ms"]
                    ratio = b / a if a else 0.0
                    lines.append(f"| {name.replace('_', ' ')}, {led['backend']} ({base['entries']:,} -> "
                                 f"{size['entries']:,} entries{note}) | {a:.2f} ms | {b:.2f} ms | {ratio:.2f} "
                                 f"| <= 2 | {'yes' if ratio <= 2 else '**no**'} |")
    for ret in results.get("retention", []):
        for mode in ("plan", "pages", "dry"):
            runs = [r for r in ret["runs"] if r["mode"] == mode]
            if len(runs) != 2:
                continue
            a, b = runs
            ratio = b["traced_peak_mib"] / a["traced_peak_mib"] if a["traced_peak_mib"] else 0.0
            lines.append(f"| retention {mode}, {ret['backend']} ({a['size']:,} -> {b['size']:,} due): "
                         f"tracemalloc peak / maxrss growth | {a['traced_peak_mib']} / {a['rss_growth_mib']} MiB, "
                         f"{a['seconds']} s | {b['traced_peak_mib']} / {b['rss_growth_mib']} MiB, {b['seconds']} s "
                         f"| {ratio:.2f} | flat (well under 10) | {'yes' if ratio < 3 else '**no**'} |")
    for syn in results.get("sync", []):
        passes = {p["pass"]: p for p in syn["passes"]}
        if len(passes) < 3:
            continue
        full, cut, again = passes["full"], passes["interrupted"], passes["resumed"]
        peak = max(cut["traced_peak_mib"], again["traced_peak_mib"])
        ratio = peak / full["traced_peak_mib"] if full["traced_peak_mib"] else 0.0
        lines.append(f"| sync, {syn['backend']} ({full['size']:,} full pass -> {cut['size']:,} in two passes): "
                     f"tracemalloc peak / maxrss growth | {full['traced_peak_mib']} / {full['rss_growth_mib']} MiB, "
                     f"{full['customers_per_s']} customers/s | {peak} / "
                     f"{max(cut['rss_growth_mib'], again['rss_growth_mib'])} MiB, "
                     f"{again['customers_per_s']} customers/s | {ratio:.2f} | flat | "
                     f"{'yes' if ratio < 3 else '**no**'} |")
        resumed = again["resumed_from"] == cut["checkpoint_after"] > 0 and \
            cut["seen"] + again["seen"] == cut["size"] and not again["errors"]
        lines.append(f"| sync resume, {syn['backend']}, {cut['size']:,} customers | stopped after {cut['seen']:,}, "
                     f"checkpoint {cut['checkpoint_after']:,} | resumed from {again['resumed_from']:,}, "
                     f"read {again['seen']:,} more | - | resumes, no customer twice | "
                     f"{'yes' if resumed else '**no**'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_retention":
        print(json.dumps(retention_child(argv[1])))
        return 0
    if argv and argv[0] == "_sync":
        print(json.dumps(sync_child(None if argv[1] == "-" else int(argv[1]))))
        return 0
    if argv and argv[0] == "report":  # the table from saved results: python -m bench.scale report FILE...
        merged: dict = {"ledger": [], "retention": [], "sync": []}
        for name in argv[1:]:
            saved = json.loads(Path(name).read_text())
            for key in merged:
                merged[key] += saved.get(key, [])
        print(table(merged))
        return 0
    if argv and argv[0] == "_emulator":
        serve_emulator(int(argv[1]), int(argv[2]))
        return 0
    # a TERM (nohup'd runs ignore INT) unwinds like Ctrl-C, so the throwaway databases are removed
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--small-entries", type=int, default=10_000)
    parser.add_argument("--also", default="", help="more ledger sizes to time the reads at, e.g. 3000000")
    parser.add_argument("--due", type=int, default=100_000, help="large due set (the small is a tenth)")
    parser.add_argument("--sync", type=int, default=200_000, help="large sync size (the small is a tenth)")
    parser.add_argument("--quick", action="store_true", help="100k entries / 10k customers, 10k due, 2k sync")
    parser.add_argument("--mid", action="store_true", help="1M entries / 100k customers, 100k due, 10k sync")
    parser.add_argument("--only", default="ledger,retention,sync")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma list of sqlite, postgresql")
    parser.add_argument("--database-url", default=None, help="one empty database to use (kept) instead")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--vacuum", action="store_true",
                        help="after each size's reads, VACUUM ANALYZE (SQLite: ANALYZE) both and time again")
    parser.add_argument("--tag", default=None, help="name of the JSON file under bench/out/")
    args = parser.parse_args(argv)
    if args.quick:
        args.customers, args.entries, args.due, args.sync = 10_000, 100_000, 10_000, 2_000
    elif args.mid:
        args.customers, args.entries, args.due, args.sync = 100_000, 1_000_000, 100_000, 10_000
    if args.database_url:
        backends = [("postgresql" if args.database_url.startswith("postgresql") else "sqlite", args.database_url)]
    else:
        wanted = {b.strip() for b in args.backends.split(",")}
        backends = [("sqlite", None)] if "sqlite" in wanted else []
        if "postgresql" in wanted and not args.no_postgres and pg_available():
            backends.append(("postgresql", None))
    chosen = {p.strip() for p in args.only.split(",") if p.strip()}
    say(shutil.disk_usage(tempfile.gettempdir()).free.__format__(",") + " bytes free for the databases")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,  # noqa: S607
                            text=True, check=False).stdout.strip()
    results: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "commit": commit,
                     "args": vars(args), "ledger": [], "retention": [], "sync": []}
    tag = args.tag or f"scale-{args.entries}"
    OUT.mkdir(exist_ok=True)

    def save() -> None:
        (OUT / f"{tag}.json").write_text(json.dumps(results, indent=2))

    for backend, url in backends:
        if "ledger" in chosen:
            bench_ledger(backend, args, url, into=results["ledger"], save=save)
        if "retention" in chosen:
            results["retention"].append(bench_retention(backend, args, url))
            save()
        if "sync" in chosen:
            results["sync"].append(bench_sync(backend, args, url))
            save()
    results["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    save()
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
