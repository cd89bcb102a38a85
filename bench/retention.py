"""Retention run benchmark (not a test): one run over N due customers against the emulator, as
purges/s and as a ratio of the run's API call rate to the emulator's raw answer rate for the same
calls replayed directly, at the same concurrency, in the same process.

    python -m bench.retention [--customers 10000] [--concurrency 8] [--database-url URL]

Each customer has an owner User, a contact, a card, a paid invoice and a terminated service, so
a purge makes the full sequence of calls. Hooks are not fired back (in production they reach the
bridge later, through the outbox, off the run's path). Prints one JSON object."""

from __future__ import annotations

import argparse
import base64
import json
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

from bridge.clock import SystemClock
from bridge.db import migrate
from bridge.db.base import make_engine, write_tx
from bridge.db.retention_models import RetentionRow
from bridge.services import build_services
from bridge.settings import load_settings
from bridge.whmcs.emulator import builders
from bridge.whmcs.emulator.seed import DEMO_IDENTIFIER, DEMO_SECRET
from bridge.whmcs.emulator.server import api_url, running_emulator
from bridge.whmcs.emulator.state import EmulatorState
from bridge.whmcs.http import HttpWhmcsClient
from bridge.whmcs.session import build_session


def seed(state: EmulatorState, customers: int) -> list[int]:
    state.add_credential(DEMO_IDENTIFIER, DEMO_SECRET)
    today, ids = date.today(), []  # noqa: DTZ011 - seed dates only
    with state.locked() as store:
        for n in range(customers):
            client = builders.add_client(store, status="Closed", firstname=f"First{n}", lastname=f"Last{n}",
                                         email=f"customer{n}@example.com", address1=f"{n} Example Street",
                                         city="Leeds", state="West Yorkshire", postcode="LS1 1AA", country="GB",
                                         phonenumber="+44.1632960000")
            builders.add_contact(store, client.id, firstname="Billing", lastname=f"Contact{n}",
                                 email=f"billing{n}@example.com")
            builders.add_paymethod(store, client.id, type="RemoteCreditCard", last_four="4242",
                                   description="Card", gateway="stripe", card_type="Visa", expiry_date="02/30")
            builders.add_invoice(store, client.id, status="Paid", date=today - timedelta(days=500),
                                 duedate=today - timedelta(days=493), datepaid=datetime.now(UTC) - timedelta(days=495))
            builders.add_product(store, client.id, name="VPS", status="Terminated")
            ids.append(client.id)
    return ids


def schedule(engine, ids: list[int]) -> None:  # noqa: ANN001
    closed = datetime.now(UTC) - timedelta(days=400)
    rows = [{"client_id": i, "status": "closed", "status_at": closed, "closed_at": closed,
             "purge_due_at": closed + timedelta(days=365), "shred_pending": False, "version": 1} for i in ids]
    with write_tx(engine) as conn:
        conn.execute(insert(RetentionRow), rows)


def replay(base: str, calls, concurrency: int) -> float:  # noqa: ANN001
    """The same calls posted straight to api.php: the emulator's raw answer rate."""
    url = api_url(base)
    forms = [{**c.params, "identifier": DEMO_IDENTIFIER, "secret": DEMO_SECRET, "responsetype": "json"}
             for c in calls]
    with build_session(pool_size=concurrency + 2) as session:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(lambda form: session.post(url, data=form, timeout=30).status_code, forms))
        return len(forms) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-retention-')}/bridge.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    state = EmulatorState()
    ids = seed(state, args.customers)
    schedule(engine, ids)
    with running_emulator(state) as base:
        env = {"BRIDGE_DATABASE_URL": url, "BRIDGE_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
               "BRIDGE_WHMCS_API_URL": api_url(base), "BRIDGE_WHMCS_IDENTIFIER": DEMO_IDENTIFIER,
               "BRIDGE_WHMCS_SECRET": DEMO_SECRET}
        settings = load_settings(environ=env)
        with build_session(pool_size=args.concurrency + 2) as session:
            whmcs = HttpWhmcsClient(session=session, url=settings.whmcs_api_url, identifier=DEMO_IDENTIFIER,
                                    secret=DEMO_SECRET)
            services = build_services(settings, clock=SystemClock(), engine=engine, whmcs=whmcs)
            runner = services.retention_runner(concurrency=args.concurrency)
            before = len(state.calls)
            started = time.perf_counter()
            report = runner.run(date.today(), limit=args.customers)  # noqa: DTZ011 - the run's as_of
            seconds = time.perf_counter() - started
        calls = state.calls[before:]
        raw_rate = replay(base, calls, args.concurrency)
    run_rate = len(calls) / seconds
    print(json.dumps({
        "customers": args.customers, "concurrency": args.concurrency, "backend": engine.dialect.name,
        "purged": len(report.purged), "errors": len(report.errors), "seconds": round(seconds, 2),
        "purges_per_s": round(len(report.purged) / seconds, 1), "api_calls": len(calls),
        "calls_per_purge": round(len(calls) / max(1, len(report.purged)), 2),
        "run_calls_per_s": round(run_rate, 1), "raw_calls_per_s": round(raw_rate, 1),
        "ratio": round(run_rate / raw_rate, 3), "target_ratio": 0.5,
    }, indent=2))


if __name__ == "__main__":
    main()
