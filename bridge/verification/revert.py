"""The revert job: restore protected fields changed without verification, through the WHMCS API.

Safe under retries and out-of-order events: the old and new values come from the ledger entry
(the job holds only its seq); WHMCS is re-read first and only fields still holding the unverified
value are restored, so a later legitimate change is never clobbered; the change id is issued before
the write, so the ClientEdit WHMCS fires back is recognised as the bridge's own; and the
`change.reverted` entry is written once per job even if the worker dies after the WHMCS write."""

from __future__ import annotations

import uuid
from typing import Any

from bridge.ingest.values import same
from bridge.jobs.queue import Job, JobQueue
from bridge.jobs.worker import Final, Retryable, whmcs_failures
from bridge.ledger.entries import Actor, Change, EntryDraft, EventType, Subject
from bridge.ledger.service import SHREDDED, Ledger
from bridge.verification.policy import CHANGE_TTL, field_category
from bridge.verification.state import client_ref, contact_ref
from bridge.verification.store import VerificationStore
from bridge.whmcs.api import WhmcsClient, WhmcsRejected, WhmcsUnavailable
from bridge.whmcs.documented import split_writable

NOTE_JOB = "client_note"
BRIDGE_ACTOR = Actor(type="system", id="bridge")


class Reverter:
    def __init__(self, *, ledger: Ledger, whmcs: WhmcsClient, store: VerificationStore, queue: JobQueue) -> None:
        self.ledger, self.whmcs, self.store, self.queue = ledger, whmcs, store, queue

    def run(self, job: Job) -> None:
        p = job.payload
        entry = self.ledger.entry(p["seq"], reveal=True)
        if entry is None:
            raise Final("the ledger entry to revert is missing")
        old, new = _sides(entry, p["fields"])
        if any(v == SHREDDED for v in (*old.values(), *new.values())):
            raise Final("the customer's data was purged; nothing to revert")
        try:
            self._revert(job, p, old, new)
        except WhmcsUnavailable as exc:
            raise Retryable(f"WHMCS unavailable during {exc.action}") from None
        except WhmcsRejected as exc:
            self._record_failure(job, p, p["fields"], action=exc.action, message=exc.whmcs_message)
            raise Final(f"WHMCS refused the revert: {exc.whmcs_message}") from None

    def _revert(self, job: Job, p: dict[str, Any], old: dict[str, Any], new: dict[str, Any]) -> None:
        """Restore what the API can set, re-read to confirm it took, and record honestly what
        could not be restored: a field the action has no parameter for (UpdateContact has no
        tax_id) or a value WHMCS did not apply."""
        current = self._current(p)
        issued = self.store.change_for(f"revert:{job.id}")
        restore = {f: old[f] for f in p["fields"] if _unverified(f, current.get(f), old[f], new[f], p)}
        if not restore and issued is None:
            return  # superseded: WHMCS no longer holds the unverified values
        sendable, unreachable = split_writable(_action(p), restore)
        not_taken: list[str] = []
        if sendable:
            self._write(job, p, {f: restore[f] for f in sendable}, issued)
            after = self._current(p)
            not_taken = [f for f in sendable if not same(f, after.get(f), old[f])]
        # with a change id already issued, an earlier attempt wrote what no longer needs restoring
        restored = [f for f in p["fields"] if f not in restore] if issued else []
        restored += [f for f in sendable if f not in not_taken]
        if restored:
            self._record(job, p, {f: old[f] for f in restored}, new)
        failed = sorted(unreachable + not_taken)
        if failed:
            self._record_failure(job, p, failed, action=_action(p), message=_why(unreachable, not_taken))
            raise Final(f"{_action(p)} could not restore {', '.join(failed)}")

    def _current(self, p: dict[str, Any]) -> dict[str, str]:
        if p.get("contact_id"):
            for contact in self.whmcs.iter_contacts(p["client_id"]):
                if contact.id == p["contact_id"]:
                    return contact.fields()
            raise WhmcsRejected("GetContacts", "Contact ID Not Found")
        return self.whmcs.get_client(p["client_id"]).fields()

    def _write(self, job: Job, p: dict[str, Any], restore: dict[str, Any], issued: str | None) -> None:
        # a fresh id for every attempt: one issued for an earlier attempt may have expired
        change_id, now = str(uuid.uuid4()), self.ledger.clock.now()
        subject = contact_ref(p["contact_id"]) if p.get("contact_id") else client_ref(p["client_id"])
        self.store.issue_change(change_id, client_id=p["client_id"], purpose=f"revert:{job.id}", at=now,
                                expires_at=now + CHANGE_TTL, subject=subject)
        fields = _api_fields(restore)
        if p.get("contact_id"):
            self.whmcs.update_contact(p["contact_id"], fields, change_id=change_id)
        else:
            self.whmcs.update_client(p["client_id"], fields, change_id=change_id)

    def _subject(self, p: dict[str, Any]) -> Subject:
        return Subject.of("contact", p["contact_id"]) if p.get("contact_id") else Subject.of("client", p["client_id"])

    def _record(self, job: Job, p: dict[str, Any], restored: dict[str, Any], new: dict[str, Any]) -> None:
        changes = tuple(Change(f, field_category(f), new[f], restored[f]) for f in sorted(restored))
        draft = EntryDraft(event_type=EventType.CHANGE_REVERTED, occurred_at=self.ledger.clock.now(),
                           subject=self._subject(p), actor=BRIDGE_ACTOR, changes=changes,
                           key_subject=Subject.of("client", p["client_id"]), client_id=p["client_id"],
                           details={"entry_seq": p["seq"], "fields": sorted(restored), "job_id": job.id,
                                    "api_calls": [_action(p)]})
        with self.ledger.unit():
            if not self.ledger.append([draft], webhook_id=f"bridge:revert:{job.id}").duplicate:
                self._note(p, f"reverted an unverified change of {', '.join(sorted(restored))} "
                              f"(ledger seq {p['seq']}); ask for ID before applying it again", job)

    def _record_failure(self, job: Job, p: dict[str, Any], fields: list[str], *, action: str,
                        message: str) -> None:
        draft = EntryDraft(event_type=EventType.CHANGE_REVERT_FAILED, occurred_at=self.ledger.clock.now(),
                           subject=self._subject(p), actor=BRIDGE_ACTOR, client_id=p["client_id"],
                           details={"entry_seq": p["seq"], "fields": fields, "job_id": job.id,
                                    "whmcs_action": action, "whmcs_message": message})
        with self.ledger.unit():
            if not self.ledger.append([draft], webhook_id=f"bridge:revert-failed:{job.id}").duplicate:
                self._note(p, f"could not revert an unverified change of {', '.join(fields)} "
                              f"(ledger seq {p['seq']}): {message}; please review", job)

    def _note(self, p: dict[str, Any], text: str, job: Job) -> None:
        self.queue.enqueue(NOTE_JOB, {"client_id": p["client_id"], "text": f"Privacy bridge: {text}."},
                           client_id=p["client_id"], dedupe_key=f"note:{job.kind}:{job.id}:{text[:20]}",
                           now=self.ledger.clock.now())


