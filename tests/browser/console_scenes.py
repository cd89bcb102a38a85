"""The staff console's pages and widget for the browser tests and docs/console/*.png: real module
code under php-cli against a real bridge holding one customer's story."""

from __future__ import annotations

from pathlib import Path

from tests.browser.console_shell import addon_page, dashboard_page
from tests.php.console.conftest import settings_for
from tests.php.console.console import CLIENT, Console, blocked_customer, place_hold, send_hook

SCENES = {
    "queue": ({}, ("Pending ID checks", "#1042", "Record ID check")),
    "client": ({"client_id": CLIENT}, ("Client #1042: privacy", "Last changes", "Place hold", "legal_process")),
    "retention": ({}, ("Plan as of", "held", "Dry run (changes nothing)")),
    "ledger": ({}, ("Ledger", "Verify now")),
    "outbox": ({}, ("Pending: 1", "Given up (dead): 1", "HTTP 401")),
    "settings": ({}, ("Bridge reachable", "Webhook secret", "Console token")),
}


def story(bridge, console: Console, reference: str = "CASE-7") -> None:  # noqa: ANN001
    blocked_customer(bridge)
    send_hook(bridge, "ClientClose")
    place_hold(bridge, reference=reference)
    console.seed("mod_privacy_bridge_outbox", webhook_id="m1", event="ClientEdit", payload="{}", attempts=1,
                 next_attempt_at="2026-12-01 10:00:00", created_at="2026-12-01 09:59:00")
    console.seed("mod_privacy_bridge_outbox", webhook_id="m2", event="ContactAdd", payload="{}", attempts=8,
                 dead_at="2026-12-01 09:00:00", last_error="HTTP 401", created_at="2026-11-30 21:00:00")


def new_console(php: str, root: Path, bridge) -> Console:  # noqa: ANN001
    return Console(php, root, settings_for(bridge)).login("alice")


def page_file(root: Path, name: str, console: Console) -> Path:
    if name == "widget":
        html = dashboard_page(console.widget().html)
    else:
        query, _ = SCENES[name]
        html = addon_page(console.get(name, **query).html)
    path = root / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    return path
