"""Gunicorn under our control: started on 127.0.0.1 in its own process group, always stopped."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import REPO, free_port

_CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    pid: int
    port: int
    log: Path

    def cpu_seconds(self) -> float:
        """user + system CPU of the master and its workers so far (all share our process group)."""
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.pid:  # field 5 of stat: the process group
                total += int(fields[11]) + int(fields[12])
        return total / _CLK_TCK


@contextmanager
def gunicorn(app_spec: str, *, env: dict[str, str], workers: int, log: Path) -> Iterator[Server]:
    port = free_port()
    args = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync",
            "--bind", f"127.0.0.1:{port}", "--chdir", str(REPO), "--timeout", "60", app_spec]
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own interpreter
            args, cwd=REPO, env={**os.environ, **env}, stdout=sink, stderr=sink, start_new_session=True)
    try:
        _wait_ready(process, port, log)
        yield Server(pid=process.pid, port=port, log=log)
    finally:
        _stop(process)


def _wait_ready(process: subprocess.Popen, port: int, log: Path, limit_s: float = 60) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{log.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
            time.sleep(3)  # the other workers import the app after fork: let them finish
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    try:  # a worker outliving its master would still be in the group
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if process.poll() is None:
        process.wait(timeout=10)
