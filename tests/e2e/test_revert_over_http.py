"""Section 10, the emulator models WHMCS: hooks fire inside the API request that caused them.

A whole installation over real sockets: the bridge app on one local port, the emulator on another,
the emulator's hook sink posting signed events to the bridge from inside the API request (as the
PHP hook does), and the job worker on its own thread. The revert's UpdateClient is answered only
after the ClientEdit it caused has been recorded by the bridge; nothing waits on anything else."""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest
import requests
from werkzeug.serving import make_server

from bridge.clock import SystemClock
from bridge.db import migrate
from bridge.db.base import make_engine
from bridge.demo.hooks import envelope, signed
from bridge.jobs.worker import Backoff, Worker
from bridge.services import build_services
from bridge.settings import load_settings
from bridge.web.app import create_app
from bridge.whmcs.emulator.seed import DEMO_IDENTIFIER, DEMO_SECRET, seed_demo
from bridge.whmcs.emulator.server import api_url, running_emulator
from bridge.whmcs.emulator.state import LOOPBACK, EmulatorState
from bridge.whmcs.http import HttpWhmcsClient
from bridge.whmcs.retry import RetryPolicy
from bridge.whmcs.session import build_session


def _serve(stack: ExitStack, app) -> str:  # noqa: ANN001 - a Flask app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    stack.callback(thread.join, 5)
    stack.callback(server.server_close)
    stack.callback(server.shutdown)
    return f"http://127.0.0.1:{server.server_port}"


def _answered(order: list[tuple[str, object]]):  # noqa: ANN202 - a requests response hook
    def hook(response: requests.Response, *_args: object, **_kwargs: object) -> None:
        action = parse_qs(response.request.body or "").get("action", ["?"])[0]
        order.append(("answered", action))

    return hook


@pytest.fixture
def installation(db_url) -> Iterator[SimpleNamespace]:
    clock, secret, order = SystemClock(), os.urandom(32), []
    state = EmulatorState(clock=clock, allowed_ips=LOOPBACK)
    ids = seed_demo(state)
    with ExitStack() as stack:
        emulator_base = stack.enter_context(running_emulator(state))
        engine = make_engine(db_url)
        migrate.upgrade(engine)
        settings = load_settings(environ={
            "BRIDGE_DATABASE_URL": db_url, "BRIDGE_WEBHOOK_SECRET": "whsec_" + base64.b64encode(secret).decode(),
            "BRIDGE_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
            "BRIDGE_WHMCS_API_URL": api_url(emulator_base), "BRIDGE_WHMCS_IDENTIFIER": DEMO_IDENTIFIER,
            "BRIDGE_WHMCS_SECRET": DEMO_SECRET,
        })
        session = stack.enter_context(build_session())
        session.hooks["response"].append(_answered(order))
        whmcs = HttpWhmcsClient(session=session, url=settings.whmcs_api_url, identifier=DEMO_IDENTIFIER,
                                secret=DEMO_SECRET, policy=RetryPolicy(backoff=0.005))
        services = build_services(settings, clock=clock, engine=engine, whmcs=whmcs)
        stack.callback(services.dispose)
        bridge_url = _serve(stack, create_app(services=services))

        def deliver(event: str, vars_: dict, actor: dict) -> int:
            body = envelope(event, vars_, actor={k: v for k, v in actor.items() if v is not None},
                            at=clock.now())
            raw, headers = signed(body, secret=secret, timestamp=int(clock.now().timestamp()))
            status = requests.post(f"{bridge_url}/v1/hooks/whmcs", data=raw, headers=headers, timeout=20).status_code
            order.append((event, status))
            return status

        state.hook_sink = deliver
        worker = Worker(queue=services.queue, handlers=services.job_handlers(), clock=clock,
                        backoff=Backoff(base_s=0.01, cap_s=0.05, max_attempts=3))
        yield SimpleNamespace(state=state, services=services, worker=worker, deliver=deliver, order=order,
                              ada=next(c.id for c in state.store.clients.values()
                                       if c.fields["firstname"] == "Ada"), ids=ids)


def _drain_on_a_thread(worker: Worker) -> None:
    thread = threading.Thread(target=worker.drain, name="job-worker", daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the worker is stuck: something waits on the WHMCS call"


def _types(services, client_id: int) -> list[str]:  # noqa: ANN001
    return [e["event_type"] for e in services.ledger.client_page(client_id, limit=1000).entries]


def test_the_reverts_client_edit_reaches_the_bridge_inside_update_client_and_is_not_reverted(installation):
    """Section 10, hooks fire inside the API request: the revert's ClientEdit reaches the bridge
    (through the hook sink) before UpdateClient answers, nothing deadlocks, and the echoed
    ClientEdit is recorded as the bridge's own and not reverted again."""
    world, ada = installation, installation.ada
    with world.state.locked() as store:
        record = store.client(ada)
        old_email = record.fields["email"]
        record.fields["email"] = "mallory@example.org"
    edit = {"userid": ada, "email": "mallory@example.org", "olddata": {"email": old_email}}
    assert world.deliver("ClientEdit", edit, {"type": "client", "id": ada, "ip": "203.0.113.5"}) == 202
    world.order.clear()

    _drain_on_a_thread(world.worker)

    assert world.state.store.clients[ada].fields["email"] == old_email
    [update] = world.state.calls_to("UpdateClient")
    assert ("ClientEdit", 202) in world.order
    assert world.order.index(("ClientEdit", 202)) < world.order.index(("answered", "UpdateClient"))
    after_update = world.order[world.order.index(("answered", "UpdateClient")):]
    assert ("answered", "GetClientsDetails") in after_update  # the revert re-read the client
    types = _types(world.services, ada)
    assert types.count("change.reverted") == 1 and types.count("client.updated") == 2
    _drain_on_a_thread(world.worker)
    assert len(world.state.calls_to("UpdateClient")) == 1  # the echo was not reverted
    assert update.change_id and world.services.queue.for_client(ada) == []
