"""Drive the WHMCS addon module under php-cli, against a local receiver that checks every signature.

`Receiver` plays the bridge: a threaded HTTP server on 127.0.0.1 that verifies Standard Webhooks
signatures with the official `standardwebhooks` package and answers with programmable replies.
`Whmcs` plays a WHMCS install: modules/addons/privacy_bridge/ copied from the repo, its settings in
tbladdonmodules, a SQLite database, and `fire(hook, vars, context)`, which runs tests/php/harness.php
once per call, exactly one WHMCS request per PHP process, loading the module's hooks.php (and any
hook files of includes/hooks/ a test puts in `hook_files`).
"""

from __future__ import annotations

import collections
import json
import shutil
import sqlite3
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
MODULE_DIR = REPO / "whmcs_hooks" / "modules" / "addons" / "privacy_bridge"
# The loose hook file of the installs before the module, as shipped (no include guard) and as it
# was last (with one): the module must make both stand down.
LEGACY_DIR = HERE / "legacy"
LEGACY_HOOK_FILES = {
    "shipped": LEGACY_DIR / "privacy_bridge.shipped.php",
    "last": LEGACY_DIR / "privacy_bridge.last.php",
}
HARNESS = HERE / "harness.php"

EVENTS_PATH = "/v1/hooks/whmcs"
VALIDATE_PATH = "/v1/hooks/whmcs/validate"
PANEL_PATH = "/v1/hooks/whmcs/panel"
DEFAULT_REPLIES = {
    EVENTS_PATH: (202, {"status": "recorded", "entries": [1]}),
    VALIDATE_PATH: (200, {"allowed": True, "errors": []}),
    PANEL_PATH: (200, {"html": "<p>bridge panel</p>"}),
}


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON, str -> as is, None -> the path's default body
    delay: float = 0.0


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    at: float

    @property
    def envelope(self) -> dict[str, Any]:
        return json.loads(self.body)


class Receiver:
    """A stand-in bridge. Unverifiable requests are recorded (verified=False) and get 401."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.received: list[Received] = []
        self._queues: dict[str, collections.deque[Reply]] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def queue(self, path: str, *replies: Reply) -> None:
        """Replies for the next requests to `path`, in order; then the path's default."""
        with self._lock:
            self._queues[path].extend(replies)

    def requests(self, path: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.received if path is None or r.path == path]

    def events(self) -> list[dict[str, Any]]:
        """Envelopes of verified event deliveries, in arrival order."""
        return [r.envelope for r in self.requests(EVENTS_PATH) if r.verified]

    def _next_reply(self, path: str) -> Reply:
        with self._lock:
            queue = self._queues[path]
            return queue.popleft() if queue else Reply(*DEFAULT_REPLIES.get(path, (404, {})))

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length", "0")))
        headers = {k.lower(): v for k, v in handler.headers.items()}
        try:
            Webhook(self.secret).verify(body, headers)
            verified = True
        except (WebhookVerificationError, ValueError):
            verified = False
        with self._lock:
            self.received.append(Received(handler.path, headers, body, verified, time.monotonic()))
        reply = self._next_reply(handler.path) if verified else Reply(401, {"title": "unauthorized"})
        if reply.delay:
            self._stopping.wait(reply.delay)
        payload = reply.body if reply.body is not None else DEFAULT_REPLIES.get(handler.path, (0, {}))[1]
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the hook gave up waiting, which is what some tests want

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                receiver._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler


# --- request contexts: who WHMCS would see as acting --------------------------------------------


def client_area(
    client_id: int = 42,
    user_id: int = 7,
    ip: str = "203.0.113.5",
    script: str = "clientarea.php",
    get: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "area": "client",
        "server": _web(script, ip),
        "get": get or {},
        "current_user": {"user": {"id": user_id}, "client": {"id": client_id}},
        "app_ip": ip,
    }


