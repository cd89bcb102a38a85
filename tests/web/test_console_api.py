"""Section 11, the bridge side of the staff console: console tokens act for the WHMCS admin named in
X-Acting-Admin, with the lower of the token's role and X-Acting-Role, recorded as
`<token name>/<admin>`; the headers on any other token are a 400. And GET /v1/ledger/status."""

from __future__ import annotations

import pytest

CLIENT = 1042
HOLD = {"reason": "legal_process", "reference": "case 7", "note": "court order"}
CHECK = {"document_type": "passport", "issuing_country": "GB"}


@pytest.fixture
def console(services):
    def headers(admin="jsmith", role="dpo", *, token_role="dpo"):  # noqa: S107 - a role name
        token = services.tokens.create(name=f"whmcs-{token_role}-{len(services.tokens.list())}", role=token_role,
                                       console=True)
        out = {"Authorization": f"Bearer {token}"}
        if admin is not None:
            out["X-Acting-Admin"] = admin
        if role is not None:
            out["X-Acting-Role"] = role
        return out

    return headers


def entries(client, token_for):
    return client.get(f"/v1/clients/{CLIENT}/ledger", headers=token_for("dpo")).get_json()["entries"]


class TestActingAdmin:
    def test_the_actor_is_the_token_and_the_admin(self, client, console, token_for):
        """Section 11: the bridge records the actor as <token name>/<admin username>."""
        response = client.post(f"/v1/clients/{CLIENT}/verifications", json=CHECK, headers=console("jsmith", "agent"))
        assert response.status_code == 201, response.get_json()
        [entry] = entries(client, token_for)
        assert entry["event_type"] == "verification.recorded"
        assert entry["actor"]["type"] == "staff" and entry["actor"]["id"].endswith("/jsmith")
        assert entry["actor"]["id"].startswith("whmcs-dpo-")

    @pytest.mark.parametrize(("acting", "token_role", "status"), [
        ("agent", "dpo", 403),    # an agent may not place a hold, whatever the token may
        ("dpo", "agent", 403),    # nor may a dpo acting through an agent token
        ("dpo", "dpo", 201),
    ])
    def test_the_lower_of_the_two_roles_acts(self, client, console, acting, token_role, status):
        """Section 11: the bridge acts with the lower of the token's role and the acting role."""
        response = client.post(f"/v1/clients/{CLIENT}/holds", json=HOLD,
                               headers=console("jsmith", acting, token_role=token_role))
        assert response.status_code == status, response.get_json()

    def test_an_admin_named_without_a_role_acts_as_auditor(self, client, console):
        """Section 11: an admin in neither role list acts as auditor."""
        headers = console("jsmith", None)
        assert client.get("/v1/ledger/verify", headers=headers).status_code == 200
        assert client.post(f"/v1/clients/{CLIENT}/verifications", json=CHECK, headers=headers).status_code == 403

    def test_a_console_token_alone_acts_as_itself(self, client, console, token_for):
        """Section 11: without the headers a console token is an ordinary token of its role."""
        response = client.post(f"/v1/clients/{CLIENT}/verifications", json=CHECK, headers=console(None, None))
        assert response.status_code == 201
        assert "/" not in entries(client, token_for)[0]["actor"]["id"]

    @pytest.mark.parametrize("extra", [{"X-Acting-Admin": "jsmith"}, {"X-Acting-Role": "auditor"},
                                       {"X-Acting-Admin": "jsmith", "X-Acting-Role": "dpo"}])
    def test_the_headers_on_any_other_token_are_a_400(self, client, token_for, extra):
        """Section 11: the headers are honoured only with a --console token; on any other, 400."""
        headers = {**token_for("dpo"), **extra}
        assert client.get("/v1/ledger/verify", headers=token_for("dpo")).status_code == 200  # the setup
        response = client.get("/v1/ledger/verify", headers=headers)
        assert response.status_code == 400 and response.mimetype == "application/problem+json"

    @pytest.mark.parametrize(("admin", "role"), [("", "dpo"), ("a/b", "dpo"), ("x" * 65, "dpo"),
                                                 ("jsmith", "root"), ("line\nbreak", "agent")])
    def test_malformed_acting_headers_are_a_400_that_echoes_nothing(self, client, console, admin, role):
        """Section 11 / 10: every input validated; nothing submitted is echoed."""
        headers = console("placeholder", "dpo")
        headers["X-Acting-Admin"], headers["X-Acting-Role"] = admin.replace("\n", " \t"), role
        if "\n" in admin:
            headers["X-Acting-Admin"] = "line\x01break"
        response = client.get("/v1/ledger/verify", headers=headers)
        assert response.status_code == 400
        assert "root" not in response.get_data(as_text=True) and "a/b" not in response.get_data(as_text=True)

    def test_the_headers_are_documented(self, client):
        """Section 11: documented in /openapi.json."""
        operation = client.get("/openapi.json").get_json()["paths"]["/v1/clients/{client_id}/holds"]["post"]
        names = {p["name"] for p in operation["parameters"] if p.get("in") == "header"}
        assert {"X-Acting-Admin", "X-Acting-Role"} <= names and "400" in operation["responses"]


class TestLedgerStatus:
    def test_head_anchors_and_the_last_verify(self, client, token_for, services):
        """Section 11: the console's ledger page shows the head, the anchors and the last verify."""
        empty = client.get("/v1/ledger/status", headers=token_for("auditor")).get_json()
        assert empty == {"head": {"seq": 0, "hash": "0" * 64}, "anchors": [], "last_verify": None}
        client.post(f"/v1/clients/{CLIENT}/verifications", json=CHECK, headers=token_for("agent"))
        services.ledger.anchor(in_whmcs=False)
        verified = client.get("/v1/ledger/verify", headers=token_for("auditor")).get_json()
        status = client.get("/v1/ledger/status", headers=token_for("auditor")).get_json()
        assert status["head"] == verified["head"] and status["head"]["seq"] == 1
        assert [(a["seq"], a["whmcs"]) for a in status["anchors"]] == [(1, False)]
        last = status["last_verify"]
        assert (last["ok"], last["entries"], last["head"], last["reason"]) == (True, 1, verified["head"]["hash"], None)

    def test_it_needs_a_token(self, client):
        assert client.get("/v1/ledger/status").status_code == 401
