"""Fixtures for the staff console tests: a real bridge and a WHMCS install whose module points at it."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from tests.php.console.console import Console, running_bridge


@pytest.fixture
def bridge(tmp_path) -> Iterator[SimpleNamespace]:
    with running_bridge(tmp_path / "bridge") as running:
        yield running


def settings_for(bridge: SimpleNamespace, **overrides: str) -> dict[str, str]:
    return {"bridge_url": bridge.url, "console_token": bridge.token, "webhook_secret": bridge.secret,
            "connect_timeout_ms": "500", "timeout_ms": "3000", "agent_roles": " support , Billing ",
            "dpo_roles": "full administrator", **overrides}


@pytest.fixture
def console(php, tmp_path, bridge) -> Console:
    """Logged in as alice, a Full Administrator (a dpo_roles role)."""
    return Console(php, tmp_path / "whmcs", settings_for(bridge)).login("alice")


@pytest.fixture
def needs_console_tokens(bridge) -> None:
    if not bridge.console:
        pytest.skip("this bridge has no console tokens yet (bridge token create --console)")
