"""Section 10, What is erased stays erased: a shred deletes the wrapped data key, but old database
pages, WAL, replicas and backups keep the wrapped copy until the master key that wrapped it is
retired. The bridge remembers, at shred time, which master key id wrapped each shredded key (ids
only), and a rotation reports, per key it retires, how many shredded subjects it still covered,
each subject once."""

from sqlalchemy import text

from tests.support.ledger import KEY_A, KEY_B, email_change, make_ledger, master

KID_A, KID_B = master(KEY_A).kid, master(KEY_B).kid


def _fill(ledger, clock, clients):
    for client_id in clients:
        ledger.append([email_change(client_id, "a@example.com", "b@example.com", clock.now())])


def _exposures(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT kid, master_kid, reported_at IS NOT NULL FROM shred_exposures "
                                 "ORDER BY kid")).all()


class TestShredExposure:
    def test_a_shred_remembers_the_wrapping_master_key_id_and_no_key_material(self, engine, clock):
        ledger = make_ledger(engine, clock, KEY_A)
        _fill(ledger, clock, (1, 2))
        with engine.connect() as conn:
            kid = conn.execute(text("SELECT kid FROM data_keys WHERE subject = 'client:1'")).scalar_one()
        assert ledger.shred("client:1")
        assert _exposures(engine) == [(kid, KID_A, False)]
        assert not ledger.shred("client:1")  # already shredded: nothing more to remember
        assert not ledger.shred("client:99")  # never had a key: a tombstone, nothing wrapped
        assert _exposures(engine) == [(kid, KID_A, False)]

    def test_rotation_reports_each_retired_key_once(self, engine, clock):
        old = make_ledger(engine, clock, KEY_A)
        _fill(old, clock, (1, 2, 3, 4))
        for client_id in (1, 2, 3):
            assert old.shred(f"client:{client_id}")
        rotation = make_ledger(engine, clock, KEY_B, KEY_A).keyring.rotate()
        assert (rotation.master_kid, rotation.rewrapped, rotation.retired, rotation.still_covered) == (
            KID_B, 1, {KID_A: 3}, 0)
        assert make_ledger(engine, clock, KEY_B, KEY_A).keyring.rotate().retired == {KID_A: 0}

    def test_a_shred_under_the_current_key_waits_for_the_rotation_that_retires_it(self, engine, clock):
        ledger = make_ledger(engine, clock, KEY_A)
        _fill(ledger, clock, (1, 2))
        assert ledger.shred("client:1")
        alone = ledger.keyring.rotate()
        assert (alone.rewrapped, alone.retired, alone.still_covered) == (0, {}, 1)
        later = make_ledger(engine, clock, KEY_B, KEY_A).keyring.rotate()
        assert (later.rewrapped, later.retired, later.still_covered) == (1, {KID_A: 1}, 0)

    def test_a_key_shredded_after_its_move_counts_for_the_new_key(self, engine, clock):
        _fill(make_ledger(engine, clock, KEY_A), clock, (1,))
        both = make_ledger(engine, clock, KEY_B, KEY_A)
        assert both.keyring.rotate().retired == {KID_A: 0}
        assert both.shred("client:1")
        assert [row[1] for row in _exposures(engine)] == [KID_B]
