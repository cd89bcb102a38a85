"""A whole installation in one process: the WHMCS emulator on a loopback port, firing its hooks
back at the bridge as signed webhooks (as the PHP hook file would), the bridge app over a fresh
database, and a job worker. Used by `bridge demo` and by the end-to-end tests."""

from __future__ import annotations

import base64
import itertools
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from bridge.clock import Clock
from bridge.db import migrate
from bridge.db.base import make_engine
from bridge.demo.hooks import envelope, signed
from bridge.jobs.worker import Backoff, Worker
from bridge.services import Services, build_services
from bridge.settings import load_settings
from bridge.vocabulary import PROFILE_FIELDS
from bridge.whmcs.emulator.seed import DEMO_IDENTIFIER, DEMO_SECRET
from bridge.whmcs.emulator.server import api_url, running_emulator
from bridge.whmcs.emulator.state import LOOPBACK, EmulatorState
from bridge.whmcs.http import HttpWhmcsClient
from bridge.whmcs.retry import RetryPolicy
from bridge.whmcs.session import build_session


@dataclass
class World:
    services: Services
    app: Any
    emulator: EmulatorState
    secret: bytes
    clock: Clock
    worker: Worker
    forwarded: list[dict[str, Any]]

    def post(self, path: str, body: dict[str, Any], *, webhook_id: str | None = None):
        raw, headers = signed(body, secret=self.secret, timestamp=int(self.clock.now().timestamp()),
                              webhook_id=webhook_id)
        with self.app.test_client() as client:
            return client.post(path, data=raw, headers=headers)

    def hook(self, event: str, vars_: dict[str, Any], *, actor: dict[str, Any], webhook_id: str | None = None):
        """Deliver a hook event as the PHP outbox would."""
        return self.post("/v1/hooks/whmcs", envelope(event, vars_, actor=actor, at=self.clock.now()),
                         webhook_id=webhook_id)

    def validate(self, event: str, vars_: dict[str, Any], *, actor: dict[str, Any]):
        return self.post("/v1/hooks/whmcs/validate",
                         envelope(event, vars_, actor=actor, at=self.clock.now(), outbox=False))

    def staff(self, method: str, path: str, token: str, **kwargs):
        with self.app.test_client() as client:
            return client.open(path, method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs)

    # -- acting inside WHMCS, as a form would (no API call, no hook: the caller delivers it) --------
    def edit_client(self, client_id: int, **changes: str) -> dict[str, Any]:
        """Apply `changes` in WHMCS and return the ClientEdit vars (with olddata)."""
        with self.emulator.locked() as store:
            record = store.client(client_id)
            old, new = _edited(record.fields, changes)
            status = record.status
        return {"userid": client_id, **new, "status": status, "olddata": {**old, "status": status}}

    def edit_contact(self, contact_id: int, **changes: str) -> dict[str, Any]:
        """Apply `changes` to a contact in WHMCS and return the ContactEdit vars (with olddata)."""
        with self.emulator.locked() as store:
            record = store.contact(contact_id)
            old, new = _edited(record.fields, changes)
            client_id = record.client_id
        return {"userid": client_id, "contactid": contact_id, **new, "olddata": old}

    def client_fields(self, client_id: int) -> dict[str, str]:
        with self.emulator.locked() as store:
            return dict(store.client(client_id).fields)

    def customers(self) -> dict[str, int]:
        """First name -> client id of the seeded customers."""
        with self.emulator.locked() as store:
            return {c.fields["firstname"]: c.id for c in store.clients.values()}


class HookForwarder:
    """The emulator's hook sink: what WHMCS fires for an API write reaches the bridge signed, with
    the actor the PHP hook would derive (api, the identifier, the echoed bridge_change_id)."""

    def __init__(self) -> None:
        self.world: World | None = None
        self.paused = False
        self._ids = itertools.count(1)

    def __call__(self, event: str, vars_: dict[str, Any], actor: dict[str, Any]) -> None:
        world = self.world
        if world is None or self.paused:
            return
        sent = {k: v for k, v in actor.items() if v is not None}
        world.forwarded.append({"event": event, "actor": sent})
        world.hook(event, vars_, actor=sent, webhook_id=f"emu_{next(self._ids)}_{os.getpid()}")

    def validate(self, event: str, vars_: dict[str, Any]) -> dict[str, Any] | None:
        """The emulator's validate sink: EmailPreSend asked of the bridge, as the hook asks it."""
        world = self.world
        if world is None or self.paused:
            return None
        return world.validate(event, vars_, actor={"type": "api", "id": DEMO_IDENTIFIER}).get_json()


def _environment(database_url: str, emulator_base: str, secret: bytes, extra: dict[str, str]) -> dict[str, str]:
    return {
        "BRIDGE_DATABASE_URL": database_url,
        "BRIDGE_WEBHOOK_SECRET": "whsec_" + base64.b64encode(secret).decode(),
        "BRIDGE_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "BRIDGE_WHMCS_API_URL": api_url(emulator_base),
        "BRIDGE_WHMCS_IDENTIFIER": DEMO_IDENTIFIER,
        "BRIDGE_WHMCS_SECRET": DEMO_SECRET,
        # a backoff measured in milliseconds: the story runs on a simulated clock and should not
        # sleep through WHMCS's injected failures
        "BRIDGE_WHMCS_RETRY_BACKOFF": "0.005",
        "BRIDGE_WHMCS_RETRY_BACKOFF_CAP": "0.05",
        **extra,
    }


@contextmanager
def running_world(database_url: str, clock: Clock, *, seed: bool = True,
                  settings: dict[str, str] | None = None) -> Iterator[World]:
    """The emulator (seeded with the demo customers), the bridge over `database_url` (migrated),
    and a worker whose backoff is short enough for a story told on a simulated clock."""
    from bridge.web.app import create_app
    from bridge.whmcs.emulator.seed import seed_demo

    forwarder = HookForwarder()
    state = EmulatorState(clock=clock, hook_sink=forwarder, validate_sink=forwarder.validate,
                          allowed_ips=LOOPBACK)
    if seed:
        seed_demo(state)
    else:
        state.add_credential(DEMO_IDENTIFIER, DEMO_SECRET)
    with ExitStack() as stack:
        base = stack.enter_context(running_emulator(state))
        secret = os.urandom(32)
        engine = make_engine(database_url)
        migrate.upgrade(engine)
        loaded = load_settings(environ=_environment(database_url, base, secret, settings or {}))
        # the real client and Session, with the retry policy the settings give
        whmcs = HttpWhmcsClient(session=stack.enter_context(build_session()), url=loaded.whmcs_api_url,
                                identifier=loaded.whmcs_identifier, secret=loaded.whmcs_secret,
                                policy=RetryPolicy.from_settings(loaded))
        services = build_services(loaded, clock=clock, engine=engine, whmcs=whmcs)
        stack.callback(services.dispose)
        app = create_app(services=services)
        worker = Worker(queue=services.queue, handlers=services.job_handlers(), clock=clock,
                        backoff=Backoff(base_s=1, cap_s=60, max_attempts=8))
        world = World(services=services, app=app, emulator=state, secret=secret, clock=clock, worker=worker,
                      forwarded=[])
        forwarder.world = world
        yield world


def _edited(fields: dict[str, Any], changes: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The profile before and after applying `changes` to a record's fields (in place)."""
    old = {k: fields.get(k, "") for k in PROFILE_FIELDS}
    fields.update(changes)
    return old, {k: fields.get(k, "") for k in PROFILE_FIELDS}
