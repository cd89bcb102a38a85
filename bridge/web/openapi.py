"""GET /openapi.json: the OpenAPI 3.1 document, built from the app's URL map and the schemas the
views load and dump with (`@documented`). Built once per app, on first request, from code only:
no setting, secret or host name goes into it."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, current_app, jsonify

from bridge import __version__
from bridge.schemas.problems import ProblemOutSchema
from bridge.web.apidoc import ApiDoc, documented
from bridge.web.problems import TITLES

bp = Blueprint("openapi", __name__)
CACHE_KEY = "bridge_openapi"
PROBLEM = "application/problem+json"
_ARGUMENT = re.compile(r"<(?:(?P<converter>[a-zA-Z_]\w*)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_CONVERTERS = {"int": {"type": "integer", "minimum": 0}, "float": {"type": "number", "minimum": 0},
               "uuid": {"type": "string", "format": "uuid"}}
_SUCCESS = {200: "OK", 201: "Created", 202: "Accepted"}
WEBHOOK_HEADERS = (
    ("webhook-id", "the message id; a repeated id is a duplicate, never a second entry"),
    ("webhook-timestamp", "unix seconds; outside the accepted clock skew the request is 401"),
    ("webhook-signature", "`v1,<base64 HMAC-SHA256>`, several space-separated during secret rotation"),
)


@bp.get("/openapi.json")
@documented("This document", response=None, description="OpenAPI 3.1; public.")
def openapi_document():
    document = current_app.extensions.get(CACHE_KEY)
    if document is None:
        document = current_app.extensions[CACHE_KEY] = build_document(current_app)
    return jsonify(document)


def build_document(app: Flask) -> dict[str, Any]:
    """The whole document as plain data. Every rule of the URL map but `static` is in it, each
    method an operation; a view without `@documented` still appears, with a generic answer."""
    spec = APISpec(title="WHMCS Privacy Bridge", version=__version__, openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Staff API (bearer tokens, nested roles auditor < agent < dpo), "
                                        "signed WHMCS hook traffic, health and metrics."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", schema=ProblemOutSchema)
    paths: dict[str, dict[str, Any]] = defaultdict(dict)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        path, parameters = _path(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths[path][method.lower()] = _operation(rule.endpoint, view, parameters)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """Flask's `<int:client_id>` as OpenAPI's `{client_id}`, with its path parameter."""
    parameters = [
        {"name": m["name"], "in": "path", "required": True,
         "schema": dict(_CONVERTERS.get(m["converter"] or "", {"type": "string"}))}
        for m in _ARGUMENT.finditer(rule)
    ]
    return _ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule), parameters


ACTING_HEADERS = (
    ("X-Acting-Admin", "Console tokens only (`bridge token create --console`): the WHMCS admin at the keyboard; "
                       "the actor is recorded as `<token name>/<admin>`. On any other token: 400."),
    ("X-Acting-Role", "Console tokens only: `auditor`, `agent` or `dpo` (default auditor); the request acts with "
                      "the lower of this role and the token's."),
)


def _operation(endpoint: str, view: Any, path_parameters: list[dict[str, Any]]) -> dict[str, Any]:
    doc: ApiDoc = getattr(view, "apidoc", None) or ApiDoc(summary=endpoint, response=None)
    role = getattr(view, "required_role", None)
    operation: dict[str, Any] = {
        "operationId": endpoint, "summary": doc.summary, "tags": [endpoint.split(".")[0]],
        "parameters": list(path_parameters), "responses": _responses(doc, role, bool(path_parameters)),
    }
    description = doc.description
    if role:
        operation["security"] = [{"bearer": []}]
        operation["x-required-role"] = role
        operation["parameters"] += [{"name": name, "in": "header", "required": False, "description": text,
                                     "schema": {"type": "string"}} for name, text in ACTING_HEADERS]
        description = f"Needs the `{role}` role or above. {description}".strip()
    if description:
        operation["description"] = description
    if doc.signed:
        operation["parameters"] += [{"name": name, "in": "header", "required": True, "description": text,
                                     "schema": {"type": "string"}} for name, text in WEBHOOK_HEADERS]
    if doc.query is not None:
        operation["parameters"].append({"in": "query", "schema": doc.query})
    if doc.body is not None:
        operation["requestBody"] = {"required": _any_required(doc.body),
                                    "content": {"application/json": {"schema": doc.body}}}
    return operation


def _responses(doc: ApiDoc, role: str | None, has_path: bool) -> dict[str, Any]:
    responses = {str(doc.status): _success(doc.status, doc.response, doc.media_type)}
    for status, schema in doc.also.items():
        responses[str(status)] = _success(status, schema, doc.media_type)
    errors = set(doc.errors)
    if role:
        errors |= {400, 401, 403, 503}  # 400: acting headers refused; 503: storage unavailable
    if doc.signed:
        errors |= {400, 401, 413, 503}
    if doc.body is not None:
        errors |= {400, 413}
    if doc.query is not None:
        errors.add(400)
    if has_path:
        errors.add(404)
    for status in sorted(errors):
        responses[str(status)] = {"description": TITLES.get(status, "Error"),
                                  "content": {PROBLEM: {"schema": "Problem"}}}
    return dict(sorted(responses.items()))


def _success(status: int, schema: Any, media_type: str) -> dict[str, Any]:
    if status == 204:
        return {"description": "No content"}
    if schema is None:
        content = {"schema": {"type": "string"}} if media_type.startswith("text/") else {"schema": {"type": "object"}}
    else:
        content = {"schema": schema}
    return {"description": _SUCCESS.get(status) or TITLES.get(status, "Answer"), "content": {media_type: content}}


def _any_required(schema: Any) -> bool:
    return any(field.required for field in schema().fields.values())