def admin_area(
    admin_id: int = 3,
    userid: int | None = None,
    ip: str = "198.51.100.7",
    script: str = "clientsprofile.php",
) -> dict[str, Any]:
    return {
        "area": "admin",
        "server": _web(f"admin/{script}", ip),
        "post": {} if userid is None else {"userid": str(userid)},
        "current_user": {"admin": {"id": admin_id}},
        "app_ip": ip,
    }


def masquerading(admin_id: int = 3, client_id: int = 42, user_id: int = 7) -> dict[str, Any]:
    context = client_area(client_id=client_id, user_id=user_id)
    context["current_user"].update(admin={"id": admin_id}, masquerading=True)
    return context


def api_request(
    identifier: str = "bridge-api",
    change_id: str | None = None,
    ip: str = "192.0.2.10",
) -> dict[str, Any]:
    post = {"identifier": identifier, "secret": "api-secret-never-forwarded", "action": "UpdateClient"}
    if change_id is not None:
        post["bridge_change_id"] = change_id
    return {"server": _web("includes/api.php", ip), "post": post, "app_ip": ip}


def cron() -> dict[str, Any]:
    # php-cli without an HTTP request, as WHMCS's crons/cron.php runs.
    return {"server": {"REQUEST_METHOD": None, "REMOTE_ADDR": None}}


def _web(script: str, ip: str) -> dict[str, Any]:
    return {"REQUEST_METHOD": "POST", "SCRIPT_NAME": f"/{script}", "PHP_SELF": f"/{script}", "REMOTE_ADDR": ip}


# --- the simulated WHMCS install -----------------------------------------------------------------


@dataclass
class Run:
    results: list[Any]
    activity: list[str]
    errors: list[str]
    elapsed: float
    returncode: int
    stderr: str = ""
    api_calls: list[dict[str, Any]] = field(default_factory=list)
    token_checks: list[str] = field(default_factory=list)

    @property
    def result(self) -> Any:
        assert len(self.results) == 1, self.results
        return self.results[0]


