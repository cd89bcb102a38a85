"""Third-party disclosures: recorded only on the policy's three grounds; listed per customer."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from bridge.disclosure.service import ThirdPartyDisclosure
from bridge.schemas.disclosures import RecordedDisclosureOutSchema, ThirdPartyDisclosureListOutSchema
from bridge.schemas.staff import ThirdPartyDisclosureInSchema
from bridge.web.apidoc import documented
from bridge.web.auth import require_role
from bridge.web.staff.common import checked_id, load_json, staff_actor

bp = Blueprint("staff_disclosures", __name__)


@bp.post("/v1/clients/<int:client_id>/disclosures")
@documented("Record a third-party disclosure", body=ThirdPartyDisclosureInSchema,
            response=RecordedDisclosureOutSchema, status=201, errors=(422,),
            description="`ground` is legal_process, rights_protection or emergency; anything else is 422.")
@require_role("dpo")
def record_disclosure(client_id: int):
    data = load_json(ThirdPartyDisclosureInSchema)
    service = current_app.extensions["bridge"].disclosures
    seq = service.record_third_party(checked_id(client_id), ThirdPartyDisclosure(**data), actor=staff_actor())
    return jsonify(RecordedDisclosureOutSchema().dump({"seq": seq, "client_id": client_id, **data})), 201


@bp.get("/v1/clients/<int:client_id>/disclosures")
@documented("A customer's third-party disclosures", response=ThirdPartyDisclosureListOutSchema)
@require_role("dpo")
def list_disclosures(client_id: int):
    items = current_app.extensions["bridge"].disclosures.third_party(checked_id(client_id))
    return jsonify(ThirdPartyDisclosureListOutSchema().dump({"items": items}))
