"""GET /openapi.json: a valid OpenAPI 3.1 document that covers every route of the URL map, built
from the schemas the views use, and that the real answers of the API conform to."""

import json
import re

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from bridge.tokens import ROLES

CLIENT = 42
STAFF_PREFIXES = ("/v1/clients", "/v1/holds", "/v1/verifications", "/v1/retention", "/v1/policies", "/v1/ledger")


@pytest.fixture
def document(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method.lower(), _openapi_path(rule.rule), app.view_functions[rule.endpoint]


def _refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(document, ref: str):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


class TestTheDocument:
    def test_is_public_and_validates_as_openapi_3(self, client, document):
        assert document["openapi"].startswith("3.1")
        validate(document)

    def test_every_route_appears_with_every_method(self, app, document):
        routes = list(_routes(app))
        assert len(routes) >= 20
        missing = [(m, p) for m, p, _view in routes if m not in document["paths"].get(p, {})]
        assert missing == []

    def test_every_view_is_documented(self, app):
        assert [p for _m, p, view in _routes(app) if not hasattr(view, "apidoc")] == []

    def test_every_staff_operation_declares_bearer_security_and_401_403(self, app, document):
        staff = [(m, p, view) for m, p, view in _routes(app) if p.startswith(STAFF_PREFIXES)]
        assert len(staff) >= 15
        for method, path, view in staff:
            operation = document["paths"][path][method]
            assert operation["security"] == [{"bearer": []}], (method, path)
            assert operation["x-required-role"] == view.required_role in ROLES
            assert view.required_role in operation["description"]
            for status in ("401", "403"):
                content = operation["responses"][status]["content"]
                assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}

    def test_public_operations_declare_no_security(self, document):
        for path in ("/healthz", "/readyz", "/metrics", "/openapi.json", "/v1/hooks/whmcs"):
            for operation in document["paths"][path].values():
                assert "security" not in operation

    def test_every_reference_resolves(self, document):
        refs = set(_refs(document))
        assert "#/components/schemas/Problem" in refs
        for ref in refs:
            assert isinstance(_resolve(document, ref), dict), ref

    def test_every_success_response_of_a_json_view_names_a_schema(self, document):
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                for status, response in operation["responses"].items():
                    for media, content in response.get("content", {}).items():
                        if media == "application/json" and path != "/openapi.json":
                            assert "$ref" in content["schema"], (method, path, status)

    def test_hooks_have_two_success_codes_and_the_standard_webhooks_headers(self, document):
        operation = document["paths"]["/v1/hooks/whmcs"]["post"]
        assert {"200", "202", "400", "401", "413"} <= set(operation["responses"])
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
        for path in ("/v1/hooks/whmcs/validate", "/v1/hooks/whmcs/panel"):
            assert {p["name"] for p in document["paths"][path]["post"]["parameters"]} == headers

    def test_path_parameters_follow_the_converters(self, document):
        parameters = [p for p in document["paths"]["/v1/clients/{client_id}/privacy"]["get"]["parameters"]
                      if p["in"] == "path"]
        assert parameters == [{"name": "client_id", "in": "path", "required": True,
                               "schema": {"type": "integer", "minimum": 0}}]
        hold = document["paths"]["/v1/holds/{hold_id}"]["delete"]
        assert hold["parameters"][0]["schema"] == {"type": "string"}
        assert set(hold["responses"]) >= {"204", "401", "403", "404"}

    def test_is_built_once_per_app_and_carries_no_setting(self, app, client, base_env, document):
        assert client.get("/openapi.json").get_json() == document
        assert app.extensions["bridge_openapi"] == document
        text = json.dumps(document)
        secret = base_env["BRIDGE_WEBHOOK_SECRET"]
        for value in (secret, secret.removeprefix("whsec_"), base_env["BRIDGE_MASTER_KEY"],
                      base_env["BRIDGE_DATABASE_URL"], "127.0.0.1", "localhost", "sqlite"):
            assert value not in text


# -- the real answers conform to what the document says -------------------------------------------


def _client_edit(n: int, **vars_):
    return {"event": "ClientEdit", "occurred_at": "2026-11-24T19:00:00Z", "whmcs": {"version": "8.13.1"},
            "actor": {"type": "admin", "id": 1, "ip": "203.0.113.5"}, "outbox_id": n,
            "vars": {"userid": CLIENT, **vars_}}


