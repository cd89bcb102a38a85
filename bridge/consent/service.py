"""EmailPreSend: abort a marketing template for a customer who opted out, and record it."""

from __future__ import annotations

from collections.abc import Iterable

from bridge.ingest.envelope import HookEnvelope
from bridge.ledger.entries import EntryDraft, EventType, Subject
from bridge.ledger.service import Ledger
from bridge.verification.state import KnownStates, client_ref


def opted_out(state: dict) -> bool:
    """Opted out when the 8.x opt-in is explicitly off or the legacy opt-out flag is on."""
    return state.get("marketing_emails_opt_in") is False or state.get("emailoptout") is True


class ConsentService:
    def __init__(self, *, ledger: Ledger, states: KnownStates, marketing_templates: Iterable[str]) -> None:
        self.ledger, self.states = ledger, states
        self.marketing = frozenset(t.casefold() for t in marketing_templates)

    def should_abort(self, envelope: HookEnvelope) -> bool:
        """True when the template is a marketing one and the customer opted out (recorded)."""
        template = (envelope.vars.get("messagename") or "").strip()
        client_id = envelope.vars.get("userid")
        if not client_id or template.casefold() not in self.marketing:
            return False
        if not opted_out(self.states.get(client_ref(client_id)) or {}):
            return False
        self.ledger.append([EntryDraft(
            event_type=EventType.MARKETING_SUPPRESSED, occurred_at=envelope.occurred_at,
            subject=Subject.of("client", client_id), actor=envelope.actor, client_id=client_id,
            details={"template": template, "relid": envelope.vars.get("relid")})])
        return True
