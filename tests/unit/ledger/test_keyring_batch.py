"""Bulk writers load and create many subjects' data keys in one go, with the same outcome as one
by one: existing keys kept, missing ones created once, shredded subjects born shredded."""

from sqlalchemy import text

from bridge.ledger.keyring import Keyring
from tests.support.ledger import email_change, make_ledger, master


def count_keys(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM data_keys")).scalar_one()


def test_missing_keys_are_created_at_once_and_existing_ones_kept(ledger, engine, clock):
    ledger.append([email_change(1, "a@example.com", "b@example.com", clock.now())])  # client:1 has a key
    before = ledger.store.key_for("client:1")
    ledger.keyring.prepare_for_writing([f"client:{n}" for n in range(1, 301)])
    assert count_keys(engine) == 300
    assert ledger.store.key_for("client:1").kid == before.kid
    # the write path now finds them: no key is created twice and every value reads back
    for n in (1, 150, 300):
        ledger.append([email_change(n, "a@example.com", f"new{n}@example.com", clock.now())])
    assert count_keys(engine) == 300
    entries = ledger.client_page(150, reveal=True).entries
    assert entries[-1]["changes"][0]["new"] == "new150@example.com"


def test_a_key_another_writer_created_first_wins(engine, clock):
    first, second = make_ledger(engine, clock), make_ledger(engine, clock)
    second.keyring.prepare_for_writing(["client:7"])  # before the first writer looks
    first.keyring.prepare_for_writing(["client:7", "client:8"])
    assert first.keyring.for_writing("client:7").kid == second.keyring.for_writing("client:7").kid
    assert count_keys(engine) == 2


def test_a_shredded_subject_gets_a_throwaway_key(ledger, engine, clock):
    ledger.append([email_change(9, "a@example.com", "b@example.com", clock.now())])
    ledger.shred("client:9")
    fresh = Keyring(store=ledger.store, masters=[master(bytes(range(32)))], clock=clock)
    fresh.prepare_for_writing(["client:9"])
    ledger.keyring = fresh
    ledger.append([email_change(9, "b@example.com", "c@example.com", clock.now())])
    assert all(e["changes"][0]["new"] == "[shredded]" for e in ledger.client_page(9, reveal=True).entries)


def test_creating_a_key_that_exists_keeps_the_stored_one(ledger, clock):
    from bridge.crypto import new_data_key, wrap_key

    ledger.keyring.prepare_for_writing(["client:5"])
    stored = ledger.store.key_for("client:5")
    master_ref = ledger.keyring._first_master()
    late = wrap_key(new_data_key(), kid="dk_late", subject="client:5", master_kid=master_ref.kid, master=master_ref.key)
    result = ledger.store.create_keys([late], at=clock.now())
    assert result["client:5"].kid == stored.kid != "dk_late"
