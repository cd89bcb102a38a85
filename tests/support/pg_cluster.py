"""A private PostgreSQL cluster for fault tests: its own data directory, port and socket folder, so
a test may stop and start it without touching any other server on the machine.

initdb and postgres refuse to run as root, so under root they run as the `postgres` OS user
through `runuser`, and the data directory is handed to that user first."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.servers import free_port

SERVICE_USER = "postgres"


def find_bindir() -> Path | None:
    """The folder of initdb/pg_ctl: `pg_config --bindir`, then Debian's versioned folders."""
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(found.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if folder and all(os.access(Path(folder) / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    return None


def unavailable_reason() -> str | None:
    if find_bindir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not found"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            return f"running as root and there is no {SERVICE_USER!r} user to run initdb as"
        if shutil.which("runuser") is None:
            return "running as root and runuser is missing"
    return None


def skip_unless_available() -> None:
    reason = unavailable_reason()
    if reason is None:
        return
    if os.environ.get("BRIDGE_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required (BRIDGE_REQUIRE_POSTGRES=1): {reason}")
    pytest.skip(reason)


class PgCluster:
    """One cluster in `root`; `start()`/`stop()` may be called repeatedly on the same port."""

    def __init__(self, root: Path) -> None:
        self.bindir = find_bindir()
        assert self.bindir is not None
        self.root = root
        self.data = root / "data"
        self.socket_dir = root / "socket"
        self.log = root / "postgres.log"
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVICE_USER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=timeout,
                              cwd=self.root)

    def _hand_over(self) -> None:
        if os.geteuid() != 0:
            return
        owner = pwd.getpwnam(SERVICE_USER)
        for path in (self.root, self.socket_dir):
            os.chown(path, owner.pw_uid, owner.pw_gid)

    def init(self) -> None:
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        self._hand_over()
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--no-instructions")

    def start(self, timeout: float = 30) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -k {self.socket_dir} -p {self.port} "
                   "-c fsync=off -c max_connections=100")
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w",
                  "-t", str(int(timeout)), "-o", options, timeout=timeout + 10)

    def stop(self, mode: str = "fast") -> None:
        """Stop the cluster (`fast`: roll back and disconnect; `immediate`: like a crash)."""
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "30", check=False,
                  timeout=40)

    def running(self) -> bool:
        return self._run("pg_ctl", "status", "-D", str(self.data), check=False).returncode == 0

    def create_database(self, name: str) -> str:
        from sqlalchemy import create_engine, text

        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.database_url(name)


@contextmanager
def private_cluster() -> Iterator[PgCluster]:
    """A started cluster, stopped at once on exit whatever happened, its folder then removed.
    The folder is a fresh one under the system temp dir: pytest's own tmp folders are private
    to the user running the tests, which the postgres user cannot enter."""
    skip_unless_available()
    cluster = PgCluster(Path(tempfile.mkdtemp(prefix="bridge-pg-")))
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.stop("immediate")
        deadline = time.monotonic() + 10
        while cluster.running() and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(cluster.root, ignore_errors=True)
