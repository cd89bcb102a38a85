"""Anchors written to WHMCS's activity log catch a ledger cut short together with its anchors table."""

from click.testing import CliRunner

from bridge.cli import main
from bridge.whmcs.emulator.seed import DEMO_IDENTIFIER, DEMO_SECRET
from bridge.whmcs.emulator.server import api_url, running_emulator
from bridge.whmcs.emulator.state import LOOPBACK, EmulatorState
from tests.support.ledger import Tamper, email_change, make_ledger


def test_anchor_then_verify_against_whmcs(base_env, engine, clock, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    state = EmulatorState(allowed_ips=LOOPBACK)
    state.add_credential(DEMO_IDENTIFIER, DEMO_SECRET)
    ledger = make_ledger(engine, clock)
    for i in range(5):
        ledger.append([email_change(3, f"{i}@example.com", "z@example.com", clock.now())])
    with running_emulator(state) as base:
        env = {**base_env, "BRIDGE_WHMCS_API_URL": api_url(base), "BRIDGE_WHMCS_IDENTIFIER": DEMO_IDENTIFIER,
               "BRIDGE_WHMCS_SECRET": DEMO_SECRET}
        run = lambda *args: CliRunner().invoke(main, list(args), env=env)  # noqa: E731
        anchored = run("ledger", "anchor")
        assert anchored.exit_code == 0 and "WHMCS activity log" in anchored.output
        logged = state.calls_to("LogActivity")
        assert len(logged) == 1 and logged[0].change_id
        assert run("ledger", "verify", "--whmcs").exit_code == 0
        # an attacker with the database alone removes the tail and the local anchor
        Tamper(engine).run("DELETE FROM ledger_entries WHERE seq >= 5")
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM ledger_anchors")
        assert run("ledger", "verify").exit_code == 0  # the database alone cannot tell
        caught = run("ledger", "verify", "--whmcs")
        assert caught.exit_code == 1 and caught.output.splitlines()[0] == "FAIL seq=5 truncated"


def test_verify_whmcs_without_whmcs_settings_is_a_configuration_error(base_env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["ledger", "verify", "--whmcs"], env=base_env)
    assert result.exit_code == 2 and "BRIDGE_WHMCS_API_URL" in result.output
