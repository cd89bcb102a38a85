from tests.support.fixtures import hook

CLIENT = 1042


def test_the_summary_follows_the_customer(client, signer, token_for):
    url = f"/v1/clients/{CLIENT}/privacy"
    empty = client.get(url, headers=token_for("agent")).get_json()
    assert empty["verification"] == {"status": "unverified", "current": None, "pending": None}
    assert empty["consent"] == {"marketing": None} and empty["counts"]["ledger_entries"] == 0

    body, headers = signer.request(hook("ClientDetailsValidation"))
    client.post("/v1/hooks/whmcs/validate", data=body, headers=headers)
    body, headers = signer.request(hook("ClientEdit", actor={"type": "admin", "id": 1}))
    client.post("/v1/hooks/whmcs", data=body, headers=headers)
    blocked = client.get(url, headers=token_for("agent")).get_json()
    assert {"email", "address1", "phonenumber"} <= set(blocked["verification"]["pending"]["fields"])
    assert blocked["consent"] == {"marketing": False}
    assert [j["kind"] for j in blocked["jobs"]] == ["revert"]

    client.post(f"/v1/clients/{CLIENT}/verifications", json={"document_type": "passport", "issuing_country": "GB"},
                headers=token_for("agent"))
    verified = client.get(url, headers=token_for("agent")).get_json()
    assert verified["verification"]["status"] == "verified" and verified["verification"]["pending"] is None
    client.delete(f"/v1/clients/{CLIENT}/verifications/current", headers=token_for("agent"))
    revoked = client.get(url, headers=token_for("agent")).get_json()
    assert revoked["verification"]["status"] == "revoked"
    assert "jane" not in str(revoked).lower()
