"""Writes docs/privacy-page/<scene>.png: the customer privacy page as the module renders it under
php-cli against a real bridge (history, after a wrong password) and the file "Download my data"
saves after the right one, photographed by headless Chromium.

Run: python -m tests.browser.make_privacy_screenshots [OUTPUT_DIR]
(needs php-cli with php-illuminate-database, smarty3 and chromium from Debian)."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from tests.browser.chromium import Chromium, find_chromium
from tests.browser.privacy_scenes import scene_files
from tests.php.privacy_live import live_install, tell_story
from tests.php.whmcs_harness import REPO

SIZES = {"history": (1200, 1500), "wrong-password": (1200, 1500), "download": (1000, 900)}


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else REPO / "docs" / "privacy-page"
    binary, php = find_chromium(), shutil.which("php")
    if binary is None or php is None:
        print("needs chromium and php-cli (apt-get install chromium php-cli)", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="privacy-shot-") as work:
        root = Path(work)
        with live_install(php, root / "whmcs", f"sqlite:///{root}/bridge.db") as live:
            tell_story(live)
            for name, page in scene_files(live, root).items():
                Chromium(binary).screenshot(page, out / f"{name}.png", size=SIZES[name])
                print(out / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
