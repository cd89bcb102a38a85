"""Drive the staff console and the dashboard widget under php-cli, one WHMCS admin request per PHP
process, against a real bridge. The admin session (with WHMCS's CSRF token) is kept between calls."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
HARNESS = HERE / "harness.php"
MODULE = REPO / "whmcs_hooks" / "modules" / "addons" / "privacy_bridge"
ADMINS = {"alice": (1, "Full Administrator"), "bob": (2, "Support"), "carol": (3, "Sales"),
          "<script>alert(1)</script>": (4, "Full Administrator")}
ROLES = {1: "Full Administrator", 2: "Support", 3: "Sales"}


@dataclass
class Page:
    html: str
    errors: list[str]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.html)).strip()


class Console:
    """One WHMCS install: its SQLite database, the module settings, an admin session."""

    def __init__(self, php: str, root: Path, settings: dict[str, str]) -> None:
        self.php, self.root, self.settings = php, root, settings
        root.mkdir(parents=True, exist_ok=True)
        self.database = root / "whmcs.db"
        self.session: dict[str, Any] = {}
        self._seed: dict[str, list[dict]] = {
            "tbladminroles": [{"id": i, "name": n} for i, n in ROLES.items()],
            "tbladmins": [{"id": i, "username": u, "roleid": next(k for k, v in ROLES.items() if v == r)}
                          for u, (i, r) in ADMINS.items()],
            "tbladdonmodules": [{"module": "privacy_bridge", "setting": k, "value": v} for k, v in settings.items()],
        }

    def login(self, username: str) -> Console:
        self.session = {"adminid": ADMINS[username][0]}
        return self

    def seed(self, table: str, **row: Any) -> None:
        self._seed.setdefault(table, []).append(row)

    def get(self, action: str | None = None, **query: Any) -> Page:
        get = {"module": "privacy_bridge", **({"action": action} if action else {}), **as_form(query)}
        return self._run({"method": "GET", "get": get})

    def post(self, action: str, do: str, fields: dict[str, Any] | None = None, *, csrf: bool = True) -> Page:
        if csrf and "tkval" not in self.session:
            self.get(action)  # the form's page first, as a browser would have it
        post = {"do": do, **as_form(fields or {})}
        if csrf:
            post["token"] = self.session["tkval"]
        return self._run({"method": "POST", "get": {"module": "privacy_bridge", "action": action}, "post": post})

    def widget(self) -> Page:
        return self._run({"mode": "widget"})

    def outbox(self) -> list[dict]:
        import sqlite3

        with sqlite3.connect(self.database) as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM mod_privacy_bridge_outbox ORDER BY id")]

    def _run(self, request: dict[str, Any]) -> Page:
        vars_ = {**self.settings, "modulelink": "addonmodules.php?module=privacy_bridge", "version": "1.0.0",
                 "_lang": {}}
        scenario = {"database": str(self.database), "seed": self._seed, "vars": vars_, "session": self.session,
                    "rootdir": str(self.root / "whmcs"), **request}
        self._seed = {}
        path = self.root / "scenario.json"
        path.write_text(json.dumps(scenario))
        done = subprocess.run([self.php, str(HARNESS), str(path)], capture_output=True, text=True, timeout=60,
                              check=False)
        assert done.returncode == 0, done.stderr[-2000:] + done.stdout[-2000:]
        result = json.loads(done.stdout)
        self.session = result["session"] or {}
        return Page(result["html"], result["errors"], result["meta"] or {})


def as_form(values: dict[str, Any]) -> dict[str, Any]:
    """What PHP sees in $_GET/$_POST: strings (lists stay lists of strings)."""
    return {k: [str(x) for x in v] if isinstance(v, list) else str(v) for k, v in values.items()}


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def console_token(env: dict[str, str]) -> tuple[str, bool]:
    """`bridge token create --console --name whmcs --role dpo`, through the CLI as an operator runs
    it. Answers (token, True); on a bridge without console tokens, a plain dpo token and False."""
    base = {**{k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")}, **env}
    for extra, console in ((["--console"], True), ([], False)):
        done = subprocess.run([sys.executable, "-m", "bridge.cli", "token", "create", *extra, "--name",
                               "whmcs" if console else "whmcs-plain", "--role", "dpo"],
                              capture_output=True, text=True, env=base, cwd=REPO, check=False)
        if done.returncode == 0:
            return done.stdout.strip().splitlines()[-1], console
    raise AssertionError(done.stderr)


@contextmanager
def running_bridge(tmp_path: Path) -> Iterator[SimpleNamespace]:
    """The real app on a migrated SQLite database, served on a free loopback port."""
    from werkzeug.serving import make_server

    from bridge.db import migrate
    from bridge.db.base import make_engine
    from bridge.settings import load_settings
    from bridge.web.app import create_app

    url = f"sqlite:///{tmp_path}/bridge.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    env = {"BRIDGE_DATABASE_URL": url, "BRIDGE_WEBHOOK_SECRET": new_secret(),
           "BRIDGE_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode()}
    token, console = console_token(env)
    app = create_app(load_settings(environ=env))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    services = app.extensions["bridge"]
    staff = services.tokens.create(name="test-dpo", role="dpo")
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", secret=env["BRIDGE_WEBHOOK_SECRET"],
                              token=token, console=console, services=services, staff=staff)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        services.dispose()


def staff(bridge: SimpleNamespace, method: str, path: str, **kwargs: Any) -> requests.Response:
    """The test's own view of the bridge, with a separate dpo token (never the console's)."""
    return requests.request(method, bridge.url + path, headers={"Authorization": f"Bearer {bridge.staff}"},
                            timeout=10, **kwargs)


CLIENT = 1042


def send_hook(bridge: SimpleNamespace, name: str, **overrides: Any) -> None:
    """A signed hook call as WHMCS sends it, happening now."""
    import uuid
    from datetime import UTC, datetime

    from bridge.signing import signed_headers
    from tests.support.fixtures import hook

    data = hook(name, occurred_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), **overrides)
    path = "/v1/hooks/whmcs/validate" if name.endswith("Validation") else "/v1/hooks/whmcs"
    body = json.dumps(data).encode()
    key = base64.b64decode(bridge.secret.split("whsec_", 1)[1])
    headers = {**signed_headers(key, msg_id=f"msg_{uuid.uuid4().hex}", timestamp=int(datetime.now(UTC).timestamp()),
                                body=body), "Content-Type": "application/json"}
    assert requests.post(bridge.url + path, data=body, headers=headers, timeout=10).status_code in (200, 202)


def blocked_customer(bridge: SimpleNamespace) -> None:
    """Client 1042 tried to change their email without an ID check: they wait in the queue."""
    send_hook(bridge, "ClientDetailsValidation")


def ledger_types(bridge: SimpleNamespace, client_id: int = CLIENT) -> list[str]:
    return [e["event_type"] for e in staff(bridge, "GET", f"/v1/clients/{client_id}/ledger").json()["entries"]]


def holds(bridge: SimpleNamespace, client_id: int = CLIENT) -> list[dict]:
    return staff(bridge, "GET", f"/v1/clients/{client_id}/privacy").json()["retention"] or {"holds": []}


def place_hold(bridge: SimpleNamespace, reference: str = "CASE-7") -> str:
    response = staff(bridge, "POST", f"/v1/clients/{CLIENT}/holds",
                     json={"reason": "legal_process", "reference": reference, "note": None})
    assert response.status_code == 201, response.text
    return response.json()["hold_id"]
