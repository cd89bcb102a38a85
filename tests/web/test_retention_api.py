"""The retention and hold endpoints: shapes exactly as the contract's, roles, and validation."""

from datetime import timedelta

from bridge.demo.hooks import envelope
from bridge.demo.world import running_world
from tests.support.fixtures import hook

CLIENT = 1042


def close(client, signer, client_id=CLIENT):
    body, headers = signer.request(hook("ClientClose", vars={"userid": client_id}))
    assert client.post("/v1/hooks/whmcs", data=body, headers=headers).status_code == 202


class TestHolds:
    def test_a_dpo_places_and_releases_a_hold(self, client, token_for):
        placed = client.post(f"/v1/clients/{CLIENT}/holds", headers=token_for("dpo"),
                             json={"reason": "legal_obligation", "reference": " Tax 2026 ", "note": "keep"})
        assert placed.status_code == 201
        body = placed.get_json()
        assert body["reference"] == "Tax 2026" and body["reason"] == "legal_obligation" and body["auto"] is False
        assert body["client_id"] == CLIENT and body["released_at"] is None and body["hold_id"]
        gone = client.delete(f"/v1/holds/{body['hold_id']}", headers=token_for("dpo"))
        assert gone.status_code == 204 and gone.data == b""
        again = client.delete(f"/v1/holds/{body['hold_id']}", headers=token_for("dpo"))
        assert again.status_code == 409
        assert client.delete("/v1/holds/not-a-hold", headers=token_for("dpo")).status_code == 404

    def test_input_is_checked(self, client, token_for):
        url = f"/v1/clients/{CLIENT}/holds"
        unknown = client.post(url, headers=token_for("dpo"), json={"reason": "whim", "reference": "r"})
        assert unknown.status_code == 422 and unknown.get_json()["type"] == "/problems/unprocessable"
        missing = client.post(url, headers=token_for("dpo"), json={"reason": "legal_process"})
        assert missing.status_code == 400 and "reference" in missing.get_json()["errors"]
        extra = client.post(url, headers=token_for("dpo"), json={"reason": "legal_process", "reference": "r", "x": 1})
        assert extra.status_code == 400

    def test_agents_may_not_place_holds(self, client, token_for):
        denied = client.post(f"/v1/clients/{CLIENT}/holds", headers=token_for("agent"),
                             json={"reason": "legal_process", "reference": "r"})
        assert denied.status_code == 403


