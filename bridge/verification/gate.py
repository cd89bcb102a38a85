"""Enforcement: the synchronous validate check (block before) and the ClientEdit/ContactEdit
reaction that queues a revert for a protected change nobody verified (revert after).

Nothing here talks to WHMCS: a revert is a durable job the worker runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from bridge import vocabulary
from bridge.ingest.envelope import HookEnvelope
from bridge.jobs.queue import JobQueue
from bridge.ledger.entries import Change, EntryDraft, EventType, Subject
from bridge.ledger.service import Ledger
from bridge.verification.messages import verification_required
from bridge.verification.policy import ALLOWANCE_WINDOW, changed_fields, field_category, values_digest
from bridge.verification.service import VerificationService
from bridge.verification.state import KnownStates, client_ref, contact_ref

REVERT_JOB = "revert"
EDIT_EVENTS = {"ClientEdit": EventType.CLIENT_UPDATED, "ContactEdit": EventType.CONTACT_UPDATED}
# how far WHMCS's clock may stand from the bridge's (the webhook tolerance's default)
CLOCK_SKEW = timedelta(minutes=5)
CONSENT_STATE = frozenset(vocabulary.CONSENT_STATE)  # kept for EmailPreSend


@dataclass(frozen=True)
class GateConfig:
    protected: frozenset[str]
    enforce_actors: frozenset[str]
    exempt_api_identifiers: frozenset[str] = frozenset()
    bridge_identifier: str | None = None


@dataclass(frozen=True)
class ValidateAnswer:
    allowed: bool
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    """Whose fields a validate call or an edit event is about."""

    client_id: int
    subject: str
    contact_id: int | None = None

    @property
    def ledger_subject(self) -> Subject:
        if self.contact_id is not None:
            return Subject.of("contact", self.contact_id)
        return Subject.of("client", self.client_id)


@dataclass(frozen=True)
class Enforcement:
    """Gate.assess's decision for one edit event, applied by Gate.enforce once its seqs are known."""

    target: Target
    index: int  # which of the event's drafts is the edit
    echo: str | None  # the change id of what may be the bridge's own write
    unchecked: tuple[str, ...]  # protected fields whose old value nobody knows
    unreadable: tuple[str, ...]  # protected fields whose new value could not be read
    revert: tuple[str, ...]  # protected fields nobody verified: revert them
    exempt: bool = False  # an actor the policy does not enforce on (unless it is the bridge's echo)


