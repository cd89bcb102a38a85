"""Regenerates the panel screenshots in docs/panels/ from the same scenes the browser tests check:

    python -m tests.browser.make_screenshots [OUTPUT_DIR]

Each scene runs against a fresh SQLite database at the tests' fixed time; needs Debian's chromium."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bridge.clock import FixedClock
from bridge.db import migrate
from bridge.db.base import make_engine
from bridge.web.app import create_app
from tests.browser.chromium import Chromium, find_chromium
from tests.browser.shell import PAGES
from tests.browser.story import SCENES
from tests.conftest import T0, TEST_MASTER_KEY, TEST_WEBHOOK_SECRET
from tests.support.web import Signer, make_services


def scene_html(name: str, workdir: Path) -> str:
    """The full WHMCS-like page for one scene, with the panel the bridge answered."""
    url = f"sqlite:///{workdir}/bridge.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    clock = FixedClock(T0)
    services = make_services({"BRIDGE_DATABASE_URL": url, "BRIDGE_WEBHOOK_SECRET": TEST_WEBHOOK_SECRET,
                              "BRIDGE_MASTER_KEY": TEST_MASTER_KEY}, clock)
    try:
        app = create_app(services=services)
        event, scene = SCENES[name]
        fragment = scene(app.test_client(), Signer(TEST_WEBHOOK_SECRET, clock), services, clock)
    finally:
        services.dispose()
    return PAGES[event](fragment)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path("docs/panels")
    binary = find_chromium()
    if binary is None:
        print("chromium not found (apt-get install chromium)", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    for name in SCENES:
        with tempfile.TemporaryDirectory(prefix="panel-shot-") as tmp:
            page = Path(tmp) / f"{name}.html"
            page.write_text(scene_html(name, Path(tmp)), encoding="utf-8")
            Chromium(binary).screenshot(page, out / f"{name}.png")
        print(out / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