def _scenario(client, signer, token_for):
    """A story touching every operation; yields (method, rule path, response)."""
    dpo, agent, auditor = token_for("dpo"), token_for("agent"), token_for("auditor")
    body, headers = signer.request(_client_edit(1, email="n@example.com", olddata={"email": "o@example.com"}))
    yield "post", "/v1/hooks/whmcs", client.post("/v1/hooks/whmcs", data=body, headers=headers)
    yield "post", "/v1/hooks/whmcs", client.post("/v1/hooks/whmcs", data=body, headers=headers)  # duplicate
    body, headers = signer.request({**_client_edit(2, status="Closed"), "event": "SomethingNew"})
    yield "post", "/v1/hooks/whmcs", client.post("/v1/hooks/whmcs", data=body, headers=headers)
    body, headers = signer.request(_client_edit(3, status="Closed"))
    yield "post", "/v1/hooks/whmcs", client.post("/v1/hooks/whmcs", data=body, headers=headers)
    yield "post", "/v1/hooks/whmcs", client.post("/v1/hooks/whmcs", data=b"{}", headers=signer.headers(b"{}"))
    yield "post", "/v1/hooks/whmcs", client.post("/v1/hooks/whmcs", data=b"{}")
    for event, kind in (("ClientDetailsValidation", "validate"), ("EmailPreSend", "validate"),
                        ("AdminAreaClientSummaryPage", "panel"), ("ClientAreaHomepage", "panel")):
        payload = {**_client_edit(0, messagename="Welcome", relid=CLIENT), "event": event}
        del payload["outbox_id"]
        body, headers = signer.request(payload)
        yield "post", f"/v1/hooks/whmcs/{kind}", client.post(f"/v1/hooks/whmcs/{kind}", data=body, headers=headers)
    base = f"/v1/clients/{CLIENT}"
    calls = [
        ("get", f"{base}/verifications", "post", dpo, {"document_type": "passport", "issuing_country": "DE"}),
        ("get", f"{base}/holds", "post", dpo, {"reason": "legal_process", "reference": "case 7"}),
        ("get", f"{base}/holds", "post", dpo, {"reason": "gossip", "reference": "x"}),
        ("get", f"{base}/disclosures", "post", dpo,
         {"recipient": "Court", "ground": "legal_process", "reference": "r", "categories": ["contact"]}),
        ("get", f"{base}/disclosures", "get", dpo, None),
        ("get", f"{base}/consent", "post", agent, {"marketing": False, "channel": "phone", "note": "asked"}),
        ("get", "/v1/policies", "post", dpo,
         {"version": "2026-1", "published_at": "2026-01-01T00:00:00Z", "document_sha256": "a" * 64}),
        ("get", "/v1/policies", "get", dpo, None),
        ("get", "/v1/verifications", "get", agent, None),
        ("get", f"{base}/privacy", "get", agent, None),
        ("get", f"{base}/ledger", "get", auditor, None),
        ("get", f"{base}/ledger?limit=2", "get", dpo, None),
        ("get", f"{base}/ledger?limit=0", "get", dpo, None),
        ("get", "/v1/ledger/verify", "get", auditor, None),
        ("get", "/v1/retention/plan?as_of=2030-01-01", "get", auditor, None),
        ("get", "/v1/retention/run", "post", dpo, {"dry_run": True, "as_of": "2030-01-01"}),
        ("get", "/v1/retention/run", "post", dpo, {"as_of": "2030-01-01"}),
        ("get", f"{base}/export", "get", dpo, None),
        ("get", f"{base}/billing-disclosures", "post", agent, {"channel": "phone", "purpose": "p"}),
        ("get", f"{base}/verifications/current", "delete", agent, None),
        ("get", f"{base}/export", "get", dpo, None),
        ("get", f"{base}/privacy", "get", auditor, None),
        ("get", "/v1/clients/0/privacy", "get", dpo, None),
        ("get", "/healthz", "get", {}, None),
        ("get", "/readyz", "get", {}, None),
        ("get", "/metrics", "get", {}, None),
    ]
    for _, path, method, headers, payload in calls:
        response = client.open(path, method=method.upper(), headers=headers, json=payload)
        yield method, path.split("?")[0], response
        if path.endswith("/holds") and response.status_code == 201:
            hold = response.get_json()["hold_id"]
            yield "delete", "/v1/holds/{hold_id}", client.delete(f"/v1/holds/{hold}", headers=dpo)
            yield "delete", "/v1/holds/{hold_id}", client.delete(f"/v1/holds/{hold}", headers=dpo)


def _documented(document, method: str, path: str):
    path = re.sub(rf"/v1/clients/(?:{CLIENT}|0)/", "/v1/clients/{client_id}/", path)
    return document["paths"][path][method]


def test_every_answer_of_a_whole_story_conforms_to_the_document(client, signer, token_for, document):
    seen = set()
    for method, path, response in _scenario(client, signer, token_for):
        operation = _documented(document, method, path)
        status = str(response.status_code)
        assert status in operation["responses"], (method, path, status, response.get_data(as_text=True)[:300])
        seen.add((method, path, status))
        content = operation["responses"][status].get("content")
        if content is None:
            assert response.get_data() == b"", (method, path)
            continue
        assert response.mimetype in content, (method, path, status, response.mimetype)
        schema = content[response.mimetype]["schema"]
        if response.mimetype.endswith("json"):
            OAS31Validator({**schema, "components": document["components"]}).validate(response.get_json())
    statuses = {s for _m, _p, s in seen}
    assert {"200", "201", "202", "204", "400", "401", "403", "404", "422", "503"} <= statuses
