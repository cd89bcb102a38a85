"""A separate process that appends through the real Ledger from several threads at once.

python -m tests.support.append_worker DB_URL THREADS PER_THREAD PREFIX SHARED
Each thread appends PER_THREAD events with ids PREFIX-<thread>-<i>, then SHARED events whose ids
every process also sends (only one of them may win each). Prints the number of accepted appends.
"""

import sys
import threading
from datetime import UTC, datetime

from bridge.clock import SystemClock
from bridge.db.base import make_engine
from tests.support.ledger import email_change, make_ledger


def main() -> None:
    url, prefix = sys.argv[1], sys.argv[4]
    threads, per_thread, shared = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[5])
    engine = make_engine(url, pool_size=threads + 2)
    ledger = make_ledger(engine, SystemClock())
    accepted = [0] * threads
    barrier = threading.Barrier(threads)

    def work(t: int) -> None:
        barrier.wait()
        ids = [f"{prefix}-{t}-{i}" for i in range(per_thread)] + [f"shared-{t}-{i}" for i in range(shared)]
        for n, webhook_id in enumerate(ids):
            draft = email_change(1000 + t, f"a{n}@example.com", f"b{n}@example.com", datetime.now(UTC))
            if not ledger.append([draft], webhook_id=webhook_id).duplicate:
                accepted[t] += 1

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    engine.dispose()
    print(sum(accepted))


if __name__ == "__main__":
    main()
