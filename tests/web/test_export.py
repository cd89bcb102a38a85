import json

from tests.support.fixtures import hook

CLIENT = 1042


def test_export_needs_a_verification_and_is_recorded(client, signer, token_for):
    for event in ("ClientAdd", "ContactAdd"):
        body, headers = signer.request(hook(event))
        client.post("/v1/hooks/whmcs", data=body, headers=headers)
    url = f"/v1/clients/{CLIENT}/export"
    refused = client.get(url, headers=token_for("dpo"))
    assert refused.status_code == 403 and refused.get_json()["type"] == "/problems/verification-required"
    assert client.get(url, headers=token_for("agent")).status_code == 403
    client.post(f"/v1/clients/{CLIENT}/verifications", json={"document_type": "passport", "issuing_country": "GB"},
                headers=token_for("agent"))
    document = client.get(url, headers=token_for("dpo")).get_json()
    assert document["client_id"] == CLIENT and document["head"]["seq"] >= len(document["entries"])
    assert document["known_values"][f"client:{CLIENT}"]["email"] == hook("ClientAdd")["vars"]["email"]
    assert any(s.startswith("contact:") for s in document["known_values"])
    assert all(len(e["hash"]) == 64 for e in document["entries"])
    assert hook("ClientAdd")["vars"]["email"] in json.dumps(document["entries"])
    entries = client.get(f"/v1/clients/{CLIENT}/ledger?limit=1000", headers=token_for("auditor")).get_json()["entries"]
    assert entries[-1]["event_type"] == "export.created"


def test_cli_export_writes_a_private_file(client, signer, token_for, base_env, tmp_path, monkeypatch):
    import os
    import stat

    from click.testing import CliRunner

    from bridge.cli import main

    body, headers = signer.request(hook("ClientAdd"))
    client.post("/v1/hooks/whmcs", data=body, headers=headers)
    client.post(f"/v1/clients/{CLIENT}/verifications", json={"document_type": "passport", "issuing_country": "GB"},
                headers=token_for("agent"))
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "export.json"
    result = CliRunner().invoke(main, ["export", str(CLIENT), "--out", str(out)], env=base_env)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert json.loads(out.read_text())["client_id"] == CLIENT
    refused = CliRunner().invoke(main, ["export", "777"], env=base_env)
    assert refused.exit_code == 1 and "verification" in refused.output
