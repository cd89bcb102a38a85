"""`bridge sync` speed (not a test): one first pass over N customers served by the WHMCS emulator,
as customers/s, against the rate at which the same requests.Session gets answers from the same
emulator for the same calls, at the same concurrency, in the same process.

    python -m bench.sync [--customers 2000] [--concurrency 4] [--database-url URL] [--rerun]

Each customer has an owner User, one contact and one pay method, written straight into the
emulator's store (no API call). The bridge is built as `bridge sync` builds it (`build_services`
from settings, an `HttpWhmcsClient` over `build_session()`) on a fresh database: a temporary SQLite
file unless `--database-url` names an empty PostgreSQL (or SQLite) database, which is migrated.

Baseline: every API call the sync made (GetClients pages, then GetClientsDetails, GetContacts and
GetPayMethods per customer), recorded by the emulator, is posted again through the same Session
with the same number of threads (every k-th call when there are more than 15,000: same mix).
ratio = sync customers/s / (raw calls/s / calls per customer): 1.0 would mean the bridge adds
nothing to what it costs to ask WHMCS. The emulator runs in this process (a threaded werkzeug
server that closes the connection after every answer), so it shares the GIL with the bridge in
both measurements; its GetClientsDetails, GetContacts and GetPayMethods scan every row, so its
cost per call grows with N.

Prints one JSON object on the last line."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import migrate_url, secrets_env
from bridge.whmcs.emulator import builders
from bridge.whmcs.emulator.seed import DEMO_IDENTIFIER, DEMO_SECRET
from bridge.whmcs.emulator.server import api_url, running_emulator
from bridge.whmcs.emulator.state import CallRecord, EmulatorState

TARGET_RATIO = 0.6
REPLAY_MAX = 15_000  # calls replayed for the baseline: every k-th recorded call beyond this


def seed(state: EmulatorState, customers: int) -> None:
    """N active customers, each with an owner User, a contact and a card on file."""
    state.add_credential(DEMO_IDENTIFIER, DEMO_SECRET)
    with state.locked() as store:
        for n in range(customers):
            client = builders.add_client(
                store, firstname=f"First{n}", lastname=f"Last{n}", companyname=f"Company {n % 97} Ltd",
                email=f"customer{n}@example.com", address1=f"{n} Example Street", city="Leeds",
                state="West Yorkshire", postcode="LS1 1AA", country="GB", phonenumber=f"+44.16329{n % 100000:05d}",
                tax_id=f"GB{100000000 + n}")
            builders.add_contact(store, client.id, firstname="Billing", lastname=f"Contact{n}",
                                 email=f"billing{n}@example.com", address1=f"{n} Example Street", city="Leeds",
                                 postcode="LS1 1AA", country="GB", phonenumber="+44.1632960000")
            builders.add_paymethod(store, client.id, type="RemoteCreditCard", last_four=f"{n % 10000:04d}",
                                   description="Card", gateway="stripe", card_type="Visa", expiry_date="02/30")


def replay(session, url: str, calls: list[CallRecord], concurrency: int) -> tuple[float, float]:  # noqa: ANN001
    """The recorded calls posted again through `session`: (calls/s, process CPU seconds)."""
    forms = [{**c.params, "identifier": DEMO_IDENTIFIER, "secret": DEMO_SECRET} for c in calls]

    def post(form: dict) -> int:
        response = session.post(url, data=form, timeout=30)
        response.content  # noqa: B018 - read the whole answer, as the client does
        return response.status_code

    cpu0, started = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        statuses = Counter(pool.map(post, forms))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu0
    if set(statuses) != {200}:
        raise RuntimeError(f"raw replay got statuses {dict(statuses)}")
    return len(forms) / seconds, cpu


def run(*, customers: int, concurrency: int, database_url: str | None = None, rerun: bool = False) -> dict:
    from bridge.services import build_services
    from bridge.settings import load_settings
    from bridge.whmcs.http import HttpWhmcsClient
    from bridge.whmcs.session import build_session

    folder = tempfile.TemporaryDirectory(prefix="bridge-bench-sync-")
    url = database_url or f"sqlite:///{Path(folder.name) / 'bridge.db'}"
    migrate_url(url)
    state = EmulatorState()
    began = time.perf_counter()
    seed(state, customers)
    seed_s = time.perf_counter() - began
    try:
        with running_emulator(state) as base, build_session() as session:
            env = {**secrets_env(url), "BRIDGE_WHMCS_API_URL": api_url(base),
                   "BRIDGE_WHMCS_IDENTIFIER": DEMO_IDENTIFIER, "BRIDGE_WHMCS_SECRET": DEMO_SECRET}
            settings = load_settings(environ=env)
            whmcs = HttpWhmcsClient(session=session, url=settings.whmcs_api_url,
                                    identifier=settings.whmcs_identifier, secret=settings.whmcs_secret)
            services = build_services(settings, whmcs=whmcs)
            try:
                first = _pass(services, state, concurrency)
                again = _pass(services, state, concurrency) if rerun else None
                calls = first.pop("calls")
                sample = calls[::-(-len(calls) // REPLAY_MAX)]  # same mix, bounded time
                raw_rate, raw_cpu = replay(session, settings.whmcs_api_url, sample, concurrency)
                if again is not None:
                    again.pop("calls")
                entries = services.ledger.verify()
            finally:
                services.dispose()
    finally:
        folder.cleanup()
    per_customer = first["api_calls"] / max(1, first["seen"])
    expected = raw_rate / per_customer  # customers/s if the bridge cost nothing on top of the calls
    raw_cpu_per_call = raw_cpu / max(1, len(sample))
    return {
        "customers": customers, "concurrency": concurrency, "backend": url.split(":", 1)[0].split("+")[0],
        "seed_s": round(seed_s, 2), **{k: v for k, v in first.items() if k != "cpu_s"},
        "calls_per_customer": round(per_customer, 3),
        "sync_cpu_ms_per_customer": round(first["cpu_s"] * 1000 / max(1, first["seen"]), 3),
        "raw_calls_per_s": round(raw_rate, 1), "replayed_calls": len(sample),
        "replayed_by_action": dict(Counter(c.action for c in sample)),
        "raw_cpu_ms_per_call": round(raw_cpu_per_call * 1000, 3),
        "raw_customers_per_s": round(expected, 1), "ratio": round(first["customers_per_s"] / expected, 3),
        "target_ratio": TARGET_RATIO, "ledger_entries": entries.entries, "ledger_ok": entries.ok,
        "rerun": again,
    }


def _pass(services, state: EmulatorState, concurrency: int) -> dict:  # noqa: ANN001
    before = len(state.calls)
    service = services.sync()
    cpu0, started = time.process_time(), time.perf_counter()
    report = service.run(concurrency=concurrency)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu0
    calls = state.calls[before:]
    if report.errors:
        raise RuntimeError(f"sync reported {len(report.errors)} errors, first: {report.errors[0]}")
    failed = [c for c in calls if c.outcome != "success"]
    if failed:
        raise RuntimeError(f"{len(failed)} emulator calls failed, first: {failed[0]}")
    return {"seen": report.seen, "recorded": report.recorded, "unchanged": report.unchanged,
            "seconds": round(seconds, 2), "customers_per_s": round(report.seen / seconds, 1),
            "cpu_s": round(cpu, 2), "api_calls": len(calls),
            "calls_by_action": dict(Counter(c.action for c in calls)), "calls": calls}


def row(f: dict) -> str:
    """One line of the results table (the header is bench.report.HEADER)."""
    ok = f["ratio"] >= TARGET_RATIO and f["ledger_ok"] and f["recorded"] == f["seen"] == f["customers"]
    valid = "" if f["ledger_ok"] and f["recorded"] == f["seen"] == f["customers"] else " (INVALID)"
    line = (f"| sync first pass, {f['backend']}, {f['customers']:,} customers, concurrency {f['concurrency']}{valid} "
            f"| {f['customers_per_s']:,.0f} customers/s ({f['seconds']} s, "
            f"{f['sync_cpu_ms_per_customer']} ms CPU each) "
            f"| raw {f['raw_calls_per_s']:,.0f} calls/s x {f['calls_per_customer']} calls per customer "
            f"= {f['raw_customers_per_s']:,.0f} customers/s ({f['raw_cpu_ms_per_call']} ms CPU per call) "
            f"| {f['ratio']:.3f} | - | ratio >= {TARGET_RATIO} | {'yes' if ok else '**no**'} |")
    again = f.get("rerun")
    if again:
        line += (f"\n| sync rerun (all unchanged), {f['backend']}, {f['customers']:,} customers "
                 f"| {again['customers_per_s']:,.0f} customers/s ({again['seconds']} s) "
                 f"| same raw rate: {f['raw_customers_per_s']:,.0f} customers/s "
                 f"| {again['customers_per_s'] / f['raw_customers_per_s']:.3f} | - | (diagnostic) | - |")
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--database-url", default=None, help="an empty database (default: a fresh SQLite file)")
    parser.add_argument("--rerun", action="store_true", help="also time a second, all-unchanged pass")
    args = parser.parse_args(argv)
    figure = run(customers=args.customers, concurrency=args.concurrency, database_url=args.database_url,
                 rerun=args.rerun)
    print(row(figure), file=sys.stderr)
    print(json.dumps(figure, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
