"""Privacy policy versions (dpo)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify
from marshmallow import fields, validate

from bridge.schemas.policies import PolicyListOutSchema, PolicyOutSchema
from bridge.schemas.staff import StrictInSchema
from bridge.web.apidoc import documented
from bridge.web.auth import require_role
from bridge.web.staff.common import load_json, staff_actor

bp = Blueprint("staff_policies", __name__)


class PolicyInSchema(StrictInSchema):
    version = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._-]{1,40}$"))
    # bounded: near datetime's limits the notice arithmetic overflows (found by fuzzing)
    published_at = fields.AwareDateTime(required=True, default_timezone=UTC, validate=validate.Range(
        min=datetime(1970, 1, 1, tzinfo=UTC), max=datetime(9000, 1, 1, tzinfo=UTC), max_inclusive=False))
    document_sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-fA-F]{64}$"))
    url = fields.Url(load_default=None, allow_none=True, schemes={"https", "http"})


@bp.post("/v1/policies")
@documented("Publish a policy version", body=PolicyInSchema, response=PolicyOutSchema, status=201, errors=(409,),
            description="`effective_at` = `published_at` + the notice days.")
@require_role("dpo")
def publish_policy():
    data = load_json(PolicyInSchema)
    policy = current_app.extensions["bridge"].policies.publish(actor=staff_actor(), **data)
    return jsonify(PolicyOutSchema().dump(policy.as_dict())), 201


@bp.get("/v1/policies")
@documented("Every policy version", response=PolicyListOutSchema)
@require_role("dpo")
def list_policies():
    items = [p.as_dict() for p in current_app.extensions["bridge"].policies.all(fresh=True)]
    return jsonify(PolicyListOutSchema().dump({"items": items}))
