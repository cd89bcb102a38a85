from tests.support.whmcs import seeded_active_client


def test_an_opt_out_by_phone_is_recorded_applied_in_whmcs_and_suppresses_marketing(world, tokens):
    ada = seeded_active_client(world)
    response = world.staff("POST", f"/v1/clients/{ada}/consent", tokens["agent"],
                           json={"marketing": False, "channel": "phone", "note": "called to unsubscribe"})
    assert response.status_code == 201
    assert world.emulator.calls_to("UpdateClient") == []  # applied by the worker, not in the request
    world.worker.drain()
    with world.emulator.locked() as store:
        assert store.client(ada).flags["marketing_emails_opt_in"] is False
    update = world.emulator.calls_to("UpdateClient")[0]
    assert update.change_id and world.forwarded and world.forwarded[-1]["actor"]["change_id"] == update.change_id
    world.worker.drain()
    assert len(world.emulator.calls_to("UpdateClient")) == 1  # the echoed ClientEdit is the bridge's own
    entries = world.services.ledger.client_page(ada, limit=100, reveal=True).entries
    consent = [e for e in entries if e["event_type"] == "consent.changed"]
    assert consent[0]["details"]["channel"] == "phone" and consent[0]["changes"][0]["new"] is False


def test_consent_input_is_strict(world, tokens):
    bad = world.staff("POST", "/v1/clients/1/consent", tokens["agent"], json={"marketing": "nope", "channel": "fax"})
    assert bad.status_code == 400 and set(bad.get_json()["errors"]) == {"marketing", "channel"}

