from bridge.ledger.entries import Actor, Change, EntryDraft, EventType, Subject


def test_smoke(engine, clock):
    from bridge.db.ledger_store import SqlLedgerStore
    from bridge.ledger.keyring import Keyring, MasterKeyRef
    from bridge.ledger.service import Ledger
    store = SqlLedgerStore(engine=engine)
    ledger = Ledger(store=store, keyring=Keyring(store=store, masters=[MasterKeyRef("mk_a", b"k" * 32)], clock=clock), clock=clock)
    d = EntryDraft(EventType.CLIENT_UPDATED, clock.now(), Subject.of("client", 42), Actor("client", "42", ip="203.0.113.5"),
                   changes=(Change("email", "contact", "a@example.com", "b@example.com"),), client_id=42)
    r = ledger.append([d, d], webhook_id="msg_1")
    assert r.seqs == (1, 2)
    assert ledger.append([d], webhook_id="msg_1").duplicate
    page = ledger.client_page(42, reveal=True)
    assert page.entries[0]["changes"][0]["new"] == "b@example.com"
    assert ledger.client_page(42).entries[0]["changes"][0]["new"] == "[redacted]"
    assert ledger.verify().ok
    ledger.shred("client:42")
    assert ledger.client_page(42, reveal=True).entries[0]["changes"][0]["new"] == "[shredded]"
    assert ledger.verify().ok
