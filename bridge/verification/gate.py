"""Enforcement: the synchronous validate check (block before) and the ClientEdit/ContactEdit
reaction that queues a revert for a protected change nobody verified (revert after).

Nothing here talks to WHMCS: a revert is a durable job the worker runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

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
CONSENT_STATE = frozenset({"marketing_emails_opt_in", "emailoptout"})  # kept for EmailPreSend


@dataclass(frozen=True)
class GateConfig:
    protected: frozenset[str]
    enforce_actors: frozenset[str]
    exempt_api_identifiers: frozenset[str] = frozenset()
    bridge_identifier: str | None = None


@dataclass(frozen=True)
class Answer:
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


class Gate:
    def __init__(self, *, config: GateConfig, ledger: Ledger, verifications: VerificationService,
                 states: KnownStates, queue: JobQueue) -> None:
        self.config, self.ledger, self.verifications = config, ledger, verifications
        self.states, self.queue = states, queue

    # -- block before ----------------------------------------------------------------------
    def check_details(self, envelope: HookEnvelope) -> Answer:
        """ClientDetailsValidation / ContactDetailsValidation: may these submitted values be saved now?"""
        target = _validate_target(envelope)
        if target is None or envelope.actor.type not in self.config.enforce_actors:
            return Answer(True)  # a new sign-up or new contact, or an actor the policy trusts
        protected = self.config.protected
        submitted = {k: envelope.vars[k] for k in protected if k in envelope.vars}
        unreadable = sorted(protected & envelope.unreadable_vars)  # sent, but not readable: changed
        current = envelope.vars.get("current") or self.states.get(target.subject, client_id=target.client_id)
        if not current and target.contact_id is None and not unreadable:
            self._record(envelope, target, EventType.CHANGE_UNCHECKED, submitted, {}, sorted(submitted))
            return Answer(True)
        # a contact nobody knows as this client's: every posted protected field counts as changed
        known = current or {}
        changed = sorted({*changed_fields(submitted, known, protected), *unreadable,
                          *(() if current else submitted)})
        if not changed:
            return Answer(True)
        now = self.ledger.clock.now()
        # "may this be saved now?": a verification recorded before the call arrived allows it,
        # whatever WHMCS's clock says
        if self.verifications.current(target.client_id, at=now, user_id=envelope.actor.user_id):
            self._allow(target, {k: submitted[k] for k in changed if k in submitted}, envelope, received_at=now)
            return Answer(True)
        self._record(envelope, target, EventType.CHANGE_BLOCKED, submitted, known, changed, request=True)
        return Answer(False, [verification_required(changed)])

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

    # -- revert after (in the event's unit of work) --------------------------------------------
    def enforce(self, envelope: HookEnvelope, appended: Sequence[tuple[int, EntryDraft]]) -> None:
        """An edit event's protected changes nobody verified: flag what cannot be checked, queue
        the revert and open a verification request."""
        wanted = EDIT_EVENTS.get(envelope.event)
        update = next(((seq, d) for seq, d in appended if d.event_type == wanted), None)
        target = _event_target(envelope)
        if update is None or target is None:
            return
        seq, draft = update
        if self._trusted(envelope, target, claimed_by=f"seq:{seq}"):
            return
        unknown = set(draft.details.get("unknown_old") or ())
        unreadable = set(draft.details.get("unknown_new") or ()) - unknown
        protected = [c for c in draft.changes if c.field in self.config.protected]
        flagged = sorted(c.field for c in protected if c.field in unknown)
        changed = [c for c in protected if c.field not in unknown]
        if flagged:
            self._flag_unknown(envelope, target, flagged, seq, reason="old value unknown")
        if unreadable & {c.field for c in changed}:
            self._flag_unknown(envelope, target, sorted(unreadable & {c.field for c in changed}), seq,
                               reason="new value unreadable")
        if not changed or self._excused(envelope, target, changed):
            return
        fields = sorted(c.field for c in changed)
        payload = {"client_id": target.client_id, "contact_id": target.contact_id, "seq": seq, "fields": fields,
                   "unknown_new": sorted(unreadable & set(fields))}
        self.ledger.append([self._request_draft(envelope, target, fields)])
        self._open_request(envelope, target, fields)
        self.queue.enqueue(REVERT_JOB, payload, client_id=target.client_id, dedupe_key=f"revert:{seq}",
                           now=self.ledger.clock.now())

    def _trusted(self, envelope: HookEnvelope, target: Target, *, claimed_by: str) -> bool:
        actor = envelope.actor
        if actor.type == "api":
            if (actor.id == self.config.bridge_identifier and actor.change_id
                    and self.verifications.store.claim_change(
                        actor.change_id, client_id=target.client_id, subject=target.subject,
                        at=envelope.occurred_at, by=claimed_by, skew=CLOCK_SKEW)):
                return True  # the bridge's own write, echoed back: never reverted (no loop)
            if actor.id in self.config.exempt_api_identifiers:
                return True
        return actor.type not in self.config.enforce_actors

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
    if envelope.event == "ContactDetailsValidation":
        contact_id = envelope.vars.get("contactid")
        return Target(client_id, contact_ref(contact_id), contact_id) if contact_id else None
    return Target(client_id, client_ref(client_id))


def _event_target(envelope: HookEnvelope) -> Target | None:
    v = envelope.vars
    if envelope.event in {"ContactAdd", "ContactEdit"}:
        return Target(v["userid"], contact_ref(v["contactid"]), v["contactid"])
    client_id = v.get("client_id") or v.get("userid")
    return Target(client_id, client_ref(client_id)) if client_id else None
