"""Fixtures for the PHP hook tests: php-cli, a signature-checking receiver, a simulated WHMCS.

Without php-cli (or Laravel's illuminate/database, which WHMCS ships as Capsule) these tests are
skipped, unless BRIDGE_REQUIRE_PHP=1 asks for them to fail instead.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.php.whmcs_harness import Receiver, Whmcs

CAPSULE_PROBE = "exit(stream_resolve_include_path('Illuminate/Database/autoload.php') ? 0 : 1);"


def _unavailable(reason: str) -> None:
    if os.environ.get("BRIDGE_REQUIRE_PHP") == "1":
        pytest.fail(f"BRIDGE_REQUIRE_PHP=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def php() -> str:
    """Path of php-cli with curl, pdo_sqlite and illuminate/database (Debian: php-illuminate-database)."""
    binary = shutil.which("php")
    if binary is None:
        _unavailable("php-cli is not installed (apt-get install php-cli php-curl php-sqlite3 php-illuminate-database)")
    modules = subprocess.run([binary, "-m"], capture_output=True, text=True, check=False).stdout
    missing = [m for m in ("curl", "pdo_sqlite", "json") if m not in modules.split()]
    if missing:
        _unavailable(f"php-cli lacks the extensions {', '.join(missing)}")
    if subprocess.run([binary, "-r", CAPSULE_PROBE], check=False).returncode != 0:
        _unavailable("illuminate/database is not on PHP's include_path (php-illuminate-database)")
    return binary


SMARTY_PROBE = "exit(stream_resolve_include_path('smarty3/Smarty.class.php') ? 0 : 1);"


@pytest.fixture(scope="session")
def smarty(php: str) -> str:
    """php-cli that can render the module's client-area templates with Smarty 3 (Debian: smarty3)."""
    if subprocess.run([php, "-r", SMARTY_PROBE], check=False).returncode != 0:
        _unavailable("Smarty 3 is not on PHP's include_path (apt-get install smarty3)")
    return php


@pytest.fixture(scope="session")
def webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def receiver(webhook_secret: str) -> Iterator[Receiver]:
    bridge = Receiver(webhook_secret).start()
    yield bridge
    bridge.stop()


@pytest.fixture
def whmcs(php: str, tmp_path: Path, receiver: Receiver) -> Whmcs:
    """A WHMCS install with the addon module activated and settings that point at the receiver."""
    install = Whmcs(php, tmp_path / "whmcs", receiver)
    install.activate()
    install.configure()
    return install
