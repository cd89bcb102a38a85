"""Ingest over HTTP: the bridge's POST /v1/hooks/whmcs against a bare Flask POST, both under
gunicorn (sync workers, same count) on 127.0.0.1, both driven by wrk at the same concurrency.

Every ingest request is a distinct, validly signed ClientEdit of one of `bench.workload.WORKLOADS`,
signed just before the run (inside the default 300 s tolerance). Afterwards: every response must be
202, the ledger must verify and hold exactly one `client.updated` entry per 202, and a
`verification.requested` for each of them only on the unverified workload.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

from bench.common import REPO, secrets_env, webhook_secret
from bench.servers import gunicorn
from bench.workload import KNOWN_CUSTOMERS, WORKLOADS, client_add, signed_lines

LUA = Path(__file__).with_name("wrk_cycle.lua")
FLOOR_PATHS = {"sqlite": "/floor/durable", "postgresql": "/floor/durable-pg"}
WRK_THREADS = 2


@dataclass
class Load:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]
    errors: dict[str, int]
    wraps: int
    server_cpu_s: float
    wrk_cpu_s: float
    machine_busy: float  # share of all cores busy during the run, 0..1


@dataclass
class HttpFigure:
    backend: str
    workload: str  # one of WORKLOADS
    workers: int
    connections: int
    bare: Load
    ingest: Load
    ratio: float
    ledger_entries: int  # client.updated entries
    ledger_ok: bool
    verification_requests: int  # verification.requested entries: one per edit when unverified, else none
    server_202: int  # counted from the server's request log: includes requests in flight at wrk's cut-off
    checks: list[str] = field(default_factory=list)
    # bench/bare_app.py's /floor/durable*: bare Flask plus one durable INSERT of the body per request
    floor: Load | None = None
    floor_ratio: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _machine_busy() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def run_wrk(server, requests_file: Path, *, connections: int, seconds: int,  # noqa: ANN001
            path: str = "/v1/hooks/whmcs") -> Load:
    """wrk against `path` of `server`, cycling through the signed requests of `requests_file`."""
    threads = min(WRK_THREADS, connections)
    env = {"BENCH_REQUESTS": str(requests_file), "BENCH_THREADS": str(threads), "PATH": "/usr/bin:/bin"}
    args = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s",
            "-s", str(LUA), f"http://127.0.0.1:{server.port}{path}"]
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0, (busy0, total0) = server.cpu_seconds(), _machine_busy()
    done = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 120, check=False, env=env)  # noqa: S603
    cpu1, (busy1, total1) = server.cpu_seconds(), _machine_busy()
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed: {done.stdout[-1500:]} {done.stderr[-1500:]}")
    data = json.loads(line[len("BENCH "):])
    elapsed = data["duration_us"] / 1e6
    wrk_cpu = sum(getattr(after_children, f) - getattr(before_children, f) for f in ("ru_utime", "ru_stime"))
    return Load(
        requests=data["requests"], seconds=round(elapsed, 2), rps=round(data["requests"] / elapsed, 1),
        p50_ms=data["p50_us"] / 1000, p90_ms=data["p90_us"] / 1000, p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000, statuses=data["statuses"], errors=data["errors"], wraps=data["wraps"],
        server_cpu_s=round(cpu1 - cpu0, 2), wrk_cpu_s=round(wrk_cpu, 2),
        machine_busy=round((busy1 - busy0) / max(1, total1 - total0), 3),
    )


def _write_requests(path: Path, count: int, *, secret: bytes, prefix: str) -> None:
    with path.open("w") as handle:
        for line in signed_lines(count, secret=secret, timestamp=int(time.time()), prefix=prefix):
            handle.write(line + "\n")


def warm_keys(env: dict[str, str], *, workload: str = "unverified") -> None:
    """Let the bridge meet every benchmark customer first (their ClientAdd, straight through the
    ingest service): a live bridge knows its customers, and a first-touch key write would
    otherwise dominate a short run. For the `verified` workload, staff also record a current ID
    check for each of them."""
    from bridge.ledger.entries import Actor
    from bridge.schemas.hooks import load_envelope
    from bridge.services import build_services
    from bridge.settings import load_settings
    from bridge.verification.service import Attestation

    if workload not in WORKLOADS:
        raise ValueError(f"unknown workload {workload!r}; one of {', '.join(WORKLOADS)}")
    services = build_services(load_settings(environ=env))
    # the one call that differs between checkouts measured against each other
    record = getattr(services.ingest, "record_event", None) or services.ingest.ingest
    at = services.clock.now() - timedelta(days=1)
    staff = Actor(type="staff", id="bench")
    check = Attestation(document_type="passport", issuing_country="GB", document_last4="1234")
    try:
        for client_id in range(1, KNOWN_CUSTOMERS + 1):
            record(f"bench_add_{client_id}", load_envelope(client_add(client_id, at=at), kind="event"))
            if workload == "verified":
                services.verifications.record_verification(client_id, check, actor=staff)
    finally:
        services.dispose()
    # bodies carry whole-second timestamps, one second before signing: the edits' start after the
    # last check's second
    if workload == "verified":
        time.sleep(2.05 - time.time() % 1)


def _ledger_state(env: dict[str, str]) -> tuple[dict[str, int], bool]:
    """Entries by type, and whether the chain verifies."""
    from bridge.services import build_services
    from bridge.settings import load_settings

    services = build_services(load_settings(environ=env))
    try:
        return services.ledger.store.counts_by_type(), services.ledger.verify().ok
    finally:
        services.dispose()


def run_pair(*, backend: str, database_url: str, folder: Path, workers: int, connections: int,
             seconds: int, workload: str = "unverified") -> HttpFigure:
    """Bare first (its rate sizes the ingest request file), then the bridge on a fresh ledger."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    env = secrets_env(database_url)
    secret = webhook_secret(env)
    bare_file = folder / "bare-requests.txt"
    _write_requests(bare_file, 4000, secret=secret, prefix="bare")
    floor_env = ({"BENCH_FLOOR_DB": str(folder / "floor.db")} if backend == "sqlite"
                 else {"BENCH_FLOOR_PG": database_url})
    with gunicorn("bench.bare_app:app", env=floor_env, workers=workers, log=folder / "bare.log") as server:
        bare = run_wrk(server, bare_file, connections=connections, seconds=seconds)
        floor = run_wrk(server, bare_file, connections=connections, seconds=seconds,
                        path=FLOOR_PATHS[backend])
    # ingest can't beat the bare endpoint: size for its rate plus a margin, so no request repeats
    needed = int(bare.rps * seconds * 1.3) + 2000
    ingest_file = folder / "ingest-requests.txt"
    warm_keys(env, workload=workload)
    with gunicorn("wsgi:app", env=env, workers=workers, log=folder / f"ingest-{backend}.log") as server:
        _write_requests(ingest_file, needed, secret=secret, prefix=f"{backend}{workers}")
        ingest = run_wrk(server, ingest_file, connections=connections, seconds=seconds)
    counts, ok = _ledger_state(env)
    log = folder / f"ingest-{backend}.log"
    figure = HttpFigure(backend=backend, workload=workload, workers=workers, connections=connections, bare=bare,
                        ingest=ingest, ratio=round(ingest.rps / bare.rps, 3),
                        ledger_entries=counts.get("client.updated", 0), ledger_ok=ok,
                        verification_requests=counts.get("verification.requested", 0),
                        server_202=_logged_202(log), floor=floor, floor_ratio=round(floor.rps / bare.rps, 3))
    figure.checks = _checks(figure, log)
    return figure


