"""Writes docs/console/<page>.png: each staff console page and the dashboard widget, rendered by
the module under php-cli against a real bridge, photographed by headless Chromium.

Run: python -m tests.browser.make_console_screenshots
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from tests.browser.chromium import Chromium, find_chromium
from tests.browser.console_scenes import SCENES, new_console, page_file, story
from tests.php.console.console import REPO, running_bridge


def main() -> None:
    chromium = Chromium(find_chromium() or "chromium")
    out = REPO / "docs" / "console"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        with running_bridge(root / "bridge") as bridge:
            console = new_console(shutil.which("php") or "php", root / "whmcs", bridge)
            story(bridge, console)
            for name in (*SCENES, "widget"):
                chromium.screenshot(page_file(root, name, console), out / f"{name}.png")


if __name__ == "__main__":
    main()
