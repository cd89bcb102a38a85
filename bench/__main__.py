"""`python -m bench [--full] [--only http,verify,append,sync,validate] [--no-sync-validate] [--no-postgres]`:
run, print, write bench/out/."""

from __future__ import annotations

import argparse
import sys
import time

from bench import append_rate, http_ingest, verify_speed
from bench import sync as sync_bench
from bench import validate as validate_bench
from bench.common import OUT, pg_available, pg_db, run_json, sqlite_db, workdir
from bench.report import HEADER, machine, write
from bench.workload import WORKLOADS

SHORT = {"http_s": 10, "verify": (10_000, 100_000), "append_s": 5.0, "http_sets": (("sqlite", 2), ("postgresql", 4)),
         "sync_customers": 2_000, "validate_workers": (2,)}
FULL = {"http_s": 15, "verify": (10_000, 100_000, 1_000_000), "append_s": 15.0,
        "http_sets": (("sqlite", 2), ("sqlite", 4), ("postgresql", 2), ("postgresql", 4)),
        "sync_customers": 20_000, "validate_workers": (2, 4)}


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def bench_http(profile: dict, results: dict, *, postgres: bool) -> None:
    for backend, workers in profile["http_sets"]:
        if backend == "postgresql" and not postgres:
            continue
        for workload in WORKLOADS:
            say(f"HTTP ingest: {backend}, {workers} workers, {workload} edits, {profile['http_s']} s per side ...")
            with workdir() as folder:
                database = sqlite_db(folder) if backend == "sqlite" else pg_db()
                with database as url:
                    figure = http_ingest.run_pair(backend=backend, database_url=url, folder=folder,
                                                  workers=workers, connections=32, seconds=profile["http_s"],
                                                  workload=workload)
            results["http"].append(figure.as_dict())


def bench_verify(profile: dict, results: dict) -> None:
    with workdir() as folder, sqlite_db(folder) as url:
        for size in profile["verify"]:
            say(f"ledger verify: filling to {size:,} entries ...")
            verify_speed.fill(url, size)
            say(f"ledger verify: measuring at {size:,} ...")
            results["verify"].append(verify_speed.measure(url, timeout=1800).as_dict())


def bench_append(profile: dict, results: dict, *, postgres: bool) -> None:
    seconds = profile["append_s"]
    # (threads, drafts per call, what-if synchronous=NORMAL)
    for threads, per_call, relaxed in ((1, 100, False), (4, 1, False), (8, 1, False), (1, 1, False), (1, 1, True)):
        what_if = " (what-if synchronous=NORMAL)" if relaxed else ""
        say(f"append: SQLite, {threads} thread(s), {per_call} per call, {seconds} s{what_if} ...")
        with workdir() as folder, sqlite_db(folder) as url:
            figure = append_rate.run(backend="sqlite", database_url=url, threads=threads, seconds=seconds,
                                     relaxed=relaxed, per_call=per_call)
        results["append"].append(figure.as_dict())
    if postgres:
        for threads, per_call in ((4, 1), (1, 1), (1, 100)):
            say(f"append: PostgreSQL, {threads} thread(s), {per_call} per call, {seconds} s ...")
            with pg_db() as url:
                figure = append_rate.run(backend="postgresql", database_url=url, threads=threads, seconds=seconds,
                                         per_call=per_call)
            results["append"].append(figure.as_dict())


def bench_sync(profile: dict, results: dict, *, postgres: bool) -> None:
    customers = profile["sync_customers"]
    say(f"sync: SQLite, {customers:,} customers, concurrency 4 ...")
    results["sync"].append(run_json("bench.sync", "--customers", str(customers), timeout=3600))
    if postgres:
        say(f"sync: PostgreSQL, {customers:,} customers, concurrency 4 ...")
        with pg_db() as url:
            results["sync"].append(run_json("bench.sync", "--customers", str(customers), "--database-url", url,
                                            timeout=3600))


def bench_validate(profile: dict, results: dict) -> None:
    for workers in profile["validate_workers"]:
        say(f"validate: SQLite, {workers} workers, {profile['http_s']} s per run (6 runs) ...")
        results["validate"].append(validate_bench.run(workers=workers, seconds=profile["http_s"]))


def extra_rows(results: dict) -> str:
    """The sync and validate rows: a second table under the one bench.report writes."""
    rows = [sync_bench.row(f) for f in results["sync"]]
    rows += [line for f in results["validate"] for line in validate_bench.rows(f)]
    checks = [f"Checks failed for validate ({f['workers']} workers): " + "; ".join(c[:300] for c in f["checks"])
              for f in results["validate"] if f["checks"]]
    return "\n".join([HEADER, *rows, "", *checks]) + "\n" if rows else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--full", action="store_true", help="long profile: 1M-entry verify, 15 s runs, more sets")
    parser.add_argument("--only", default="http,verify,append,sync,validate",
                        help="comma list of http, verify, append, sync, validate")
    parser.add_argument("--no-sync-validate", action="store_true", help="skip the sync and validate benchmarks")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL figures")
    args = parser.parse_args(argv)
    profile = FULL if args.full else SHORT
    chosen = {part.strip() for part in args.only.split(",") if part.strip()}
    postgres = not args.no_postgres and pg_available()
    if not postgres:
        say("PostgreSQL not reachable (or --no-postgres): its figures are skipped")
    results: dict = {"profile": "full" if args.full else "short", "machine": machine(),
                     "http": [], "verify": [], "append": [], "sync": [], "validate": []}
    began = time.monotonic()
    if "verify" in chosen:
        bench_verify(profile, results)
    if "append" in chosen:
        bench_append(profile, results, postgres=postgres)
    if "http" in chosen:
        bench_http(profile, results, postgres=postgres)
    if "sync" in chosen and not args.no_sync_validate:
        bench_sync(profile, results, postgres=postgres)
    if "validate" in chosen and not args.no_sync_validate:
        bench_validate(profile, results)
    results["seconds"] = round(time.monotonic() - began, 1)
    text = write(results)
    extra = extra_rows(results)
    if extra:
        text += "\n" + extra
        (OUT / "results.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
