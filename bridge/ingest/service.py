"""Ingest: one verified, parsed hook event in; its ledger entries and everything they imply out, in
one unit of work, exactly once per webhook-id.

`record_event` reads top to bottom: complete the envelope, draft and seal the entries and decide
what enforcement calls for (the reads before the write lock), then in the unit of work append
them, remember the known state, enforce verification, follow the account's status (each may append
entries and queue jobs) and, on the daily cron, queue the day's jobs. On PostgreSQL the reads and
the unit are one transaction; on SQLite the write begins once the reads have ended.
Nothing here talks to WHMCS: the job worker does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from bridge.ingest.envelope import HookEnvelope
from bridge.ingest.handlers import HANDLED_EVENTS, FieldPolicy, drafts_for
from bridge.jobs.daily import DailyJobs
from bridge.ledger.entries import EntryDraft
from bridge.ledger.service import Ledger
from bridge.retention.service import RetentionService
from bridge.verification.gate import Gate

Owner = Callable[[str, HookEnvelope], "IngestResult"]  # (webhook id, envelope) -> result


@dataclass(frozen=True)
class IngestResult:
    status: str  # recorded | duplicate | ignored
    seqs: tuple[int, ...] = ()


class IngestService:
    def __init__(self, *, ledger: Ledger, fields: FieldPolicy, gate: Gate, retention: RetentionService,
                 daily: DailyJobs, owners: Mapping[str, Owner] | None = None) -> None:
        self.ledger, self.fields, self.gate, self.retention, self.daily = ledger, fields, gate, retention, daily
        # events the addon module sends about the bridge's own work, handled by the service that owns it
        self.owners = dict(owners or {})

    def record_event(self, webhook_id: str, envelope: HookEnvelope) -> IngestResult:
        """Record the event with its webhook-id, atomically; a known id writes nothing."""
        owner = self.owners.get(envelope.event)
        if owner is not None:
            return owner(webhook_id, envelope)
        if envelope.event not in HANDLED_EVENTS:
            remembered = self.ledger.store.remember_webhook(webhook_id, at=self.ledger.clock.now())
            return IngestResult("ignored" if remembered else "duplicate")
        # reads, decisions and encryption before the unit of work, which holds the write lock; the
        # unit carries on from the reads on their connection (see Ledger.reading)
        with self.ledger.reading():
            envelope = self.gate.fill_olddata(envelope)
            drafts = [_tagged(d, webhook_id) for d in drafts_for(envelope, fields=self.fields)]
            sealed = self.ledger.seal(drafts)
            enforcement = self.gate.assess(envelope, drafts)
            with self.ledger.unit():
                # the id is checked under the chain head's lock: the only check two workers racing
                # one id cannot both pass
                result = self.ledger.append_sealed(sealed, webhook_id=webhook_id)
                if result.duplicate:
                    return IngestResult("duplicate")
                appended = list(zip(result.seqs, drafts, strict=True))
                self.gate.record_known_state(envelope, result.seqs)
                self.gate.enforce(envelope, enforcement, result.seqs)
                self.retention.follow_account_status(appended, outbox_id=envelope.outbox_id)
                if envelope.event == "DailyCronJob":
                    self.daily.queue_for(envelope.occurred_at)
        return IngestResult("recorded", result.seqs)


def _tagged(draft: EntryDraft, webhook_id: str) -> EntryDraft:
    return replace(draft, details={**draft.details, "webhook_id": webhook_id})