class TestPlan:
    def test_the_plan_shape_and_the_reference_per_role(self, client, signer, token_for, clock):
        close(client, signer)
        client.post(f"/v1/clients/{CLIENT + 1}/holds", headers=token_for("dpo"),
                    json={"reason": "legal_process", "reference": "Case 9"})
        as_of = (clock.now() + timedelta(days=400)).date().isoformat()
        plan = client.get(f"/v1/retention/plan?as_of={as_of}", headers=token_for("auditor")).get_json()
        assert set(plan) == {"as_of", "due", "held", "reactivated", "scheduled"} and plan["as_of"] == as_of
        assert [set(d) for d in plan["due"]] == [{"client_id", "closed_at", "purge_due_at"}]
        assert plan["held"][0]["reference"] == "[redacted]"
        assert set(plan["held"][0]) == {"client_id", "hold_id", "reason", "reference"}
        dpo = client.get(f"/v1/retention/plan?as_of={as_of}", headers=token_for("dpo")).get_json()
        assert dpo["held"][0]["reference"] == "Case 9"
        today = client.get("/v1/retention/plan", headers=token_for("auditor")).get_json()
        assert today["due"] == today["scheduled"] == []  # closed later that day than its start
        tomorrow = (clock.now() + timedelta(days=1)).date().isoformat()
        later = client.get(f"/v1/retention/plan?as_of={tomorrow}", headers=token_for("auditor")).get_json()
        assert later["due"] == [] and later["scheduled"][0]["client_id"] == CLIENT

    def test_the_plan_in_pages_by_client_id(self, client, signer, token_for, clock):
        for client_id in (CLIENT, CLIENT + 1, CLIENT + 2):
            close(client, signer, client_id)
        client.post(f"/v1/clients/{CLIENT + 2}/holds", headers=token_for("dpo"),
                    json={"reason": "legal_process", "reference": "Case 9"})
        client.post(f"/v1/clients/{CLIENT + 7}/holds", headers=token_for("dpo"),
                    json={"reason": "legal_process", "reference": "Case 10"})
        as_of = (clock.now() + timedelta(days=400)).date().isoformat()
        url = f"/v1/retention/plan?as_of={as_of}&limit=2"
        first = client.get(url, headers=token_for("auditor")).get_json()
        assert [d["client_id"] for d in first["due"]] == [CLIENT, CLIENT + 1] and first["held"] == []
        assert first["next_after"] == CLIENT + 1
        last = client.get(f"{url}&after={first['next_after']}", headers=token_for("auditor")).get_json()
        assert last["due"] == [] and last["next_after"] is None
        assert [h["client_id"] for h in last["held"]] == [CLIENT + 2, CLIENT + 7]
        whole = client.get(f"/v1/retention/plan?as_of={as_of}", headers=token_for("auditor")).get_json()
        assert "next_after" not in whole and len(whole["due"]) == 2 and len(whole["held"]) == 2
        zero = client.get(f"/v1/retention/plan?as_of={as_of}&limit=0", headers=token_for("auditor"))
        assert zero.status_code == 400

    def test_a_bad_date_is_a_validation_problem(self, client, token_for):
        bad = client.get("/v1/retention/plan?as_of=2026-02-30", headers=token_for("auditor"))
        assert bad.status_code == 400 and "as_of" in bad.get_json()["errors"]


class TestRun:
    def test_a_future_as_of_needs_dry_run(self, client, token_for, clock, signer):
        close(client, signer)
        future = (clock.now() + timedelta(days=400)).date().isoformat()
        refused = client.post("/v1/retention/run", headers=token_for("dpo"), json={"as_of": future})
        assert refused.status_code == 422
        dry = client.post("/v1/retention/run", headers=token_for("dpo"), json={"as_of": future, "dry_run": True})
        assert dry.status_code == 200
        assert dry.get_json() == {"as_of": future, "dry_run": True,
                                  "purged": [{"client_id": CLIENT, "strategy": "anonymize"}], "held": [],
                                  "errors": [], "remaining": 0}

    def test_a_real_run_needs_whmcs_and_a_sane_limit(self, client, token_for):
        assert client.post("/v1/retention/run", headers=token_for("dpo")).status_code == 503
        assert client.post("/v1/retention/run", headers=token_for("dpo"), json={"limit": 0}).status_code == 400
        assert client.post("/v1/retention/run", headers=token_for("agent"), json={}).status_code == 403

    def test_a_run_against_whmcs_purges_up_to_the_limit(self, db_url, clock):
        with running_world(db_url, clock) as world:
            dpo = world.services.tokens.create(name="run-dpo", role="dpo")
            with world.emulator.locked() as store:
                closed = [c.id for c in store.clients.values() if c.fields["firstname"] in ("Alan", "Grace")]
                for client_id in closed:
                    store.client(client_id).status = "Closed"
            for client_id in closed:
                world.post("/v1/hooks/whmcs", envelope("ClientClose", {"userid": client_id},
                                                       actor={"type": "admin", "id": 1}, at=clock.now()))
            clock.advance(timedelta(days=366))
            first = world.staff("POST", "/v1/retention/run", dpo, json={"limit": 1})
            assert first.status_code == 200
            body = first.get_json()
            assert len(body["purged"]) == 1 and body["remaining"] == 1 and body["dry_run"] is False
            second = world.staff("POST", "/v1/retention/run", dpo, json={}).get_json()
            assert len(second["purged"]) == 1 and second["remaining"] == 0
