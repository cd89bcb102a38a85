"""The Ledger: the only writer of entries. Seal personal values, then chain, then store.

Reads decode entries back for the staff API: personal values come back decrypted only when the
caller may see them, "[redacted]" otherwise, and "[shredded]" for everyone once the key is gone.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bridge.clock import Clock, rfc3339
from bridge.crypto import is_sealed, open_value, seal_value
from bridge.ledger.chain import ChainRow, VerifyResult, verify_pages
from bridge.ledger.entries import EntryDraft
from bridge.ledger.keyring import Keyring
from bridge.ledger.store import AppendResult, LedgerStore, PreparedEntry, VerifyRecord

REDACTED = "[redacted]"
SHREDDED = "[shredded]"
PolicyLookup = Callable[[datetime], str | None]


def _no_policy(_at: datetime) -> str | None:
    return None


def _check_plain(value: Any, path: str) -> None:
    """Floats have no canonical form, so the ledger refuses them (use strings or integers)."""
    if isinstance(value, float):
        raise ValueError(f"float at {path}: the ledger stores no floats")
    if isinstance(value, Mapping):
        for key, item in value.items():
            _check_plain(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_plain(item, f"{path}[{index}]")


@dataclass(frozen=True)
class LedgerPage:
    entries: list[dict[str, Any]]
    next_after: int | None


@dataclass(frozen=True)
class Sealed:
    entries: tuple[PreparedEntry, ...]
    recorded_at: datetime


class Ledger:
    def __init__(self, *, store: LedgerStore, keyring: Keyring, clock: Clock,
                 policy_lookup: PolicyLookup = _no_policy) -> None:
        self.store, self.keyring, self.clock, self.policy_lookup = store, keyring, clock, policy_lookup

    # -- writing -----------------------------------------------------------------------------
    def unit(self) -> AbstractContextManager[None]:
        """One unit of work over the ledger's database: the entries and every row written inside
        the block commit together (see LedgerStore.unit)."""
        return self.store.unit()

    def reading(self) -> AbstractContextManager[None]:
        """One read transaction for the reads an event makes before its unit of work. A unit
        opened inside it carries on from it on the same connection: on PostgreSQL in the same
        transaction, on SQLite in a write transaction begun once the reads have ended."""
        return self.store.reading()

    def append(self, drafts: Sequence[EntryDraft], *, webhook_id: str | None = None) -> AppendResult:
        """Append drafts atomically (all or none), inside the caller's unit of work when one is
        open. With a webhook_id seen before: nothing is written (duplicate)."""
        return self.append_sealed(self.seal(drafts), webhook_id=webhook_id)

    def seal(self, drafts: Sequence[EntryDraft]) -> Sealed:
        """The drafts with their personal values sealed, ready to chain: done before a unit of work
        opens, the write lock is not held while encrypting."""
        keys = {}
        prepared = []
        now = self.clock.now()  # one instant for the bodies and the recorded_at column alike
        for draft in drafts:
            subject = draft.encryption_subject.ref
            if subject not in keys and _has_personal_values(draft):
                keys[subject] = self.keyring.for_writing(subject)
            prepared.append(self._prepare(draft, keys.get(subject), recorded_at=now))
        return Sealed(entries=tuple(prepared), recorded_at=now)

    def append_sealed(self, sealed: Sealed, *, webhook_id: str | None = None) -> AppendResult:
        return self.store.append(sealed.entries, webhook_id=webhook_id, recorded_at=sealed.recorded_at)

    def _prepare(self, draft: EntryDraft, key, *, recorded_at: datetime) -> PreparedEntry:  # noqa: ANN001
        entry_id = str(uuid.uuid4())

        def seal(value: Any, field: str) -> Any:
            if value is None:
                return None
            _check_plain(value, field)
            return seal_value(value, data_key=key.key, kid=key.kid, entry_id=entry_id, field=field)

        details = dict(draft.details)
        _check_plain(details, "details")
        for name, value in draft.private.items():
            details[name] = seal(value, f"details.{name}")
        actor = draft.actor
        content = {
            "account_id": draft.client_id,  # the client_id column: the account whose ledger lists it
            "id": entry_id,
            "occurred_at": rfc3339(draft.occurred_at),
            "recorded_at": rfc3339(recorded_at),
            "event_type": str(draft.event_type),
            "subject": {"type": draft.subject.type, "id": draft.subject.id},
            "actor": {"type": actor.type, "id": actor.id, "user_id": actor.user_id,
                      "ip": seal(actor.ip, "actor.ip"), "masquerading": bool(actor.masquerading)},
            "policy_version": self.policy_lookup(draft.occurred_at),
            "changes": [
                {"field": c.field, "category": str(c.category),
                 "old": seal(c.old, f"changes.{i}.old"), "new": seal(c.new, f"changes.{i}.new")}
                for i, c in enumerate(draft.changes)
            ],
            "details": details,
        }
        return PreparedEntry(entry_id=entry_id, content=content, client_id=draft.client_id,
                             event_type=str(draft.event_type))

    def shred(self, subject: str) -> bool:
        return self.keyring.shred(subject)

    # -- reading -----------------------------------------------------------------------------
    def client_page(self, client_id: int, *, after: int = 0, limit: int = 100, reveal: bool = False) -> LedgerPage:
        rows = self.store.entries_for_client(client_id, after=after, limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        entries = self.decode(rows, reveal=reveal)
        return LedgerPage(entries=entries, next_after=rows[-1].seq if more and rows else None)

    def entry(self, seq: int, *, reveal: bool) -> dict[str, Any] | None:
        row = self.store.entry(seq)
        return self.decode([row], reveal=reveal)[0] if row else None

    def entries_of_type(self, client_id: int | None, event_type: str, *, reveal: bool) -> list[dict[str, Any]]:
        return self.decode(self.store.entries_of_type(client_id, event_type), reveal=reveal)

    def decode(self, rows: Iterable[ChainRow], *, reveal: bool) -> list[dict[str, Any]]:
        bodies = [(row, json.loads(row.body)) for row in rows]
        kids = [v["kid"] for _row, body in bodies for v in _sealed_values(body)]
        keys = self.keyring.for_reading(kids)
        return [self._render(row, body, keys, reveal) for row, body in bodies]

    def _render(self, row: ChainRow, body: dict, keys: Mapping[str, bytes | None], reveal: bool) -> dict:
        entry_id = body["id"]

        def show(value: Any, field: str) -> Any:
            if not is_sealed(value):
                return value
            key = keys.get(value["kid"])
            if key is None:
                return SHREDDED
            if not reveal:
                return REDACTED
            return open_value(value, data_key=key, entry_id=entry_id, field=field)

        out = dict(body)
        out.pop("account_id", None)  # stored for verify (it is the client_id column); not an entry field
        out["hash"] = row.hash
        out["actor"] = {**body["actor"], "ip": show(body["actor"]["ip"], "actor.ip")}
        out["changes"] = [
            {**c, "old": show(c["old"], f"changes.{i}.old"), "new": show(c["new"], f"changes.{i}.new")}
            for i, c in enumerate(body["changes"])
        ]
        out["details"] = {k: show(v, f"details.{k}") for k, v in body["details"].items()}
        return out

    # -- integrity ---------------------------------------------------------------------------
    def head(self) -> tuple[int, str]:
        return self.store.head()

    def verify(self, *, against: Mapping[int, str] | None = None, use_anchors: bool = True) -> VerifyResult:
        checkpoints: dict[int, str] = {}
        if use_anchors:
            anchors = self.store.anchors()
            if anchors:
                newest = max(anchors, key=lambda a: a.seq)
                checkpoints[newest.seq] = newest.hash
        checkpoints.update(against or {})
        return verify_pages(self.store.chain_pages(), checkpoints=checkpoints)

    def anchor(self, *, in_whmcs: bool | None = None) -> tuple[int, str]:
        seq, digest = self.store.head()
        self.store.add_anchor(seq, digest, at=self.clock.now(), in_whmcs=in_whmcs)
        return seq, digest

    def remember_verify(self, result: VerifyResult) -> None:
        """Keep a verify's outcome for the staff console (the last one is shown)."""
        self.store.add_verify(VerifyRecord(verified_at=self.clock.now(), ok=result.ok, entries=result.entries,
                                           head_hash=result.head_hash, first_bad_seq=result.first_bad_seq,
                                           reason=result.reason))


def _has_personal_values(draft: EntryDraft) -> bool:
    return bool(
        draft.actor.ip is not None
        or any(v is not None for v in draft.private.values())
        or any(c.old is not None or c.new is not None for c in draft.changes)
    )


def _sealed_values(body: Mapping[str, Any]) -> Iterable[dict]:
    if is_sealed(body["actor"].get("ip")):
        yield body["actor"]["ip"]
    for change in body["changes"]:
        for side in ("old", "new"):
            if is_sealed(change[side]):
                yield change[side]
    for value in body["details"].values():
        if is_sealed(value):
            yield value
