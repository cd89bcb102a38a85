"""The demo story, step by step. Every line it prints is a step; no secret is ever printed."""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bridge.clock import FixedClock
from bridge.db import migrate
from bridge.db.base import make_engine
from bridge.demo.hooks import envelope, signed
from bridge.services import Services, build_services
from bridge.settings import load_settings

START = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
CLIENT_ACTOR = {"type": "client", "id": 42, "user_id": 7, "ip": "203.0.113.5"}
ADMIN_ACTOR = {"type": "admin", "id": 1, "ip": "198.51.100.20"}


@dataclass
class Demo:
    services: Services
    app: object
    secret: bytes
    clock: FixedClock
    say: Callable[[str], None]
    tokens: dict[str, str]

    def post(self, event: str, vars_: dict, *, actor: dict, webhook_id: str | None = None, raw_secret: bytes | None = None):
        body = envelope(event, vars_, actor=actor, at=self.clock.now())
        raw, headers = signed(body, secret=raw_secret or self.secret,
                              timestamp=int(self.clock.now().timestamp()), webhook_id=webhook_id)
        with self.app.test_client() as client:
            return client.post("/v1/hooks/whmcs", data=raw, headers=headers)

    def staff_get(self, path: str, role: str):
        with self.app.test_client() as client:
            return client.get(path, headers={"Authorization": f"Bearer {self.tokens[role]}"})


def build(workdir: Path, say: Callable[[str], None]) -> Demo:
    secret = os.urandom(32)
    env = {
        "BRIDGE_DATABASE_URL": f"sqlite:///{workdir}/demo.db",
        "BRIDGE_WEBHOOK_SECRET": "whsec_" + base64.b64encode(secret).decode(),
        "BRIDGE_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    settings = load_settings(environ=env)
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    clock = FixedClock(START)
    services = build_services(settings, clock=clock, engine=engine)
    from bridge.web.app import create_app

    app = create_app(services=services)
    tokens = {role: services.tokens.create(name=f"demo-{role}", role=role) for role in ("auditor", "agent", "dpo")}
    return Demo(services=services, app=app, secret=secret, clock=clock, say=say, tokens=tokens)


def _client_vars() -> dict:
    return {"client_id": 42, "user_id": 7, "userid": 42, "firstname": "Ada", "lastname": "Lovelace",
            "companyname": "Analytical Engines Ltd", "email": "ada@example.com", "address1": "12 Example Road",
            "address2": "", "city": "London", "state": "Greater London", "postcode": "N1 9GU", "country": "GB",
            "phonenumber": "+44.2079460000", "tax_id": "GB123456789", "password": "correct horse",
            "marketing_emails_opt_in": True, "emailoptout": False}


def run(say: Callable[[str], None] = print) -> int:
    """Run the story in a temporary folder that is removed afterwards; returns the exit code."""
    with tempfile.TemporaryDirectory(prefix="bridge-demo-") as tmp:
        demo = build(Path(tmp), say)
        try:
            return _story(demo)
        finally:
            demo.services.dispose()


def _story(d: Demo) -> int:
    say = d.say
    say("1. A fresh bridge: SQLite ledger migrated, staff tokens for auditor, agent and dpo created.")
    r = d.post("ClientAdd", _client_vars(), actor=CLIENT_ACTOR)
    say(f"2. Ada signs up (ClientAdd): HTTP {r.status_code}, ledger entries {r.get_json()['entries']}; "
        "her password is dropped before anything is stored.")
    d.clock.advance(timedelta(days=3))
    old = _client_vars()
    edit = {**old, "email": "ada@analytical.example", "olddata": {k: v for k, v in old.items() if k != "password"}}
    edit.pop("password")
    r = d.post("ClientEdit", edit, actor=CLIENT_ACTOR, webhook_id="msg_demo_edit")
    say(f"3. Ada changes her email in the client area (ClientEdit): HTTP {r.status_code}, entries {r.get_json()['entries']}.")
    r = d.post("ClientEdit", edit, actor=CLIENT_ACTOR, webhook_id="msg_demo_edit")
    say(f"4. The outbox delivers the same event again: HTTP {r.status_code} {r.get_json()['status']}, nothing written twice.")
    r = d.post("CCUpdate", {"userid": 42, "cardtype": "Visa", "cardnum": "4111111111111111", "cardcvv": "123",
                            "expdate": "1229"}, actor=CLIENT_ACTOR)
    say(f"5. A card is stored (CCUpdate): HTTP {r.status_code}; only the type and last four are kept.")
    r = d.post("ClientEdit", edit, actor=CLIENT_ACTOR, raw_secret=os.urandom(32))
    say(f"6. A forged event with the wrong secret: HTTP {r.status_code}, refused before its body is read.")
    r = d.post("SomeFutureHook", {"userid": 42}, actor=CLIENT_ACTOR)
    say(f"7. An event the bridge does not handle: HTTP {r.status_code} {r.get_json()['status']}.")
    _show_ledger(d)
    return _integrity(d)


def _show_ledger(d: Demo) -> None:
    dpo = d.staff_get("/v1/clients/42/ledger", "dpo").get_json()["entries"]
    auditor = d.staff_get("/v1/clients/42/ledger", "auditor").get_json()["entries"]
    for full, redacted in zip(dpo, auditor, strict=True):
        fields = ", ".join(c["field"] for c in full["changes"]) or "-"
        d.say(f"   seq {full['seq']:>2} {full['event_type']:<18} fields: {fields}")
    email = next(c for e in dpo for c in e["changes"] if c["field"] == "email" and c["old"])
    seen = next(c for e in auditor for c in e["changes"] if c["field"] == "email" and c["old"])
    d.say(f"8. The dpo sees the email change from {email['old']} to {email['new']}; "
          f"an auditor sees {seen['old']} -> {seen['new']}.")


def _integrity(d: Demo) -> int:
    ledger = d.services.ledger
    result = ledger.verify()
    d.say(f"9. ledger verify: {result.line()}")
    seq, _digest = ledger.anchor()
    d.say(f"10. Head anchored at seq {seq}.")
    ledger.shred("client:42")
    shredded = d.staff_get("/v1/clients/42/ledger", "dpo").get_json()["entries"]
    value = next(c["new"] for e in shredded for c in e["changes"] if c["field"] == "email")
    after = ledger.verify()
    d.say(f"11. Ada's data key is shredded: the dpo now reads {value}; ledger verify still says {after.line()}.")
    with d.services.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER IF EXISTS ledger_entries_no_update"))
        conn.execute(text("UPDATE ledger_entries SET event_type = 'x', body = CAST(:b AS BLOB) WHERE seq = 2"),
                     {"b": b'{"forged":true}'})
    tampered = ledger.verify()
    d.say(f"12. Someone edits entry 2 directly in the database: ledger verify says {tampered.line()}.")
    ok = result.ok and after.ok and not tampered.ok and tampered.first_bad_seq == 2
    d.say("The story holds." if ok else "The story did NOT hold.")
    return 0 if ok else 1
