"""`bridge retention plan|run`: the contract's shapes as JSON or a table, and its exit codes."""

import json
from datetime import UTC, datetime, timedelta

from bridge.clock import SystemClock
from bridge.retention.planner import CLOSED, StatusEvent
from bridge.whmcs.emulator.seed import DEMO_IDENTIFIER, DEMO_SECRET, seed_demo
from bridge.whmcs.emulator.server import api_url, running_emulator
from bridge.whmcs.emulator.state import LOOPBACK, EmulatorState
from tests.support.web import make_services

LONG_AGO = timedelta(days=400)


def closed_long_ago(base_env, *client_ids):
    services = make_services(base_env, SystemClock())
    try:
        for client_id in client_ids:
            services.retention.record_status(client_id, StatusEvent(CLOSED, datetime.now(UTC) - LONG_AGO))
    finally:
        services.dispose()


def test_plan_as_json_and_as_a_table(run, base_env):
    closed_long_ago(base_env, 7)
    plan = run("retention", "plan", "--json")
    assert plan.exit_code == 0
    body = json.loads(plan.output)
    assert set(body) == {"as_of", "due", "held", "reactivated", "scheduled"} and body["due"][0]["client_id"] == 7
    table = run("retention", "plan", "--as-of", "2000-01-01")
    assert table.exit_code == 0 and "due (0)" in table.output and "scheduled (0)" in table.output


def test_usage_errors_exit_2(run):
    future = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    refused = run("retention", "run", "--as-of", future)
    assert refused.exit_code == 2 and "--dry-run" in refused.output
    assert run("retention", "run").exit_code == 2  # no WHMCS configured
    assert run("retention", "plan", "--as-of", "yesterday").exit_code == 2
    dry = run("retention", "run", "--as-of", future, "--dry-run", "--json")
    assert dry.exit_code == 0 and json.loads(dry.output)["dry_run"] is True


def test_a_run_against_whmcs_prints_a_table_and_exits_1_on_errors(run, base_env):
    state = EmulatorState(allowed_ips=LOOPBACK)
    ids = seed_demo(state)
    closed_long_ago(base_env, ids["closed_paid"], ids["closed_collections"])
    with running_emulator(state) as base:
        env = {"BRIDGE_WHMCS_API_URL": api_url(base), "BRIDGE_WHMCS_IDENTIFIER": DEMO_IDENTIFIER,
               "BRIDGE_WHMCS_SECRET": DEMO_SECRET}
        result = run("retention", "run", env=env)
        assert result.exit_code == 0, result.output
        assert "purged (1)" in result.output and "accounting_irregularity" in result.output
        assert "Alan" not in result.output and "alan@example.org" not in result.output
        state.fail("GetClientsDetails", "error", message="An unexpected error occurred: db", times=None)
        with state.locked() as store:
            for invoice in store.rows_of(store.invoices, ids["closed_collections"]):
                invoice.status = "Paid"
        failed = run("retention", "run", "--json", env=env)
        assert failed.exit_code == 1
        assert json.loads(failed.output)["errors"][0]["client_id"] == ids["closed_collections"]
