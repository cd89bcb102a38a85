"""Where one hook event's CPU goes: `python -m bench.stages [--events N] [--no-postgres]`.

The HTTP ingest figure says how fast; this says why. It runs the ingest workloads of
`bench.workload` in process, through the real app (Flask's test client, so no gunicorn and no
wrk), with a timer wrapped around each step of the path: the signature check, the envelope load,
and every step of `IngestService.record_event` in its order. The unit of work's commit is the time
spent leaving it. Figures are CPU time of this process (`time.process_time`), the best of three
passes, so other load on the machine moves them less than wall time; the database server's own CPU
(PostgreSQL) is not in them. JSON on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bench.common import pg_available, pg_db, secrets_env, sqlite_db, webhook_secret, workdir
from bench.http_ingest import warm_keys
from bench.workload import WORKLOADS, signed_lines

PASSES = 3


class Stopwatch:
    """CPU seconds per named step, summed over the calls of one pass."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, function: Callable) -> Callable:
        def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.spent[name] += time.process_time() - started
        timed.bench_timed = True
        return timed

    def wrap_unit(self, name: str, unit: Callable) -> Callable:
        """A unit-of-work factory whose opening and closing (the commit) are timed apart."""
        @contextmanager
        def timed() -> Iterator[None]:
            started = time.process_time()
            with unit():
                self.spent[f"{name}: begin"] += time.process_time() - started
                yield
                started = time.process_time()
            self.spent[f"{name}: commit"] += time.process_time() - started
        return timed


WATCH = Stopwatch()


def instrument(services, watch: Stopwatch) -> None:  # noqa: ANN001 - the app's Services
    """Wrap each step of the path, where the checkout has it (old checkouts lack some). Module
    functions are wrapped once per process; the services' methods once per Services."""
    import bridge.ingest.service as ingest_module
    import bridge.web.hooks as hooks_module

    for module, name in ((hooks_module, "verify"), (hooks_module, "load_envelope"),
                         (ingest_module, "drafts_for")):
        function = getattr(module, name, None)
        if function is not None and not getattr(function, "bench_timed", False):
            setattr(module, name, watch.wrap(name, function))
    steps = ((services.ingest, "record_event"), (services.gate, "fill_olddata"), (services.ledger, "seal"),
             (services.gate, "assess"), (services.ledger, "append_sealed"), (services.gate, "record_known_state"),
             (services.gate, "enforce"), (services.retention, "follow_account_status"))
    for owner, name in steps:
        if hasattr(owner, name):
            setattr(owner, name, watch.wrap(name, getattr(owner, name)))
    if hasattr(services.ledger, "unit"):
        services.ledger.unit = watch.wrap_unit("unit of work", services.ledger.unit)


def measure(database_url: str, *, workload: str, events: int) -> dict:
    from bridge.services import build_services
    from bridge.settings import load_settings
    from bridge.web.app import create_app

    env = secrets_env(database_url)
    warm_keys(env, workload=workload)
    os.environ.update(env)
    services = build_services(load_settings(environ=env))
    try:
        client = create_app(services=services).test_client()
        lines = list(signed_lines(events * (PASSES + 1), secret=webhook_secret(env), timestamp=int(time.time()),
                                  prefix=f"stages_{workload}"))
        post = _poster(client)
        for line in lines[:events]:  # warm-up: imports, compiled statements, pools
            post(line)
        instrument(services, WATCH)
        best: dict[str, float] | None = None
        for index in range(1, PASSES + 1):
            WATCH.spent.clear()
            started = time.process_time()
            for line in lines[events * index:events * (index + 1)]:
                post(line)
            spent = {"request (all of it)": time.process_time() - started, **WATCH.spent}
            if best is None or spent["request (all of it)"] < best["request (all of it)"]:
                best = spent
        return {name: round(seconds * 1000 / events, 3) for name, seconds in (best or {}).items()}
    finally:
        services.dispose()


def _poster(client) -> Callable[[str], None]:  # noqa: ANN001 - Flask's test client
    def post(line: str) -> None:
        msg_id, timestamp, signature, body = line.split("\t", 3)
        reply = client.post("/v1/hooks/whmcs", data=body, content_type="application/json",
                            headers={"webhook-id": msg_id, "webhook-timestamp": timestamp,
                                     "webhook-signature": signature})
        if reply.status_code != 202:
            raise RuntimeError(f"ingest answered {reply.status_code}: {reply.get_data(as_text=True)[:300]}")
    return post


def table(results: list[dict]) -> str:
    names = list(dict.fromkeys(name for r in results for name in r["ms"]))
    head = "| step (ms CPU per event) | " + " | ".join(f"{r['backend']}, {r['workload']}" for r in results) + " |"
    rows = [head, "| --- |" + " --- |" * len(results)]
    for name in names:
        rows.append(f"| {name} | " + " | ".join(f"{r['ms'].get(name, 0):.3f}" for r in results) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stages", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500, help="events per pass (default 500)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error("--events must be at least 1")
    results = []
    backends = ["sqlite"] + ([] if args.no_postgres or not pg_available() else ["postgresql"])
    for backend in backends:
        for workload in WORKLOADS:
            print(f"stages: {backend}, {workload} edits, {args.events} events x {PASSES} passes ...",
                  file=sys.stderr, flush=True)
            with workdir() as folder, (sqlite_db(folder) if backend == "sqlite" else pg_db()) as url:
                results.append({"backend": backend, "workload": workload,
                                "ms": measure(url, workload=workload, events=args.events)})
    print(table(results))
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
