"""The AdminHomeWidgets widget against a real bridge, and the PHP 7.4 check of the console files."""

from __future__ import annotations

import subprocess

import pytest

from tests.php.console.console import MODULE, REPO, blocked_customer

pytestmark = pytest.mark.php


def test_the_widget_counts_and_links(console, bridge):
    """Widget: pending ID checks, dead outbox rows (from the table), purges due within 30 days and
    the last verify result, each linking to its console page."""
    blocked_customer(bridge)
    console.seed("mod_privacy_bridge_outbox", webhook_id="m", event="ClientEdit", payload="{}", attempts=8,
                 dead_at="2026-11-01 00:00:00", created_at="2026-11-01 00:00:00")
    page = console.widget()
    assert page.errors == [] and page.meta["title"] == "Privacy bridge"
    assert "Pending ID checks: 1" in page.text and "Dead outbox rows: 1" in page.text
    assert "Purges due in the next 30 days: 0" in page.text and "Last ledger verification:" in page.text
    for action in ("queue", "outbox", "retention", "ledger"):
        assert f"action={action}" in page.html


def test_console_files_are_php74_compatible(php):
    """The module runs on PHP 7.4: no newer syntax or library calls in lib/Console or templates."""
    files = sorted(MODULE.glob("lib/Console/*.php")) + sorted(MODULE.glob("templates/console/*.php"))
    done = subprocess.run([php, str(REPO / "tests/php/php74_check.php"), *map(str, files)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout
