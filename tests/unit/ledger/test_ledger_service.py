"""The ledger's promises: personal values encrypted per subject, redacted by role, shredded for
everyone after a purge while the chain still verifies; keys rotate; webhook ids dedupe."""

import json

import pytest
from sqlalchemy import text

from bridge.crypto import KeyUnavailable
from bridge.ledger.entries import SYSTEM, Actor, EntryDraft, EventType
from bridge.ledger.service import REDACTED, SHREDDED
from tests.support.ledger import KEY_A, KEY_B, email_change, make_ledger


def _bodies(engine) -> list[bytes]:
    with engine.connect() as conn:
        return [bytes(r[0]) for r in conn.execute(text("SELECT body FROM ledger_entries ORDER BY seq"))]


class TestLedgerService:
    def test_personal_values_are_stored_only_encrypted(self, ledger, engine, clock):
        ledger.append([email_change(42, "old@example.com", "new@example.com", clock.now())])
        stored = b"".join(_bodies(engine))
        for plain in (b"old@example.com", b"new@example.com", b"203.0.113.5"):
            assert plain not in stored
        body = json.loads(_bodies(engine)[0])
        assert set(body["changes"][0]["new"]) == {"ct", "kid"}
        assert body["changes"][0]["field"] == "email"  # metadata stays visible

    def test_values_are_revealed_only_to_those_allowed(self, ledger, clock):
        ledger.append([email_change(42, "old@example.com", "new@example.com", clock.now())])
        shown = ledger.client_page(42, reveal=True).entries[0]
        hidden = ledger.client_page(42, reveal=False).entries[0]
        assert (shown["changes"][0]["old"], shown["changes"][0]["new"]) == ("old@example.com", "new@example.com")
        assert shown["actor"]["ip"] == "203.0.113.5"
        assert (hidden["changes"][0]["new"], hidden["actor"]["ip"]) == (REDACTED, REDACTED)
        assert hidden["changes"][0]["category"] == "contact"

    def test_a_page_has_the_contract_shape(self, ledger, clock):
        ledger.append([email_change(42, "a@example.com", "b@example.com", clock.now())])
        entry = ledger.client_page(42).entries[0]
        assert set(entry) == {"seq", "id", "occurred_at", "recorded_at", "event_type", "subject", "actor",
                              "policy_version", "changes", "details", "prev_hash", "hash"}
        assert set(entry["actor"]) == {"type", "id", "user_id", "ip", "masquerading"}
        assert entry["occurred_at"].endswith("Z") and "." in entry["occurred_at"]

    def test_shredding_hides_values_from_everyone_and_the_chain_still_verifies(self, ledger, clock):
        ledger.append([email_change(42, "a@example.com", "b@example.com", clock.now())])
        ledger.append([email_change(43, "c@example.com", "d@example.com", clock.now())])
        assert ledger.shred("client:42")
        purged = ledger.client_page(42, reveal=True).entries[0]
        assert (purged["changes"][0]["new"], purged["actor"]["ip"]) == (SHREDDED, SHREDDED)
        assert ledger.client_page(43, reveal=True).entries[0]["changes"][0]["new"] == "d@example.com"
        assert ledger.verify().ok

    def test_values_written_after_a_shred_are_born_shredded(self, ledger, clock):
        ledger.shred("client:42")
        ledger.append([email_change(42, "a@example.com", "b@example.com", clock.now())])
        assert ledger.client_page(42, reveal=True).entries[0]["changes"][0]["new"] == SHREDDED

    def test_rotation_rewraps_every_key_and_old_keys_can_then_retire(self, engine, clock):
        old = make_ledger(engine, clock, KEY_A)
        old.append([email_change(42, "a@example.com", "b@example.com", clock.now())])
        both = make_ledger(engine, clock, KEY_B, KEY_A)
        assert both.client_page(42, reveal=True).entries[0]["changes"][0]["new"] == "b@example.com"
        assert both.keyring.rotate().rewrapped == 1
        assert both.keyring.rotate().rewrapped == 0  # idempotent
        new_only = make_ledger(engine, clock, KEY_B)
        assert new_only.client_page(42, reveal=True).entries[0]["changes"][0]["new"] == "b@example.com"
        assert new_only.verify().ok

    def test_without_the_wrapping_master_key_values_read_as_unavailable(self, engine, clock):
        make_ledger(engine, clock, KEY_A).append([email_change(42, "a@example.com", "b@example.com", clock.now())])
        stranger = make_ledger(engine, clock, KEY_B)
        assert stranger.client_page(42, reveal=True).entries[0]["changes"][0]["new"] == SHREDDED

    def test_a_wrapped_key_moved_to_another_subject_does_not_unwrap(self, ledger, engine, clock):
        ledger.append([email_change(42, "a@example.com", "b@example.com", clock.now())])
        ledger.append([email_change(43, "c@example.com", "d@example.com", clock.now())])
        with engine.begin() as conn:
            wrapped = conn.execute(text("SELECT wrapped FROM data_keys WHERE subject = 'client:42'")).scalar_one()
            conn.execute(text("UPDATE data_keys SET wrapped = :w WHERE subject = 'client:43'"), {"w": wrapped})
        assert ledger.client_page(43, reveal=True).entries[0]["changes"][0]["new"] == SHREDDED
        with pytest.raises(KeyUnavailable):
            make_ledger(engine, clock).keyring.for_writing("client:43")  # a fresh process

    def test_a_webhook_id_is_written_once(self, ledger, clock):
        draft = email_change(42, "a@example.com", "b@example.com", clock.now())
        assert ledger.append([draft], webhook_id="msg_1").seqs == (1,)
        assert ledger.append([draft], webhook_id="msg_1").duplicate
        assert ledger.store.remember_webhook("msg_1", at=clock.now()) is False
        assert ledger.head()[0] == 1

    def test_entries_without_personal_values_need_no_data_key(self, engine, clock):
        keyless = make_ledger(engine, clock)
        keyless.keyring._masters = []  # a command run without BRIDGE_MASTER_KEY
        draft = EntryDraft(EventType.LEDGER_ANCHORED, clock.now(), SYSTEM, Actor("system", "bridge"),
                           details={"seq": 0})
        assert keyless.append([draft]).seqs == (1,)

    def test_floats_are_refused_because_they_have_no_canonical_form(self, ledger, clock):
        draft = EntryDraft(EventType.LEDGER_ANCHORED, clock.now(), SYSTEM, Actor("system"), details={"x": 1.5})
        with pytest.raises(ValueError, match="float"):
            ledger.append([draft])
        assert ledger.head()[0] == 0

    def test_paging_follows_next_after(self, ledger, clock):
        for i in range(5):
            ledger.append([email_change(42, f"{i}@example.com", f"{i + 1}@example.com", clock.now())])
            ledger.append([email_change(99, "x@example.com", "y@example.com", clock.now())])
        first = ledger.client_page(42, limit=2)
        assert [e["seq"] for e in first.entries] == [1, 3] and first.next_after == 3
        second = ledger.client_page(42, after=first.next_after, limit=3)
        assert [e["seq"] for e in second.entries] == [5, 7, 9] and second.next_after is None
