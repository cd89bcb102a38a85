from datetime import timedelta

from bridge.clock import parse_rfc3339, rfc3339
from tests.support.fixtures import hook

SHA = "a" * 64


def test_policies_take_effect_after_the_notice_and_stamp_entries(client, token_for, signer, clock):
    published = clock.now() - timedelta(days=40)
    first = client.post("/v1/policies", json={"version": "2026-01", "published_at": rfc3339(published),
                                              "document_sha256": SHA}, headers=token_for("dpo"))
    assert first.status_code == 201
    assert first.get_json()["effective_at"] == rfc3339(published + timedelta(days=30))
    second = client.post("/v1/policies", json={"version": "2026-11", "published_at": rfc3339(clock.now()),
                                               "document_sha256": SHA.upper(), "url": "https://example.com/privacy"},
                         headers=token_for("dpo"))
    assert second.status_code == 201
    assert client.post("/v1/policies", json={"version": "2026-11", "published_at": rfc3339(clock.now()),
                                             "document_sha256": SHA}, headers=token_for("dpo")).status_code == 409
    listed = client.get("/v1/policies", headers=token_for("dpo")).get_json()["items"]
    assert [p["version"] for p in listed] == ["2026-01", "2026-11"]

    now = hook("ClientAdd", occurred_at=rfc3339(clock.now()))
    later = hook("ClientClose", occurred_at=rfc3339(clock.now() + timedelta(days=31)))
    for payload in (now, later):
        clock.set(parse_rfc3339(payload["occurred_at"]))  # each arrives when it happens
        body, headers = signer.request(payload)
        assert client.post("/v1/hooks/whmcs", data=body, headers=headers).status_code == 202
    entries = client.get("/v1/clients/1042/ledger", headers=token_for("auditor")).get_json()["entries"]
    by_type = {e["event_type"]: e["policy_version"] for e in entries}
    assert by_type["client.created"] == "2026-01" and by_type["client.closed"] == "2026-11"


def test_policy_input_is_checked_and_needs_dpo(client, token_for, clock):
    good = {"version": "v1", "published_at": rfc3339(clock.now()), "document_sha256": SHA}
    assert client.post("/v1/policies", json=good, headers=token_for("agent")).status_code == 403
    for bad in ({"document_sha256": "xyz"}, {"version": "has space"}, {"published_at": "soon"},
                {"url": "javascript:alert(1)"}, {"extra": 1}):
        assert client.post("/v1/policies", json={**good, **bad}, headers=token_for("dpo")).status_code == 400
