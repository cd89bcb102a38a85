"""Every staff endpoint x {no token, revoked token, each role}: 401, 403 or through. Endpoints are
found from the app's URL map, so a new staff view without a role guard fails here."""

import re

import pytest

from bridge.tokens import ROLES

PUBLIC = {"/healthz", "/readyz", "/metrics", "/openapi.json", "/v1/hooks/whmcs", "/v1/hooks/whmcs/validate",
          "/v1/hooks/whmcs/panel", "/v1/hooks/whmcs/work", "/v1/hooks/whmcs/export"}  # hooks: signed, no token


def _staff_routes(app):
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule in PUBLIC:
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, rule.rule, getattr(view, "required_role", None)))
    return routes


def _path(rule: str) -> str:
    return re.sub(r"<(?:int:)?[a-z_]+>", "1", rule)


def test_every_non_public_route_declares_a_role(app):
    routes = _staff_routes(app)
    assert len(routes) >= 10
    assert [r for r in routes if r[2] not in ROLES] == []


def test_the_access_matrix(app, client, services):
    tokens = {role: services.tokens.create(name=f"m-{role}", role=role) for role in ROLES}
    revoked = services.tokens.create(name="m-revoked", role="dpo")
    services.tokens.revoke("m-revoked")
    checked = 0
    for method, rule, needed in _staff_routes(app):
        path = _path(rule)
        call = lambda headers: client.open(path, method=method, headers=headers, json={})  # noqa: B023,E731
        assert call({}).status_code == 401, (method, rule)
        assert call({"Authorization": f"Bearer {revoked}"}).status_code == 401, (method, rule)
        for role in ROLES:
            response = call({"Authorization": f"Bearer {tokens[role]}"})
            allowed = ROLES.index(role) >= ROLES.index(needed)
            if allowed:
                assert response.status_code != 401, (method, rule, role)
                problem = response.get_json(silent=True) or {}
                assert problem.get("type") != "/problems/forbidden", (method, rule, role)
            else:
                assert response.status_code == 403, (method, rule, role)
                assert response.get_json()["type"] == "/problems/forbidden"
            checked += 1
    assert checked >= 30


@pytest.mark.parametrize("header", ["Bearer", "Bearer  ", "bearer x y", "Token abc", "Bearer " + "x" * 500])
def test_malformed_authorization_headers_are_401(client, header):
    assert client.get("/v1/ledger/verify", headers={"Authorization": header}).status_code == 401