class Gate:
    def __init__(self, *, config: GateConfig, ledger: Ledger, verifications: VerificationService,
                 states: KnownStates, queue: JobQueue) -> None:
        self.config, self.ledger, self.verifications = config, ledger, verifications
        self.states, self.queue = states, queue

    # -- block before ----------------------------------------------------------------------
    def check_details(self, envelope: HookEnvelope) -> ValidateAnswer:
        """ClientDetailsValidation / ContactDetailsValidation: may these submitted values be saved now?"""
        target = _validate_target(envelope)
        if target is None or envelope.actor.type not in self.config.enforce_actors:
            return ValidateAnswer(True)  # a new sign-up or new contact, or an actor the policy trusts
        protected = self.config.protected
        submitted = {k: envelope.vars[k] for k in protected if k in envelope.vars}
        unreadable = sorted(protected & envelope.unreadable_vars)  # sent, but not readable: changed
        current = envelope.vars.get("current") or self.states.get(target.subject, client_id=target.client_id)
        if not current and target.contact_id is None and not unreadable:
            self._record(envelope, target, EventType.CHANGE_UNCHECKED, submitted, {}, sorted(submitted))
            return ValidateAnswer(True)
        # a contact nobody knows as this client's: every posted protected field counts as changed
        known = current or {}
        changed = sorted({*changed_fields(submitted, known, protected), *unreadable,
                          *(() if current else submitted)})
        if not changed:
            return ValidateAnswer(True)
        now = self.ledger.clock.now()
        # "may this be saved now?": a verification recorded before the call arrived allows it,
        # whatever WHMCS's clock says
        if self.verifications.current(target.client_id, at=now, user_id=envelope.actor.user_id):
            self._allow(target, {k: submitted[k] for k in changed if k in submitted}, envelope, received_at=now)
            return ValidateAnswer(True)
        self._record(envelope, target, EventType.CHANGE_BLOCKED, submitted, known, changed, request=True)
        return ValidateAnswer(False, [verification_required(changed)])

    def _allow(self, target: Target, values: dict[str, Any], envelope: HookEnvelope, *, received_at) -> None:  # noqa: ANN001
        key = self.ledger.keyring.for_writing(client_ref(target.client_id)).key
        self.verifications.store.add_allowance(target.subject, values_digest(key, target.subject, values),
                                               at=envelope.occurred_at, received_at=received_at)

    def _record(self, envelope: HookEnvelope, target: Target, event_type: EventType, new: dict, old: dict,
                fields: Sequence[str], *, request: bool = False) -> None:
        changes = tuple(Change(f, field_category(f), old.get(f), new.get(f)) for f in fields)
        drafts = [EntryDraft(event_type=event_type, occurred_at=envelope.occurred_at,
                             subject=target.ledger_subject, actor=envelope.actor, changes=changes,
                             key_subject=Subject.of("client", target.client_id), client_id=target.client_id,
                             details={"hook": envelope.event, "fields": list(fields), **envelope.notes()})]
        with self.ledger.unit():
            if request:
                drafts.append(self._request_draft(envelope, target, fields))
            self.ledger.append(drafts)
            if request:
                self._open_request(envelope, target, fields)

    def _request_draft(self, envelope: HookEnvelope, target: Target, fields: Sequence[str]) -> EntryDraft:
        return EntryDraft(event_type=EventType.VERIFICATION_REQUESTED, occurred_at=envelope.occurred_at,
                          subject=Subject.of("client", target.client_id), actor=envelope.actor,
                          client_id=target.client_id, details={"fields": list(fields)})

    def _open_request(self, envelope: HookEnvelope, target: Target, fields: Sequence[str]) -> None:
        actor = envelope.actor
        self.verifications.store.add_request(
            target.client_id, at=envelope.occurred_at, fields=fields,
            actor={"type": actor.type, "id": actor.id, "user_id": actor.user_id})

    # -- known state (in the event's unit of work) ---------------------------------------------
    def record_known_state(self, envelope: HookEnvelope, seqs: Sequence[int]) -> None:
        """Remember the protected and consent values an add or edit event moved, as of its entries."""
        target = _event_target(envelope)
        if target is None or envelope.event not in {"ClientAdd", "ClientEdit", "ContactAdd", "ContactEdit"}:
            return
        wanted = self.config.protected | CONSENT_STATE
        old = envelope.vars.get("olddata") or {}
        # only what moved: after fill_olddata, an unchanged field's old value is the known one
        tracked = {k: v for k, v in envelope.vars.items()
                   if k in wanted and not isinstance(v, dict) and (k not in old or old[k] != v)}
        self.states.record(target.client_id, target.subject, tracked, seq=seqs[-1] if seqs else None)

    def fill_olddata(self, envelope: HookEnvelope) -> HookEnvelope:
        """WHMCS's `olddata` lacks some fields the hook adds (tax_id, the gateway): take their old
        values from the known state, so only a field nobody knows is flagged as unknown."""
        target = _event_target(envelope)
        if envelope.event not in EDIT_EVENTS or target is None:
            return envelope
        old = dict(envelope.vars.get("olddata") or {})
        missing = [k for k in self.config.protected if k in envelope.vars and k not in old]
        known = self.states.get(target.subject, client_id=target.client_id) if missing else None
        if not known:
            return envelope
        old.update({k: known[k] for k in missing if k in known})
        return replace(envelope, vars={**envelope.vars, "olddata": old})

    # -- revert after: decided before the event's unit of work, written inside it --------------
    def assess(self, envelope: HookEnvelope, drafts: Sequence[EntryDraft]) -> Enforcement | None:
        """What an edit event's protected changes call for, read before its unit of work opens (so
        the write lock is held for writes only): fields to flag as unchecked, and the fields to
        revert when nobody verified them. None when the actor is trusted or nothing is protected."""
        wanted = EDIT_EVENTS.get(envelope.event)
        index = next((i for i, d in enumerate(drafts) if d.event_type == wanted), None)
        target = _event_target(envelope)
        if index is None or target is None:
            return None
        actor, draft = envelope.actor, drafts[index]
        echo = actor.change_id if actor.type == "api" and actor.id == self.config.bridge_identifier else None
        if not echo and (actor.type not in self.config.enforce_actors
                         or actor.type == "api" and actor.id in self.config.exempt_api_identifiers):
            return None
        unknown = set(draft.details.get("unknown_old") or ())
        unreadable = set(draft.details.get("unknown_new") or ()) - unknown
        protected = [c for c in draft.changes if c.field in self.config.protected]
        changed = [c for c in protected if c.field not in unknown]
        revert = () if not changed or self._excused(envelope, target, changed) else tuple(
            sorted(c.field for c in changed))
        return Enforcement(target=target, index=index, echo=echo,
                           unchecked=tuple(sorted(c.field for c in protected if c.field in unknown)),
                           unreadable=tuple(sorted(unreadable & {c.field for c in changed})), revert=revert,
                           exempt=actor.type not in self.config.enforce_actors
                           or actor.type == "api" and actor.id in self.config.exempt_api_identifiers)

    def enforce(self, envelope: HookEnvelope, plan: Enforcement | None, seqs: Sequence[int]) -> None:
        """In the event's unit of work: flag what cannot be checked, open a verification request
        and queue the revert of protected changes nobody verified. The bridge's own write echoed
        back claims its change id and is never reverted (no loop)."""
        if plan is None:
            return
        target, seq = plan.target, seqs[plan.index]
        if plan.echo and self.verifications.store.claim_change(
                plan.echo, client_id=target.client_id, subject=target.subject, at=envelope.occurred_at,
                by=f"seq:{seq}", skew=CLOCK_SKEW):
            return
        if plan.exempt:
            return  # an api identifier the policy trusts (a change id that is not the bridge's own)
        if plan.unchecked:
            self._flag_unknown(envelope, target, list(plan.unchecked), seq, reason="old value unknown")
        if plan.unreadable:
            self._flag_unknown(envelope, target, list(plan.unreadable), seq, reason="new value unreadable")
        if not plan.revert:
            return
        fields = list(plan.revert)
        payload = {"client_id": target.client_id, "contact_id": target.contact_id, "seq": seq, "fields": fields,
                   "unknown_new": sorted(set(plan.unreadable) & set(fields))}
        self.ledger.append([self._request_draft(envelope, target, fields)])
        self._open_request(envelope, target, fields)
        self.queue.enqueue(REVERT_JOB, payload, client_id=target.client_id, dedupe_key=f"revert:{seq}",
                           now=self.ledger.clock.now())

    def _excused(self, envelope: HookEnvelope, target: Target, changed: Sequence[Change]) -> bool:
        at = envelope.occurred_at
        if self.verifications.current(target.client_id, at=at, user_id=envelope.actor.user_id):
            return True
        if any(c.new is None and c.field in envelope.unreadable_vars for c in changed):
            return False  # a value nobody could read was never allowed by a validate call
        key = self.ledger.keyring.for_writing(client_ref(target.client_id)).key
        digest = values_digest(key, target.subject, {c.field: c.new for c in changed})
        now = self.ledger.clock.now()
        # WHMCS's clock against the call's, or the bridge's against the call's arrival
        return self.verifications.store.has_allowance(
            target.subject, digest, occurred=(at - ALLOWANCE_WINDOW, at + CLOCK_SKEW),
            received=(now - ALLOWANCE_WINDOW, now + CLOCK_SKEW))

    def _flag_unknown(self, envelope: HookEnvelope, target: Target, fields: list[str], seq: int, *,
                      reason: str) -> None:
        self.ledger.append([EntryDraft(
            event_type=EventType.CHANGE_UNCHECKED, occurred_at=envelope.occurred_at, subject=target.ledger_subject,
            actor=envelope.actor, key_subject=Subject.of("client", target.client_id), client_id=target.client_id,
            details={"fields": fields, "reason": reason, "entry_seq": seq})])


def _validate_target(envelope: HookEnvelope) -> Target | None:
    client_id = envelope.vars.get("userid")
    if not client_id:
        return None
    if envelope.event == vocabulary.CONTACT_VALIDATION_EVENT:
        contact_id = envelope.vars.get("contactid")
        return Target(client_id, contact_ref(contact_id), contact_id) if contact_id else None
    return Target(client_id, client_ref(client_id))


def _event_target(envelope: HookEnvelope) -> Target | None:
    v = envelope.vars
    if envelope.event in {"ContactAdd", "ContactEdit"}:
        return Target(v["userid"], contact_ref(v["contactid"]), v["contactid"])
    client_id = v.get("client_id") or v.get("userid")
    return Target(client_id, client_ref(client_id)) if client_id else None
