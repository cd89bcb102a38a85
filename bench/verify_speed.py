"""`ledger verify` speed: fill a SQLite ledger with N realistic entries, then time Ledger.verify()
(anchors + the keyset-paged iter_chain + verify_rows) in a fresh subprocess per size, so peak memory
is that of verify alone. Baseline: raw SHA-256 over the same bytes (prev hash + body per entry),
rows already in memory, nothing else.

Run as `python -m bench.verify_speed MODE URL` (MODE: verify, trace, fetch, sha) for one measurement.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from bench.common import maxrss_mib, run_json, secrets_env
from bench.workload import draft

FILL_BATCH = 2000
_ENVS: dict[str, dict[str, str]] = {}  # one master key per database across fills


@dataclass
class VerifyFigure:
    entries: int
    body_mib: float
    seconds: float
    per_s: float
    sha_per_s: float
    ratio: float
    fetch_per_s: float
    rss_before_mib: float
    rss_peak_mib: float
    traced_peak_mib: float
    ok: bool

    def as_dict(self) -> dict:
        return asdict(self)


def fill(database_url: str, upto: int, *, progress=None) -> float:  # noqa: ANN001
    """Append realistic entries (Ledger.append, FILL_BATCH drafts per transaction) until the
    ledger holds `upto`; returns the seconds it took."""
    from bridge.services import build_services
    from bridge.settings import load_settings

    env = _ENVS.setdefault(database_url, secrets_env(database_url))
    services = build_services(load_settings(environ=env))
    began = time.perf_counter()
    try:
        have, _ = services.ledger.head()
        at = datetime.now(UTC)
        while have < upto:
            size = min(FILL_BATCH, upto - have)
            services.ledger.append([draft(have + i, at=at) for i in range(size)])
            have += size
            if progress:
                progress(have, upto)
    finally:
        services.dispose()
    return time.perf_counter() - began


def _median_of(mode: str, database_url: str, key: str, *, repeats: int, timeout: float) -> dict:
    runs = sorted((run_json("bench.verify_speed", mode, database_url, timeout=timeout) for _ in range(repeats)),
                  key=lambda r: r[key])
    return runs[len(runs) // 2]


def measure(database_url: str, *, timeout: float, repeats: int = 3) -> VerifyFigure:
    """Median of `repeats` runs for the timings (small ledgers are noisy); one traced run."""
    verify = _median_of("verify", database_url, "seconds", repeats=repeats, timeout=timeout)
    trace = run_json("bench.verify_speed", "trace", database_url, timeout=timeout * 3)
    fetch = _median_of("fetch", database_url, "per_s", repeats=repeats, timeout=timeout)
    sha = _median_of("sha", database_url, "per_s", repeats=repeats, timeout=timeout)
    per_s = verify["entries"] / verify["seconds"]
    return VerifyFigure(
        entries=verify["entries"], body_mib=round(sha["bytes"] / 2**20, 1), seconds=round(verify["seconds"], 3),
        per_s=round(per_s), sha_per_s=round(sha["per_s"]), ratio=round(per_s / sha["per_s"], 3),
        fetch_per_s=round(fetch["per_s"]), rss_before_mib=round(verify["rss_before_mib"], 1),
        rss_peak_mib=round(verify["rss_peak_mib"], 1), traced_peak_mib=round(trace["traced_peak_mib"], 2),
        ok=verify["ok"],
    )


# -- the measurements, one per subprocess ---------------------------------------------------------

def _ledger(database_url: str):  # noqa: ANN202
    from bridge.services import build_services
    from bridge.settings import load_settings

    return build_services(load_settings(environ=secrets_env(database_url)))


def _verify(database_url: str) -> dict:
    services = _ledger(database_url)
    services.ledger.head()  # connect and import everything before the clock starts
    before = maxrss_mib()
    began = time.perf_counter()
    result = services.ledger.verify()
    seconds = time.perf_counter() - began
    return {"entries": result.entries, "seconds": seconds, "ok": result.ok,
            "rss_before_mib": before, "rss_peak_mib": maxrss_mib()}


def _trace(database_url: str) -> dict:
    import tracemalloc

    services = _ledger(database_url)
    services.ledger.head()
    tracemalloc.start()
    services.ledger.verify()
    _current, peak = tracemalloc.get_traced_memory()
    return {"traced_peak_mib": peak / 2**20}


def _fetch(database_url: str) -> dict:
    """The store's read path alone: iter_chain without hashing."""
    services = _ledger(database_url)
    services.ledger.head()
    began, count = time.perf_counter(), 0
    for _row in services.ledger.store.iter_chain():
        count += 1
    return {"entries": count, "per_s": count / (time.perf_counter() - began)}


def _sha(database_url: str) -> dict:
    """SHA-256 of bytes.fromhex(prev_hash) + body per entry, in chunks held in memory (untimed
    fetch), timed over the hashing alone."""
    import sqlite3

    path = database_url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path)
    spent, count, total, after, sha256 = 0.0, 0, 0, 0, hashlib.sha256
    while True:
        rows = conn.execute("SELECT seq, prev_hash, body FROM ledger_entries WHERE seq > ? ORDER BY seq LIMIT 20000",
                            (after,)).fetchall()
        if not rows:
            break
        chunk = [bytes.fromhex(prev) + bytes(body) for _seq, prev, body in rows]
        began = time.perf_counter()
        for data in chunk:
            sha256(data).hexdigest()
        spent += time.perf_counter() - began
        count, total, after = count + len(chunk), total + sum(map(len, chunk)), rows[-1][0]
    conn.close()
    return {"entries": count, "bytes": total, "per_s": count / spent if spent else 0.0}


if __name__ == "__main__":
    mode, url = sys.argv[1], sys.argv[2]
    handlers = {"verify": _verify, "trace": _trace, "fetch": _fetch, "sha": _sha}
    print(json.dumps(handlers[mode](url)))
