"""Headless Debian Chromium, run once per page with a fresh profile, no network and a hard timeout."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_S = 60
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--hide-scrollbars")
SIZE = (1200, 900)


def find_chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


class Chromium:
    def __init__(self, binary: str) -> None:
        self.binary = binary

    def screenshot(self, page: Path, png: Path, *, size: tuple[int, int] = SIZE) -> None:
        self._run(f"--screenshot={png}", page.resolve().as_uri(), size=size)
        if not png.exists():
            raise AssertionError(f"Chromium wrote no screenshot for {page.name}")

    def dump_dom(self, page: Path, *, size: tuple[int, int] = SIZE) -> str:
        """The DOM after the page's scripts ran, laid out in a window of `size`."""
        return self._run("--dump-dom", page.resolve().as_uri(), size=size)

    def _run(self, *args: str, size: tuple[int, int]) -> str:
        with tempfile.TemporaryDirectory(prefix="panel-chromium-", ignore_cleanup_errors=True) as home:
            env = {**os.environ, "HOME": home, "XDG_CONFIG_HOME": home, "XDG_CACHE_HOME": home}
            window = f"--window-size={size[0]},{size[1]}"
            # Its own process group, so a hung run is ended with every helper process it started.
            proc = subprocess.Popen(  # noqa: S603 - fixed binary, arguments built here
                [self.binary, *FLAGS, window, f"--user-data-dir={home}/profile", *args], stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
            try:
                out, err = proc.communicate(timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise AssertionError(f"Chromium did not finish within {TIMEOUT_S} s") from None
        if proc.returncode != 0:
            raise AssertionError(f"Chromium exited {proc.returncode}: {err[-2000:]}")
        return out
