"""Bulk reads of known state (as sync does per chunk) give what one read per subject gives."""

from sqlalchemy import text


def put(services, client_id, subject, values):
    services.states.record(client_id, subject, values, seq=0)


def test_states_of_many_clients_match_one_read_each(services):
    for client_id in range(1, 6):
        put(services, client_id, f"client:{client_id}", {"email": f"c{client_id}@example.com", "city": "Oslo"})
        put(services, client_id, f"contact:{client_id * 10}", {"email": f"k{client_id}@example.com"})
    services.ledger.shred("client:3")  # its state no longer opens
    bulk = services.states.get_for_clients([1, 2, 3, 4, 99])
    expected = {}
    for client_id in (1, 2, 3, 4):
        for subject in (f"client:{client_id}", f"contact:{client_id * 10}"):
            one = services.states.get(subject)
            if one:
                expected[subject] = one
    assert bulk == expected
    assert "client:3" not in bulk and bulk["client:2"] == {"email": "c2@example.com", "city": "Oslo"}
    assert "client:5" not in bulk  # not asked for
    with services.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM known_state")).scalar_one() >= 10
