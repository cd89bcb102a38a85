"""Several processes with several threads each append at once: one gapless chain, every webhook-id
exactly once."""

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[3]


def test_two_processes_of_four_writers_make_one_gapless_chain(db_url, ledger, engine):
    threads, per_thread, shared = 4, 225, 50
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.support.append_worker", db_url, str(threads), str(per_thread),
             f"p{p}", str(shared)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for p in range(2)
    ]
    accepted = 0
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
        accepted += int(out.strip())
    unique = 2 * threads * per_thread + threads * shared  # shared ids: each wins once
    assert accepted == unique
    result = ledger.verify()
    assert result.ok and result.entries == unique == 2000
    with engine.connect() as conn:
        seqs = [r[0] for r in conn.execute(text("SELECT seq FROM ledger_entries ORDER BY seq"))]
        ids = conn.execute(text("SELECT count(*) FROM webhook_ids")).scalar_one()
    assert seqs == list(range(1, unique + 1))
    assert ids == unique
