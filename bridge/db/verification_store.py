"""SqlVerificationStore."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, bindparam, insert, or_, select, update

from bridge.db.base import dialect_insert, read_tx, write_tx
from bridge.db.ledger_store import key_record
from bridge.db.models import (
    DataKey,
    IssuedChange,
    KnownState,
    ValidateAllowance,
    VerificationRequestRow,
    VerificationRow,
)
from bridge.ledger.store import KeyRecord
from bridge.verification.policy import NewVerification, Verification
from bridge.verification.store import PendingRequest

V, R, C = VerificationRow.__table__, VerificationRequestRow.__table__, IssuedChange.__table__
A, S = ValidateAllowance.__table__, KnownState.__table__


_UPSERTS: dict[str, Any] = {}
_STATE = select(S.c.field, S.c.sealed).where(S.c.subject == bindparam("subject"))
# the statements every edit event runs, built once (building one per call costs as much CPU as
# running it)
_OF_CLIENT = select(V).where(V.c.client_id == bindparam("client_id"))
_OPEN_REQUEST = select(R).where(R.c.client_id == bindparam("client_id"), R.c.resolved_at.is_(None))
_ALLOWED = select(A.c.id).where(and_(
    A.c.subject == bindparam("subject"), A.c.digest == bindparam("digest"),
    or_(A.c.allowed_at.between(bindparam("occurred_from"), bindparam("occurred_to")),
        A.c.received_at.between(bindparam("received_from"), bindparam("received_to"))))).limit(1)
_KEYS_BY_KID = select(DataKey.__table__).where(DataKey.kid.in_(bindparam("kids", expanding=True)))


def _upsert_state(dialect: str):  # noqa: ANN202
    """One INSERT ... ON CONFLICT DO UPDATE for many fields (built once per dialect)."""
    if dialect not in _UPSERTS:
        statement = dialect_insert(dialect, S)
        _UPSERTS[dialect] = statement.on_conflict_do_update(
            index_elements=[S.c.subject, S.c.field],
            set_={"sealed": statement.excluded.sealed, "seq": statement.excluded.seq,
                  "client_id": statement.excluded.client_id})
    return _UPSERTS[dialect]


def _verification(row) -> Verification:  # noqa: ANN001 - a Row of verifications
    return Verification(id=row.id, client_id=row.client_id, user_id=row.user_id, document_type=row.document_type,
                        issuing_country=row.issuing_country, recorded_at=row.recorded_at,
                        expires_at=row.expires_at, recorded_by=row.recorded_by, revoked_at=row.revoked_at)


def _request(row) -> PendingRequest:  # noqa: ANN001
    return PendingRequest(client_id=row.client_id, requested_at=row.requested_at,
                          fields=json.loads(row.fields), actor=json.loads(row.actor))


class SqlVerificationStore:
    def __init__(self, *, engine: Engine) -> None:
        self.engine = engine

    # -- attestations ----------------------------------------------------------------------
    def add(self, verification: NewVerification) -> None:
        with write_tx(self.engine) as conn:
            conn.execute(insert(V).values(**verification.__dict__))

    def revoke(self, client_id: int, *, at: datetime, by: str) -> None:
        with write_tx(self.engine) as conn:
            conn.execute(update(V).where(V.c.client_id == client_id, V.c.revoked_at.is_(None))
                         .values(revoked_at=at, revoked_by=by))

    def for_client(self, client_id: int) -> list[Verification]:
        with read_tx(self.engine) as conn:
            return [_verification(r) for r in conn.execute(_OF_CLIENT, {"client_id": client_id})]

    # -- the pending queue -----------------------------------------------------------------
    def add_request(self, client_id: int, *, at: datetime, fields: Sequence[str], actor: Mapping[str, Any]) -> None:
        with write_tx(self.engine) as conn:
            row = conn.execute(_OPEN_REQUEST, {"client_id": client_id}).first()
            if row is None:
                conn.execute(R.insert(), {"client_id": client_id, "requested_at": at,
                                          "fields": json.dumps(sorted(fields)),
                                          "actor": json.dumps(dict(actor), sort_keys=True)})
                return
            merged = sorted(set(json.loads(row.fields)) | set(fields))
            conn.execute(update(R).where(R.c.id == row.id).values(fields=json.dumps(merged)))

    def resolve(self, client_id: int, *, at: datetime) -> None:
        with write_tx(self.engine) as conn:
            conn.execute(update(R).where(R.c.client_id == client_id, R.c.resolved_at.is_(None)).values(resolved_at=at))

    def pending(self) -> list[PendingRequest]:
        with read_tx(self.engine) as conn:
            rows = conn.execute(select(R).where(R.c.resolved_at.is_(None)).order_by(R.c.requested_at, R.c.id))
            return [_request(r) for r in rows]

    def open_request(self, client_id: int) -> PendingRequest | None:
        with read_tx(self.engine) as conn:
            row = conn.execute(_OPEN_REQUEST, {"client_id": client_id}).first()
        return _request(row) if row else None

    # -- the bridge's own writes -----------------------------------------------------------
    def issue_change(self, change_id: str, *, client_id: int | None, purpose: str, at: datetime,
                     expires_at: datetime, subject: str | None = None) -> None:
        with write_tx(self.engine) as conn:
            conn.execute(insert(C).values(change_id=change_id, client_id=client_id, purpose=purpose,
                                          created_at=at, expires_at=expires_at, subject=subject))

    def change_for(self, purpose: str) -> str | None:
        with read_tx(self.engine) as conn:
            return conn.execute(select(C.c.change_id).where(C.c.purpose == purpose)).scalar()

    def claim_change(self, change_id: str, *, client_id: int, subject: str, at: datetime, by: str = "",
                     skew: timedelta = timedelta(0)) -> bool:
        """True once per event: the first claim marks it used by `by`; a later claim succeeds only
        for that same event (a re-delivery), never for another one. Bound to the client and the
        subject it was issued for (a change issued before subjects were recorded binds the client)."""
        with write_tx(self.engine) as conn:
            result = conn.execute(
                update(C).where(C.c.change_id == change_id, C.c.client_id == client_id,
                                or_(C.c.subject.is_(None), C.c.subject == subject),
                                C.c.created_at <= at + skew, C.c.expires_at > at,
                                or_(C.c.used_at.is_(None), and_(C.c.used_by == by, by != "")))
                .values(used_at=at, used_by=by or None)
            )
            return result.rowcount == 1

    # -- validate allowances and known state -----------------------------------------------
    def add_allowance(self, subject: str, digest: str, *, at: datetime, received_at: datetime) -> None:
        # not durable: lost in a power cut, it only matters if the customer's verification lapses
        # before the ClientEdit that follows arrives (a current verification allows it anyway)
        with write_tx(self.engine, durable=False) as conn:
            conn.execute(insert(A).values(subject=subject, digest=digest, allowed_at=at, received_at=received_at))

    def has_allowance(self, subject: str, digest: str, *, occurred: tuple[datetime, datetime],
                      received: tuple[datetime, datetime]) -> bool:
        params = {"subject": subject, "digest": digest, "occurred_from": occurred[0], "occurred_to": occurred[1],
                  "received_from": received[0], "received_to": received[1]}
        with read_tx(self.engine) as conn:
            return conn.execute(_ALLOWED, params).first() is not None

    def put_state(self, subject: str, client_id: int, sealed: Mapping[str, str], seq: int | None) -> None:
        with write_tx(self.engine) as conn:
            rows = [{"subject": subject, "field": f, "client_id": client_id, "sealed": v, "seq": seq or 0}
                    for f, v in sealed.items()]
            if rows:
                conn.execute(_upsert_state(conn.dialect.name), rows)

    def subjects_of(self, client_id: int) -> list[str]:
        with read_tx(self.engine) as conn:
            rows = conn.execute(select(S.c.subject).where(S.c.client_id == client_id).distinct().order_by(S.c.subject))
            return [r[0] for r in rows]

    def state_with_keys(self, subject: str, *, client_id: int | None = None) -> tuple[dict[str, str],
                                                                                      dict[str, KeyRecord]]:
        """The sealed values and the data-key records they name, in one read transaction; with
        `client_id`, only values recorded for that client."""
        query = _STATE if client_id is None else _STATE.where(S.c.client_id == client_id)
        with read_tx(self.engine) as conn:
            sealed = {r.field: r.sealed for r in conn.execute(query, {"subject": subject})}
            kids = sorted({json.loads(v)["kid"] for v in sealed.values()})
            keys = {r.kid: key_record(r) for r in conn.execute(_KEYS_BY_KID, {"kids": kids})} if kids else {}
        return sealed, keys

    def states_of_clients(self, client_ids: Sequence[int]) -> tuple[dict[str, dict[str, str]],
                                                                      dict[str, KeyRecord]]:
        """The sealed values of every subject of these clients, and the key records they name."""
        states: dict[str, dict[str, str]] = {}
        with read_tx(self.engine) as conn:
            for start in range(0, len(client_ids), 500):  # bounded IN lists
                part = list(client_ids[start:start + 500])
                for row in conn.execute(select(S.c.subject, S.c.field, S.c.sealed).where(S.c.client_id.in_(part))):
                    states.setdefault(row.subject, {})[row.field] = row.sealed
            kids = sorted({json.loads(v)["kid"] for fields in states.values() for v in fields.values()})
            keys: dict[str, KeyRecord] = {}
            for start in range(0, len(kids), 500):
                rows = conn.execute(_KEYS_BY_KID, {"kids": kids[start:start + 500]})
                keys.update({r.kid: key_record(r) for r in rows})
        return states, keys

    def state(self, subject: str) -> dict[str, str]:
        with read_tx(self.engine) as conn:
            return {r.field: r.sealed for r in conn.execute(select(S).where(S.c.subject == subject))}


