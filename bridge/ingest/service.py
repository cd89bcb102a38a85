"""Ingest: one verified, parsed hook event in; ledger entries out, exactly once per webhook-id.

Collaborators plug in at three points: `enrichers` may complete an envelope before drafting (e.g.
old values WHMCS did not send), `projections` return extra writes that commit with the entries,
and `reactions` run after the entries are stored (enforcement, scheduling) and may only queue work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from bridge.ingest.envelope import HookEnvelope
from bridge.ingest.handlers import HANDLED_EVENTS, FieldPolicy, drafts_for
from bridge.ledger.entries import EntryDraft
from bridge.ledger.service import Ledger
from bridge.ledger.store import StoreOp

Enricher = Callable[[HookEnvelope], HookEnvelope]
Projection = Callable[[HookEnvelope], Sequence[StoreOp]]
Reaction = Callable[[HookEnvelope, Sequence[tuple[int, EntryDraft]]], None]
Owner = Callable[[str, HookEnvelope], "IngestResult"]  # (webhook id, envelope) -> result


@dataclass(frozen=True)
class IngestResult:
    status: str  # recorded | duplicate | ignored
    seqs: tuple[int, ...] = ()


class IngestService:
    def __init__(self, *, ledger: Ledger, fields: FieldPolicy, enrichers: Sequence[Enricher] = (),
                 projections: Sequence[Projection] = (), reactions: Sequence[Reaction] = (),
                 owners: Mapping[str, Owner] | None = None) -> None:
        self.ledger, self.fields = ledger, fields
        # events the addon module sends about the bridge's own work, handled by the service that owns it
        self.owners = dict(owners or {})
        self.enrichers, self.projections, self.reactions = list(enrichers), list(projections), list(reactions)

    def ingest(self, webhook_id: str, envelope: HookEnvelope) -> IngestResult:
        """Record the event's entries with its webhook-id, atomically; a known id writes nothing."""
        store = self.ledger.store
        owner = self.owners.get(envelope.event)
        if owner is not None:
            return owner(webhook_id, envelope)
        # no pre-check of the id: the append checks it under the chain-head lock, which is the
        # only check two workers racing one id cannot both pass
        if envelope.event not in HANDLED_EVENTS:
            remembered = store.remember_webhook(webhook_id, at=self.ledger.clock.now())
            return IngestResult("ignored" if remembered else "duplicate")
        for enrich in self.enrichers:
            envelope = enrich(envelope)
        drafts = [self._tag(d, webhook_id) for d in drafts_for(envelope, fields=self.fields)]
        also = [op for project in self.projections for op in project(envelope)]
        result = self.ledger.append(drafts, webhook_id=webhook_id, also=also)
        if result.duplicate:
            # The first delivery may have died between its commit and its reactions: finish them.
            # Reactions are idempotent per entry seq, so a plain re-delivery changes nothing.
            first = store.webhook_first_seq(webhook_id)
            if first is not None:
                seqs = tuple(range(first, first + len(drafts)))
                self._react(envelope, list(zip(seqs, drafts, strict=True)))
            return IngestResult("duplicate")
        self._react(envelope, list(zip(result.seqs, drafts, strict=True)))
        return IngestResult("recorded", result.seqs)

    def _react(self, envelope: HookEnvelope, appended: list[tuple[int, EntryDraft]]) -> None:
        for react in self.reactions:
            react(envelope, appended)

    @staticmethod
    def _tag(draft: EntryDraft, webhook_id: str) -> EntryDraft:
        return replace(draft, details={**draft.details, "webhook_id": webhook_id})
