"""Legal holds (dpo): a held customer is never purged."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, jsonify

from bridge.errors import NotFound
from bridge.schemas.retention import HoldInSchema
from bridge.schemas.retention_out import PlacedHoldOutSchema
from bridge.web.apidoc import documented
from bridge.web.auth import require_role
from bridge.web.staff.common import checked_id, load_json, staff_actor

bp = Blueprint("staff_holds", __name__)


@bp.post("/v1/clients/<int:client_id>/holds")
@documented("Place a legal hold", body=HoldInSchema, response=PlacedHoldOutSchema, status=201, errors=(409, 422),
            description="`reason`: legal_obligation, accounting_irregularity or legal_process; anything else is 422.")
@require_role("dpo")
def place_hold(client_id: int):
    data = load_json(HoldInSchema)
    hold = current_app.extensions["bridge"].retention.place_hold(checked_id(client_id), actor=staff_actor(), **data)
    return jsonify(PlacedHoldOutSchema().dump(hold)), 201


@bp.delete("/v1/holds/<hold_id>")
@documented("Release a legal hold", response=None, status=204, errors=(409,))
@require_role("dpo")
def release_hold(hold_id: str):
    try:
        canonical = str(uuid.UUID(hold_id))
    except ValueError:
        raise NotFound("no such hold") from None
    current_app.extensions["bridge"].retention.release_hold(canonical, actor=staff_actor())
    return "", 204
