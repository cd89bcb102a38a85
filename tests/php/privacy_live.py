"""The customer privacy page against a real bridge: the module under php-cli, the bridge app served on
a loopback port over a real database, and the WHMCS API emulator answering the module's localAPI
(ValidateLogin). Two customers with distinctive values, so that one customer's value turning up on
the other's page or in the other's download shows. Shared by the PHP tests, the browser test and
the screenshot script."""

from __future__ import annotations

import base64
import json
import re
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import requests

from bridge.clock import SystemClock
from bridge.demo.world import World, running_world
from bridge.whmcs.emulator import builders
from bridge.whmcs.emulator.seed import DEMO_IDENTIFIER, DEMO_SECRET
from tests.php.whmcs_harness import MODULE_DIR, Run, Whmcs, admin_area, api_request, client_area

HERE = Path(__file__).resolve().parent
RENDER = HERE / "render_template.php"
CLIENTAREA = "privacy_bridge_clientarea"
RESPOND = "WHMCS\\Module\\Addon\\PrivacyBridge\\PrivacyPage::respond"
CSRF = "csrf-token-of-the-session"
WRONG_PASSWORD = "The password was not correct. Nothing was exported."
STAFF_IP = "198.51.100.7"


@dataclass(frozen=True)
class Customer:
    firstname: str
    lastname: str
    email: str
    password: str
    ip: str
    city: str
    new_city: str
    phone: str
    company: str
    client_id: int = 0
    user_id: int = 0

    def values(self) -> tuple[str, ...]:
        """Everything personal of this customer that could leak into another's page or download."""
        return (self.firstname, self.lastname, self.email, self.password, self.ip, self.city, self.new_city,
                self.phone, self.company)


GRACE = Customer(firstname="Grace", lastname="Hopper", email="grace@hopper.example", password="right horse battery",
                 ip="203.0.113.61", city="Arlington", new_city="Annapolis", phone="+1.5550100", company="Cobol Works")
ZEB = Customer(firstname="Zebulon", lastname="Quoxxwright", email="zebulon@quoxx.example",
               password="zebulons own password", ip="192.0.2.201", city="Quoxxburg", new_city="Xylophrey",
               phone="+44.7700900777", company="Quoxx Holdings")
# What staff wrote about Grace: never on her page, and not in her copy.
HOLD_REFERENCE, HOLD_NOTE = "SUBPOENA-5521", "court order pending, do not tell"
CHECK_NOTE, CHECK_LAST4 = "seen at desk four", "7781"
STAFF_ONLY = (HOLD_REFERENCE, HOLD_NOTE, CHECK_NOTE)


@dataclass
class Live:
    world: World
    whmcs: Whmcs
    url: str
    grace: Customer
    zeb: Customer
    dpo: str  # a staff token of the test's own, to read the ledger

    def ledger(self, client_id: int) -> list[dict[str, Any]]:
        answer = requests.get(f"{self.url}/v1/clients/{client_id}/ledger?limit=1000",
                              headers={"Authorization": f"Bearer {self.dpo}"}, timeout=10)
        answer.raise_for_status()
        return answer.json()["entries"]

    def of_type(self, client_id: int, event_type: str) -> list[dict[str, Any]]:
        return [e for e in self.ledger(client_id) if e["event_type"] == event_type]

    def logins_checked(self) -> list[str]:
        """The addresses the emulator was asked to check a password for, in order."""
        return [c.params.get("email", "") for c in self.world.emulator.calls_to("ValidateLogin")]


@contextmanager
def live_install(php: str, root: Path, database_url: str) -> Iterator[Live]:
    """The emulator with the two customers, the bridge served over `database_url`, and a WHMCS
    install whose module points at it and whose localAPI goes to the emulator."""
    from werkzeug.serving import make_server

    with running_world(database_url, SystemClock(), seed=False) as world:
        grace, zeb = (_add_customer(world, c) for c in (GRACE, ZEB))
        server = make_server("127.0.0.1", 0, world.app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_port}"
            bridge = SimpleNamespace(url=url, secret="whsec_" + base64.b64encode(world.secret).decode())
            whmcs = Whmcs(php, root, bridge)
            whmcs.activate()
            whmcs.configure()
            for c in (grace, zeb):
                whmcs.seed("tblclients", id=c.client_id, firstname=c.firstname, lastname=c.lastname, email=c.email,
                           city=c.city, phonenumber=c.phone, companyname=c.company)
            dpo = world.services.tokens.create(name=f"test-dpo-{secrets.token_hex(4)}", role="dpo")
            yield Live(world=world, whmcs=whmcs, url=url, grace=grace, zeb=zeb, dpo=dpo)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


def _add_customer(world: World, c: Customer) -> Customer:
    with world.emulator.locked() as store:
        client = builders.add_client(store, firstname=c.firstname, lastname=c.lastname, email=c.email, city=c.city,
                                     phonenumber=c.phone, companyname=c.company)
        owner = store.owner_of(client.id)
        builders.set_password(owner, c.password)
        return Customer(**{**c.__dict__, "client_id": client.id, "user_id": owner.id})