@dataclass
class Whmcs:
    php: str
    root: Path
    receiver: Receiver
    db_path: Path = field(init=False)
    hooks_dir: Path = field(init=False)
    module_dir: Path = field(init=False)
    hook_files: list[Path] = field(init=False)

    def __post_init__(self) -> None:
        self.hooks_dir = self.root / "includes" / "hooks"
        self.hooks_dir.mkdir(parents=True)
        self.module_dir = self.root / "modules" / "addons" / "privacy_bridge"
        shutil.copytree(MODULE_DIR, self.module_dir)
        self.db_path = self.root / "whmcs.sqlite"
        self.hook_files = [self.module_hooks]

    @property
    def module_hooks(self) -> Path:
        return self.module_dir / "hooks.php"

    @property
    def legacy_config_file(self) -> Path:
        return self.hooks_dir / "privacy_bridge.config.php"

    def call(self, function: str, *args: Any) -> Any:
        """Calls a function of the module file (privacy_bridge_activate, ...) in its own request."""
        return self.fire("", module_call={"function": function, "args": list(args)}).result

    def activate(self) -> Any:
        return self.call("privacy_bridge_activate")

    def save_settings(self, settings: dict[str, Any]) -> None:
        """The module's rows of tbladdonmodules, as WHMCS stores its settings form."""
        self.fire("NoSuchHook", module_settings=settings)

    def settings(self) -> dict[str, str]:
        rows = self.query("SELECT setting, value FROM tbladdonmodules WHERE module = 'privacy_bridge'")
        return {r["setting"]: r["value"] for r in rows}

    def configure(self, **overrides: Any) -> dict[str, Any]:
        settings = {
            "bridge_url": self.receiver.url,
            "webhook_secret": self.receiver.secret,
            "connect_timeout_ms": 500,
            "timeout_ms": 2000,
            "validate_timeout_ms": 1500,
            "fail_open": True,
            "max_attempts": 5,
        }
        settings.update(overrides)
        stored = {k: ("on" if v else "") if isinstance(v, bool) else v for k, v in settings.items()}
        self.save_settings(stored)
        return settings

    def unconfigure(self) -> None:
        self.save_settings({})

    def write_legacy_config(self, **settings: Any) -> Path:
        """A settings file of the loose hook install, as its admins wrote them."""
        self.legacy_config_file.write_text("<?php\nreturn " + php_literal(settings) + ";\n")
        return self.legacy_config_file

    def fire(
        self,
        hook: str,
        vars: dict[str, Any] | None = None,
        context: dict[str, Any] | None = None,
        *,
        seed: dict[str, list[dict[str, Any]]] | None = None,
        module_settings: dict[str, Any] | None = None,
        module_call: dict[str, Any] | None = None,
        allow_internal_error: bool = False,
        timeout: float = 60,
    ) -> Run:
        """One WHMCS request that fires `hook`; fails on any PHP warning or unexpected crash."""
        scenario = {
            "root": str(self.root),
            "hook_files": [str(f) for f in self.hook_files],
            "database": str(self.db_path),
            "module_settings": module_settings,
            "module_call": module_call,
            "hook": hook,
            "vars": vars or {},
            "seed": seed or {},
            "config_globals": {"Version": "8.13.1-release.1", "SystemURL": "https://billing.example.com/"},
        }
        scenario.update(context if context is not None else cron())
        started = time.monotonic()
        proc = subprocess.run(
            [self.php, str(HARNESS)],
            input=json.dumps(scenario),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        elapsed = time.monotonic() - started
        try:
            out = json.loads(proc.stdout)
        except json.JSONDecodeError:
            raise AssertionError(f"harness output is not JSON: {proc.stdout!r} {proc.stderr!r}") from None
        run = Run(
            out["results"], out["activity"], out["errors"], elapsed, proc.returncode, proc.stderr,
            out.get("api_calls", []), out.get("token_checks", []),
        )  # fmt: skip
        assert proc.returncode == 0 and not run.errors, (proc.returncode, run.errors, proc.stderr)
        if not allow_internal_error:
            assert not [a for a in run.activity if "internal error" in a], run.activity
        return run

    def seed(self, table: str, **row: Any) -> None:
        """Inserts a row through a no-op request (the harness creates the WHMCS tables)."""
        self.fire("NoSuchHook", seed={table: [row]})

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with sqlite3.connect(self.db_path) as conn:
            conn.row_factory = sqlite3.Row
            rows = [dict(r) for r in conn.execute(sql, params)]
        conn.close()
        return rows

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        with sqlite3.connect(self.db_path) as conn:
            conn.execute(sql, params)
        conn.close()

    def executescript(self, sql: str) -> None:
        with sqlite3.connect(self.db_path) as conn:
            conn.executescript(sql)
        conn.close()

    def outbox(self) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM mod_privacy_bridge_outbox ORDER BY id")

    def make_due(self) -> None:
        """Moves every pending retry into the past, as if the backoff had elapsed."""
        self.execute(
            "UPDATE mod_privacy_bridge_outbox SET next_attempt_at = '2000-01-01 00:00:00'"
            " WHERE delivered_at IS NULL AND dead_at IS NULL"
        )

    def activity_log(self) -> list[str]:
        return [r["description"] for r in self.query("SELECT description FROM tblactivitylog ORDER BY id")]


def php_literal(value: Any) -> str:
    """A PHP literal for JSON-like data (what a hand-written settings file would contain)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, dict):
        return "[" + ", ".join(f"{php_literal(k)} => {php_literal(v)}" for k, v in value.items()) + "]"
    return "[" + ", ".join(php_literal(v) for v in value) + "]"


def bridge_accepts(envelope: dict[str, Any], *, kind: str) -> Any:
    """Loads an envelope with the bridge's own hook schema: what the PHP side sends, it takes."""
    from bridge.schemas.hooks import load_envelope

    return load_envelope(envelope, kind=kind)
