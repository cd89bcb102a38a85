"""EmailPreSend: abort a marketing template for a customer who opted out, and record it."""

from __future__ import annotations

from collections.abc import Iterable

from bridge.ingest.envelope import HookEnvelope
from bridge.jobs.worker import Final, whmcs_failures
from bridge.ledger.entries import Change, EntryDraft, EventType, Subject
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


APPLY_CONSENT_JOB = "apply_consent"


class ConsentChanges:
    """An opt-out (or opt-in) received outside WHMCS, by email or phone: recorded at once, then
    applied in WHMCS by a job (UpdateClient `marketingoptin`) and confirmed by re-reading."""

    def __init__(self, *, ledger: Ledger, queue, issue_change) -> None:  # noqa: ANN001
        self.ledger, self.queue, self.issue_change = ledger, queue, issue_change

    def record(self, client_id: int, *, marketing: bool, channel: str, note: str | None, actor) -> int:  # noqa: ANN001
        with self.ledger.unit():  # the entry and the job that applies it in WHMCS
            seq = self.ledger.append([EntryDraft(
                event_type=EventType.CONSENT_CHANGED, occurred_at=self.ledger.clock.now(),
                subject=Subject.of("client", client_id), actor=actor, client_id=client_id,
                changes=(Change("marketing_emails_opt_in", "consent", None, marketing),),
                details={"channel": channel, "source": "staff"}, private={"note": note})]).seqs[0]
            self.queue.enqueue(APPLY_CONSENT_JOB, {"client_id": client_id, "marketing": marketing, "seq": seq},
                               client_id=client_id, dedupe_key=f"consent:{seq}", now=self.ledger.clock.now())
        return seq

    def apply(self, whmcs):  # noqa: ANN001, ANN201 - a job handler over a WhmcsClient
        def handler(job) -> None:  # noqa: ANN001
            client_id, marketing = job.payload["client_id"], job.payload["marketing"]
            with whmcs_failures():
                change_id = self.issue_change(client_id, f"consent:{job.id}")
                whmcs.update_client(client_id, {"marketingoptin": marketing}, change_id=change_id)
                if whmcs.get_client(client_id).marketing_opt_in != marketing:
                    raise Final("WHMCS did not apply the marketing preference; set it by hand")

        return handler
