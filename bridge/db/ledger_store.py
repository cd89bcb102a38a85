"""SqlLedgerStore: the only place that knows how appends stay one gapless chain.

An append runs in the caller's unit of work (or a write transaction of its own). It first locks
the single chain-head row (SELECT ... FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE already holds
SQLite's write lock), remembers the webhook-id inside that lock (so two workers racing one id
cannot both write), assigns seqs from the head, inserts the entries and moves the head. The lock is
held until the unit commits, so within one unit every later append follows on at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy import Connection, Engine, bindparam, func, insert, select, update

from bridge.crypto import WrappedKey
from bridge.db.base import after_commit, dialect_insert, read_tx, reading_unit, unit_of_work, write_tx
from bridge.db.models import ChainHead, DataKey, LedgerAnchor, LedgerEntry, LedgerVerification, ShredExposure, WebhookId
from bridge.ledger.chain import ChainRow, StoredRow, seal_entry
from bridge.ledger.store import Anchor, AppendResult, KeyRecord, PreparedEntry, VerifyRecord

_CHAIN_COLUMNS = (LedgerEntry.seq, LedgerEntry.prev_hash, LedgerEntry.hash, LedgerEntry.body)
_SEEN = select(WebhookId.webhook_id).where(WebhookId.webhook_id == bindparam("webhook_id"))
_HEAD = select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == 1)
_LOCK_HEAD = _HEAD.with_for_update()  # SQLite has no FOR UPDATE: its write lock is already held
_ENTRIES = LedgerEntry.__table__
_INSERT_ENTRIES = insert(_ENTRIES)
_MOVE_HEAD = (update(ChainHead).where(ChainHead.id == 1)
              .values(seq=bindparam("new_seq"), hash=bindparam("new_hash")))
_KEYS = DataKey.__table__
_KEY_OF = select(_KEYS).where(DataKey.subject == bindparam("subject"))
# chain_pages' page: the chain columns and the columns reads select by. `entry_id` and
# `recorded_at` are read by nothing (every reader takes them from the hashed body), so an edit of
# them changes no answer.
_CHAIN_PAGE = (select(*_CHAIN_COLUMNS, LedgerEntry.client_id, LedgerEntry.event_type)
               .where(LedgerEntry.seq > bindparam("after")).order_by(LedgerEntry.seq).limit(bindparam("batch")))


def _remember(dialect: str):  # noqa: ANN202 - remember a webhook-id unless seen: a row back when fresh
    return (dialect_insert(dialect, WebhookId).on_conflict_do_nothing(index_elements=["webhook_id"])
            .returning(WebhookId.webhook_id))


def _insert_keys_if_absent(dialect: str):  # noqa: ANN202 - an INSERT ... ON CONFLICT DO NOTHING
    return dialect_insert(dialect, DataKey).on_conflict_do_nothing(index_elements=["subject"])


def key_record(row) -> KeyRecord:  # noqa: ANN001 - a Row of data_keys
    if row.wrapped is None:
        return KeyRecord(kid=row.kid, subject=row.subject, wrapped=None)
    return KeyRecord(kid=row.kid, subject=row.subject, wrapped=WrappedKey(
        kid=row.kid, subject=row.subject, master_kid=row.master_kid or "", wrapped=bytes(row.wrapped)))


def _keys_for_subjects(conn: Connection, subjects: Sequence[str]) -> dict[str, KeyRecord]:
    found: dict[str, KeyRecord] = {}
    for start in range(0, len(subjects), 500):  # bounded IN lists
        rows = conn.execute(select(_KEYS).where(DataKey.subject.in_(list(subjects[start:start + 500]))))
        found.update({row.subject: key_record(row) for row in rows})
    return found


class SqlLedgerStore:
    def __init__(self, *, engine: Engine) -> None:
        self.engine = engine
        self._remember = _remember(engine.dialect.name)

    def unit(self) -> AbstractContextManager[None]:
        return unit_of_work(self.engine)

    def reading(self) -> AbstractContextManager[None]:
        return reading_unit(self.engine)

    def after_commit(self, callback: Callable[[], None]) -> None:
        after_commit(self.engine, callback)

    # -- the chain ---------------------------------------------------------------------------
    def append(self, entries: Sequence[PreparedEntry], *, webhook_id: str | None,
               recorded_at: datetime) -> AppendResult:
        """Chain and store atomically, in the caller's unit of work when one is open."""
        with write_tx(self.engine) as conn:
            seq, prev = conn.execute(_LOCK_HEAD).one()
            if webhook_id is not None and not self._remember_id(conn, webhook_id, seq, entries, recorded_at):
                return AppendResult(duplicate=True)
            if not entries:
                return AppendResult(duplicate=False)
            rows, seqs = [], []
            for entry in entries:
                seq += 1
                body, digest = seal_entry(entry.content, seq=seq, prev_hash=prev)
                rows.append({"seq": seq, "entry_id": entry.entry_id, "prev_hash": prev, "hash": digest,
                             "body": body, "event_type": entry.event_type, "client_id": entry.client_id,
                             "recorded_at": recorded_at})
                seqs.append(seq)
                prev = digest
            conn.execute(_INSERT_ENTRIES, rows)
            conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": prev})
            return AppendResult(duplicate=False, seqs=tuple(seqs))

    def _remember_id(self, conn: Connection, webhook_id: str, head: int, entries: Sequence[PreparedEntry],
                     at: datetime) -> bool:
        """Under the head's lock: False when the id was seen before."""
        first = head + 1 if entries else None
        return conn.execute(self._remember, {"webhook_id": webhook_id, "first_seq": first,
                                             "received_at": at}).first() is not None

    def webhook_first_seq(self, webhook_id: str) -> int | None:
        with read_tx(self.engine) as conn:
            return conn.execute(select(WebhookId.first_seq).where(WebhookId.webhook_id == webhook_id)).scalar()

    def webhook_seen(self, webhook_id: str) -> bool:
        with read_tx(self.engine) as conn:
            return conn.execute(_SEEN, {"webhook_id": webhook_id}).first() is not None

    def remember_webhook(self, webhook_id: str, *, at: datetime) -> bool:
        return not self.append((), webhook_id=webhook_id, recorded_at=at).duplicate

    def head(self) -> tuple[int, str]:
        with read_tx(self.engine) as conn:
            row = conn.execute(select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == 1)).one()
            return row.seq, row.hash

    def iter_chain(self, *, batch: int = 5000) -> Iterator[ChainRow]:
        """All rows by seq (the chain columns), in constant memory."""
        for page in self.chain_pages(batch=batch):
            for seq, prev_hash, digest, body, *_columns in page:
                yield ChainRow(seq, prev_hash, digest, body)

    def chain_pages(self, *, batch: int = 5000) -> Iterator[list[StoredRow]]:
        """Every stored column of all rows by seq, as verify compares them with the bodies, in
        keyset pages so memory stays flat at any ledger size."""
        after = 0
        with self.engine.connect() as conn:
            while True:
                rows = conn.execute(_CHAIN_PAGE, {"after": after, "batch": batch}).all()
                if not rows:
                    return
                yield [StoredRow(seq, prev, digest, bytes(body), b"null" if client is None else b"%d" % client,
                                 event.encode()) for seq, prev, digest, body, client, event in rows]
                after = rows[-1][0]

    def entry(self, seq: int) -> ChainRow | None:
        with read_tx(self.engine) as conn:
            row = conn.execute(select(*_CHAIN_COLUMNS).where(LedgerEntry.seq == seq)).first()
        return ChainRow(row[0], row[1], row[2], bytes(row[3])) if row else None

    def entries_of_type(self, client_id: int | None, event_type: str, *, limit: int = 1000) -> list[ChainRow]:
        """Entries of one type for a client, or (client_id None) those that belong to no client."""
        owner = LedgerEntry.client_id.is_(None) if client_id is None else LedgerEntry.client_id == client_id
        query = (select(*_CHAIN_COLUMNS).where(owner, LedgerEntry.event_type == event_type)
                 .order_by(LedgerEntry.seq).limit(limit))
        with read_tx(self.engine) as conn:
            return [ChainRow(r[0], r[1], r[2], bytes(r[3])) for r in conn.execute(query)]

    def counts_by_type(self) -> dict[str, int]:
        with read_tx(self.engine) as conn:
            rows = conn.execute(select(LedgerEntry.event_type, func.count()).group_by(LedgerEntry.event_type))
            return {event_type: count for event_type, count in rows}

    def count_for_client(self, client_id: int) -> int:
        with read_tx(self.engine) as conn:
            return conn.execute(select(func.count()).where(LedgerEntry.client_id == client_id)).scalar_one()

    def entries_for_client(self, client_id: int, *, after: int, limit: int) -> list[ChainRow]:
        query = (
            select(*_CHAIN_COLUMNS)
            .where(LedgerEntry.client_id == client_id, LedgerEntry.seq > after)
            .order_by(LedgerEntry.seq)
            .limit(limit)
        )
        with read_tx(self.engine) as conn:
            return [ChainRow(r[0], r[1], r[2], bytes(r[3])) for r in conn.execute(query)]

    # -- data keys ---------------------------------------------------------------------------
    def key_for(self, subject: str) -> KeyRecord | None:
        with read_tx(self.engine) as conn:
            row = conn.execute(_KEY_OF, {"subject": subject}).first()
        return key_record(row) if row else None

    def keys_for_subjects(self, subjects: Sequence[str]) -> dict[str, KeyRecord]:
        with read_tx(self.engine) as conn:
            return _keys_for_subjects(conn, subjects)

    def create_keys(self, wrapped: Sequence[WrappedKey], *, at: datetime) -> dict[str, KeyRecord]:
        """Store new data keys in one transaction; where another writer created a subject's key
        first, theirs is kept and returned."""
        if not wrapped:
            return {}
        rows = [{"kid": w.kid, "subject": w.subject, "master_kid": w.master_kid, "wrapped": w.wrapped,
                 "created_at": at} for w in wrapped]
        with write_tx(self.engine) as conn:
            conn.execute(_insert_keys_if_absent(conn.dialect.name), rows)
            # read back on the write's own connection: a reading unit's snapshot may predate it
            return _keys_for_subjects(conn, [w.subject for w in wrapped])

    def keys_by_kid(self, kids: Sequence[str]) -> dict[str, KeyRecord]:
        if not kids:
            return {}
        with read_tx(self.engine) as conn:
            rows = conn.execute(select(_KEYS).where(DataKey.kid.in_(list(kids)))).all()
            return {row.kid: key_record(row) for row in rows}

    def all_keys(self) -> Iterator[KeyRecord]:
        with read_tx(self.engine) as conn:
            rows = conn.execute(select(_KEYS).where(DataKey.wrapped.is_not(None)).order_by(DataKey.kid)).all()
        return iter([key_record(row) for row in rows])

    def replace_wrapping(self, rewrapped: Sequence[WrappedKey]) -> int:
        with write_tx(self.engine) as conn:
            for key in rewrapped:
                conn.execute(
                    update(DataKey)
                    .where(DataKey.kid == key.kid, DataKey.wrapped.is_not(None))
                    .values(master_kid=key.master_kid, wrapped=key.wrapped)
                )
        return len(rewrapped)

    def shred(self, subject: str, *, at: datetime) -> bool:
        """Destroy the wrapped key but keep a tombstone, so later values for the subject stay
        shredded; remember which master key wrapped it (shred_exposures), as old copies of the
        wrapped key outlive the shred until that master key is retired."""
        with write_tx(self.engine) as conn:
            live = conn.execute(
                select(DataKey.kid, DataKey.master_kid)
                .where(DataKey.subject == subject, DataKey.wrapped.is_not(None)).with_for_update()
            ).first()
            if live is not None:
                conn.execute(update(DataKey).where(DataKey.kid == live.kid)
                             .values(wrapped=None, master_kid=None, shredded_at=at))
                if live.master_kid:
                    conn.execute(insert(ShredExposure).values(kid=live.kid, master_kid=live.master_kid,
                                                              shredded_at=at))
                return True
            exists = conn.execute(select(DataKey.kid).where(DataKey.subject == subject)).first()
            if exists is None:
                conn.execute(insert(DataKey).values(
                    kid=uuid.uuid4().hex, subject=subject, master_kid=None, wrapped=None,
                    created_at=at, shredded_at=at,
                ))
            return False

    def unreported_shreds(self) -> dict[str, int]:
        """Master key id -> shredded data keys it wrapped that no rotation has reported yet."""
        query = (select(ShredExposure.master_kid, func.count()).where(ShredExposure.reported_at.is_(None))
                 .group_by(ShredExposure.master_kid))
        with read_tx(self.engine) as conn:
            return {master_kid: count for master_kid, count in conn.execute(query)}

    def retire_master_keys(self, master_kids: Sequence[str], *, at: datetime) -> dict[str, int]:
        """For each retired master key id, how many shredded data keys it still covered that were
        not reported before; they are marked reported, so no later rotation counts them again."""
        pending = ShredExposure.reported_at.is_(None), ShredExposure.master_kid.in_(list(master_kids))
        with write_tx(self.engine) as conn:
            counts = dict(conn.execute(select(ShredExposure.master_kid, func.count()).where(*pending)
                                       .group_by(ShredExposure.master_kid)).all())
            conn.execute(update(ShredExposure).where(*pending).values(reported_at=at))
        return {kid: counts.get(kid, 0) for kid in master_kids}

    # -- anchors -----------------------------------------------------------------------------
    def add_anchor(self, seq: int, hash_: str, *, at: datetime, in_whmcs: bool | None = None) -> Anchor:
        with write_tx(self.engine) as conn:
            conn.execute(insert(LedgerAnchor).values(seq=seq, hash=hash_, created_at=at, in_whmcs=in_whmcs))
        return Anchor(seq=seq, hash=hash_, created_at=at, in_whmcs=in_whmcs)

    def anchors(self) -> list[Anchor]:
        with read_tx(self.engine) as conn:
            rows = conn.execute(select(LedgerAnchor.__table__).order_by(LedgerAnchor.seq)).all()
            return [Anchor(seq=r.seq, hash=r.hash, created_at=r.created_at, in_whmcs=r.in_whmcs) for r in rows]

    # -- verify results ------------------------------------------------------------------------
    def add_verify(self, record: VerifyRecord) -> None:
        with write_tx(self.engine) as conn:
            conn.execute(insert(LedgerVerification).values(**record.__dict__))

    def last_verify(self) -> VerifyRecord | None:
        query = select(LedgerVerification.__table__).order_by(LedgerVerification.id.desc()).limit(1)
        with read_tx(self.engine) as conn:
            row = conn.execute(query).first()
        return None if row is None else VerifyRecord(
            verified_at=row.verified_at, ok=row.ok, entries=row.entries, head_hash=row.head_hash,
            first_bad_seq=row.first_bad_seq, reason=row.reason)


__all__ = ["SqlLedgerStore"]
