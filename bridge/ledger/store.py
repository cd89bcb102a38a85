"""The storage interface the ledger needs. Implementations: bridge.db.ledger_store.SqlLedgerStore."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bridge.crypto import WrappedKey
from bridge.ledger.chain import ChainRow, StoredRow


@dataclass(frozen=True)
class PreparedEntry:
    """An entry ready to chain: everything but seq, prev_hash and hash, personal values sealed."""

    entry_id: str
    content: Mapping[str, Any]
    client_id: int | None
    event_type: str


@dataclass(frozen=True)
class AppendResult:
    duplicate: bool
    seqs: tuple[int, ...] = ()


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    created_at: datetime
    in_whmcs: bool | None = None  # also written to WHMCS's activity log (None: not recorded then)


@dataclass(frozen=True)
class VerifyRecord:
    """The outcome of one whole-chain verify, as kept for the staff console."""

    verified_at: datetime
    ok: bool
    entries: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class KeyRecord:
    kid: str
    subject: str
    wrapped: WrappedKey | None  # None once shredded

    @property
    def shredded(self) -> bool:
        return self.wrapped is None


class LedgerStore(Protocol):
    def unit(self) -> AbstractContextManager[None]:
        """One unit of work: every write of every store of this database inside the block commits
        at its end or not at all (nested: a savepoint, undone alone when its block fails)."""

    def reading(self) -> AbstractContextManager[None]:
        """One read transaction for the reads of the block, by every store of this database (a
        unit of work open around it is used instead); writes inside it are not part of it, except
        a unit of work opened inside it, which carries on from it on its connection."""

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the open unit commits (never if it rolls back); at once outside one."""

    def append(self, entries: Sequence[PreparedEntry], *, webhook_id: str | None,
               recorded_at: datetime) -> AppendResult:
        """Chain and store atomically, inside the caller's unit of work when one is open; a
        webhook_id seen before writes nothing (duplicate)."""

    def entry(self, seq: int) -> ChainRow | None: ...

    def entries_of_type(self, client_id: int | None, event_type: str, *, limit: int = 1000) -> list[ChainRow]: ...

    def remember_webhook(self, webhook_id: str, *, at: datetime) -> bool:
        """Remember an id with no entry (ignored events); False when it was seen before."""

    def webhook_seen(self, webhook_id: str) -> bool: ...

    def webhook_first_seq(self, webhook_id: str) -> int | None: ...

    def head(self) -> tuple[int, str]: ...

    def iter_chain(self, *, batch: int = 5000) -> Iterator[ChainRow]: ...

    def chain_pages(self, *, batch: int = 5000) -> Iterator[list[StoredRow]]:
        """Every stored column of every row, by seq, a page at a time (what verify compares)."""

    def count_for_client(self, client_id: int) -> int: ...

    def entries_for_client(self, client_id: int, *, after: int, limit: int) -> list[ChainRow]: ...

    def key_for(self, subject: str) -> KeyRecord | None: ...

    def keys_for_subjects(self, subjects: Sequence[str]) -> dict[str, KeyRecord]: ...

    def create_keys(self, wrapped: Sequence[WrappedKey], *, at: datetime) -> dict[str, KeyRecord]:
        """Store new data keys at once; a subject another writer created first keeps theirs."""

    def keys_by_kid(self, kids: Sequence[str]) -> dict[str, KeyRecord]: ...

    def all_keys(self) -> Iterator[KeyRecord]: ...

    def replace_wrapping(self, rewrapped: Sequence[WrappedKey]) -> int: ...

    def shred(self, subject: str, *, at: datetime) -> bool:
        """Remove the subject's wrapped key, remembering which master key id wrapped it."""

    def unreported_shreds(self) -> dict[str, int]:
        """Master key id -> shredded data keys it wrapped that no rotation has reported yet."""

    def retire_master_keys(self, master_kids: Sequence[str], *, at: datetime) -> dict[str, int]:
        """Per retired master key id, the shredded keys it still covered, counted once ever."""

    def add_anchor(self, seq: int, hash_: str, *, at: datetime, in_whmcs: bool | None = None) -> Anchor: ...

    def add_verify(self, record: VerifyRecord) -> None: ...

    def last_verify(self) -> VerifyRecord | None: ...

    def anchors(self) -> list[Anchor]: ...
