"""End to end: the PHP hook, through its outbox and signature, into the real bridge app."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import requests

from tests.php.whmcs_harness import Whmcs, admin_area, client_area

pytestmark = pytest.mark.php

app_module = pytest.importorskip("bridge.web.app")


@pytest.fixture
def bridge(tmp_path) -> Iterator[SimpleNamespace]:
    """The real app on a migrated SQLite database, served on a free local port."""
    from werkzeug.serving import make_server

    from bridge.db import migrate
    from bridge.db.base import make_engine
    from bridge.settings import load_settings

    url = f"sqlite:///{tmp_path}/bridge.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    settings = load_settings(
        environ={
            "BRIDGE_DATABASE_URL": url,
            "BRIDGE_WEBHOOK_SECRET": secret,
            "BRIDGE_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
    )
    app = app_module.create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    services = app.extensions["bridge"]
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", secret=secret, services=services)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    services.dispose()


def client_ledger(bridge: SimpleNamespace, client_id: int) -> list[dict]:
    token = bridge.services.tokens.create(name=f"php-e2e-{secrets.token_hex(4)}", role="auditor")
    response = requests.get(
        f"{bridge.url}/v1/clients/{client_id}/ledger",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["entries"]


def test_client_edit_reaches_the_ledger_as_client_updated(php, tmp_path, bridge):
    whmcs = Whmcs(php, tmp_path / "whmcs", bridge)
    whmcs.activate()
    whmcs.configure()
    whmcs.seed("tblclients", id=42, email="new@example.com", tax_id="GB1", defaultgateway="paypal")
    whmcs.fire(
        "ClientAdd",
        {"client_id": 42, "user_id": 7, "firstname": "Ada", "email": "old@example.com",
         "password": "pw-123"},
        client_area(42, 7),
    )  # fmt: skip

    whmcs.fire(
        "ClientEdit",
        {"userid": 42, "firstname": "Ada", "email": "new@example.com",
         "olddata": {"firstname": "Ada", "email": "old@example.com"}},
        admin_area(3, userid=42),
    )  # fmt: skip

    rows = whmcs.outbox()
    assert [row["delivered_at"] is not None for row in rows] == [True, True]
    entries = client_ledger(bridge, 42)
    types = [e["event_type"] for e in entries]
    assert types[0] == "client.created" and "client.updated" in types  # plus what policy adds
    updated = entries[types.index("client.updated")]
    assert updated["actor"]["type"] == "admin" and updated["actor"]["id"] == "3"
    assert "email" in {change["field"] for change in updated["changes"]}
    assert updated["details"]["webhook_id"] == rows[1]["webhook_id"]
    assert updated["details"]["outbox_id"] == rows[1]["id"]
    assert "pw-123" not in json.dumps(entries)


def test_an_oversized_client_edit_is_recorded_not_refused(php, tmp_path, bridge):
    """Section 10, size: the hook never builds a request the bridge must refuse for its size;
    a value over 64 KiB is cut (named in `truncated`) and the event reaches the ledger."""
    whmcs = Whmcs(php, tmp_path / "whmcs", bridge)
    whmcs.activate()
    whmcs.configure()
    whmcs.fire("ClientAdd", {"client_id": 42, "user_id": 7, "firstname": "Ada"}, client_area(42, 7))

    whmcs.fire(
        "ClientEdit",
        {"userid": 42, "address1": "1 Analytical Way " + "x" * 200_000, "olddata": {"address1": "Old Road"}},
        admin_area(3, userid=42),
    )

    rows = whmcs.outbox()
    assert [row["delivered_at"] is not None for row in rows] == [True, True]
    assert [row["dead_at"] for row in rows] == [None, None]
    types = [e["event_type"] for e in client_ledger(bridge, 42)]
    assert "client.updated" in types
    # How the bridge records the cut (the envelope's "truncated") is the bridge's side of the rule.


def test_a_purges_residual_erasure_reaches_the_ledger(php, tmp_path, bridge):
    """Section 11, erasure that reaches all of WHMCS, end to end: the bridge's open order is fetched by
    the module's AfterCronJob from the real work endpoint, the client's rows are erased in the WHMCS
    tables, and the signed report is ledgered as retention.residual_erased, closing the order."""
    from tests.php.test_php_erasure import EXPECTED_COUNTS, PURGED, assert_purged_client_erased, build
    from tests.php.whmcs_harness import cron
    from tests.support.ledger import email_change

    services = bridge.services
    whmcs = Whmcs(php, tmp_path / "whmcs", bridge)
    whmcs.activate()
    whmcs.configure()
    whmcs.fire("ClientAdd", {"client_id": PURGED, "user_id": 7, "firstname": "Alice", "email": "alice@example.com"},
               client_area(PURGED, 7))  # the bridge learns the address the order will carry
    services.residual.prepare(PURGED, strategy="anonymize")
    order_id = services.residual.order_id(PURGED)
    with services.ledger.unit():
        services.ledger.append([email_change(PURGED, "a@example.com", "b@example.com", services.clock.now())])
        services.residual.open(PURGED, order_id=order_id, strategy="anonymize", at=services.clock.now())
    assert [(o["order_id"], o["emails"]) for o in services.residual.open_orders()] == [
        (order_id, ["alice@example.com"])]  # the setup: an open order
    build(whmcs)

    whmcs.fire("AfterCronJob", {}, cron())

    assert_purged_client_erased(whmcs)
    erased = [e for e in client_ledger(bridge, PURGED) if e["event_type"] == "retention.residual_erased"]
    assert len(erased) == 1 and erased[0]["details"]["counts"] == EXPECTED_COUNTS
    assert services.residual.open_orders() == []


def test_an_admin_deleting_a_client_erases_what_whmcs_leaves_behind(php, tmp_path, bridge):
    """Section 11 with section 7, end to end: an admin deletes a client in WHMCS; the module's
    PreDeleteClient reaches the real bridge, which shreds and queues a residual-erasure order
    (strategy delete); the next cron deletes that client's rows the WHMCS delete left, the other
    client's rows stay byte for byte, and the report is ledgered."""
    from tests.php.test_php_erasure import OTHER_ROWS, PURGED, build, snapshot
    from tests.php.whmcs_harness import cron

    whmcs = Whmcs(php, tmp_path / "whmcs", bridge)
    whmcs.activate()
    whmcs.configure()
    whmcs.fire("ClientAdd", {"client_id": PURGED, "user_id": 7, "firstname": "Alice", "email": "alice@example.com"},
               client_area(PURGED, 7))
    build(whmcs)
    other_before = snapshot(whmcs)

    whmcs.fire("PreDeleteClient", {"userid": PURGED}, admin_area(3, userid=PURGED))
    [order] = bridge.services.residual.open_orders()
    assert (order["client_id"], order["strategy"], order["emails"]) == (PURGED, "delete", ["alice@example.com"])
    whmcs.fire("AfterCronJob", {}, cron())

    assert whmcs.query("SELECT id FROM tblemails WHERE userid = 42") == []
    assert whmcs.query("SELECT id FROM tblactivitylog WHERE id IN (101, 102)") == []
    assert whmcs.query("SELECT id FROM tbltickets WHERE id IN (1, 2)") == []
    assert whmcs.query("SELECT id FROM tblticketreplies WHERE id IN (1, 2, 3)") == []
    assert whmcs.query("SELECT ipaddress FROM tblorders WHERE id = 1") == [{"ipaddress": ""}]
    assert whmcs.query("SELECT id FROM tblmarketing_consent WHERE userid = 42") == []
    assert whmcs.query("SELECT payload FROM mod_privacy_bridge_outbox WHERE id = 901") == [{"payload": None}]
    assert snapshot(whmcs) == other_before and set(other_before) == set(OTHER_ROWS)
    entries = client_ledger(bridge, PURGED)
    [purged] = [e for e in entries if e["event_type"] == "retention.purged"]
    [erased] = [e for e in entries if e["event_type"] == "retention.residual_erased"]
    assert purged["details"]["residual_order"] == erased["details"]["order_id"] == order["order_id"]
    assert erased["details"]["counts"]["tblactivitylog"] == 2 and erased["details"]["counts"]["tbltickets"] == 2
    assert bridge.services.residual.open_orders() == []
