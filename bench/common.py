"""Shared pieces: throwaway databases, settings for them, percentiles, subprocess helpers."""

from __future__ import annotations

import base64
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from bridge.db import migrate
from bridge.db.base import make_engine

REPO = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
PG_ADMIN_URL = os.environ.get("BRIDGE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def secrets_env(database_url: str) -> dict[str, str]:
    """BRIDGE_* settings for one run: fresh random secrets, never written anywhere."""
    return {
        "BRIDGE_DATABASE_URL": database_url,
        "BRIDGE_WEBHOOK_SECRET": "whsec_" + base64.b64encode(os.urandom(32)).decode(),
        "BRIDGE_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "BRIDGE_CONFIG": str(Path(__file__).resolve().parent / "bench.toml"),
        "BRIDGE_LOG_FORMAT": "json",
    }


def webhook_secret(env: dict[str, str]) -> bytes:
    return base64.b64decode(env["BRIDGE_WEBHOOK_SECRET"].removeprefix("whsec_"))


@contextmanager
def workdir() -> Iterator[Path]:
    """A temporary folder on the same disk as the system temp dir (fsync is real there)."""
    with tempfile.TemporaryDirectory(prefix="bridge-bench-") as tmp:
        yield Path(tmp)


@contextmanager
def sqlite_db(folder: Path, name: str = "bridge.db") -> Iterator[str]:
    url = f"sqlite:///{folder / name}"
    migrate_url(url)
    yield url


def pg_available() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not available": the figure is skipped
        return False


@contextmanager
def pg_db() -> Iterator[str]:
    """A migrated throwaway PostgreSQL database, dropped afterwards whatever happens."""
    name = f"bridge_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        migrate_url(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrate_url(url: str) -> None:
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_json(module: str, *args: str, timeout: float) -> dict:
    """Run `python -m module args` and parse the JSON object on its last stdout line."""
    done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True,
        timeout=timeout, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {args[:1]} failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
