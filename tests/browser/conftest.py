"""Browser tests run on SQLite only (what they check is the page, not the storage), and need
Debian's Chromium: skipped without it, unless BRIDGE_REQUIRE_BROWSER=1 makes that a failure."""

import os

import pytest

from bridge.db import migrate
from bridge.db.base import make_engine
from bridge.web.app import create_app
from tests.browser.chromium import Chromium, find_chromium
from tests.support.web import Signer


@pytest.fixture
def db_url(tmp_path):
    url = f"sqlite:///{tmp_path}/bridge.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def client(services):
    app = create_app(services=services)
    app.testing = True
    return app.test_client()


@pytest.fixture
def signer(base_env, clock):
    return Signer(base_env["BRIDGE_WEBHOOK_SECRET"], clock)


@pytest.fixture(scope="session")
def chromium():
    binary = find_chromium()
    if binary is None:
        if os.environ.get("BRIDGE_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (BRIDGE_REQUIRE_BROWSER=1) but not installed (apt-get install chromium)")
        pytest.skip("Chromium not installed (apt-get install chromium); BRIDGE_REQUIRE_BROWSER=1 fails instead")
    return Chromium(binary)
