"""Ingest: one verified, parsed hook event in; ledger entries out, exactly once per webhook-id."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bridge.ingest.envelope import HookEnvelope
from bridge.ingest.handlers import HANDLED_EVENTS, FieldPolicy, drafts_for
from bridge.ledger.entries import EntryDraft
from bridge.ledger.service import Ledger

# A reaction runs after an event's entries are stored (enforcement, retention scheduling...).
Reaction = Callable[[HookEnvelope, tuple[int, ...]], None]


@dataclass(frozen=True)
class IngestResult:
    status: str  # recorded | duplicate | ignored
    seqs: tuple[int, ...] = ()


class IngestService:
    def __init__(self, *, ledger: Ledger, fields: FieldPolicy, reactions: Sequence[Reaction] = ()) -> None:
        self.ledger, self.fields, self.reactions = ledger, fields, list(reactions)

    def ingest(self, webhook_id: str, envelope: HookEnvelope) -> IngestResult:
        """Record the event's entries with its webhook-id, atomically; a known id writes nothing."""
        store = self.ledger.store
        if store.webhook_seen(webhook_id):
            return IngestResult("duplicate")
        if envelope.event not in HANDLED_EVENTS:
            remembered = store.remember_webhook(webhook_id, at=self.ledger.clock.now())
            return IngestResult("ignored" if remembered else "duplicate")
        drafts = [self._tag(d, webhook_id) for d in drafts_for(envelope, fields=self.fields)]
        result = self.ledger.append(drafts, webhook_id=webhook_id)
        if result.duplicate:
            return IngestResult("duplicate")
        for react in self.reactions:
            react(envelope, result.seqs)
        return IngestResult("recorded", result.seqs)

    @staticmethod
    def _tag(draft: EntryDraft, webhook_id: str) -> EntryDraft:
        return replace(draft, details={**draft.details, "webhook_id": webhook_id})
