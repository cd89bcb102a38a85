"""The daily pay-method poll: GetPayMethods diffed against the last known list, for a bounded slice
of the known clients per job, resuming at a cursor, so a day's poll is cheap at any size. WHMCS
fires no hook for a card or bank account added by a gateway, so this is how such changes reach the
ledger."""

from __future__ import annotations

from bridge.jobs.queue import Job
from bridge.jobs.worker import whmcs_failures
from bridge.ledger.entries import Actor, Category, Change, EntryDraft, EventType, Subject
from bridge.ledger.service import Ledger
from bridge.retention.store import RetentionStore
from bridge.sync.snapshot import masked_paymethods
from bridge.verification.state import KnownStates, client_ref
from bridge.whmcs.api import WhmcsClient, WhmcsNotFound

PAYMETHOD_POLL_JOB = "paymethod_poll"
POLL_ACTOR = Actor(type="system", id="bridge-paymethod-poll")
POLL_BATCH = 200


class PayMethodPoll:
    """A job handler. The cursor and the list of known clients live with retention's records."""

    def __init__(self, *, ledger: Ledger, retention: RetentionStore, whmcs: WhmcsClient, states: KnownStates,
                 batch: int = POLL_BATCH) -> None:
        self.ledger, self.retention, self.whmcs, self.states, self.batch = ledger, retention, whmcs, states, batch

    def __call__(self, _job: Job) -> None:
        after = int(self.retention.meta("paymethod_poll_after") or 0)
        ids = self.retention.known_clients(after=after, limit=self.batch)
        for client_id in ids:
            record = self.retention.get(client_id)
            if record is not None and record.finished:
                continue
            with whmcs_failures():
                self.poll(client_id)
        self.retention.set_meta("paymethod_poll_after", str(ids[-1] if len(ids) == self.batch else 0))

    def poll(self, client_id: int) -> bool:
        """Record a change of the client's pay methods (masked: type and last four); False for none."""
        try:
            current = masked_paymethods(self.whmcs.get_pay_methods(client_id))
        except WhmcsNotFound:
            return False
        ref = client_ref(client_id)
        known = (self.states.get(ref) or {}).get("paymethods")
        if known is not None and sorted(known) == current or (known is None and not current):
            return False
        draft = EntryDraft(event_type=EventType.PAYMETHOD_CHANGED, occurred_at=self.ledger.clock.now(),
                           subject=Subject.of("client", client_id), actor=POLL_ACTOR, client_id=client_id,
                           changes=(Change("paymethods", Category.BILLING, known, current),),
                           details={"source": "GetPayMethods"})
        with self.ledger.unit():
            seqs = self.ledger.append([draft]).seqs
            self.states.record(client_id, ref, {"paymethods": current}, seq=seqs[-1])
        return True
