"""Tamper evidence on both backends: every edit, deletion, insertion, reordering and truncation is
caught and the first bad seq is named."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bridge.ledger.chain import ZERO_HASH
from tests.support.ledger import email_change


@pytest.fixture
def filled(ledger, clock):
    for i in range(1, 11):
        ledger.append([email_change(7, f"old{i}@example.com", f"new{i}@example.com", clock.now())])
    return ledger


class TestChainIntegrity:
    def test_an_empty_ledger_verifies_with_the_zero_head(self, ledger):
        result = ledger.verify()
        assert (result.ok, result.entries, result.head_hash) == (True, 0, ZERO_HASH)
        assert ledger.head() == (0, ZERO_HASH)

    def test_an_untouched_ledger_verifies(self, filled):
        result = filled.verify()
        assert result.ok and result.entries == 10
        assert (result.head_seq, result.head_hash) == filled.head()

    def test_the_database_refuses_updates_and_deletes_of_entries(self, filled, engine):
        for statement in ("UPDATE ledger_entries SET event_type = 'x' WHERE seq = 3",
                          "DELETE FROM ledger_entries WHERE seq = 3"):
            with pytest.raises(DBAPIError), engine.begin() as conn:
                conn.execute(text(statement))
        assert filled.verify().ok

    def test_an_edited_body_is_a_hash_mismatch_at_its_seq(self, filled, tamper):
        tamper.run("UPDATE ledger_entries SET body = :b WHERE seq = 4", b=b'{"forged":true}')
        result = filled.verify()
        assert (result.ok, result.first_bad_seq, result.reason) == (False, 4, "hash-mismatch")
        assert result.line() == "FAIL seq=4 hash-mismatch"

    def test_a_deleted_row_is_a_seq_gap(self, filled, tamper):
        tamper.run("DELETE FROM ledger_entries WHERE seq = 6")
        result = filled.verify()
        assert (result.first_bad_seq, result.reason) == (6, "seq-gap")

    def test_a_deleted_row_with_renumbering_is_a_prev_hash_mismatch(self, filled, tamper):
        tamper.run("DELETE FROM ledger_entries WHERE seq = 6")
        for seq in range(7, 11):
            tamper.run("UPDATE ledger_entries SET seq = :n WHERE seq = :o", n=seq - 1, o=seq)
        result = filled.verify()
        assert (result.first_bad_seq, result.reason) == (6, "prev-hash-mismatch")

    def test_an_inserted_row_is_caught(self, filled, tamper):
        for seq in range(10, 4, -1):
            tamper.run("UPDATE ledger_entries SET seq = :n WHERE seq = :o", n=seq + 1, o=seq)
        tamper.run(
            "INSERT INTO ledger_entries (seq, entry_id, prev_hash, hash, body, event_type, client_id, recorded_at) "
            "SELECT 5, 'forged-entry', prev_hash, hash, body, event_type, client_id, recorded_at "
            "FROM ledger_entries WHERE seq = 4"
        )
        result = filled.verify()
        assert (result.ok, result.first_bad_seq) == (False, 5)
        assert result.reason == "prev-hash-mismatch"

    def test_reordered_rows_are_caught_at_the_first_swapped_seq(self, filled, tamper):
        tamper.run("UPDATE ledger_entries SET seq = 1000 WHERE seq = 3")
        tamper.run("UPDATE ledger_entries SET seq = 3 WHERE seq = 4")
        tamper.run("UPDATE ledger_entries SET seq = 4 WHERE seq = 1000")
        result = filled.verify()
        assert (result.first_bad_seq, result.reason) == (3, "prev-hash-mismatch")

    def test_truncation_after_an_anchor_is_caught(self, filled, tamper):
        filled.anchor()  # head is seq 10
        tamper.run("DELETE FROM ledger_entries WHERE seq > 8")
        result = filled.verify()
        assert (result.first_bad_seq, result.reason) == (9, "truncated")

    def test_a_rewritten_history_disagrees_with_the_anchor(self, filled, engine, tamper):
        seq, digest = filled.head()
        filled.anchor()
        tamper.run("UPDATE ledger_entries SET hash = :h WHERE seq = 10", h="f" * 64)
        result = filled.verify()
        assert (result.first_bad_seq, result.reason) == (10, "hash-mismatch")
        forged_ok = filled.verify(against={seq: "e" * 64}, use_anchors=False)
        assert forged_ok.reason is not None  # body no longer matches either

    def test_against_a_head_recorded_elsewhere(self, filled):
        seq, digest = filled.head()
        assert filled.verify(against={seq: digest}).ok
        result = filled.verify(against={seq: "0" * 64})
        assert (result.first_bad_seq, result.reason) == (seq, "anchor-mismatch")
        result = filled.verify(against={seq + 5: digest})
        assert (result.first_bad_seq, result.reason) == (seq + 1, "truncated")
