from click.testing import CliRunner

from bridge.cli import main
from bridge.clock import rfc3339


def test_notices_go_once_to_each_open_customer_and_resume_after_failures(world, tokens, clock, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    world.staff("POST", "/v1/policies", tokens["dpo"],
                json={"version": "2026-12", "published_at": rfc3339(clock.now()), "document_sha256": "b" * 64})
    settings = world.services.settings
    env = {"BRIDGE_DATABASE_URL": settings.database_url, "BRIDGE_WEBHOOK_SECRET": "whsec_" + "A" * 24,
           "BRIDGE_MASTER_KEY": __import__("base64").b64encode(settings.master_key[0].key).decode(),
           "BRIDGE_WHMCS_API_URL": settings.whmcs_api_url, "BRIDGE_WHMCS_IDENTIFIER": settings.whmcs_identifier,
           "BRIDGE_WHMCS_SECRET": settings.whmcs_secret}
    with world.emulator.locked() as store:
        open_clients = sorted(c.id for c in store.clients.values() if c.status != "Closed")
    world.emulator.fail("SendEmail", "error", message="Email Template is disabled", times=1)
    first = CliRunner().invoke(main, ["policy", "notify", "2026-12"], env=env)
    assert first.exit_code == 1 and "errors 1" in first.output
    second = CliRunner().invoke(main, ["policy", "notify", "2026-12"], env=env)
    assert second.exit_code == 0 and "notified 1," in second.output
    sent = [int(c.params["id"]) for c in world.emulator.calls_to("SendEmail") if c.outcome == "success"]
    assert sorted(sent) == open_clients
    unknown = CliRunner().invoke(main, ["policy", "notify", "nope"], env=env)
    assert unknown.exit_code == 1 and "no such policy" in unknown.output
