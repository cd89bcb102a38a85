"""A customer's privacy summary."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from marshmallow import fields, validate

from bridge.privacy import privacy_summary
from bridge.schemas.privacy import ConsentOutSchema, ExportOutSchema, PrivacySummaryOutSchema
from bridge.schemas.staff import CHANNELS, StrictInSchema
from bridge.web.apidoc import documented
from bridge.web.auth import require_role
from bridge.web.staff.common import checked_id

bp = Blueprint("staff_clients", __name__)


@bp.get("/v1/clients/<int:client_id>/privacy")
@documented("Verification, retention, holds, consent, counts and open jobs", response=PrivacySummaryOutSchema)
@require_role("agent")
def client_privacy(client_id: int):
    summary = privacy_summary(current_app.extensions["bridge"].views, checked_id(client_id))
    return jsonify(PrivacySummaryOutSchema().dump(summary))


@bp.get("/v1/clients/<int:client_id>/export")
@documented("Subject-access export (recorded)", response=ExportOutSchema, errors=(403,),
            description="Without a current verification: 403 verification-required.")
@require_role("dpo")
def client_export(client_id: int):
    from bridge.export import export_client
    from bridge.web.staff.common import staff_actor

    document = export_client(current_app.extensions["bridge"].views, checked_id(client_id), actor=staff_actor())
    return jsonify(ExportOutSchema().dump(document))


class ConsentInSchema(StrictInSchema):
    marketing = fields.Boolean(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


@bp.post("/v1/clients/<int:client_id>/consent")
@documented("Record a marketing opt-out received by email or phone", body=ConsentInSchema,
            response=ConsentOutSchema, status=201)
@require_role("agent")
def record_consent(client_id: int):
    from bridge.web.staff.common import load_json, staff_actor

    data = load_json(ConsentInSchema)
    seq = current_app.extensions["bridge"].consent_changes.record(checked_id(client_id), actor=staff_actor(), **data)
    return jsonify(ConsentOutSchema().dump({"client_id": client_id, "marketing": data["marketing"], "seq": seq})), 201