def _logged_202(log: Path) -> int:
    """Responses 202 the server logged for the hook path (one JSON `request` line each)."""
    count = 0
    with log.open(errors="replace") as handle:
        for line in handle:
            if '"msg": "request"' in line and '"status": 202' in line and '"/v1/hooks/whmcs"' in line:
                count += 1
    return count


def _last_error(log: Path) -> str:
    """The last error line of a server log and the line after it (the exception's message)."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    for k in range(len(lines) - 1, -1, -1):
        if "Error" in lines[k] or "Traceback" in lines[k]:
            return " | ".join(lines[k:k + 2])[:600]
    return "(no error logged)"


def _checks(figure: HttpFigure, log: Path) -> list[str]:
    """Everything that makes the ingest figure invalid, as readable lines (empty: all good)."""
    problems = []
    ingest = figure.ingest
    accepted = ingest.statuses.get("202", 0)
    others = {k: v for k, v in ingest.statuses.items() if k != "202"}
    if others:
        problems.append(f"non-202 responses: {others}")
    if any(ingest.errors.values()):
        problems.append(f"socket errors: {ingest.errors}")
    if ingest.wraps:
        problems.append("the request file ran out: some requests were replays")
    # wrk stops at its deadline with up to `connections` requests in flight; the server still
    # answers them, so the ledger is checked against the server's own count of 202s
    if figure.ledger_entries != figure.server_202:
        problems.append(f"ledger holds {figure.ledger_entries} client.updated entries for {figure.server_202} "
                        "logged 202s")
    if not accepted <= figure.server_202 <= accepted + figure.connections:
        problems.append(f"server logged {figure.server_202} 202s, wrk saw {accepted}")
    if not figure.ledger_ok:
        problems.append("ledger verify failed")
    expected_requests = figure.ledger_entries if figure.workload == "unverified" else 0
    if figure.verification_requests != expected_requests:
        problems.append(f"{figure.verification_requests} verification requests for {figure.ledger_entries} "
                        f"{figure.workload} edits (expected {expected_requests})")
    if figure.floor is not None and (set(figure.floor.statuses) != {"202"} or any(figure.floor.errors.values())):
        problems.append(f"floor run: statuses {figure.floor.statuses} errors {figure.floor.errors}; its server's "
                        f"log: {_last_error(log.parent / 'bare.log')}")
    if problems:
        tail = log.read_text(errors="replace")[-1500:]
        problems.append(f"server log tail: {tail}")
    return problems


__all__ = ["HttpFigure", "REPO", "run_pair"]
