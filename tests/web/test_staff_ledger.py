"""Staff API basics: bearer tokens and roles, problem documents, ledger paging and verify."""

import pytest

from tests.support.fixtures import hook

HOOK = "/v1/hooks/whmcs"


@pytest.fixture
def recorded(client, signer):
    for _ in range(3):
        body, headers = signer.request(hook("ClientEdit"))
        assert client.post(HOOK, data=body, headers=headers).status_code == 202
    return hook("ClientEdit")["vars"]["userid"]


class TestAuth:
    @pytest.mark.parametrize("path", ["/v1/clients/1/ledger", "/v1/ledger/verify"])
    def test_no_or_bad_token_is_401_with_a_problem(self, client, path):
        bad = ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "})
        for headers in bad:
            response = client.get(path, headers=headers)
            assert response.status_code == 401
            assert response.mimetype == "application/problem+json"
            assert response.headers["WWW-Authenticate"] == "Bearer"

    def test_a_revoked_token_is_401(self, client, services):
        token = services.tokens.create(name="gone", role="dpo")
        services.tokens.revoke("gone")
        assert client.get("/v1/ledger/verify", headers={"Authorization": f"Bearer {token}"}).status_code == 401

    def test_every_role_at_or_above_auditor_reads_the_ledger(self, client, token_for):
        for role in ("auditor", "agent", "dpo"):
            assert client.get("/v1/ledger/verify", headers=token_for(role)).status_code == 200


class TestLedgerPage:
    def test_values_are_redacted_below_dpo_and_metadata_stays(self, client, token_for, recorded):
        for role in ("auditor", "agent"):
            entries = client.get(f"/v1/clients/{recorded}/ledger", headers=token_for(role)).get_json()["entries"]
            change = next(c for e in entries for c in e["changes"] if c["field"] == "email")
            assert (change["old"], change["new"], change["category"]) == ("[redacted]", "[redacted]", "contact")
            assert entries[0]["actor"]["ip"] == "[redacted]"

    def test_paging_with_after_and_limit(self, client, token_for, recorded):
        first = client.get(f"/v1/clients/{recorded}/ledger?limit=1", headers=token_for("auditor")).get_json()
        assert len(first["entries"]) == 1 and first["next_after"] == first["entries"][0]["seq"]
        rest = client.get(f"/v1/clients/{recorded}/ledger?after={first['next_after']}&limit=1000",
                          headers=token_for("auditor")).get_json()
        assert rest["next_after"] is None
        assert all(e["seq"] > first["next_after"] for e in rest["entries"])

    @pytest.mark.parametrize(
        "query", ["limit=0", "limit=1001", "after=-1", "limit=abc", "after=99999999999999999999999"])
    def test_bad_paging_is_a_400_with_field_errors(self, client, token_for, query):
        response = client.get(f"/v1/clients/1/ledger?{query}", headers=token_for("auditor"))
        assert response.status_code == 400 and response.get_json()["errors"]

    def test_an_unknown_client_has_an_empty_page_and_absurd_ids_are_404(self, client, token_for):
        empty = client.get("/v1/clients/999/ledger", headers=token_for("auditor")).get_json()
        assert empty == {"entries": [], "next_after": None}
        huge = client.get(f"/v1/clients/{2**70}/ledger", headers=token_for("auditor"))
        assert huge.status_code == 404


class TestVerifyEndpoint:
    def test_reports_ok_and_the_head(self, client, token_for, recorded, services):
        body = client.get("/v1/ledger/verify", headers=token_for("auditor")).get_json()
        seq, digest = services.ledger.head()
        assert body == {"ok": True, "entries": seq, "head": {"seq": seq, "hash": digest}}

    def test_reports_the_first_bad_seq(self, client, token_for, recorded, engine):
        from tests.support.ledger import Tamper

        Tamper(engine).run("UPDATE ledger_entries SET body = :b WHERE seq = 2", b=b"{}")
        body = client.get("/v1/ledger/verify", headers=token_for("auditor")).get_json()
        assert (body["ok"], body["first_bad_seq"], body["reason"]) == (False, 2, "hash-mismatch")

    def test_an_entry_moved_to_another_client_is_a_hash_mismatch(self, client, token_for, recorded, engine):
        """Section 10, Integrity covers what is read: the client_id column picks the entries of a
        client's ledger page; moving an entry to another client there, body untouched, fails verify."""
        from tests.support.ledger import Tamper

        headers = token_for("auditor")
        assert client.get("/v1/ledger/verify", headers=headers).get_json()["ok"] is True
        Tamper(engine).run("UPDATE ledger_entries SET client_id = 999 WHERE seq = 1")
        assert [e["seq"] for e in client.get("/v1/clients/999/ledger", headers=headers).get_json()["entries"]] == [1]
        body = client.get("/v1/ledger/verify", headers=headers).get_json()
        assert (body["ok"], body["first_bad_seq"], body["reason"]) == (False, 1, "hash-mismatch")


class TestProblems:
    def test_unknown_routes_and_methods_are_problems(self, client):
        assert client.get("/nope").mimetype == "application/problem+json"
        response = client.get(HOOK)
        assert response.status_code == 405 and response.mimetype == "application/problem+json"

    def test_an_internal_error_says_only_internal_error_and_a_request_id(self, app, client, services, monkeypatch):
        app.testing = False

        def explode(*args, **kwargs):
            raise RuntimeError("secret detail jane.doe@example.net")

        monkeypatch.setattr(services.ledger, "verify", explode)
        token = services.tokens.create(name="x", role="dpo")
        response = client.get("/v1/ledger/verify", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 500
        problem = response.get_json()
        assert problem["detail"] == f"internal error (request id {response.headers['X-Request-ID']})"
        assert "secret" not in response.get_data(as_text=True)
