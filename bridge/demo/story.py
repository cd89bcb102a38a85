"""The demo story: one line per step, on a simulated clock, against the built-in WHMCS emulator.

It never prints a secret (tokens, keys, the webhook secret); the personal values it shows are the
emulator's fictional customers."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bridge.clock import FixedClock
from bridge.demo.hooks import envelope
from bridge.demo.world import World, running_world

START = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
Say = Callable[[str], None]


@dataclass
class Story:
    world: World
    say: Say
    tokens: dict[str, str]
    ids: dict[str, int]

    def step(self, text_: str) -> None:
        self.say(f"{self.world.clock.now():%Y-%m-%d}  {text_}")

    def actor(self, name: str) -> dict:
        return {"type": "client", "id": self.ids[name], "ip": "203.0.113.5"}

    def types(self, name: str) -> list[str]:
        return [e["event_type"] for e in self.world.services.ledger.client_page(self.ids[name], limit=1000).entries]


def run(say: Say = print) -> int:
    """The whole story in a temporary folder that is removed afterwards; returns the exit code."""
    with tempfile.TemporaryDirectory(prefix="bridge-demo-") as tmp, \
            running_world(f"sqlite:///{Path(tmp)}/demo.db", FixedClock(START)) as world:
        tokens = {role: world.services.tokens.create(name=f"demo-{role}", role=role)
                  for role in ("auditor", "agent", "dpo")}
        story = Story(world=world, say=say, tokens=tokens, ids=world.customers())
        checks = [chapter(story) for chapter in (_sync, _blocked, _verified, _reverted, _billing, _closure,
                                                  _a_year_later, _residual_erasure, _integrity)]
        ok = all(checks)
        say("The story holds: every promise was kept by software." if ok else "The story did NOT hold.")
        return 0 if ok else 1


def _sync(s: Story) -> bool:
    s.step(f"A fresh bridge on SQLite beside an emulated WHMCS with {len(s.ids)} customers.")
    report = s.world.services.sync().run(concurrency=4)
    s.step(f"bridge sync: {report.recorded} customers recorded as baseline snapshots; the {len(report.closed)} "
           "already closed get a purge date twelve months from now.")
    return report.recorded == len(s.ids) and not report.errors


def _blocked(s: Story) -> bool:
    ada = s.ids["Ada"]
    current = s.world.client_fields(ada)
    answer = s.world.validate("ClientDetailsValidation",
                              {"userid": ada, **current, "email": "ada@engines.example", "current": current},
                              actor=s.actor("Ada")).get_json()
    s.step(f"Ada tries to change her email in the client area: blocked. WHMCS shows: \"{answer['errors'][0]}\"")
    queue = s.world.staff("GET", "/v1/verifications?status=pending", s.tokens["agent"]).get_json()["items"]
    waiting = ", ".join("client {} ({})".format(i["client_id"], ", ".join(i["fields"])) for i in queue)
    s.step(f"Pending queue: {waiting}.")
    return answer["allowed"] is False and queue and queue[0]["client_id"] == ada


def _verified(s: Story) -> bool:
    ada = s.ids["Ada"]
    s.world.clock.advance(timedelta(hours=2))
    recorded = s.world.staff("POST", f"/v1/clients/{ada}/verifications", s.tokens["agent"],
                             json={"document_type": "passport", "issuing_country": "GB", "document_last4": "7342",
                                   "note": "checked on a video call"})
    s.step(f"Support checks Ada's passport: verification recorded (HTTP {recorded.status_code}), valid until "
           f"{recorded.get_json()['expires_at'][:10]}.")
    current = s.world.client_fields(ada)
    answer = s.world.validate("ClientDetailsValidation",
                              {"userid": ada, **current, "email": "ada@engines.example", "current": current},
                              actor=s.actor("Ada")).get_json()
    edit = s.world.edit_client(ada, email="ada@engines.example")
    s.world.hook("ClientEdit", edit, actor=s.actor("Ada"))
    ran = s.world.worker.drain()
    s.step(f"She tries again: allowed={answer['allowed']}; WHMCS saves it, the ClientEdit event is recorded, "
           f"nothing is reverted ({ran} jobs ran).")
    return answer["allowed"] and ran == 0 and s.world.client_fields(ada)["email"] == "ada@engines.example"


def _reverted(s: Story) -> bool:
    barbara = s.ids["Barbara"]
    s.world.clock.advance(timedelta(days=3))
    edit = s.world.edit_client(barbara, phonenumber="+44.7700900123")
    s.world.hook("ClientEdit", edit, actor={"type": "api", "id": "crm-import-script"})
    s.step("A script changes Barbara's phone number through the WHMCS API, behind the bridge's back.")
    s.world.worker.drain()
    s.world.worker.drain()  # the echo of the bridge's own UpdateClient must not start another revert
    restored = s.world.client_fields(barbara)["phonenumber"]
    reverts = len(s.world.emulator.calls_to("UpdateClient"))
    notes = len(s.world.emulator.calls_to("AddClientNote"))
    s.step(f"The worker reverts it through UpdateClient ({reverts} call, phone back to {restored}), leaves a note for "
           f"staff ({notes}), and does not revert its own write when WHMCS echoes it back.")
    return restored == "+44.1632960000" and reverts == 1 and "change.reverted" in s.types("Barbara")


def _billing(s: Story) -> bool:
    refused = s.world.staff("POST", f"/v1/clients/{s.ids['Barbara']}/billing-disclosures", s.tokens["agent"],
                            json={"channel": "phone", "purpose": "caller asked for the card on file"})
    allowed = s.world.staff("POST", f"/v1/clients/{s.ids['Ada']}/billing-disclosures", s.tokens["agent"],
                            json={"channel": "phone", "purpose": "Ada asked which card pays her invoices"})
    summary = allowed.get_json()
    cards = ", ".join(f"{m['type']} {m['last_four'] or ''}".strip() for m in summary["pay_methods"])
    s.step(f"A caller asks for Barbara's billing details: refused (HTTP {refused.status_code}, not verified). "
           f"Ada asks: disclosed (HTTP {allowed.status_code}): {cards}; "
           f"{len(summary['open_invoices'])} open invoice(s). "
           "Both attempts are in the ledger.")
    return refused.status_code == 403 and allowed.status_code == 200


def _closure(s: Story) -> bool:
    ada = s.ids["Ada"]
    s.world.clock.advance(timedelta(days=30))
    with s.world.emulator.locked() as store:  # she pays her last invoice; staff close the account
        for invoice in store.rows_of(store.invoices, ada):
            if invoice.status == "Unpaid":
                invoice.status, invoice.datepaid = "Paid", s.world.clock.now()
        for product in store.rows_of(store.products, ada):
            product.status = "Cancelled"
        store.client(ada).status = "Closed"
    s.world.hook("ClientClose", {"userid": ada}, actor={"type": "admin", "id": 1, "ip": "198.51.100.7"})
    status = s.world.services.retention.retention_status(ada)
    s.step(f"Ada pays her last invoice and leaves: staff close the account; her data is kept for reactivation "
           f"until {status['purge_due_at'][:10]}.")
    tomorrow = (s.world.clock.now() + timedelta(days=1)).date().isoformat()  # as_of is the start of a day
    plan = s.world.staff("GET", f"/v1/retention/plan?as_of={tomorrow}", s.tokens["auditor"]).get_json()
    s.step(f"Retention plan as of {tomorrow}: {len(plan['due'])} due, {len(plan['scheduled'])} scheduled.")
    return status["purge_due_at"] is not None and not plan["due"] and len(plan["scheduled"]) == 4


def _a_year_later(s: Story) -> bool:
    s.world.clock.advance(timedelta(days=366))
    report = s.world.staff("POST", "/v1/retention/run", s.tokens["dpo"], json={}).get_json()
    purged = ", ".join(_name(s, p["client_id"]) for p in report["purged"])
    held = ", ".join(f"{_name(s, h['client_id'])} ({h['reason']})" for h in report["held"])
    s.step(f"A year later the daily retention run purges {purged} and keeps {held}.")
    ada = s.ids["Ada"]
    entry = next(e for e in s.world.services.ledger.client_page(ada, limit=1000, reveal=True).entries
                 if any(c["field"] == "email" and c["new"] for c in e["changes"]))
    email = next(c["new"] for c in entry["changes"] if c["field"] == "email")
    s.step(f"In WHMCS Ada is now {s.world.client_fields(ada)['email']}; her data key is shredded, so even the "
           f"DPO reads her old email as {email}.")
    return ada in {p["client_id"] for p in report["purged"]} and email == "[shredded]" and report["held"]


def _residual_erasure(s: Story) -> bool:
    """The addon module's part, played here in Python since the demo has no WHMCS: its cron fetches
    the residual-erasure orders and reports each one erased from the tables the API cannot reach."""
    cron = {"type": "cron"}
    asked = s.world.post("/v1/hooks/whmcs/work", envelope("AfterCronJob", {}, actor=cron, at=s.world.clock.now(),
                                                           outbox=False)).get_json()["orders"]
    s.step(f"The WHMCS module's cron asks for work: {len(asked)} residual-erasure order(s), for "
           f"{', '.join(_name(s, o['client_id']) for o in asked)}.")
    for order in asked:
        counts = {"tblemails": 7, "tblactivitylog": 4, "tblorders": 1, "tbltickets": 1, "tblticketreplies": 2,
                  "tblmarketing_consent": 1, "mod_privacy_bridge_outbox": 0}
        s.world.hook("PrivacyBridgeErased", {"order_id": order["order_id"], "client_id": order["client_id"],
                                             "counts": counts, "skipped": []}, actor=cron)
    ada = s.ids["Ada"]
    [erased] = s.world.services.ledger.entries_of_type(ada, "retention.residual_erased", reveal=False) or [None]
    counts = erased["details"]["counts"] if erased else {}
    s.step("It erases Ada's email log, activity-log lines, order IPs, tickets and consent history with its "
           f"own database access and reports back: {sum(counts.values())} rows, recorded as "
           "retention.residual_erased; what stays is only what accounting needs (invoices).")
    again = s.world.post("/v1/hooks/whmcs/work", envelope("AfterCronJob", {}, actor=cron, at=s.world.clock.now(),
                                                           outbox=False)).get_json()["orders"]
    return bool(asked) and erased is not None and again == []


def _integrity(s: Story) -> bool:
    ledger = s.world.services.ledger
    result = ledger.verify()
    s.step(f"bridge ledger verify: {result.line()} - purged values and all, the chain still verifies.")
    with s.world.services.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER IF EXISTS ledger_entries_no_update"))
        conn.execute(text("UPDATE ledger_entries SET body = CAST(:b AS BLOB) WHERE seq = 5"),
                     {"b": b'{"forged":true}'})
    tampered = ledger.verify()
    s.step(f"Someone edits entry 5 directly in the database; bridge ledger verify now says: {tampered.line()}")
    return result.ok and not tampered.ok and tampered.first_bad_seq == 5


def _name(s: Story, client_id: int) -> str:
    return next((name for name, cid in s.ids.items() if cid == client_id), f"client {client_id}")
