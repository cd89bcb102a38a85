"""SqlLedgerStore: the only place that knows how appends stay one gapless chain.

Every append runs in one write transaction that first locks the single chain-head row
(SELECT ... FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE holds SQLite's write lock), checks the
webhook-id inside that lock (so two workers racing one id cannot both write), assigns seqs from
the head, inserts the entries and moves the head. Several entries share one lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import Engine, bindparam, func, insert, select, update
from sqlalchemy.exc import DBAPIError, OperationalError

from bridge.crypto import WrappedKey
from bridge.db.base import DRIVER_UNAVAILABLE, DriverReader, DriverWriter, UtcDateTime, read_tx, write_tx
from bridge.db.group_commit import GroupCommitter, Request
from bridge.db.models import ChainHead, DataKey, LedgerAnchor, LedgerEntry, LedgerVerification, ShredExposure, WebhookId
from bridge.errors import StorageUnavailable
from bridge.ledger.chain import ChainRow, StoredRow, seal_entry
from bridge.ledger.store import Anchor, AppendResult, KeyRecord, PreparedEntry, StoreOp, VerifyRecord

_CHAIN_COLUMNS = (LedgerEntry.seq, LedgerEntry.prev_hash, LedgerEntry.hash, LedgerEntry.body)
_SEEN = select(WebhookId.webhook_id).where(WebhookId.webhook_id == bindparam("webhook_id"))


class _Append(Request[AppendResult]):
    __slots__ = ("also", "entries", "recorded_at", "webhook_id")

    def __init__(self, entries: tuple[PreparedEntry, ...], webhook_id: str | None, recorded_at: datetime,
                 also: tuple[StoreOp, ...]) -> None:
        super().__init__()
        self.entries, self.webhook_id, self.recorded_at, self.also = entries, webhook_id, recorded_at, also


class _AppendSql:
    """The append's statements for the engine's driver (fixed text, every value a parameter)."""

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name == "sqlite":  # qmark; BEGIN IMMEDIATE already holds the write lock
            self.head = "SELECT seq, hash FROM chain_head WHERE id = 1"
            self.head_and_remember = None  # no round trips to save
            self.insert_one_and_move = None
            self.remember = ("INSERT INTO webhook_ids (webhook_id, first_seq, received_at) VALUES (?, ?, ?) "
                             "ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id")
            self.insert_entry = ("INSERT INTO ledger_entries (seq, entry_id, prev_hash, hash, body, event_type, "
                                 "client_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            self.move_head = "UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1"
            self.key_for = "SELECT kid, subject, master_kid, wrapped FROM data_keys WHERE subject = ?"
        else:  # psycopg: format; the row lock on the head orders every writer on every host
            self.head = "SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE"
            # the head's lock and the first webhook-id in one round trip: the lock is held for one
            # round trip fewer (the lock is taken before the insert: it reads the locked head)
            self.head_and_remember = (
                "WITH head AS (SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE), "
                "fresh AS (INSERT INTO webhook_ids (webhook_id, first_seq, received_at) "
                "SELECT %s, CASE WHEN %s THEN head.seq + 1 END, %s FROM head "
                "ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id) "
                "SELECT head.seq, head.hash, EXISTS (SELECT 1 FROM fresh) FROM head")
            self.remember = ("INSERT INTO webhook_ids (webhook_id, first_seq, received_at) VALUES (%s, %s, %s) "
                             "ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id")
            self.insert_entry = ("INSERT INTO ledger_entries (seq, entry_id, prev_hash, hash, body, event_type, "
                                 "client_id, recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)")
            self.move_head = "UPDATE chain_head SET seq = %s, hash = %s WHERE id = 1"
            self.key_for = "SELECT kid, subject, master_kid, wrapped FROM data_keys WHERE subject = %s"
            # one entry and the head's move in one statement
            self.insert_one_and_move = (
                "WITH entry AS (INSERT INTO ledger_entries (seq, entry_id, prev_hash, hash, body, event_type, "
                "client_id, recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)) "
                "UPDATE chain_head SET seq = %s, hash = %s WHERE id = 1")
        # timestamps stored exactly as SQLAlchemy stores them through the UtcDateTime columns
        processor = UtcDateTime().dialect_impl(engine.dialect).bind_processor(engine.dialect)
        self.stamp = processor or (lambda value: value)


_KEYS = DataKey.__table__

# chain_pages' statement per driver (sqlite: qmark; psycopg: format), giving chain.StoredRow: the
# chain columns and the columns reads select by. `entry_id` and `recorded_at` are read by nothing
# (every reader takes them from the hashed body), so an edit of them changes no answer.
_CHAIN_PAGE = {
    "sqlite": "SELECT seq, prev_hash, hash, body, CAST(coalesce(client_id, 'null') AS BLOB), "
              "CAST(event_type AS BLOB) FROM ledger_entries WHERE seq > ? ORDER BY seq LIMIT ?",
    "postgresql": "SELECT seq, prev_hash, hash, body, convert_to(coalesce(client_id::text, 'null'), 'UTF8'), "
                  "convert_to(event_type, 'UTF8') FROM ledger_entries WHERE seq > %s ORDER BY seq LIMIT %s",
}


def _insert_keys_if_absent(dialect: str):  # noqa: ANN202 - an INSERT ... ON CONFLICT DO NOTHING
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    return dialect_insert(DataKey).on_conflict_do_nothing(index_elements=["subject"])


def key_record(row) -> KeyRecord:  # noqa: ANN001 - a Row of data_keys
    return _key_record(row.kid, row.subject, row.master_kid, row.wrapped)


def _key_record(kid: str, subject: str, master_kid: str | None, wrapped: bytes | None) -> KeyRecord:
    if wrapped is None:
        return KeyRecord(kid=kid, subject=subject, wrapped=None)
    return KeyRecord(kid=kid, subject=subject, wrapped=WrappedKey(
        kid=kid, subject=subject, master_kid=master_kid or "", wrapped=bytes(wrapped)))


class SqlLedgerStore:
    def __init__(self, *, engine: Engine) -> None:
        self.engine = engine
        self._sql = _AppendSql(engine)
        self._reader = DriverReader(engine)
        # PostgreSQL: two lanes, so while one batch commits the next already waits on the head's row
        # lock. SQLite: one; its writers queue on a file lock anyway, and bigger batches win there.
        lanes = 1 if engine.dialect.name == "sqlite" else 2
        self._writers = [DriverWriter(engine) for _ in range(lanes)]
        self._committer: GroupCommitter[_Append] = GroupCommitter(self._append_batch, lanes=lanes)

    def close(self) -> None:
        """Release the append and look-up connections (the engine's pool is its owner's to dispose)."""
        for writer in self._writers:
            writer.close()
        self._reader.close()

    # -- the chain ---------------------------------------------------------------------------
    def append(
        self, entries: Sequence[PreparedEntry], *, webhook_id: str | None, recorded_at: datetime,
        also: Sequence[StoreOp] = (),
    ) -> AppendResult:
        """Chain and store atomically; concurrent callers of this process share a transaction."""
        return self._committer.submit(_Append(tuple(entries), webhook_id, recorded_at, tuple(also)))

    def _append_batch(self, batch: Sequence[_Append]) -> None:
        """One write transaction for the batch. The chain's statements run on the driver's cursor:
        this is the hot path of every hook, and SQLAlchemy's per-statement work would cost more
        than the SQL. Extra writes (`also`) are SQLAlchemy statements, so a batch that has some
        runs inside a SQLAlchemy transaction instead, on the same connection."""
        try:
            if any(request.also for request in batch):
                with write_tx(self.engine) as conn:
                    cursor = conn.connection.dbapi_connection.cursor()
                    try:
                        self._chain(cursor, batch)
                    finally:
                        cursor.close()
                    for request in batch:
                        if not request.result.duplicate:
                            for operation in request.also:
                                operation(conn, request.result.seqs)
            else:
                writer = self._writers.pop()  # never empty: at most one batch per lane runs at once
                try:
                    with writer.transaction() as cursor:
                        self._chain(cursor, batch)
                finally:
                    self._writers.append(writer)
        except (OperationalError, *DRIVER_UNAVAILABLE) as exc:
            raise StorageUnavailable("the ledger database is unavailable") from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise StorageUnavailable("the ledger database is unavailable") from exc
            raise

    def _chain(self, cursor, batch: Sequence[_Append]) -> None:  # noqa: ANN001 - a DB-API cursor
        """Under the head lock: remember each webhook-id (a seen one makes its request a duplicate),
        give the entries the next seqs, insert them and move the head."""
        sql = self._sql
        first = batch[0]
        remembered = None  # the first request's webhook-id, when remembered with the head's lock
        if sql.head_and_remember is not None and first.webhook_id is not None:
            cursor.execute(sql.head_and_remember,
                           (first.webhook_id, bool(first.entries), sql.stamp(first.recorded_at)))
            seq, prev, remembered = cursor.fetchone()
        else:
            cursor.execute(sql.head)
            seq, prev = cursor.fetchone()
        rows = []
        for request in batch:
            stamp = sql.stamp(request.recorded_at)
            if request.webhook_id is not None:
                if request is first and remembered is not None:
                    fresh = remembered
                else:
                    cursor.execute(sql.remember, (request.webhook_id, seq + 1 if request.entries else None, stamp))
                    # RETURNING, not rowcount: in pipeline mode a rowcount is known only after a sync
                    fresh = cursor.fetchone() is not None  # none: seen before, or earlier in this batch
                if not fresh:
                    request.result = AppendResult(duplicate=True)
                    continue
            seqs = []
            for entry in request.entries:
                seq += 1
                body, digest = seal_entry(entry.content, seq=seq, prev_hash=prev)
                rows.append((seq, entry.entry_id, prev, digest, body, entry.event_type, entry.client_id, stamp))
                seqs.append(seq)
                prev = digest
            request.result = AppendResult(duplicate=False, seqs=tuple(seqs))
        if not rows:
            return
        if len(rows) == 1 and sql.insert_one_and_move is not None:
            cursor.execute(sql.insert_one_and_move, (*rows[0], seq, prev))
            return
        cursor.executemany(sql.insert_entry, rows)
        cursor.execute(sql.move_head, (seq, prev))

    @staticmethod
    def _seen(conn, webhook_id: str) -> bool:  # noqa: ANN001
        return conn.execute(_SEEN, {"webhook_id": webhook_id}).first() is not None

    def webhook_first_seq(self, webhook_id: str) -> int | None:
        with read_tx(self.engine) as conn:
            return conn.execute(select(WebhookId.first_seq).where(WebhookId.webhook_id == webhook_id)).scalar()

    def webhook_seen(self, webhook_id: str) -> bool:
        with read_tx(self.engine) as conn:
            return self._seen(conn, webhook_id)

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
        keyset pages so memory stays flat at any ledger size. Read through the driver's cursor: at
        hundreds of thousands of rows a second, per-row ORM work would dominate."""
        query = _CHAIN_PAGE[self.engine.dialect.name]
        after = 0
        with self.engine.connect() as conn:
            cursor = conn.connection.dbapi_connection.cursor()
            try:
                while True:
                    cursor.execute(query, (after, batch))
                    rows = cursor.fetchall()
                    if not rows:
                        return
                    yield rows
                    after = rows[-1][0]
            finally:
                cursor.close()

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
        """One subject's key: on the path of every event about a customer this process has not
        written for lately, so a plain driver read."""
        rows = self._reader.rows(self._sql.key_for, (subject,))  # kid, subject, master_kid, wrapped
        return _key_record(*rows[0]) if rows else None

    def keys_for_subjects(self, subjects: Sequence[str]) -> dict[str, KeyRecord]:
        found: dict[str, KeyRecord] = {}
        with read_tx(self.engine) as conn:
            for start in range(0, len(subjects), 500):  # bounded IN lists
                rows = conn.execute(select(_KEYS).where(DataKey.subject.in_(list(subjects[start:start + 500]))))
                found.update({row.subject: key_record(row) for row in rows})
        return found

    def create_keys(self, wrapped: Sequence[WrappedKey], *, at: datetime) -> dict[str, KeyRecord]:
        """Store new data keys in one transaction; where another writer created a subject's key
        first, theirs is kept and returned."""
        if not wrapped:
            return {}
        rows = [{"kid": w.kid, "subject": w.subject, "master_kid": w.master_kid, "wrapped": w.wrapped,
                 "created_at": at} for w in wrapped]
        with write_tx(self.engine) as conn:
            conn.execute(_insert_keys_if_absent(conn.dialect.name), rows)
        return self.keys_for_subjects([w.subject for w in wrapped])

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