def tell_story(live: Live) -> None:
    """Each customer signs up in the client area; Grace's identity is checked by staff, then she
    changes her city and phone herself, staff change her address, an API integration her company
    name, and a DPO places a hold on her account; Zebulon changes his city. Every event goes
    through the module's outbox to the real bridge."""
    grace, zeb = live.grace, live.zeb
    for c in (grace, zeb):
        live.whmcs.fire("ClientAdd", {"client_id": c.client_id, "user_id": c.user_id, "firstname": c.firstname,
                                      "lastname": c.lastname, "email": c.email, "city": c.city,
                                      "password": c.password}, _client(c))
    _staff(live, "POST", f"/v1/clients/{grace.client_id}/verifications",
           {"document_type": "passport", "issuing_country": "US", "document_last4": CHECK_LAST4, "note": CHECK_NOTE})
    # WHMCS stamps whole seconds: her change is stamped in a later second than the check, as it
    # would be in life, and not before it (a change stamped before the check is an unverified one)
    time.sleep(1.05 - time.time() % 1)
    _edit(live, grace, _client(grace), city=(grace.city, grace.new_city), phonenumber=(grace.phone, "+1.5550199"))
    _edit(live, grace, admin_area(3, userid=grace.client_id, ip=STAFF_IP), address1=("1 Navy Yard", "2 Navy Yard"))
    _edit(live, grace, api_request(), companyname=(grace.company, "Cobol Works Inc"))
    _staff(live, "POST", f"/v1/clients/{grace.client_id}/holds",
           {"reason": "legal_process", "reference": HOLD_REFERENCE, "note": HOLD_NOTE})
    _edit(live, zeb, _client(zeb), city=(zeb.city, zeb.new_city))
    assert all(row["delivered_at"] for row in live.whmcs.outbox()), live.whmcs.outbox()


def _client(c: Customer) -> dict[str, Any]:
    context = client_area(c.client_id, c.user_id, ip=c.ip)
    context["current_user"]["user"]["email"] = c.email
    return context


def _edit(live: Live, c: Customer, context: dict[str, Any], **changes: tuple[str, str]) -> None:
    new = {field: after for field, (_before, after) in changes.items()}
    old = {field: before for field, (before, _after) in changes.items()}
    same = {"email": c.email, "tax_id": "", "paymentmethod": ""}  # as WHMCS's olddata has them, unchanged
    live.whmcs.fire("ClientEdit", {"userid": c.client_id, **same, **new, "olddata": {**same, **old}}, context)


def _staff(live: Live, method: str, path: str, body: dict[str, Any]) -> None:
    answer = requests.request(method, live.url + path, json=body, timeout=10,
                              headers={"Authorization": f"Bearer {live.dpo}"})
    assert answer.status_code == 201, answer.text


# -- the customer's requests ------------------------------------------------------------------------

def page_context(live: Live, c: Customer, post: dict[str, str] | None = None) -> dict[str, Any]:
    """The client area request of `c`, logged in, with a forged client id of the other customer
    in the query string and the form (which the module must ignore)."""
    other = live.zeb if c.client_id == live.grace.client_id else live.grace
    context = client_area(c.client_id, c.user_id, ip=c.ip, script="index.php",
                          get={"m": "privacy_bridge", "userid": str(other.client_id)})
    context["current_user"]["user"]["email"] = c.email
    context["server"]["REQUEST_METHOD"] = "POST" if post is not None else "GET"
    context["post"] = {"userid": str(other.client_id), **(post or {})}
    context["session"] = {"uid": c.client_id, "tkval": CSRF}
    context["local_api"] = {"url": live.world.services.settings.whmcs_api_url, "identifier": DEMO_IDENTIFIER,
                            "secret": DEMO_SECRET}
    return context


def open_page(live: Live, c: Customer) -> Run:
    """GET index.php?m=privacy_bridge: WHMCS calls the module's _clientarea."""
    return live.whmcs.fire("", context=page_context(live, c), module_call={"function": CLIENTAREA, "args": [{}]})


def download(live: Live, c: Customer, password: str) -> Run:
    """POST of "Download my data" with the session's CSRF token. The module's own answer is taken
    before _clientarea sends a download and ends the request (which would end the harness too)."""
    post = {"do": "export", "token": CSRF, "password": password}
    return live.whmcs.fire("", context=page_context(live, c, post), module_call={"function": RESPOND, "args": [{}]})


def render(page: dict[str, Any], workdir: Path, php: str = "php") -> str:
    """The page's template rendered by Smarty as WHMCS renders a module's client-area page."""
    compiled = workdir / "smarty-compiled"
    compiled.mkdir(parents=True, exist_ok=True)
    scenario = {"module_dir": str(MODULE_DIR), "templatefile": page["templatefile"], "vars": page["vars"],
                "compile_dir": str(compiled)}
    done = subprocess.run([php, str(RENDER)], input=json.dumps(scenario), capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def history_rows(html: str) -> list[tuple[str, str, str, str]]:
    """(when, details, who, Internet address) of each row of the page's change history."""
    found = re.findall(r'<tr><td><time datetime="([^"]*)">[^<]*</time></td><td>([^<]*)</td><td>([^<]*)</td>'
                       r"<td>([^<]*)</td></tr>", html)
    return [tuple(row) for row in found]
