"""Section 10, Integrity covers what is read: `bridge ledger verify` fails with `hash-mismatch` on an
edit of any stored column that a read, a query or an export uses, not only the hashed body. Every
column of `ledger_entries`, edited alone with the append-only triggers out of the way, on both
backends: the ones reads use fail verify, the ones no read uses change no answer."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from bridge.clock import rfc3339
from bridge.db.models import LedgerEntry
from bridge.ledger.chain import ZERO_HASH, seal_entry
from bridge.ledger.entries import SYSTEM, Actor, EntryDraft, EventType
from tests.support.ledger import email_change

CLIENT_ROW, SYSTEM_ROW = 3, 4  # the rows edited below: one of client 7, one of no client


@pytest.fixture
def filled(ledger, clock):
    for i in range(1, 6):
        if i == SYSTEM_ROW:
            ledger.append([EntryDraft(event_type=EventType.LEDGER_ANCHORED, occurred_at=clock.now(),
                                      subject=SYSTEM, actor=Actor("system", "bridge"), details={"seq": i})])
        else:
            ledger.append([email_change(7, f"old{i}@example.com", f"new{i}@example.com", clock.now())])
    result = ledger.verify()
    assert result.ok and result.entries == 5
    return ledger


def _stamp(dialect: str, text: str) -> str:
    """A recorded_at value as the column stores it: SQLite keeps text, PostgreSQL a timestamptz."""
    return text if dialect == "sqlite" else f"{text}+00"



def _set(assignment: str) -> str:
    return "UPDATE ledger_entries SET " + assignment + " WHERE seq = :seq"  # noqa: S608 - constants below


# column -> (seq, UPDATE, parameters): each an edit a reader would act on
EDITS = {
    "event_type": [(CLIENT_ROW, _set("event_type = 'client.closed'"), {}),
                   (SYSTEM_ROW, _set("event_type = 'policy.published'"), {})],
    "client_id": [(CLIENT_ROW, _set("client_id = 8"), {}), (CLIENT_ROW, _set("client_id = NULL"), {}),
                  (SYSTEM_ROW, _set("client_id = 7"), {})],
    "body": [(CLIENT_ROW, _set("body = :v"), {"v": b'{"forged":true}'})],
    "hash": [(CLIENT_ROW, _set("hash = :v"), {"v": "f" * 64})],
}
CASES = [(column, *edit) for column, edits in EDITS.items() for edit in edits]
# columns no read, query or export uses: every reader takes them from the hashed body
UNREAD = {
    "recorded_at": (_set("recorded_at = :v"), {"v": "2031-01-01 00:00:00.000000"}),
    "entry_id": (_set("entry_id = :v"), {"v": "00000000-0000-4000-8000-000000000000"}),
}


class TestEveryStoredColumnIsCovered:
    def test_every_column_of_the_table_is_either_edited_here_or_a_chain_column(self):
        """A column added later without verify comparing it fails here first."""
        chain_columns = {"seq", "prev_hash"}  # a changed one is seq-gap / prev-hash-mismatch (test_chain_integrity)
        assert {c.name for c in LedgerEntry.__table__.columns} == set(EDITS) | set(UNREAD) | chain_columns

    @pytest.mark.parametrize(("column", "seq", "update", "params"), CASES,
                             ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
    def test_an_edited_column_is_a_hash_mismatch_at_its_seq(self, filled, tamper, engine, column, seq,
                                                            update, params):
        tamper.run(update, seq=seq, **params)
        result = filled.verify()
        assert result.line() == f"FAIL seq={seq} hash-mismatch"
        assert result.entries == seq - 1


    @pytest.mark.parametrize("column", sorted(UNREAD))
    def test_a_column_no_read_uses_changes_no_answer(self, filled, tamper, engine, column):
        """An edit of entry_id or recorded_at alone shows nowhere: the page, the export's entries
        and the chain all come from the hashed body (so verify need not read those columns)."""
        before = filled.client_page(7, reveal=True).entries
        update, params = UNREAD[column]
        if column == "recorded_at":
            params = {"v": _stamp(engine.dialect.name, params["v"])}
        tamper.run(update, seq=CLIENT_ROW, **params)
        with engine.connect() as conn:  # the setup: the column did change
            stored = conn.execute(text(f"SELECT {column} FROM ledger_entries WHERE seq = :s"),  # noqa: S608
                                  {"s": CLIENT_ROW}).scalar()
        assert str(stored).startswith(("2031", "00000000"))
        assert filled.client_page(7, reveal=True).entries == before
        assert filled.verify().ok


class TestEditsThatLookHarmless:
    def test_an_event_type_spelled_into_the_next_key_is_an_edit(self, filled, tamper, engine):
        with engine.connect() as conn:
            event_type, entry_id = conn.execute(
                text("SELECT event_type, entry_id FROM ledger_entries WHERE seq = :s"), {"s": CLIENT_ROW}).one()
        tamper.run(_set("event_type = :e"), e=f'{event_type}","id":"{entry_id[:4]}', seq=CLIENT_ROW)
        assert filled.verify().line() == f"FAIL seq={CLIENT_ROW} hash-mismatch"

    def test_the_client_id_of_a_client_row_is_its_own_after_the_edit_is_undone(self, filled, tamper):
        tamper.run(_set("client_id = 8"), seq=CLIENT_ROW)
        assert not filled.verify().ok
        tamper.run(_set("client_id = 7"), seq=CLIENT_ROW)
        assert filled.verify().ok


class TestEntriesWrittenBeforeAccountId:
    """Bodies written before they carried `account_id` hold no client id: verify still compares
    their event_type, and every column reads use of the entries written since."""

    @pytest.fixture
    def older(self, ledger, clock, engine, tamper):
        for i in range(3):
            ledger.append([email_change(7, f"old{i}@example.com", f"new{i}@example.com", clock.now())])
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT seq, entry_id, body, event_type, client_id, recorded_at "
                                     "FROM ledger_entries ORDER BY seq")).all()
        tamper.run("DELETE FROM ledger_entries")
        prev = ZERO_HASH
        for seq, entry_id, body, event_type, client_id, recorded_at in rows:
            content = {k: v for k, v in json.loads(bytes(body)).items()
                       if k not in ("account_id", "seq", "prev_hash")}
            content["recorded_at"] = rfc3339(clock.now() - timedelta(milliseconds=3))
            sealed, digest = seal_entry(content, seq=seq, prev_hash=prev)
            tamper.run("INSERT INTO ledger_entries (seq, entry_id, prev_hash, hash, body, event_type, client_id, "
                       "recorded_at) VALUES (:s, :i, :p, :h, :b, :e, :c, :r)", s=seq, i=entry_id, p=prev, h=digest,
                       b=sealed, e=event_type, c=client_id, r=recorded_at)
            prev = digest
        tamper.run("UPDATE chain_head SET hash = :h WHERE id = 1", h=prev)
        ledger.append([email_change(7, "a@example.com", "b@example.com", clock.now())])
        assert ledger.verify().ok and ledger.head()[0] == 4
        return ledger

    def test_their_event_type_and_id_are_still_compared(self, older, tamper):
        tamper.run(_set("event_type = 'client.closed'"), seq=2)
        assert older.verify().line() == "FAIL seq=2 hash-mismatch"

    def test_the_entries_written_since_are_compared_on_every_column(self, older, tamper):
        tamper.run(_set("client_id = 8"), seq=4)
        assert older.verify().line() == "FAIL seq=4 hash-mismatch"
