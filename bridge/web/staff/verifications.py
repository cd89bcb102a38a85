"""Identity checks, the pending queue, and billing disclosure."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from bridge.schemas.staff import (
    BillingDisclosureInSchema,
    PendingQueryInSchema,
    VerificationInSchema,
    VerificationOutSchema,
)
from bridge.verification.service import Attestation
from bridge.web.auth import require_role
from bridge.web.staff.common import checked_id, load_args, load_json, staff_actor

bp = Blueprint("staff_verifications", __name__)


def _services():
    return current_app.extensions["bridge"]


@bp.post("/v1/clients/<int:client_id>/verifications")
@require_role("agent")
def record_verification(client_id: int):
    data = load_json(VerificationInSchema)
    verification = _services().verifications.record_verification(
        checked_id(client_id), Attestation(**data), actor=staff_actor())
    return jsonify(VerificationOutSchema().dump(verification)), 201


@bp.delete("/v1/clients/<int:client_id>/verifications/current")
@require_role("agent")
def revoke_verification(client_id: int):
    _services().verifications.revoke_verification(checked_id(client_id), actor=staff_actor())
    return "", 204


@bp.get("/v1/verifications")
@require_role("agent")
def pending_queue():
    load_args(PendingQueryInSchema)
    items = [{"client_id": r.client_id, "requested_at": r.requested_at.isoformat(), "fields": r.fields,
              "actor": r.actor} for r in _services().verifications.pending()]
    return jsonify({"items": items})


@bp.post("/v1/clients/<int:client_id>/billing-disclosures")
@require_role("agent")
def disclose_billing(client_id: int):
    data = load_json(BillingDisclosureInSchema)
    summary = _services().disclosures.disclose_billing(
        checked_id(client_id), channel=data["channel"], purpose=data["purpose"], user_id=data["user_id"],
        actor=staff_actor())
    return jsonify(summary)