def run_note(whmcs: WhmcsClient):  # noqa: ANN201 - a job handler
    """AddClientNote for staff. Notes carry field names and ledger seqs, never values."""

    def handler(job: Job) -> None:
        with whmcs_failures("WHMCS refused the note"):
            whmcs.add_client_note(job.payload["client_id"], job.payload["text"], change_id=str(uuid.uuid4()))

    return handler


def _sides(entry: dict[str, Any], fields: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    by_field = {c["field"]: c for c in entry["changes"]}
    missing = [f for f in fields if f not in by_field]
    if missing:
        raise Final("the ledger entry does not hold the fields to revert")
    return ({f: by_field[f]["old"] for f in fields}, {f: by_field[f]["new"] for f in fields})


def _action(p: dict[str, Any]) -> str:
    return "UpdateContact" if p.get("contact_id") else "UpdateClient"


def _why(unreachable: list[str], not_taken: list[str]) -> str:
    """Why fields were not restored, in words safe for staff (field names only)."""
    parts = []
    if unreachable:
        parts.append("the WHMCS API has no parameter to set " + ", ".join(sorted(unreachable)))
    if not_taken:
        parts.append("WHMCS accepted the call but kept the new value of " + ", ".join(sorted(not_taken)))
    return "; ".join(parts)


def _api_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Ledger field names to UpdateClient parameter names (the gateway is `paymentmethod` in both)."""
    return {name: ("" if value is None else value) for name, value in values.items()}


def _unverified(field: str, current: Any, old: Any, new: Any, p: dict[str, Any]) -> bool:
    """Does WHMCS still hold the unverified value? For a value nobody could read (section 10), any
    value other than the old one is taken as it."""
    if field in p.get("unknown_new", ()):
        return not same(field, current, old)
    return same(field, current, new)
