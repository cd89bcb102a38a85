"""The synchronous validate hook over HTTP: the bridge's POST /v1/hooks/whmcs/validate against the
bare Flask POST of `bench/bare_app.py`, both under gunicorn (sync workers, same count) on
127.0.0.1, both driven by wrk with the same Lua script cycling precomputed signed requests.

    python -m bench.validate [--workers 2] [--seconds 10]

Bodies are ClientDetailsValidation envelopes shaped like the hook sends them (submitted values,
`vars.userid`, the stored values under `vars.current`) for 200 customers, each with a current ID
verification recorded through `VerificationService` beforehand, on the embedded default (SQLite).
Two variants:

- unchanged: the customer saves the account form without touching a protected field (the common
  case); answered from the request alone;
- verified change: the email changes for a verified customer; the bridge looks the verification
  up and records an allowance (one write transaction), then allows it.

The bare runs come before and after the bridge's (both servers up throughout); the baseline is
their mean, and their spread shows how much the machine's other load moved meanwhile. Each side
runs twice: saturated (32 connections: the throughput ratio) and with one request in
flight per worker (the latency a WHMCS page request sees when the bridge is not overloaded: the
p99 target applies there). Validate calls are not de-duplicated, so wrk cycles through the request
file; everything is signed just before the run, inside the 300 s tolerance. Every answer is
checked once before the load (each must be `allowed: true`), and afterwards the allowances recorded must equal
the server's logged answers for the verified variant.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from bench.common import REPO, secrets_env, sqlite_db, webhook_secret, workdir
from bench.http_ingest import run_wrk
from bench.servers import gunicorn
from bridge.signing import sign

PATH = "/v1/hooks/whmcs/validate"
FLOOR_PATH = "/floor/validate"  # bench/bare_app.py: bare Flask + signature check + envelope load
BARE_PATH = "/v1/hooks/whmcs"  # the bare app's one route: same bytes, same gunicorn, no bridge
FIXTURE = REPO / "tests" / "fixtures" / "hooks" / "ClientDetailsValidation.json"
CUSTOMERS = 200
TARGET_RATIO, TARGET_P99_MS = 0.65, 5.0
VARIANTS = ("unchanged", "verified-change")


def _fields(client_id: int) -> dict:
    return {"firstname": "Jane", "lastname": f"Doe{client_id}", "companyname": "Example Hosting Ltd",
            "email": f"jane{client_id}@example.net", "address1": f"{client_id} Example Street", "address2": "",
            "city": "Exampleton", "state": "Example County", "postcode": "EX1 2AB", "country": "GB",
            "phonenumber": f"+44.16329{client_id:05d}", "tax_id": f"GB{100000000 + client_id}",
            "paymentmethod": "banktransfer"}


def body(client_id: int, variant: str, *, at: datetime) -> bytes:
    """The fixture, re-aimed at one customer: unchanged values, or a new email."""
    envelope = json.loads(FIXTURE.read_text())
    current = _fields(client_id)
    submitted = dict(current)
    if variant == "verified-change":
        submitted["email"] = f"jane.new{client_id}@example.org"
    envelope["occurred_at"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    envelope["actor"].update(id=client_id, user_id=client_id + 10000)
    extra = {k: v for k, v in envelope["vars"].items() if k not in current and k != "current"}
    envelope["vars"] = {**submitted, **extra, "userid": client_id,
                        "current": {**current, "marketing_emails_opt_in": False}}
    return json.dumps(envelope, separators=(",", ":")).encode()


def write_requests(path: Path, variant: str, *, secret: bytes) -> None:
    """One line per customer (wrk cycles through them): webhook-id, timestamp, signature, body."""
    now = int(time.time())
    at = datetime.fromtimestamp(now, UTC)
    with path.open("w") as handle:
        for client_id in range(1, CUSTOMERS + 1):
            raw, msg_id = body(client_id, variant, at=at), f"msg_validate_{variant}_{client_id:05d}"
            handle.write("\t".join((msg_id, str(now), sign(secret, msg_id=msg_id, timestamp=now, body=raw),
                                    raw.decode())) + "\n")


def record_verifications(env: dict[str, str]) -> None:
    """A current ID check for every benchmark customer, as staff would record it."""
    from bridge.ledger.entries import Actor
    from bridge.services import build_services
    from bridge.settings import load_settings
    from bridge.verification.service import Attestation

    services = build_services(load_settings(environ=env))
    try:
        staff = Actor(type="staff", id="bench")
        for client_id in range(1, CUSTOMERS + 1):
            services.verifications.record_verification(
                client_id, Attestation(document_type="passport", issuing_country="GB", document_last4="1234"),
                actor=staff)
    finally:
        services.dispose()
    # bodies carry whole-second timestamps: start them after the last recording's second
    time.sleep(1.05 - time.time() % 1)


def _answers(port: int, requests_file: Path) -> dict[str, int]:
    """POST every request of the file once; how many got each answer."""
    seen: dict[str, int] = {}
    for line in requests_file.read_text().splitlines():
        msg_id, ts, sig, raw = line.split("\t", 3)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("POST", PATH, body=raw.encode(), headers={
                "webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": sig,
                "Content-Type": "application/json"})
            response = conn.getresponse()
            key = f"{response.status} {response.read().decode(errors='replace')[:200].strip()}"
        finally:
            conn.close()
        seen[key] = seen.get(key, 0) + 1
    return seen


def _logged(log: Path, status: int) -> int:
    with log.open(errors="replace") as handle:
        return sum(1 for line in handle if '"msg": "request"' in line and f'"status": {status}' in line
                   and f'"{PATH}"' in line)


def _allowances(url: str) -> int:
    from bridge.db.base import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM validate_allowances")).scalar_one()
    finally:
        engine.dispose()


def run(*, workers: int = 2, seconds: int = 10, connections: int = 32) -> dict:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    calm = workers  # one request in flight per worker
    figure: dict = {"backend": "sqlite", "workers": workers, "connections": connections, "calm_connections": calm,
                    "bare": {}, "variants": {}, "checks": []}
    with workdir() as folder, sqlite_db(folder) as url:
        env = secrets_env(url)
        secret = webhook_secret(env)
        record_verifications(env)
        files = {v: folder / f"{v}.txt" for v in VARIANTS}
        write_requests(files["unchanged"], "unchanged", secret=secret)
        log = folder / "validate.log"
        # both servers up at once: the bare runs bracket the bridge's, so a change in the machine's
        # other load during the run shows as a gap between the two bare rates
        with gunicorn("bench.bare_app:app", env=env, workers=workers, log=folder / "bare.log") as bare_server, \
                gunicorn("wsgi:app", env=env, workers=workers, log=log) as server:
            def bare_runs(when: str) -> None:
                for label, conns in (("saturated", connections), ("calm", calm)):
                    load = run_wrk(bare_server, files["unchanged"], path=BARE_PATH, connections=conns,
                                   seconds=seconds)
                    figure["bare"][f"{label}_{when}"] = asdict(load)

            bare_runs("before")
            # the floor: the bare app plus what validate cannot skip (signature, envelope load)
            figure["floor"] = asdict(run_wrk(bare_server, files["unchanged"], path=FLOOR_PATH,
                                             connections=connections, seconds=seconds))
            for variant in VARIANTS:
                write_requests(files[variant], variant, secret=secret)  # signed now: well inside the tolerance
                answers = _answers(server.port, files[variant])
                if list(answers) != ['200 {"allowed":true,"errors":[]}']:
                    figure["checks"].append(f"{variant}: answers other than allowed: {answers}")
                before_200, before_allow = _logged(log, 200), _allowances(url)
                runs = {}
                for label, conns in (("saturated", connections), ("calm", calm)):
                    runs[label] = asdict(run_wrk(server, files[variant], path=PATH, connections=conns,
                                                 seconds=seconds))
                time.sleep(0.5)  # the answers in flight at wrk's cut-off are still logged
                served, allowed = _logged(log, 200) - before_200, _allowances(url) - before_allow
                figure["variants"][variant] = {**runs, "served_200": served, "allowances": allowed}
                for label, load in runs.items():
                    others = {k: n for k, n in load["statuses"].items() if k != "200"}
                    if others or any(load["errors"].values()):
                        figure["checks"].append(
                            f"{variant} {label}: statuses {load['statuses']} errors {load['errors']}")
                if variant == "verified-change" and allowed != served:
                    figure["checks"].append(f"{variant}: {allowed} allowances for {served} answers")
                if variant == "unchanged" and allowed:
                    figure["checks"].append(f"{variant}: {allowed} allowances recorded, expected none")
            bare_runs("after")
            floor = figure["floor"]
            if set(floor["statuses"]) != {"200"} or any(floor["errors"].values()):
                figure["checks"].append(f"floor: statuses {floor['statuses']} errors {floor['errors']}")
        if figure["checks"]:
            figure["checks"].append("server log tail: " + log.read_text(errors="replace")[-1500:])
    bare = figure["bare"]
    for label in ("saturated", "calm"):  # the mean of the two bare runs; p50/p99 the worse of them
        before, after = bare[f"{label}_before"], bare[f"{label}_after"]
        bare[label] = {"rps": round((before["rps"] + after["rps"]) / 2, 1),
                       "spread": round(abs(before["rps"] - after["rps"]) / max(before["rps"], after["rps"]), 3),
                       "server_cpu_s": before["server_cpu_s"] + after["server_cpu_s"],
                       "requests": before["requests"] + after["requests"],
                       **{k: max(before[k], after[k]) for k in ("p50_ms", "p99_ms")}}
    bare = bare["saturated"]["rps"]
    for variant in figure["variants"].values():
        variant["ratio"] = round(variant["saturated"]["rps"] / bare, 3)
    figure["floor_ratio"] = round(figure["floor"]["rps"] / bare, 3)
    return figure


def rows(f: dict) -> list[str]:
    """Lines of the results table (the header is bench.report.HEADER)."""
    out = []
    invalid = " (INVALID: see checks)" if f["checks"] else ""
    bare_s, bare_c = f["bare"]["saturated"], f["bare"]["calm"]
    for name, v in f["variants"].items():
        s, c = v["saturated"], v["calm"]
        ok = v["ratio"] >= TARGET_RATIO and c["p99_ms"] < TARGET_P99_MS and not f["checks"]
        cpu = s["server_cpu_s"] * 1000 / max(1, s["requests"])
        cpu_b = bare_s["server_cpu_s"] * 1000 / max(1, bare_s["requests"])
        out.append(
            f"| validate ({name}), sqlite, {f['workers']} sync workers{invalid} "
            f"| {s['rps']:.0f} req/s at {f['connections']} conns ({cpu:.2f} ms server CPU each); "
            f"{c['rps']:.0f} req/s at {f['calm_connections']} "
            f"| bare Flask {bare_s['rps']:.0f} req/s (runs before and after {bare_s['spread']:.0%} apart; "
            f"{cpu_b:.2f} ms CPU each, p99 {bare_s['p99_ms']:.1f} ms); "
            f"at {f['calm_connections']} conns p50 / p99 {bare_c['p50_ms']:.2f} / {bare_c['p99_ms']:.2f} ms; "
            f"floor (bare + signature + envelope load) {f['floor']['rps']:.0f} req/s = {f['floor_ratio']:.3f} of bare "
            f"| {v['ratio']:.3f} | {c['p50_ms']:.2f} / {c['p99_ms']:.2f} ms at {f['calm_connections']} conns "
            f"({s['p50_ms']:.1f} / {s['p99_ms']:.1f} ms at {f['connections']}) "
            f"| ratio >= {TARGET_RATIO}, p99 < {TARGET_P99_MS:g} ms | {'yes' if ok else '**no**'} |")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.validate", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args(argv)
    figure = run(workers=args.workers, seconds=args.seconds)
    print("\n".join(rows(figure)), file=sys.stderr)
    for check in figure["checks"]:
        print("CHECK FAILED: " + check[:600], file=sys.stderr)
    print(json.dumps(figure, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
