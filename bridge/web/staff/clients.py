"""A customer's privacy summary."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from marshmallow import fields, validate

from bridge.privacy import privacy_summary
from bridge.schemas.staff import CHANNELS, StrictInSchema
from bridge.web.auth import require_role
from bridge.web.staff.common import checked_id

bp = Blueprint("staff_clients", __name__)


@bp.get("/v1/clients/<int:client_id>/privacy")
@require_role("agent")
def client_privacy(client_id: int):
    return jsonify(privacy_summary(current_app.extensions["bridge"], checked_id(client_id)))


@bp.get("/v1/clients/<int:client_id>/export")
@require_role("dpo")
def client_export(client_id: int):
    from bridge.export import export_client
    from bridge.web.staff.common import staff_actor

    return jsonify(export_client(current_app.extensions["bridge"], checked_id(client_id), actor=staff_actor()))


class ConsentInSchema(StrictInSchema):
    marketing = fields.Boolean(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


@bp.post("/v1/clients/<int:client_id>/consent")
@require_role("agent")
def record_consent(client_id: int):
    from bridge.web.staff.common import load_json, staff_actor

    data = load_json(ConsentInSchema)
    seq = current_app.extensions["bridge"].consent_changes.record(checked_id(client_id), actor=staff_actor(), **data)
    return jsonify({"client_id": client_id, "marketing": data["marketing"], "seq": seq}), 201
