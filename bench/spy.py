"""`python -m bench.spy [sqlite|postgresql] [workers] [--cpu]`: serve the bridge as the HTTP benchmark
does, load it with wrk for a few seconds and sample one worker with py-spy (idle frames included,
so time spent waiting for SQLite's lock or an fsync shows; `--cpu` samples only time on a CPU).
Prints the top frames."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from bench.common import pg_db, secrets_env, sqlite_db, webhook_secret, workdir
from bench.http_ingest import _write_requests, run_wrk, warm_keys
from bench.servers import gunicorn


def _workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def main(backend: str = "sqlite", workers: int = 2, seconds: int = 8, *, idle: bool = True) -> int:
    with workdir() as folder:
        database = sqlite_db(folder) if backend == "sqlite" else pg_db()
        with database as url:
            env = secrets_env(url)
            requests = folder / "requests.txt"
            warm_keys(env)
            _write_requests(requests, 8000, secret=webhook_secret(env), prefix="spy")
            with gunicorn("wsgi:app", env=env, workers=workers, log=folder / "spy.log") as server:
                pid = _workers_of(server.pid)[0]
                load = threading.Thread(target=run_wrk, args=(server, requests),
                                        kwargs={"connections": 32, "seconds": seconds})
                load.start()
                spy = subprocess.run(  # noqa: S603, S607 - py-spy on our own worker
                    ["py-spy", "record", "--pid", str(pid), "--duration", str(seconds - 2),
                     *(["--idle"] if idle else []), "--format", "raw", "--output", str(folder / "spy.txt"),
                     "--nonblocking"],
                    capture_output=True, text=True, check=False, timeout=seconds + 60)
                load.join()
            if spy.returncode != 0:
                print(spy.stderr[-2000:])
                return 1
            _print_top(folder / "spy.txt")
    return 0


def _print_top(raw: Path, limit: int = 60) -> None:
    """Self time by leaf frame and inclusive time of bridge frames, as shares of all samples."""
    leaf: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames, n = stack.split(";"), int(count)
        total += n
        leaf[frames[-1]] = leaf.get(frames[-1], 0) + n
        for function in {frame.split(":")[0] for frame in frames}:  # per function, any line
            inclusive[function] = inclusive.get(function, 0) + n
    print(f"{total} samples")
    print("-- leaf frames (where the worker's time goes) --")
    for frame, n in sorted(leaf.items(), key=lambda kv: -kv[1])[:limit]:
        print(f"{100 * n / total:5.1f}%  {frame}")
    print("-- inclusive, by function --")
    for frame, n in sorted(inclusive.items(), key=lambda kv: -kv[1])[:limit]:
        print(f"{100 * n / total:5.1f}%  {frame}")


if __name__ == "__main__":
    # `--cpu`: on-CPU samples only (no waiting), to see what costs processor time
    arguments = [a for a in sys.argv[1:] if a != "--cpu"]
    sys.exit(main(*(arguments[0:1] or ["sqlite"]), *[int(a) for a in arguments[1:2]], idle="--cpu" not in sys.argv))
