"""A full disk under SQLite: the database lives on a small tmpfs that a filler file fills while a
signed load runs. Hook posts then get a 503 storage-unavailable problem (never a 500), `/readyz`
keeps answering truthfully, and once the filler is deleted the retried events are all recorded,
once each, in a chain that still verifies."""

import base64
import os
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from bridge.db import migrate
from bridge.db.base import make_engine
from tests.conftest import TEST_MASTER_KEY, TEST_WEBHOOK_SECRET
from tests.support.faults import Load, ServeProcess, audit

LONG = os.environ.get("BRIDGE_LONG") == "1"
COUNT = 2_000 if LONG else 300
RATE = 120.0 if LONG else 60.0
FS_SIZE = "64m" if LONG else "16m"  # the WAL alone grows to about 4 MiB before a checkpoint
HEADROOM = 192 * 1024  # what the filler leaves free: a dozen events or so
FULL_FOR_S = 5.0 if LONG else 1.5
SECRET = base64.b64decode(TEST_WEBHOOK_SECRET.removeprefix("whsec_"))


@contextmanager
def small_filesystem(size: str):
    folder = Path(tempfile.mkdtemp(prefix="bridge-disk-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip() or mounted.returncode}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True, check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)
        folder.rmdir()


def fill(folder: Path, *, leave: int) -> Path:
    """Write real bytes (tmpfs does not count holes) until only about `leave` bytes are free."""
    stats = os.statvfs(folder)
    remaining = stats.f_bavail * stats.f_frsize - leave
    filler = folder / "filler"
    chunk = b"\0" * (64 * 1024)
    with open(filler, "wb") as out:
        while remaining > 0:
            try:
                remaining -= out.write(chunk[:remaining])
            except OSError:
                break
    return filler


def wait_for(condition, timeout: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.slow
def test_a_full_disk_answers_503_and_ingestion_resumes_once_space_is_freed(tmp_path):
    with small_filesystem(FS_SIZE) as folder:
        url = f"sqlite:///{folder}/bridge.db"
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        env = {"BRIDGE_DATABASE_URL": url, "BRIDGE_WEBHOOK_SECRET": TEST_WEBHOOK_SECRET,
               "BRIDGE_MASTER_KEY": TEST_MASTER_KEY}
        readiness: list[int] = []
        with ServeProcess(env, cwd=tmp_path, workers=2) as server:
            base = server.start()
            load = Load(base, SECRET, COUNT, rate=RATE).start()
            try:
                load.wait_acknowledged(COUNT // 6)
                filler = fill(folder, leave=HEADROOM)
                wait_for(lambda: load.stats.statuses[503] >= 5, 60, "the disk to fill up")
                for _ in range(6):
                    answer = requests.get(f"{base}/readyz", timeout=10)
                    assert answer.status_code in (200, 503) and "checks" in answer.json()
                    readiness.append(answer.status_code)
                time.sleep(FULL_FOR_S)
                filler.unlink()
                stats = load.join(timeout=180)
            finally:
                load.stop()
        engine = make_engine(url)
        try:
            result = audit(engine, stats)
            with engine.connect() as conn:
                integrity = conn.execute(text("PRAGMA integrity_check")).scalar_one()
        finally:
            engine.dispose()
    print(result.line("disk-full-sqlite"), f"attempts={stats.attempts}", f"statuses={dict(stats.statuses)}",
          f"readyz_while_full={readiness}", f"integrity={integrity}")
    assert stats.failed == [] and stats.bad_answers == []
    assert set(stats.problems) <= {"/problems/storage-unavailable"}
    assert stats.statuses[503] >= 5 and stats.statuses[500] == 0
    assert (result.acknowledged, result.found, result.lost, result.duplicated) == (COUNT, COUNT, 0, 0)
    assert result.unrequested == 0 and result.gapless and integrity == "ok"
    assert result.verify_line.startswith("ok ")
