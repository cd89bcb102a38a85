
from sqlalchemy import text

from bridge.db.ledger_store import SqlLedgerStore
from bridge.ledger.entries import Actor, Change, EntryDraft, EventType, Subject
from bridge.ledger.keyring import Keyring, MasterKeyRef
from bridge.ledger.service import Ledger
from bridge.settings import master_key_id

KEY_A = bytes(range(32))
KEY_B = bytes(range(32, 64))


def master(key: bytes) -> MasterKeyRef:
    return MasterKeyRef(kid=master_key_id(key), key=key)


def make_ledger(engine, clock, *keys: bytes) -> Ledger:
    store = SqlLedgerStore(engine=engine)
    keyring = Keyring(store=store, masters=[master(k) for k in (keys or (KEY_A,))], clock=clock)
    return Ledger(store=store, keyring=keyring, clock=clock)


def email_change(client_id: int, old: str, new: str, at, ip="203.0.113.5") -> EntryDraft:
    return EntryDraft(
        event_type=EventType.CLIENT_UPDATED, occurred_at=at, subject=Subject.of("client", client_id),
        actor=Actor("client", str(client_id), ip=ip),
        changes=(Change("email", "contact", old, new),), client_id=client_id,
    )


class Tamper:
    """Raw SQL as an attacker with write access to the database would run it (guards disabled)."""

    def __init__(self, engine):
        self.engine = engine

    def run(self, sql: str, **params) -> None:
        with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.execute(text("DROP TRIGGER IF EXISTS ledger_entries_no_update"))
                conn.execute(text("DROP TRIGGER IF EXISTS ledger_entries_no_delete"))
            else:
                conn.execute(text("ALTER TABLE ledger_entries DISABLE TRIGGER USER"))
            conn.execute(text(sql), params)
            if conn.dialect.name != "sqlite":
                conn.execute(text("ALTER TABLE ledger_entries ENABLE TRIGGER USER"))


